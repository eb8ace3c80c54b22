"""The persona-vector artifact: one `[num_layers, hidden]` tensor plus the metadata that says what it is.

Row `l` is measured at, and applied to, the output of decoder block `l` (convention "block_output").
The original research code stored `[L+1, hidden]` indexed like `hidden_states` (row 0 = embeddings);
`PersonaVector.from_original_pt` drops that row so nothing is off by one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save

from train.errors import PrevsteerError
from train.files import write_atomic

BLOCK_OUTPUT = "block_output"
HIDDEN_STATES = "hidden_states"
TENSOR_KEY = "vector"
METADATA_KEY = "prevsteer"


@dataclass
class PersonaVector:
    """A trait direction per decoder layer, with where it came from."""

    vector: torch.Tensor  # [num_layers, hidden], float32
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.vector.ndim != 2:
            raise PrevsteerError(f"persona vector must be [num_layers, hidden], got shape {list(self.vector.shape)}")
        self.vector = self.vector.detach().to(torch.float32).cpu().contiguous()
        self.metadata.setdefault("layer_convention", BLOCK_OUTPUT)
        self.metadata.setdefault("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.metadata["num_layers"], self.metadata["hidden_size"] = self.num_layers, self.hidden_size
        self.metadata["norms"] = [round(float(n), 6) for n in self.vector.norm(dim=-1)]

    @property
    def num_layers(self) -> int:
        return int(self.vector.shape[0])

    @property
    def hidden_size(self) -> int:
        return int(self.vector.shape[1])

    @property
    def trait(self) -> str:
        return str(self.metadata.get("trait", "unknown"))

    def save(self, path: str | os.PathLike) -> Path:
        """Write atomically: a crash mid-write never leaves a truncated artifact behind."""
        metadata = {METADATA_KEY: json.dumps(self.metadata)}
        return write_atomic(path, save({TENSOR_KEY: self.vector}, metadata=metadata))

    @classmethod
    def load(cls, path: str | os.PathLike) -> PersonaVector:
        path = Path(path)
        if not path.is_file():
            raise PrevsteerError(f"persona vector file not found: {path}")
        if path.suffix == ".pt":
            return cls.from_original_pt(path)
        try:
            tensors = load_file(path)
            with safe_open(path, framework="pt") as f:
                raw_meta = (f.metadata() or {}).get(METADATA_KEY, "{}")
        except (SafetensorError, OSError, ValueError) as exc:
            raise PrevsteerError(f"{path}: not a readable safetensors persona vector ({exc})") from None
        if TENSOR_KEY not in tensors:
            raise PrevsteerError(f"{path}: no tensor named '{TENSOR_KEY}' (found: {', '.join(tensors) or 'none'})")
        metadata = json.loads(raw_meta)
        vector = tensors[TENSOR_KEY]
        if metadata.get("layer_convention", BLOCK_OUTPUT) == HIDDEN_STATES:
            vector = vector[1:]
            metadata["layer_convention"] = BLOCK_OUTPUT
        metadata["source"] = str(path)
        return cls(vector, metadata)

    @classmethod
    def from_original_pt(cls, path: str | os.PathLike, **metadata: Any) -> PersonaVector:
        """Import the research code's `.pt` (`[L+1, hidden]`, row i = output of block i-1)."""
        path = Path(path)
        try:
            tensor = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # torch raises many types for a bad pickle
            raise PrevsteerError(f"{path}: not a readable torch tensor file ({type(exc).__name__})") from None
        if not isinstance(tensor, torch.Tensor) or tensor.ndim != 2 or tensor.shape[0] < 2:
            raise PrevsteerError(f"{path}: expected a [num_layers+1, hidden] tensor as in the original code")
        meta = {"imported_from": str(path), "original_layer_convention": HIDDEN_STATES, **metadata}
        return cls(tensor[1:], meta)

    def other_model(self, model: str) -> str | None:
        """The model this vector was extracted from, when it is recorded and is not `model`. A hub id and a local
        copy of it (`Org/Name` and `/models/Name`) count as the same model."""
        made = self.metadata.get("model")
        if not made or str(made) == model:
            return None
        same = Path(str(made).rstrip("/")).name.lower() == Path(model.rstrip("/")).name.lower()
        return None if same else str(made)

    def check_compatible(self, num_layers: int, hidden_size: int, what: str = "steering.vector") -> None:
        """Fail clearly if this vector was made for a model of another shape."""
        if self.hidden_size != hidden_size:
            raise PrevsteerError(
                f"{what}: vector hidden size {self.hidden_size} does not match the model's {hidden_size}"
                f" (vector made for {self.metadata.get('model', 'an unknown model')})"
            )
        if self.num_layers != num_layers:
            hint = " (an original-code [L+1, d] file? import it as .pt)" if self.num_layers == num_layers + 1 else ""
            raise PrevsteerError(f"{what}: vector has {self.num_layers} layers, the model has {num_layers}{hint}")
