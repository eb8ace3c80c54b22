"""Batched generation with left padding and the KV cache: greedy, or sampled with explicit parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import torch
from torch import nn
from typing_extensions import Unpack  # typing.Unpack is 3.11+

from train.console import progress
from train.models.sampling import GREEDY, Sampling

Message = dict[str, str]


def _zero3_sharded() -> bool:
    """Under ZeRO-3 every forward gathers weights collectively: ranks must keep generating in step."""
    from transformers.integrations import is_deepspeed_zero3_enabled

    distributed = torch.distributed.is_available() and torch.distributed.is_initialized()
    return distributed and torch.distributed.get_world_size() > 1 and is_deepspeed_zero3_enabled()


@dataclass
class Generated:
    """One prompt's new tokens, up to (not including) its end of sequence, and whether it ended there (else it
    stopped at max_new_tokens)."""

    ids: list[int]
    ended: bool


def _stop_ids(model: nn.Module, tokenizer) -> set[int]:
    """End-of-sequence ids (generation config, else tokenizer) and padding, which follows a finished row."""
    eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    eos = tokenizer.eos_token_id if eos is None else eos
    ids = set(eos if isinstance(eos, list) else [eos]) | {tokenizer.pad_token_id}
    return {i for i in ids if i is not None}


def decode_answer(tokenizer, ids: Sequence[int]) -> str:
    return tokenizer.decode(list(ids), skip_special_tokens=True).strip()


@torch.no_grad()
def generate_token_ids(
    model: nn.Module,
    tokenizer,
    prompts: Sequence[Sequence[Message]],
    max_new_tokens: int = 64,
    batch_size: int = 16,
    sampling: Sampling = GREEDY,
) -> list[Generated]:
    """The new tokens of each chat prompt (greedy unless `sampling` says otherwise; every decoding parameter is
    explicit). Left padding, so every row's last position is its prompt's last token and its generation starts
    together."""
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    was_training = model.training
    model.eval()
    generated: list[Generated] = []
    stops = _stop_ids(model, tokenizer)
    try:
        device = next(model.parameters()).device
        starts = range(0, len(prompts), batch_size)
        bar = progress(starts, desc="generating", unit="batch", disable=len(starts) < 2, leave=False)
        for start in bar:
            texts = [
                tokenizer.apply_chat_template(list(p), add_generation_prompt=True, tokenize=False)
                for p in prompts[start : start + batch_size]
            ]
            batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(device)
            out = model.generate(  # type: ignore[operator]  # torch types Module attributes as Tensor | Module
                **batch,
                max_new_tokens=max_new_tokens,
                pad_token_id=tokenizer.pad_token_id,
                synced_gpus=_zero3_sharded(),
                **sampling.generate_kwargs(),
            )
            for row in out[:, batch["input_ids"].shape[1] :].tolist():
                stop = next((i for i, token in enumerate(row) if token in stops), None)
                generated.append(Generated(row if stop is None else row[:stop], stop is not None))
    finally:
        tokenizer.padding_side = side
        model.train(was_training)
    return generated


class GenerationOptions(TypedDict, total=False):
    """`generate_token_ids`'s options, for the functions that pass them on."""

    max_new_tokens: int
    batch_size: int
    sampling: Sampling


def generate_answers(
    model: nn.Module, tokenizer, prompts: Sequence[Sequence[Message]], **options: Unpack[GenerationOptions]
) -> list[str]:
    """One answer per chat prompt, as text (`generate_token_ids`, decoded)."""
    return [decode_answer(tokenizer, g.ids) for g in generate_token_ids(model, tokenizer, prompts, **options)]
