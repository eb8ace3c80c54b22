"""Teacher-forced mean activations over answer tokens, prompt tokens and the last prompt token.

One no-grad pass per batch accumulates sums at every layer at once, so memory does not grow with the
number of answers. The prompt/answer boundary comes from tokenising the chat template (the prompt with
its generation prompt is a prefix of the full conversation), never from re-tokenising guesses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, cast

import torch
from torch import nn

from train.errors import PrevsteerError
from train.steering.hooks import response_positions
from train.steering.layers import find_decoder_layers, output_hidden

Message = dict[str, str]


def _ids(encoded) -> list[int]:
    """`apply_chat_template` returns a BatchEncoding in transformers 5, a plain list before."""
    return list(encoded["input_ids"] if hasattr(encoded, "keys") else encoded)


def prompt_token_ids(tokenizer, prompt: Sequence[Message]) -> list[int]:
    """The chat prompt with its generation prompt appended, as token ids."""
    ids = _ids(tokenizer.apply_chat_template(list(prompt), add_generation_prompt=True, tokenize=True))
    if not ids:
        raise PrevsteerError("the chat template rendered an empty prompt")
    return ids


class Conversation(NamedTuple):
    """A (prompt, answer) pair as token ids, and where the answer's own tokens start and end."""

    ids: list[int]
    answer_start: int  # the first answer token: the prompt (with its generation prompt) comes before
    answer_end: int  # past the last answer token: what follows is the end-of-turn marker the template appends


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def tokenize_conversation(tokenizer, prompt: Sequence[Message], answer: str) -> Conversation:
    """Token ids of prompt + answer under the chat template, and the span of the answer's own tokens.

    The span ends where the rendered answer text ends, as in the study (which tokenised prompt text + answer
    text): the end-of-turn tokens the template appends (`<|im_end|>`, `<|eot_id|>`, ...) are not the answer's.
    A token that straddles the end of the answer (merged with the template's text) is left out. An empty answer
    has no tokens of its own, so its span is what follows the prompt (the end-of-turn marker).
    """
    prompt_ids = prompt_token_ids(tokenizer, prompt)
    full = [*prompt, {"role": "assistant", "content": answer}]
    full_ids = _ids(tokenizer.apply_chat_template(full, tokenize=True))
    if full_ids[: len(prompt_ids)] != prompt_ids or len(full_ids) <= len(prompt_ids):
        raise PrevsteerError("the chat template does not render the prompt as a prefix of the conversation")
    start = len(prompt_ids)
    text = tokenizer.apply_chat_template(full, tokenize=False)
    prompt_text = tokenizer.apply_chat_template(list(prompt), add_generation_prompt=True, tokenize=False)
    stripped = answer.strip()  # templates may trim the content
    found = text.find(stripped, len(prompt_text)) if stripped and text.startswith(prompt_text) else -1
    end = len(full_ids)
    if found >= 0:
        through_answer = tokenizer(text[: found + len(stripped)], add_special_tokens=False)["input_ids"]
        end = max(start, _common_prefix(full_ids, through_answer))
    return Conversation(full_ids, start, end if end > start else len(full_ids))


@dataclass
class MeanActivations:
    """Per-layer means, each [num_layers, hidden], and how many answers went into them."""

    response: torch.Tensor
    prompt: torch.Tensor
    last_prompt: torch.Tensor
    count: int


@dataclass
class ForwardBatch:
    """One teacher-forced batch: block outputs, optional logits, and per-token weights for averaging."""

    indices: list[int]  # positions of these rows in the caller's list (batches are sorted by length)
    hidden: list[torch.Tensor]  # per layer [B, T, d] float32 (not stacked: that would copy every layer)
    logits: torch.Tensor | None  # [B, T, V] when asked for
    input_ids: torch.Tensor  # [B, T]
    answer: torch.Tensor  # [B, T], 1/len over each answer's own tokens (not the end-of-turn marker)
    prompt: torch.Tensor  # [B, T], 1/len over each prompt's tokens
    last_prompt: torch.Tensor  # [B, T], 1 at the last prompt token

    def reduce(self, weights: torch.Tensor) -> torch.Tensor:
        """Per row and layer, the weighted sum over tokens: [B, L, d]."""
        return torch.stack([torch.einsum("btd,bt->bd", h, weights) for h in self.hidden], dim=1)


