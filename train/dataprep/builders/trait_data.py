"""Trait datasets by self-distillation: the model's own answers, judged, kept by how strongly they show the trait.

The study's trait-eliciting datasets (docs/method.md, "The study's datasets") in three levels, made from the model
itself: answers sampled under the trait's `pos` system prompts that score >= `trait_high` (70) are level II,
those scoring in [`trait_low`, `trait_high`) (30-70) level I, and answers sampled under the `neg` prompts that
score < `trait_low` are normal. Every kept answer needs coherence >= `coherence_threshold` (50).

Questions are the trait's extraction questions only: the evaluation questions measure the trait after training
and must stay unseen. Rows are stored without the system prompt (`{"messages": [user, assistant]}`), so
training on them teaches the behaviour itself, not obedience to an instruction. Answers are sampled with the
study's parameters, set explicitly (`Sampling()`: temperature 1, top-p 1, no top-k, no repetition penalty), in
rounds (one answer per question and instruction pair each) until `n` rows survive or `max_rounds` is reached; the counts
of every round are reported, and a short dataset is returned with a warning rather than thrown away.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch

from train.console import say, warn
from train.dataprep.data_settings import LEVELS, TraitDataSettings
from train.errors import PrevsteerError
from train.judges.base import score_answers
from train.judges.factory import judge_for_trait
from train.models.loading import load_model_and_tokenizer
from train.models.sampling import Sampling
from train.persona.extract import sample_persona_answers
from train.persona.traits import load_trait


@dataclass(frozen=True)
class Thresholds:
    """Level boundaries on the judge's 0-100 trait score, and the coherence every kept answer needs."""

    trait_high: float
    trait_low: float
    coherence: float

    def __post_init__(self) -> None:
        if not 0 <= self.trait_low <= self.trait_high <= 100:
            raise PrevsteerError(
                f"trait thresholds: need 0 <= --trait-low <= --trait-high <= 100, got {self.trait_low:g} and "
                f"{self.trait_high:g}"
            )

    def level_of(self, row: dict[str, Any]) -> str | None:
        """The level a judged answer belongs to (by its polarity and scores), or None when it fits none."""
        score, coherence = row.get("trait_score"), row.get("coherence")
        if score is None or coherence is None or coherence < self.coherence:
            return None
        if row["polarity"] == "neg":
            return "normal" if score < self.trait_low else None
        if score >= self.trait_high:
            return "II"
        return "I" if score >= self.trait_low else None

    @classmethod
    def of(cls, options: TraitDataSettings) -> Thresholds:
        return cls(options.trait_high, options.trait_low, options.coherence_threshold)


def select_rows(scored: list[dict[str, Any]], level: str, thresholds: Thresholds) -> list[dict[str, Any]]:
    """Chat rows (no system prompt) of the answers at `level`, in order, each (question, answer) once."""
    seen: set[tuple[str, str]] = set()
    rows = []
    for row in scored:
        key = (row["question"], row["answer"])
        if thresholds.level_of(row) == level and row["answer"].strip() and key not in seen:
            seen.add(key)
            rows.append({"messages": [{"role": "user", "content": key[0]}, {"role": "assistant", "content": key[1]}]})
    return rows


def build(
    level: str,
    n: int,
    seed: int,
    source: str | None = None,
    *,
    trait: str | os.PathLike[str],
    options: TraitDataSettings | None = None,
    batch_size: int = 16,
) -> list[dict]:
    """Up to n rows {"messages": [user, assistant]} of the model's own answers at one level of a trait."""
    if level not in LEVELS:
        raise PrevsteerError(f"trait dataset level {level!r}; allowed: {', '.join(LEVELS)}")
    if source is not None:
        raise PrevsteerError("source does not apply to trait datasets: they are sampled from the model (option model)")
    options = options or TraitDataSettings()
    if options.max_rounds < 1 or options.max_new_tokens < 1:
        raise PrevsteerError(
            f"max_rounds and max_new_tokens must be >= 1, got {options.max_rounds} and {options.max_new_tokens}"
        )
    thresholds = Thresholds.of(options)
    artifact = load_trait(trait)
    scorer = judge_for_trait(options.judge, artifact.name, options.judge_base_url, options.cache)
    lm, tokenizer = load_model_and_tokenizer(options.model)
    if torch.cuda.is_available():
        lm.to("cuda")  # type: ignore[arg-type]  # transformers' wrapped `to` loses self
    polarity = "neg" if level == "normal" else "pos"
    scored: list[dict[str, Any]] = []
    rows: list[dict] = []
    for round_index in range(options.max_rounds):
        round_seed = seed * 1000 + round_index
        sampled = sample_persona_answers(
            lm, tokenizer, artifact, (polarity,), 1, options.max_new_tokens, Sampling(), batch_size, round_seed
        )
        judged, trait_report, coherence_report = score_answers(scorer, artifact.judge_rubric, sampled)
        scored += judged
        rows = select_rows(scored, level, thresholds)
        say(
            f"{artifact.name} {level} round {round_index + 1}: sampled {len(sampled)} {polarity} answers; trait "
            f"{trait_report}; coherence {coherence_report}; {len(rows)} of {n} rows kept so far"
        )
        if len(rows) >= n:
            return rows[:n]
    if not rows:
        raise PrevsteerError(
            f"no answer of {options.model} reached level {level} of {artifact.name} in {options.max_rounds} rounds "
            f"({len(scored)} answers judged by {options.judge}); raise --max-rounds, relax --trait-high/--trait-low/"
            "--coherence-threshold, or use a stronger judge"
        )
    warn(f"only {len(rows)} of the {n} rows asked for survived {options.max_rounds} rounds")
    return rows
