"""Steering hooks: add a persona vector to (or ablate it from) the residual stream of chosen layers.

A `SteeringSpec` says what to do; `Steering` turns it into per-layer tensors for one model and owns the
forward hooks; `steer(...)` is the context manager that always removes them. Hooks are out-of-place and
keep no per-call state (the token mask is set once per batch by the trainer and only read), so gradient
checkpointing's recomputation sees exactly what the first forward saw.

`positions` follows the persona-vectors study's steerer: `response` steers the last position of every forward
(with the KV cache: the prompt's last token in the prefill, then each generated token), `prompt` every position
of forwards longer than one token (the prefill), `all` every position. A caller whose forwards are not "one
prompt, then one token at a time" says where each row's prompt ends with `response_positions`: `response` then
steers that token and every later one, which is what generation would have steered had the row's answer tokens
been generated one at a time (MMLU's teacher-forced choices, right-padded rows, its shared few-shot prefix).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from train.errors import PrevsteerError
from train.steering.layers import check_layer_range, find_decoder_layers, hidden_size_of, output_hidden, replace_hidden
from train.steering.vectors import PersonaVector

Operator = Literal["add", "ablate"]
Scope = Literal["all", "prompt", "answer"]
Unit = Literal["raw", "relative"]
When = Literal["train", "eval", "always"]
Positions = Literal["response", "prompt", "all"]

IGNORE_INDEX = -100
_LAST = "last"  # `response` steering acts at each row's last position (generation with left padding)
_response_at: ContextVar[torch.Tensor | str | None] = ContextVar("response_at", default=_LAST)


@contextmanager
def response_positions(index: torch.Tensor | None) -> Iterator[None]:
    """Where `positions="response"` steering acts in the forwards run inside the block: from position `index[b]` of
    row b on ([batch] ints: each row's prompt's last token; the teacher-forced answer tokens after it are steered as
    generation steers each generated token, and right padding after them reaches nothing real), or nowhere (None:
    forwards that only fill a KV cache which later forwards extend, so no position of theirs is a prompt's last
    token). Outside such a block it acts at the last position, which under left padding is every row's last real
    token."""
    token = _response_at.set(index)
    try:
        yield
    finally:
        _response_at.reset(token)


@dataclass
class SteeringSpec:
    """What to steer: operator, vectors, layers, coefficient and where in the sequence.

    - `add`: h[l] += c * v[l] (summed over vectors); with `incremental`, layer l_k gets the difference
      of the targets of l_k and the previous steered layer, so the effect does not compound.
    - `ablate`: h <- h - c * (h U) U^T with U an orthonormal basis of the vectors at that layer.
    - `unit="relative"`: c is a fraction of the mean residual-stream norm at the layer (the added vector
      has norm c * mean ||h[l]||), so a value transfers across models.
    - `scope`: which non-padding tokens are touched; padding is never steered when a mask is known.
    - `when`: training-mode forwards only (default), eval-mode only (post-hoc steering), or always.
    - `positions`: which positions of each forward (module docstring): `all` (default, training) or the study's
      `response` and `prompt` for generation.
    """

    operator: Operator
    vectors: list[PersonaVector]
    layers: list[int]
    coefficient: float = 1.0
    unit: Unit = "raw"
    incremental: bool = False
    scope: Scope = "all"
    when: When = "train"
    positions: Positions = "all"

    def __post_init__(self) -> None:
        if not self.vectors:
            raise PrevsteerError("steering.vector: at least one persona vector is needed")
        if not self.layers:
            raise PrevsteerError("steering.layers: at least one layer is needed")
        if self.operator == "ablate" and (self.incremental or self.unit != "raw"):
            raise PrevsteerError("steering: 'ablate' takes a raw strength (1 = remove the component fully)")
        self.layers = sorted(set(self.layers))


def token_mask(scope: Scope, attention_mask: torch.Tensor | None, labels: torch.Tensor | None) -> torch.Tensor | None:
    """[batch, seq] float mask of the tokens to steer; None means every position."""
    if scope == "all":
        return None if attention_mask is None else attention_mask.to(torch.bool)
    if labels is None:
        raise PrevsteerError(f"steering.scope '{scope}' needs the labels mask (answer tokens); use scope 'all'")
    answer = labels != IGNORE_INDEX
    if scope == "answer":
        return answer
    present = torch.ones_like(answer) if attention_mask is None else attention_mask.to(torch.bool)
    return present & ~answer


class Steering:
    """The hooks of one `SteeringSpec` on one model. Use as a context manager (or via `steer`)."""

    def __init__(
        self,
        model: nn.Module,
        spec: SteeringSpec,
        residual_norms: list[float] | torch.Tensor | None = None,
        layers_path: str | None = None,
    ) -> None:
        self.spec = spec
        self.model = model
        self.blocks = find_decoder_layers(model, layers_path)
        num_layers, hidden = len(self.blocks), hidden_size_of(model)
        for vec in spec.vectors:
            vec.check_compatible(num_layers, hidden)
        check_layer_range(spec.layers, num_layers)
        if spec.unit == "relative" and residual_norms is None:
            raise PrevsteerError("steering.unit 'relative' needs the mean residual norms (measure_residual_norms)")
        self.residual_norms = None if residual_norms is None else torch.as_tensor(residual_norms).float()
        self.per_layer = self._build()
        self._cache: dict[tuple[int, torch.device, torch.dtype], torch.Tensor] = {}
        self._handles: list[torch.utils.hooks.RemovableHandle] = []
        self._mask: torch.Tensor | None = None
        self._mask_cache: dict[tuple[torch.device, torch.dtype], torch.Tensor] = {}
        self.calls = 0  # hook firings that steered, for diagnostics (every rank must see them)

    def _build(self) -> dict[int, torch.Tensor]:
        """Per layer: the vector to add ([hidden]) or the orthonormal basis to ablate ([hidden, k])."""
        stack = torch.stack([v.vector for v in self.spec.vectors])  # [n_vec, L, d]
        if self.spec.operator == "ablate":
            out = {}
            for layer in self.spec.layers:
                basis, _ = torch.linalg.qr(stack[:, layer].T)  # [d, k], orthonormal columns
                out[layer] = basis
            return out
        norms = stack.norm(dim=-1, keepdim=True).clamp_min(1e-12)  # [n_vec, L, 1]
        if self.spec.unit == "relative":
            assert self.residual_norms is not None  # __init__ refuses unit 'relative' without them
            scale = self.spec.coefficient * self.residual_norms.view(1, -1, 1) / norms
        else:
            scale = torch.full_like(norms, self.spec.coefficient)
        targets = (scale * stack).sum(0)  # [L, d]
        out, previous = {}, torch.zeros_like(targets[0])
        for layer in self.spec.layers:
            out[layer] = targets[layer] - previous if self.spec.incremental else targets[layer]
            if self.spec.incremental:
                previous = targets[layer]
        return out

    def added_norms(self) -> dict[int, float]:
        """Norm of what each layer adds (add) or the subspace rank (ablate): for logs and run dirs."""
        if self.spec.operator == "ablate":
            return {layer: float(t.shape[1]) for layer, t in self.per_layer.items()}
        return {layer: float(t.norm()) for layer, t in self.per_layer.items()}

    def set_batch(self, attention_mask: torch.Tensor | None = None, labels: torch.Tensor | None = None) -> None:
        """Set the token mask of the next forward pass(es); kept until the next call or `clear_batch`."""
        self._mask = token_mask(self.spec.scope, attention_mask, labels)
        self._mask_cache = {}

    def clear_batch(self) -> None:
        self._mask = None
        self._mask_cache = {}

    def _batch_mask(self, hidden: torch.Tensor) -> torch.Tensor | None:
        """The batch's token mask as [B, T, 1] in the hidden states' device and dtype, built once per batch."""
        if self._mask is None:
            return None
        if self._mask.shape != hidden.shape[:2]:
            raise RuntimeError(
                f"steering mask {tuple(self._mask.shape)} does not fit hidden states {tuple(hidden.shape)}: "
                "set_batch() was called for another batch"
            )
        key = (hidden.device, hidden.dtype)
        if key not in self._mask_cache:
            self._mask_cache[key] = self._mask.to(device=hidden.device, dtype=hidden.dtype).unsqueeze(-1)
        return self._mask_cache[key]

    def _skips(self, length: int) -> bool:
        """Whether `spec.positions` leaves a forward of `length` positions alone: `prompt` one-token forwards,
        `response` forwards marked as only filling a cache."""
        positions = self.spec.positions
        return (positions == "prompt" and length == 1) or (positions == "response" and _response_at.get() is None)

    def _response_mask(self, hidden: torch.Tensor) -> torch.Tensor | None:
        """[B, T, 1]: 1 at each row's last position, or from where `response_positions` put it on; None when that is
        every position (a one-token forward of generation)."""
        batch, length = hidden.shape[:2]
        where = _response_at.get()
        if isinstance(where, str) and length == 1:
            return None
        assert where is not None  # _skips leaves forwards without response positions alone
        index = torch.full((batch,), length - 1) if isinstance(where, str) else where.to(torch.long).cpu()
        if index.shape != (batch,) or not bool(((index >= 0) & (index < length)).all()):
            raise RuntimeError(f"response_positions: {index.tolist()} for hidden states of shape {tuple(hidden.shape)}")
        mask = torch.arange(length).unsqueeze(0) >= index.unsqueeze(1)  # [B, T]
        return mask.unsqueeze(-1).to(device=hidden.device, dtype=hidden.dtype)

    def _active(self, module: nn.Module) -> bool:
        when = self.spec.when
        return when == "always" or (when == "train") == module.training

    def _tensor(self, layer: int, like: torch.Tensor) -> torch.Tensor:
        key = (layer, like.device, like.dtype)
        if key not in self._cache:
            self._cache[key] = self.per_layer[layer].to(device=like.device, dtype=like.dtype)
        return self._cache[key]

    def _hook(self, layer: int):
        def hook(module: nn.Module, args: tuple, output: torch.Tensor | tuple):
            if not self._active(module):
                return None
            hidden = output_hidden(output)
            if self._skips(hidden.shape[1]):
                return None
            mask = self._batch_mask(hidden)
            picked = self._response_mask(hidden) if self.spec.positions == "response" else None
            if picked is not None:
                mask = picked if mask is None else mask * picked
            tensor = self._tensor(layer, hidden)
            if self.spec.operator == "add":
                steered = hidden + tensor if mask is None else torch.addcmul(hidden, mask, tensor)
            else:
                removed = self.spec.coefficient * ((hidden @ tensor) @ tensor.T)
                steered = hidden - removed if mask is None else torch.addcmul(hidden, mask, removed, value=-1.0)
            self.calls += 1
            return replace_hidden(output, steered)

        return hook

    def attach(self) -> Steering:
        if self._handles:
            raise RuntimeError("steering hooks are already attached")
        for layer in self.spec.layers:
            self._handles.append(self.blocks[layer].register_forward_hook(self._hook(layer)))
        return self

    def detach(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self.clear_batch()

    def __enter__(self) -> Steering:
        return self.attach()

    def __exit__(self, *exc: object) -> None:
        self.detach()


@contextmanager
def steer(
    model: nn.Module,
    spec: SteeringSpec,
    residual_norms: list[float] | torch.Tensor | None = None,
    layers_path: str | None = None,
) -> Iterator[Steering]:
    """Steer `model` inside the block; the hooks are removed on exit, also when the block raises."""
    steering = Steering(model, spec, residual_norms, layers_path).attach()
    try:
        yield steering
    finally:
        steering.detach()


@torch.no_grad()
def measure_residual_norms(
    model: nn.Module, batches: Iterable[dict[str, torch.Tensor]], layers_path: str | None = None
) -> torch.Tensor:
    """Mean L2 norm of the residual stream at every block output over non-padding tokens: [num_layers]."""
    blocks = find_decoder_layers(model, layers_path)
    sums = torch.zeros(len(blocks), dtype=torch.float64)
    count = 0
    current: dict[str, torch.Tensor | None] = {"mask": None}

    def capture(layer: int):
        def hook(module: nn.Module, args: tuple, output: torch.Tensor | tuple) -> None:
            norms = output_hidden(output).float().norm(dim=-1)  # [B, T]
            mask = current["mask"]
            sums[layer] += float(norms.sum() if mask is None else (norms * mask).sum())

        return hook

    handles = [block.register_forward_hook(capture(i)) for i, block in enumerate(blocks)]
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        for batch in batches:
            input_ids = batch["input_ids"].to(device)
            attention = batch.get("attention_mask")
            mask = torch.ones_like(input_ids) if attention is None else attention.to(device)
            current["mask"] = mask.float()
            model(input_ids=input_ids, attention_mask=mask)
            count += int(mask.sum())
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    if count == 0:
        raise PrevsteerError("cannot measure residual norms: no tokens in the calibration batches")
    return (sums / count).float()