@torch.no_grad()
def teacher_forced_batches(
    model: nn.Module,
    tokenizer,
    conversations: Sequence[tuple[Sequence[Message], str]],
    batch_size: int = 8,
    layers_path: str | None = None,
    with_logits: bool = False,
) -> Iterator[ForwardBatch]:
    """Run (prompt, answer) pairs through the model in right-padded batches, without gradients.

    Rows are batched in order of length, so little compute goes to padding; `indices` maps them back.
    """
    blocks = find_decoder_layers(model, layers_path)
    device = next(model.parameters()).device
    captured: list[torch.Tensor | None] = [None] * len(blocks)
    handles = [
        block.register_forward_hook(lambda m, a, o, i=i: captured.__setitem__(i, output_hidden(o).float()))
        for i, block in enumerate(blocks)
    ]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    encoded_all = [tokenize_conversation(tokenizer, p, a) for p, a in conversations]
    order = sorted(range(len(encoded_all)), key=lambda i: len(encoded_all[i].ids))
    was_training = model.training
    model.eval()
    try:
        for start in range(0, len(order), batch_size):
            indices = order[start : start + batch_size]
            encoded = [encoded_all[i] for i in indices]
            width = max(len(c.ids) for c in encoded)
            input_ids = torch.full((len(encoded), width), pad, dtype=torch.long)
            attention = torch.zeros_like(input_ids)
            answer, prompt, last = (torch.zeros(len(encoded), width) for _ in range(3))
            for row, (ids, boundary, end) in enumerate(encoded):
                input_ids[row, : len(ids)] = torch.tensor(ids)
                attention[row, : len(ids)] = 1
                prompt[row, :boundary] = 1.0 / boundary
                answer[row, boundary:end] = 1.0 / (end - boundary)
                last[row, boundary - 1] = 1.0
            # `response` steering, when attached (post-hoc), acts from each prompt's last token on: as in generation
            with response_positions(torch.tensor([boundary - 1 for _, boundary, _ in encoded])):
                out = model(
                    input_ids=input_ids.to(device),
                    attention_mask=attention.to(device),
                    use_cache=False,
                    logits_to_keep=0 if with_logits else 1,
                )
            hidden = cast("list[torch.Tensor]", list(captured))  # every block's hook ran in the forward
            weights = [w.to(hidden[0].device) for w in (answer, prompt, last)]
            yield ForwardBatch(indices, hidden, out.logits.float() if with_logits else None, input_ids, *weights)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)


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
    sums: dict[str, torch.Tensor] = {}
    for batch in teacher_forced_batches(model, tokenizer, conversations, batch_size, layers_path):
        for key in ("response", "prompt", "last_prompt"):
            weights = getattr(batch, "answer" if key == "response" else key)
            total = batch.reduce(weights).sum(0).cpu().double()
            sums[key] = sums[key] + total if key in sums else total
    n = len(conversations)
    response, prompt, last_prompt = (sums[k].div(n).float() for k in ("response", "prompt", "last_prompt"))
    return MeanActivations(response, prompt, last_prompt, count=n)


def answer_means(
    model: nn.Module,
    tokenizer,
    conversations: Sequence[tuple[Sequence[Message], str]],
    batch_size: int = 8,
    layers_path: str | None = None,
) -> torch.Tensor:
    """Per answer, the mean residual stream over its tokens at every layer: [N, L, d], in the input order."""
    out: torch.Tensor | None = None
    for batch in teacher_forced_batches(model, tokenizer, conversations, batch_size, layers_path):
        means = batch.reduce(batch.answer).cpu()
        if out is None:
            out = torch.empty(len(conversations), *means.shape[1:])
        out[batch.indices] = means
    if out is None:
        raise PrevsteerError("no answers to average")
    return out


def answer_nll(
    model: nn.Module, tokenizer, conversations: Sequence[tuple[Sequence[Message], str]], batch_size: int = 8
) -> torch.Tensor:
    """Per answer, the mean negative log-likelihood of its own tokens given the prompt (the end-of-turn marker is
    not scored): [N], in the input order."""
    out = torch.empty(len(conversations))
    for batch in teacher_forced_batches(model, tokenizer, conversations, batch_size, with_logits=True):
        assert batch.logits is not None  # asked for with with_logits
        logprobs = torch.log_softmax(batch.logits[:, :-1], dim=-1)
        targets = batch.input_ids[:, 1:].to(logprobs.device)
        token_nll = -logprobs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)  # predicts token t+1
        weights = batch.answer[:, 1:]  # answer tokens, each weighted 1/len
        out[batch.indices] = (token_nll * weights).sum(-1).cpu()
    return out


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
