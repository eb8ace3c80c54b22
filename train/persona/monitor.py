"""Monitoring: projections of activations on a persona vector (docs/method.md, "Monitoring").

- Prompt projection: the last prompt token's activation at block `layer` (the chat prompt with its
  generation prompt, i.e. the position that predicts the first answer token) projected on the unit vector.
  It predicts how strongly the model will show the trait.
- Answer projection: the mean over an answer's tokens (teacher-forced) projected on the unit vector.
- Finetuning shift: the fine-tuned model's mean last-prompt-token activation minus the base model's, over
  the evaluation prompts, projected on the unit vector.

Row `l` of a persona vector and `layer` here both mean the output of decoder block `l` (0-based).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from train.errors import PrevsteerError
from train.files import refuse_overwrite, write_csv, write_json
from train.persona.persona_settings import ProjectionSettings
from train.steering.activations import Message, answer_means, prompt_token_ids
from train.steering.layers import find_decoder_layers, hidden_size_of, output_hidden
from train.steering.vectors import PersonaVector


class _Captured(Exception):
    """Raised by the capture hook to skip the blocks after `layer` and the LM head."""


def unit_direction(
    model: nn.Module, vector: PersonaVector | torch.Tensor, layer: int, layers_path: str | None = None
) -> torch.Tensor:
    """The unit vector at `layer`, float32 on the CPU, after checking it fits the model."""
    num_layers = len(find_decoder_layers(model, layers_path))
    hidden = hidden_size_of(model)
    if isinstance(vector, torch.Tensor) and vector.ndim == 2:
        vector = PersonaVector(vector)
    if isinstance(vector, PersonaVector):
        vector.check_compatible(num_layers, hidden, what="vector")
    if not isinstance(layer, int) or isinstance(layer, bool) or not 0 <= layer < num_layers:
        raise PrevsteerError(f"layer: {layer} is out of range; the model has blocks 0..{num_layers - 1}")
    if isinstance(vector, PersonaVector):
        direction = vector.vector[layer]
    elif isinstance(vector, torch.Tensor) and vector.ndim == 1:
        if vector.numel() != hidden:
            raise PrevsteerError(f"vector: direction size {vector.numel()} does not match the model's {hidden}")
        direction = vector
    else:
        raise PrevsteerError("vector must be a PersonaVector, a [num_layers, hidden] or a [hidden] tensor")
    direction = direction.detach().float().cpu()
    norm = direction.norm()
    if not torch.isfinite(norm) or norm == 0:
        raise PrevsteerError(f"vector: the layer-{layer} row has norm {float(norm)}; cannot project on it")
    return direction / norm


@torch.no_grad()
def last_prompt_activations(
    model: nn.Module,
    tokenizer,
    prompts: Sequence[Sequence[Message]],
    layer: int,
    batch_size: int = 8,
    layers_path: str | None = None,
) -> torch.Tensor:
    """Per prompt, the output of block `layer` at the last prompt token: [N, d] float32 on the CPU.

    Batches are always right-padded whatever `tokenizer.padding_side` says, so positions match an unpadded
    pass, and the last real token of each row is read at its own length - 1.
    """
    blocks = find_decoder_layers(model, layers_path)
    if not 0 <= layer < len(blocks):
        raise PrevsteerError(f"layer: {layer} is out of range; the model has blocks 0..{len(blocks) - 1}")
    device = next(model.parameters()).device
    captured: list[torch.Tensor] = []

    def hook(module, args, output):
        captured.append(output_hidden(output))
        raise _Captured

    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    was_training = model.training
    model.eval()
    handle = blocks[layer].register_forward_hook(hook)
    out = []
    try:
        for start in range(0, len(prompts), batch_size):
            encoded = [prompt_token_ids(tokenizer, p) for p in prompts[start : start + batch_size]]
            lengths = torch.tensor([len(ids) for ids in encoded])
            input_ids = torch.full((len(encoded), int(lengths.max())), pad, dtype=torch.long)
            attention = torch.zeros_like(input_ids)
            for row, ids in enumerate(encoded):
                input_ids[row, : len(ids)] = torch.tensor(ids)
                attention[row, : len(ids)] = 1
            captured.clear()
            with contextlib.suppress(_Captured):
                model(input_ids=input_ids.to(device), attention_mask=attention.to(device), use_cache=False)
            if not captured:
                raise PrevsteerError(f"block {layer} did not run in the forward pass")
            hidden = captured[0]  # [B, T, d]
            rows = torch.arange(len(encoded), device=hidden.device)
            out.append(hidden[rows, (lengths - 1).to(hidden.device)].float().cpu())
    finally:
        handle.remove()
        model.train(was_training)
    if not out:
        raise PrevsteerError("no prompts to project")
    return torch.cat(out)


def answer_projections(
    model: nn.Module,
    tokenizer,
    conversations: Sequence[tuple[Sequence[Message], str]],
    vector: PersonaVector | torch.Tensor,
    layer: int,
    batch_size: int = 8,
    layers_path: str | None = None,
) -> list[float]:
    """Per (prompt, answer), the mean activation over the answer's tokens at `layer` on the unit vector."""
    unit = unit_direction(model, vector, layer, layers_path)
    if not conversations:
        raise PrevsteerError("no answers to project")
    means = answer_means(model, tokenizer, conversations, batch_size, layers_path)  # [N, L, d]
    return (means[:, layer].double() @ unit.double()).tolist()


