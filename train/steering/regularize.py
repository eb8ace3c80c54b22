"""Projection regularisation baseline: penalise how far answer-token projections on the trait
direction move away from the base model's (docs/method.md, "Baselines"; found ineffective in the study, still
asked for)."""

from __future__ import annotations

import copy

import torch
from torch import nn

from train.steering.hooks import IGNORE_INDEX
from train.steering.layers import check_layer_range, find_decoder_layers, hidden_size_of, output_hidden, unwrap_model
from train.steering.vectors import PersonaVector

FORWARD_KEYS = ("input_ids", "attention_mask", "position_ids")


class ProjectionRegularizer:
    """Captures projections on unit vectors at chosen layers; `penalty` compares them with the base model.

    The base model is the LoRA model with its adapter disabled, or a frozen copy for full fine-tuning.
    """

    def __init__(
        self,
        model: nn.Module,
        vectors: list[PersonaVector],
        layers: list[int],
        weight: float,
        layers_path: str | None = None,
    ) -> None:
        self.blocks = find_decoder_layers(model, layers_path)
        for vec in vectors:
            vec.check_compatible(len(self.blocks), hidden_size_of(model))
        check_layer_range(layers, len(self.blocks))
        self.layers = sorted(set(layers))
        self.weight = weight
        stack = torch.stack([v.vector for v in vectors])  # [k, L, d]
        self.units = {layer: torch.nn.functional.normalize(stack[:, layer], dim=-1) for layer in self.layers}
        self.is_peft = hasattr(model, "disable_adapter")
        # Full fine-tuning needs a frozen copy of the starting weights as the reference.
        self.reference = None if self.is_peft else copy.deepcopy(unwrap_model(model)).eval().requires_grad_(False)
        self._captured: dict[int, torch.Tensor] = {}
        self._handles: list[torch.utils.hooks.RemovableHandle] = []
        self.calls = 0  # training-mode hook firings, for diagnostics (every rank must see them)

    def _hook(self, layer: int):
        def hook(module: nn.Module, args: tuple, output: torch.Tensor | tuple) -> None:
            hidden = output_hidden(output)
            self.calls += int(module.training and torch.is_grad_enabled())
            self._captured[layer] = hidden @ self.units[layer].to(hidden.device, hidden.dtype).T  # [B, T, k]

        return hook

    def __enter__(self) -> ProjectionRegularizer:
        block_lists = [self.blocks]
        if self.reference is not None:
            block_lists.append(find_decoder_layers(self.reference))
        for blocks in block_lists:
            for layer in self.layers:
                self._handles.append(blocks[layer].register_forward_hook(self._hook(layer)))
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self._captured.clear()

    @torch.no_grad()
    def reference_projections(self, model: nn.Module, inputs: dict[str, torch.Tensor]) -> dict[int, torch.Tensor]:
        """Projections of the base model on this batch (no gradients)."""
        forward_inputs = {k: inputs[k] for k in FORWARD_KEYS if k in inputs}
        if self.reference is not None:
            self.reference.to(inputs["input_ids"].device)(**forward_inputs, use_cache=False)
        else:
            with model.disable_adapter():  # type: ignore[operator]  # torch types Module attributes as Tensor | Module
                model(**forward_inputs, use_cache=False)
        reference = {layer: t.detach() for layer, t in self._captured.items()}
        self._captured.clear()
        return reference

    def penalty(self, reference: dict[int, torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
        """weight * mean over layers and answer tokens of the squared projection change."""
        answer = (labels != IGNORE_INDEX).unsqueeze(-1)
        count = answer.sum().clamp_min(1)
        terms = []
        for layer in self.layers:
            diff = (self._captured[layer] - reference[layer].to(self._captured[layer].dtype)) * answer
            terms.append(diff.pow(2).sum() / count)
        self._captured.clear()
        return self.weight * torch.stack(terms).mean()
