"""Distributed helpers: per-rank evidence that every process trained the same model with the hooks on.

`distributed_record(...)` is called on every rank at the end of a run (it is collective: all ranks must
call it) and returns, on every rank, what rank 0 writes as `distributed.json`: the world size, how often
the steering hooks fired on each rank, and a fingerprint of the trainable weights as each rank holds them.
Under DeepSpeed ZeRO-3 (and FSDP) each rank holds only a shard, so parameters are gathered one at a time
before they are fingerprinted; with DDP or ZeRO-1/2 every rank holds the full weights already.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any, TypeVar

import torch
from torch import nn

# Segments that wrappers (DDP, DeepSpeed, FSDP, activation checkpointing) add to parameter names.
_WRAPPER_SEGMENTS = ("module", "_fsdp_wrapped_module", "_checkpoint_wrapped_module", "_orig_mod")


def clean_name(name: str) -> str:
    """A parameter name without wrapper segments, so fingerprints compare across launch modes."""
    return ".".join(part for part in name.split(".") if part not in _WRAPPER_SEGMENTS)


def _is_fsdp1(model: nn.Module) -> bool:
    from torch.distributed.fsdp import FullyShardedDataParallel

    return any(isinstance(m, FullyShardedDataParallel) for m in model.modules())


@contextlib.contextmanager
def _full_params(model: nn.Module) -> Iterator[None]:
    """FSDP1 shards flat parameters: unshard them (read-only) for the block. Other setups need nothing here."""
    if _is_fsdp1(model):
        from torch.distributed.fsdp import FullyShardedDataParallel

        with FullyShardedDataParallel.summon_full_params(model, writeback=False, rank0_only=False):
            yield
    else:
        yield


@contextlib.contextmanager
def _gathered(param: torch.Tensor) -> Iterator[torch.Tensor]:
    """The full value of one parameter on this rank: ZeRO-3 partitions are all-gathered for the block,
    FSDP2 DTensors are materialised; anything else is already whole."""
    if hasattr(param, "ds_id"):  # a DeepSpeed ZeRO-3 partitioned parameter
        import deepspeed

        with deepspeed.zero.GatheredParameters([param], modifier_rank=None):
            yield param.data
        return
    full_tensor = getattr(param, "full_tensor", None)  # torch DTensor (FSDP2)
    yield full_tensor() if callable(full_tensor) else param.data


T = TypeVar("T")
R = TypeVar("R")
_CHUNK = 1 << 24  # elements hashed and summed at a time


def _tensor_bytes(tensor: torch.Tensor) -> bytes:
    return tensor.contiguous().view(torch.uint8).cpu().numpy().tobytes()


@torch.no_grad()
def weight_fingerprint(model: nn.Module, trainable_only: bool = True) -> dict[str, Any]:
    """Fingerprint of the (trainable) parameters as this rank holds them, after gathering shards.

    `sha256` covers names, dtypes, shapes and raw bytes (bit-identical weights or not); `sum` and `sum_sq`
    (float64) say how far apart two differing fingerprints are. Collective under ZeRO-3/FSDP: call it on
    every rank, in the same order.
    """
    digest = hashlib.sha256()
    tensors, numel, total, total_sq = 0, 0, 0.0, 0.0
    with _full_params(model):
        named = sorted(
            ((clean_name(n), p) for n, p in model.named_parameters() if p.requires_grad or not trainable_only),
            key=lambda item: item[0],
        )
        for name, param in named:
            with _gathered(param) as full:
                tensors += 1
                numel += full.numel()
                digest.update(f"{name}|{full.dtype}|{tuple(full.shape)}|".encode())
                for chunk in full.detach().reshape(-1).split(_CHUNK):  # bounded float64 copies of big embeddings
                    values = chunk.double()
                    total += float(values.sum())
                    total_sq += float((values * values).sum())
                    digest.update(_tensor_bytes(chunk))
    return {"tensors": tensors, "numel": numel, "sum": total, "sum_sq": total_sq, "sha256": digest.hexdigest()}


def zero_stage(model: nn.Module) -> int | None:
    """The DeepSpeed ZeRO stage of a trainer's wrapped model (a DeepSpeedEngine), or None."""
    stage = getattr(model, "zero_optimization_stage", None)
    return int(stage()) if callable(stage) else None


def distributed_record(
    model: nn.Module, hook_calls: int, wrapped: nn.Module | None = None, accelerator: Any = None
) -> dict[str, Any]:
    """Gather per-rank hook counts and weight fingerprints; collective, every rank gets the record.

    `model` is the trainer's model (`trainer.model`); `wrapped` (`trainer.model_wrapped`, e.g. the DeepSpeed
    engine) and `accelerator` (`trainer.accelerator`) only serve to report the ZeRO stage and the launch mode.
    """
    from accelerate import PartialState
    from accelerate.utils import gather_object

    state = accelerator.state if accelerator is not None else PartialState()
    fingerprint = weight_fingerprint(model)
    calls = gather_object([int(hook_calls)])
    fingerprints = gather_object([fingerprint])
    backend = getattr(state, "backend", None) if state.num_processes > 1 else None
    return {
        "world_size": state.num_processes,
        "distributed_type": str(state.distributed_type.value),
        "backend": backend,
        "zero_stage": zero_stage(wrapped) if wrapped is not None else None,
        "hook_calls_per_rank": calls,
        "weight_fingerprint_per_rank": fingerprints,
        "ranks_agree": len({f["sha256"] for f in fingerprints}) == 1,
    }
