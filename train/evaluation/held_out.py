"""Held-out answers, scored by their likelihood: a measure that needs neither a persona vector nor a judge.

The perplexity of wanted answers is a capability measure that registers at any model size (letter-format MMLU does
not at 135M); the preference for answers written with the trait, against the wanted answers to the same prompts,
is a trait measure independent of the vector and of the judge. Both are means over prompts with their standard
error (the perplexity's by the delta method: exp of the mean per-answer NLL, times that mean's standard error).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from train.errors import PrevsteerError
from train.evaluation.eval_settings import HeldOutSettings
from train.evaluation.sharding import map_sharded
from train.files import read_numbered_jsonl
from train.steering.activations import answer_nll

Conversation = tuple[list[dict[str, str]], str]


@dataclass
class HeldOutAnswers:
    """The prompts with their wanted answers, and (optionally) the same prompts' answers with the trait."""

    answers: list[Conversation]
    trait_answers: list[Conversation] | None


def _conversations(path: str, field: str) -> list[Conversation]:
    """(prompt messages, final assistant answer) of every row of a chat JSONL file (`messages`)."""
    rows, lines, _ = read_numbered_jsonl(path)
    out = []
    for row, line in zip(rows, lines, strict=True):
        messages = row.get("messages") if isinstance(row, dict) else None
        if not isinstance(messages, list) or len(messages) < 2 or not all(isinstance(m, dict) for m in messages):
            raise PrevsteerError(f"{field}: {path}:{line}: a row needs 'messages', a prompt and an answer")
        if messages[-1].get("role") != "assistant" or not isinstance(messages[-1].get("content"), str):
            raise PrevsteerError(f"{field}: {path}:{line}: the last message must be the assistant's answer")
        out.append(([dict(m) for m in messages[:-1]], messages[-1]["content"]))
    if not out:
        raise PrevsteerError(f"{field}: {path} has no rows")
    return out


def load_held_out(settings: HeldOutSettings) -> HeldOutAnswers:
    """Both files, checked: the trait answers must answer the same prompts in the same order."""
    answers = _conversations(settings.answers, "eval.held_out.answers")
    if settings.trait_answers is None:
        return HeldOutAnswers(answers, None)
    trait = _conversations(settings.trait_answers, "eval.held_out.trait_answers")
    if [prompt for prompt, _ in trait] != [prompt for prompt, _ in answers]:
        raise PrevsteerError(
            f"eval.held_out.trait_answers: {settings.trait_answers} must hold the prompts of "
            f"{settings.answers}, in the same order (a trait answer and a wanted answer per prompt)"
        )
    return HeldOutAnswers(answers, trait)


def _mean_se(values: list[float]) -> tuple[float, float | None]:
    mean = statistics.fmean(values)
    return mean, (statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else None)


def measure_held_out(model, tokenizer, held_out: HeldOutAnswers, batch_size: int) -> tuple[dict[str, float], list]:
    """`eval/perplexity` and, with trait answers, `eval/preference` (each with `_se`), and one row per prompt with
    its NLLs. Collective under DDP: every rank calls it."""

    def nll(shard: list[Conversation]) -> list[float]:
        return answer_nll(model, tokenizer, shard, batch_size).tolist() if shard else []

    wanted = map_sharded(held_out.answers, nll)
    metrics: dict[str, float] = {}
    mean, se = _mean_se(wanted)
    metrics["eval/perplexity"] = math.exp(mean)
    if se is not None:
        metrics["eval/perplexity_se"] = math.exp(mean) * se
    rows = [
        {"prompt": prompt[-1]["content"], "nll_answer": value}
        for (prompt, _), value in zip(held_out.answers, wanted, strict=True)
    ]
    if held_out.trait_answers is not None:
        trait = map_sharded(held_out.trait_answers, nll)
        preference, se = _mean_se([a - b for a, b in zip(wanted, trait, strict=True)])
        metrics["eval/preference"] = preference
        if se is not None:
            metrics["eval/preference_se"] = se
        for row, value in zip(rows, trait, strict=True):
            row["nll_trait_answer"] = value
    return metrics, rows
