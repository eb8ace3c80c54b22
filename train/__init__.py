"""prevsteer: preventative-steering fine-tuning.

The public steering API is small: a `PersonaVector` artifact, decoder layers found by
`find_decoder_layers`, a `SteeringSpec` (operator, layers, coefficient, scope) and the
`steer` context manager that always removes its hooks.
"""

from train.errors import PrevsteerError
from train.steering.hooks import Steering, SteeringSpec, steer
from train.steering.layers import find_decoder_layers
from train.steering.vectors import PersonaVector

__all__ = [
    "PersonaVector",
    "PrevsteerError",
    "Steering",
    "SteeringSpec",
    "find_decoder_layers",
    "steer",
]
