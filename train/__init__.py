"""prevsteer: preventative-steering fine-tuning.

The public steering API is small: a `PersonaVector` artifact, decoder layers found by
`find_decoder_layers`, a `SteeringSpec` (operator, layers, coefficient, scope) and the
`steer` context manager that always removes its hooks. They are imported when first used, so
`import train.files` (paths, run directories, judges' caches) loads no torch.
"""

from __future__ import annotations

import importlib
from typing import Any

from train.errors import PrevsteerError

_LAZY = {
    "PersonaVector": "train.steering.vectors",
    "Steering": "train.steering.hooks",
    "SteeringSpec": "train.steering.hooks",
    "find_decoder_layers": "train.steering.layers",
    "steer": "train.steering.hooks",
}

__all__ = ["PrevsteerError", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'train' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