@dataclass
class FinetuningShift:
    """Projection of (fine-tuned minus base) mean last-prompt-token activation, and each model's mean."""

    shift: float
    base_mean: float
    finetuned_mean: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {"shift": self.shift, "base_mean": self.base_mean, "finetuned_mean": self.finetuned_mean, "n": self.n}


def shift_between(base_acts: torch.Tensor, tuned_acts: torch.Tensor, unit: torch.Tensor) -> FinetuningShift:
    """docs/method.md, "Monitoring": mean last-prompt-token activation of the fine-tuned model minus the base
    model's ([N, d] each, over the evaluation prompts), projected on the unit vector (the projection is linear, so
    this is also the difference of the two models' mean prompt projections)."""
    base_mean, tuned_mean, unit = base_acts.double().mean(0), tuned_acts.double().mean(0), unit.double()
    return FinetuningShift(
        shift=float((tuned_mean - base_mean) @ unit),
        base_mean=float(base_mean @ unit),
        finetuned_mean=float(tuned_mean @ unit),
        n=len(base_acts),
    )


# --- `prevsteer project` --------------------------------------------------------------------------------


def _stats(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"mean": None, "std": None, "n": 0}
    tensor = torch.tensor(values, dtype=torch.float64)
    std = float(tensor.std()) if len(values) > 1 else 0.0  # sample standard deviation
    return {"mean": float(tensor.mean()), "std": std, "n": len(values)}


def run_project(settings: ProjectionSettings) -> Path:
    """Write `out/projections.csv` and `out/summary.json` for the rows of `input` (prompt, answer or None; see
    `train.dataprep.chat.load_monitor_rows`)."""
    from train.dataprep.chat import load_monitor_rows
    from train.models.loading import load_any_model

    vector_path, layer, model_name, base_model = settings.vector, settings.layer, settings.model, settings.base_model
    input_path, out_dir, batch_size = settings.input, settings.out, settings.batch_size
    outputs = [out_dir / "projections.csv", out_dir / "summary.json"]
    if out_dir.exists() and not out_dir.is_dir():
        raise PrevsteerError(f"out {out_dir} is a file, not a folder")
    for output in outputs:
        refuse_overwrite(output, settings.force)
    if batch_size < 1:
        raise PrevsteerError(f"batch_size must be at least 1, got {batch_size}")
    rows = load_monitor_rows(input_path)
    vector = PersonaVector.load(vector_path)
    model, tokenizer = load_any_model(model_name)
    unit = unit_direction(model, vector, layer)  # fail on shape or layer before any forward pass
    prompts = [prompt for prompt, _ in rows]
    tuned_acts = last_prompt_activations(model, tokenizer, prompts, layer, batch_size)
    prompt_proj = (tuned_acts.double() @ unit.double()).tolist()
    answered = [i for i, (_, answer) in enumerate(rows) if answer is not None]
    answer_proj: dict[int, float] = {}
    if answered:
        pairs = [(prompt, answer) for prompt, answer in rows if answer is not None]
        values = answer_projections(model, tokenizer, pairs, vector, layer, batch_size)
        answer_proj = dict(zip(answered, values, strict=True))
    summary: dict[str, Any] = {
        "model": model_name,
        "vector": str(vector_path),
        "trait": vector.trait,
        "layer": layer,
        "input": str(input_path),
        "n": len(rows),
        "prompt_projection": _stats(prompt_proj),
        "answer_projection": _stats(list(answer_proj.values())),
        "projection": "activation at the output of block `layer` dotted with the unit vector of row `layer`",
    }
    if base_model is not None:
        base, _ = load_any_model(base_model)
        unit_direction(base, vector, layer)
        base_acts = last_prompt_activations(base, tokenizer, prompts, layer, batch_size)
        shift = shift_between(base_acts, tuned_acts, unit)
        summary["base_model"] = base_model
        summary["finetuning_shift"] = shift.to_dict()
    out_dir.mkdir(parents=True, exist_ok=True)
    table = [[i, repr(value), repr(answer_proj[i]) if i in answer_proj else ""] for i, value in enumerate(prompt_proj)]
    write_csv(outputs[0], ["index", "prompt_projection", "answer_projection"], table)
    write_json(outputs[1], summary)
    return out_dir
