"""Find a model's decoder blocks, across architectures and through peft/DDP/DeepSpeed wrappers."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from train.errors import PrevsteerError

# Attribute paths of the decoder-block ModuleList, relative to the bare causal LM.
KNOWN_LAYER_PATHS = (
    "model.layers",  # Llama, Qwen2, Mistral, Gemma, Phi-3
    "model.language_model.layers",  # multimodal wrappers
    "transformer.h",  # GPT-2, GPT-J, Falcon
    "gpt_neox.layers",  # GPT-NeoX, Pythia
    "model.decoder.layers",  # OPT
    "layers",  # a bare decoder model
)


def unwrap_model(model: nn.Module) -> nn.Module:
    """Strip DDP/DeepSpeed (`.module`) and peft (`.base_model.model`) wrappers."""
    while True:
        if hasattr(model, "module") and isinstance(model.module, nn.Module):
            model = model.module
        elif type(model).__name__.startswith("Peft") and hasattr(model, "get_base_model"):
            model = model.get_base_model()  # type: ignore[operator]  # torch types Module attributes as Tensor | Module
        else:
            return model


def _get_path(obj: object, path: str) -> object | None:
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def find_decoder_layers(model: nn.Module, layers_path: str | None = None) -> nn.ModuleList:
    """Return the ModuleList of decoder blocks; `layers_path` (e.g. "model.layers") overrides discovery."""
    base = unwrap_model(model)
    if layers_path is not None:
        found = _get_path(base, layers_path)
        if not isinstance(found, nn.ModuleList) or len(found) == 0:
            raise PrevsteerError(
                f"model.layers_path: '{layers_path}' is not a non-empty ModuleList on {type(base).__name__}"
            )
        return found
    for path in KNOWN_LAYER_PATHS:
        found = _get_path(base, path)
        if isinstance(found, nn.ModuleList) and len(found) > 0:
            return found
    # Fallback: the largest ModuleList whose blocks look like decoder layers.
    candidates = [
        m
        for m in base.modules()
        if isinstance(m, nn.ModuleList)
        and len(m) > 0
        and any(k in type(m[0]).__name__ for k in ("DecoderLayer", "Block", "Layer"))
    ]
    if candidates:
        return max(candidates, key=len)
    raise PrevsteerError(
        f"no decoder layers found in {type(base).__name__}; set model.layers_path "
        f"(tried {', '.join(KNOWN_LAYER_PATHS)})"
    )


def check_layer_range(layers: list[int], num_layers: int, field: str = "steering.layers") -> None:
    """Fail with the field's name when a layer index is not a block of the model."""
    bad = [layer for layer in layers if not 0 <= layer < num_layers]
    if bad:
        raise PrevsteerError(f"{field}: {bad} out of range; the model has layers 0..{num_layers - 1}")


def hidden_size_of(model: nn.Module) -> int:
    config: Any = unwrap_model(model).config  # a transformers config
    config = config.get_text_config() if hasattr(config, "get_text_config") else config
    for key in ("hidden_size", "n_embd", "d_model"):
        if getattr(config, key, None):
            return int(getattr(config, key))
    raise PrevsteerError(f"cannot read the hidden size from {type(config).__name__}")


def output_hidden(output: torch.Tensor | tuple) -> torch.Tensor:
    """The residual stream in a decoder block's output (a tensor, or the first item of a tuple)."""
    return output[0] if isinstance(output, tuple) else output


def replace_hidden(output: torch.Tensor | tuple, hidden: torch.Tensor) -> torch.Tensor | tuple:
    """Out-of-place: a new output with the residual stream swapped, the rest untouched."""
    if isinstance(output, tuple):
        return (hidden, *output[1:])
    return hidden
