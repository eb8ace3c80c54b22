"""What every judge shares: the items it scores, the results and reports it gives, the log-probability score.

docs/method.md, "The judge": one output token at temperature 0; score = sum of p(k) * k over candidate tokens that
are integers 0-100, divided by their total probability. Below 0.25 total there is no score (a refusal, say): such
items are counted and reported, never dropped and never a silent NaN. Coherence is scored the same way with its
own rubric; an item says which kind of request it is, so no judge has to recognise a rubric by its text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal, Protocol, get_args, runtime_checkable

from train.errors import PrevsteerError
from train.judges.rubric import COHERENCE_RUBRIC, fill_rubric

MIN_TOTAL_PROB = 0.25
TOP_LOGPROBS = 20
Status = Literal["ok", "refused", "unparseable", "error"]
STATUSES: tuple[Status, ...] = get_args(Status)
# No answer to score (a failed call, an unusable reply): unlike a refusal, not an outcome to report but a failure.
BROKEN_STATUSES = ("error", "unparseable")
# "trait": how strongly an answer shows a trait; "coherence": the shared coherence rubric; "custom": any other
# rubric with {question} and {answer} (e.g. a misalignment question), scored like a trait by LLM judges.
JudgeKind = Literal["trait", "coherence", "custom"]
JUDGE_KINDS: tuple[JudgeKind, ...] = get_args(JudgeKind)
_INTEGER_TOKEN = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class JudgeItem:
    """One request: a rubric template with `{question}` and `{answer}` placeholders, their values, and its kind."""

    rubric: str
    question: str
    answer: str
    kind: JudgeKind = "trait"

    def __post_init__(self) -> None:
        if self.kind not in JUDGE_KINDS:
            raise PrevsteerError(f"judge item kind {self.kind!r} is unknown; allowed: {', '.join(JUDGE_KINDS)}")

    @classmethod
    def coherence(cls, question: str, answer: str) -> JudgeItem:
        """A coherence request with the shared rubric (data/judge/coherence.txt)."""
        return cls(COHERENCE_RUBRIC, question, answer, "coherence")

    def prompt(self) -> str:
        """The rubric filled in one pass, so braces or placeholders inside the answer stay literal."""
        return fill_rubric(self.rubric, self.question, self.answer)


@dataclass(frozen=True)
class JudgeResult:
    """The outcome for one item. `score` is None unless status is "ok"; `error` says why for the other statuses."""

    score: float | None
    status: Status
    total_prob: float = 0.0
    cached: bool = False
    error: str | None = None
    attempts: int = 0
    top_token: str | None = None  # with no score: the judge's likeliest token (a rubric's escape word, e.g. CODE)


@dataclass
class JudgeReport:
    """Counts per status, so no item disappears silently: `str(report)` -> "judged 40: 37 ok, 2 refused, 1 error"."""

    total: int
    counts: dict[str, int]
    cached: int = 0

    @classmethod
    def from_results(cls, results: list[JudgeResult]) -> JudgeReport:
        """Count the results per status and those that came from the cache."""
        counts = Counter(r.status for r in results)
        return cls(len(results), {s: counts.get(s, 0) for s in STATUSES}, sum(r.cached for r in results))

    @property
    def failed(self) -> int:
        """Items with no score, whatever the reason."""
        return self.total - self.counts["ok"]

    def __str__(self) -> str:
        parts = [f"{self.counts['ok']} ok"] + [f"{self.counts[s]} {s}" for s in STATUSES[1:] if self.counts[s]]
        text = f"judged {self.total}: " + ", ".join(parts)
        if self.cached:
            text += f" ({self.cached} from cache)"
        return text


@runtime_checkable
class Judge(Protocol):
    """Anything that scores items. `judge_id` names the judge in the cache key (backend:model)."""

    judge_id: str

    def score(self, items: list[JudgeItem]) -> list[JudgeResult]:
        """One result per item, in order; a failed call is a result with status "error", not an exception."""
        ...


def mean_scored(values: list[float | None]) -> float | None:
    """The mean of the scores that exist (unscored items are counted in the judge report, not averaged in)."""
    scored = [v for v in values if v is not None]
    return sum(scored) / len(scored) if scored else None


def aggregate_logprobs(
    top_logprobs: list[tuple[str, float]], min_total_prob: float = MIN_TOTAL_PROB
) -> tuple[float | None, float]:
    """docs/method.md's score: the probability-weighted mean of integer tokens 0-100, or None if their mass is too low.

    Tokens are stripped of whitespace; "050" counts as 50, "101" and "-5" do not count. Returns (score, total_prob).
    """
    total = 0.0
    weighted = 0.0
    for token, logprob in top_logprobs:
        if isinstance(logprob, bool) or not isinstance(logprob, int | float) or math.isnan(logprob):
            raise ValueError(f"logprob for token {token!r} is not a number: {logprob!r}")
        text = token.strip()
        if not _INTEGER_TOKEN.fullmatch(text):
            continue
        value = int(text)
        if value > 100:
            continue
        p = math.exp(logprob)
        total += p
        weighted += p * value
    if total < min_total_prob:
        return None, total
    return weighted / total, total


def result_from_top_logprobs(top_logprobs: list[tuple[str, float]], attempts: int = 0) -> JudgeResult:
    """ "ok" with a score, or "refused" when the integer tokens carry less than MIN_TOTAL_PROB."""
    score, total = aggregate_logprobs(top_logprobs)
    if score is None:
        msg = f"integer tokens carry probability {total:.3f} < {MIN_TOTAL_PROB}"
        return JudgeResult(None, "refused", total, error=msg, attempts=attempts, top_token=likeliest(top_logprobs))
    return JudgeResult(score, "ok", total, attempts=attempts)


def likeliest(top_logprobs: list[tuple[str, float]]) -> str | None:
    """The most probable token, stripped (None for an empty list)."""
    return max(top_logprobs, key=lambda pair: pair[1])[0].strip() if top_logprobs else None


def check_answer_rows(rows: list[dict[str, Any]]) -> None:
    """PrevsteerError naming the first row without string fields `question` and `answer`."""
    for number, row in enumerate(rows, 1):
        if not isinstance(row.get("question"), str) or not isinstance(row.get("answer"), str):
            raise PrevsteerError(f"row {number}: needs string fields 'question' and 'answer' (got {sorted(row)})")


def score_answers(
    judge: Judge, trait_rubric: str, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], JudgeReport, JudgeReport]:
    """Add `trait_score` and `coherence` (None where the judge gave no score) to rows with string question and answer.

    Both kinds go to the judge in one call, so its deferred round covers all of them. Calls that still fail
    (errors, unusable replies; refusals are answers) end the command: the scores obtained are in the judge's
    cache, and a re-run asks only for the missing ones.
    """
    trait_items = [JudgeItem(trait_rubric, r["question"], r["answer"]) for r in rows]
    coherence_items = [JudgeItem.coherence(r["question"], r["answer"]) for r in rows]
    results = judge.score(trait_items + coherence_items)
    broken = [r for r in results if r.status in BROKEN_STATUSES]
    if broken:
        raise PrevsteerError(
            f"judge: {len(broken)} of {len(results)} calls failed ({broken[0].error}); the scores obtained are "
            "cached: re-run to ask only for the missing ones"
        )
    trait, coherence = results[: len(rows)], results[len(rows) :]
    scored = [
        {**row, "trait_score": t.score, "trait_status": t.status, "coherence": c.score, "coherence_status": c.status}
        for row, t, c in zip(rows, trait, coherence, strict=True)
    ]
    return scored, JudgeReport.from_results(trait), JudgeReport.from_results(coherence)
