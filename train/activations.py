"""Teacher-forced mean activations over answer tokens, prompt tokens and the last prompt token.

One no-grad pass per batch accumulates sums at every layer at once, so memory does not grow with the
number of answers. The prompt/answer boundary comes from tokenising the chat template (the prompt with
its generation prompt is a prefix of the full conversation), never from re-tokenising guesses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from train.errors import PrevsteerError
from train.layers import find_decoder_layers, output_hidden

Message = dict[str, str]


def _ids(encoded) -> list[int]:
    """`apply_chat_template` returns a BatchEncoding in transformers 5, a plain list before."""
    return list(encoded["input_ids"] if hasattr(encoded, "keys") else encoded)


def tokenize_conversation(tokenizer, prompt: Sequence[Message], answer: str) -> tuple[list[int], int]:
    """Token ids of prompt + answer under the chat template, and where the answer starts."""
    prompt_ids = _ids(tokenizer.apply_chat_template(list(prompt), add_generation_prompt=True, tokenize=True))
    full = [*prompt, {"role": "assistant", "content": answer}]
    full_ids = _ids(tokenizer.apply_chat_template(full, tokenize=True))
    if full_ids[: len(prompt_ids)] != prompt_ids or len(full_ids) <= len(prompt_ids):
        raise PrevsteerError("the chat template does not render the prompt as a prefix of the conversation")
    return full_ids, len(prompt_ids)


@dataclass
class MeanActivations:
    """Per-layer means, each [num_layers, hidden], and how many answers went into them."""

    response: torch.Tensor
    prompt: torch.Tensor
    last_prompt: torch.Tensor
    count: int


@torch.no_grad()
def mean_activations(
    model: nn.Module,
    tokenizer,
    conversations: Sequence[tuple[Sequence[Message], str]],
    batch_size: int = 8,
    layers_path: str | None = None,
) -> MeanActivations:
    """Mean residual stream at every block output over each answer's tokens (averaged per answer first)."""
    if not conversations:
        raise PrevsteerError("no answers to average")
    blocks = find_decoder_layers(model, layers_path)
    device = next(model.parameters()).device
    sums = {key: None for key in ("response", "prompt", "last_prompt")}
    captured: list[torch.Tensor] = [None] * len(blocks)
    handles = [
        block.register_forward_hook(lambda m, a, o, i=i: captured.__setitem__(i, output_hidden(o).float()))
        for i, block in enumerate(blocks)
    ]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    was_training = model.training
    model.eval()
    try:
        for start in range(0, len(conversations), batch_size):
            encoded = [tokenize_conversation(tokenizer, p, a) for p, a in conversations[start : start + batch_size]]
            width = max(len(ids) for ids, _ in encoded)
            input_ids = torch.full((len(encoded), width), pad, dtype=torch.long)
            attention = torch.zeros_like(input_ids)
            answer = torch.zeros(len(encoded), width)
            prompt = torch.zeros(len(encoded), width)
            last = torch.zeros(len(encoded), width)
            for row, (ids, boundary) in enumerate(encoded):
                input_ids[row, : len(ids)] = torch.tensor(ids)
                attention[row, : len(ids)] = 1
                prompt[row, :boundary] = 1.0 / boundary
                answer[row, boundary : len(ids)] = 1.0 / (len(ids) - boundary)
                last[row, boundary - 1] = 1.0
            model(input_ids=input_ids.to(device), attention_mask=attention.to(device), use_cache=False)
            stacked = torch.stack(captured)  # [L, B, T, d]
            for key, weights in (("response", answer), ("prompt", prompt), ("last_prompt", last)):
                total = torch.einsum("lbtd,bt->ld", stacked, weights.to(stacked.device)).cpu().double()
                sums[key] = total if sums[key] is None else sums[key] + total
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    n = len(conversations)
    return MeanActivations(*(sums[k].div(n).float() for k in ("response", "prompt", "last_prompt")), count=n)


def contrast_vector(
    model: nn.Module,
    tokenizer,
    positive: Sequence[tuple[Sequence[Message], str]],
    negative: Sequence[tuple[Sequence[Message], str]],
    batch_size: int = 8,
    layers_path: str | None = None,
) -> tuple[torch.Tensor, MeanActivations, MeanActivations]:
    """Difference of answer-token means, positive minus negative: [num_layers, hidden]."""
    pos = mean_activations(model, tokenizer, positive, batch_size, layers_path)
    neg = mean_activations(model, tokenizer, negative, batch_size, layers_path)
    return pos.response - neg.response, pos, neg
