"""Batched generation with left padding and the KV cache: greedy, or sampled with explicit parameters."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from train.console import progress
from train.models.sampling import GREEDY, Sampling

Message = dict[str, str]


def _zero3_sharded() -> bool:
    """Under ZeRO-3 every forward gathers weights collectively: ranks must keep generating in step."""
    from transformers.integrations import is_deepspeed_zero3_enabled

    distributed = torch.distributed.is_available() and torch.distributed.is_initialized()
    return distributed and torch.distributed.get_world_size() > 1 and is_deepspeed_zero3_enabled()


@torch.no_grad()
def generate_answers(
    model: nn.Module,
    tokenizer,
    prompts: Sequence[Sequence[Message]],
    max_new_tokens: int = 64,
    batch_size: int = 16,
    sampling: Sampling = GREEDY,
) -> list[str]:
    """One answer per chat prompt (greedy unless `sampling` says otherwise; every decoding parameter is explicit).
    Left padding, so every row's last position is its prompt's last token and its generation starts together."""
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    was_training = model.training
    model.eval()
    answers: list[str] = []
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
            out = model.generate(
                **batch,
                max_new_tokens=max_new_tokens,
                pad_token_id=tokenizer.pad_token_id,
                synced_gpus=_zero3_sharded(),
                **sampling.generate_kwargs(),
            )
            new_tokens = out[:, batch["input_ids"].shape[1] :]
            answers.extend(t.strip() for t in tokenizer.batch_decode(new_tokens, skip_special_tokens=True))
    finally:
        tokenizer.padding_side = side
        model.train(was_training)
    return answers
