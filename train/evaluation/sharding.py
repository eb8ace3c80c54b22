"""Evaluation work split across ranks: every rank maps its shard and gets the whole result back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import torch

T = TypeVar("T")
R = TypeVar("R")


def map_sharded(items: Sequence[T], fn: Callable[[list[T]], list[R]]) -> list[R]:
    """`fn` over `items`, split across ranks; every rank returns the full result, in order.

    Each rank maps one contiguous shard. Shards are padded to the same length (with repeats of the first
    item, dropped afterwards) so every rank runs the same number of forwards: under ZeRO-3 each forward is a
    collective, and a rank that stopped early would hang the others. Collective: call it on every rank.
    """
    items = list(items)
    if not torch.distributed.is_available() or not torch.distributed.is_initialized():
        return fn(items)
    world, rank = torch.distributed.get_world_size(), torch.distributed.get_rank()
    if world == 1 or not items:
        return fn(items)
    per_rank = -(-len(items) // world)
    shard = items[rank * per_rank : (rank + 1) * per_rank]
    results = fn(shard + [items[0]] * (per_rank - len(shard)))[: len(shard)]
    gathered: list[list[R] | None] = [None] * world
    torch.distributed.all_gather_object(gathered, results)
    return [result for part in gathered for result in part or []]
