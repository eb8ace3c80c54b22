"""The statistics a comparison reports: each cell's mean with its 95% interval, the share of the plain arm's shift
prevented with its interval, frontiers.

An interval is over seeds when a cell has two or more (Student's t on their spread), otherwise over the one run's
sampled answers (normal, from the standard error the evaluation recorded: `eval/trait_se/<trait>`, ...; over
questions for MMLU). A single run without a recorded standard error has no interval.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

MEASURES = ("trait_score", "coherence", "projection", "mmlu", "mmlu_p_correct", "preference", "perplexity")
Over = Literal["seeds", "answers", "none"]
# Parametric bootstrap draws of the share prevented: the Monte Carlo error of its interval's ends is about 0.1
# percentage points where the means are over answers or 3+ seeds, 1.5 where one is over 2 seeds (t, 1 df).
SHARE_DRAWS = 100_000


@dataclass(frozen=True)
class Estimate:
    """A mean over `n` runs, its standard error `se` (None: no interval), and what the error is over: `seeds` (t
    with n - 1 degrees of freedom) or the one run's sampled `answers` (normal). `answers_se` is the mean of the runs'
    recorded standard errors (the evaluation's own noise: over questions for MMLU), whatever the interval is over."""

    mean: float
    se: float | None
    over: Over
    n: int
    answers_se: float | None = None

    @property
    def half(self) -> float | None:
        """Half-width of the 95% interval."""
        if self.se is None:
            return None
        from scipy.stats import norm, t

        quantile = t.ppf(0.975, self.n - 1) if self.over == "seeds" else norm.ppf(0.975)
        return float(quantile) * self.se

    def draws(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draws of the mean from its sampling distribution (t over seeds, normal over answers)."""
        assert self.se is not None
        noise = rng.standard_t(self.n - 1, size) if self.over == "seeds" else rng.standard_normal(size)
        return self.mean + self.se * noise


def _answers_se(ses: list[float | None]) -> float | None:
    known = [se for se in ses if se is not None]
    return statistics.fmean(known) if known else None


def estimate(values: list[float], ses: list[float | None] | None = None) -> Estimate:
    """A cell of `values` over seeds (runs), each with its recorded standard error or None."""
    ses = ses if ses is not None else [None] * len(values)
    answers_se = _answers_se(ses)
    mean = statistics.fmean(values)
    if len(values) >= 2:
        return Estimate(mean, statistics.stdev(values) / math.sqrt(len(values)), "seeds", len(values), answers_se)
    return Estimate(mean, answers_se, "answers" if answers_se is not None else "none", 1, answers_se)


def base_estimate(values: list[float], ses: list[float | None]) -> Estimate:
    """The base model is one model, whichever runs evaluated it at step 0: its interval is over its sampled answers
    (the mean recorded standard error: repeated evaluations are not independent seeds and may be the same answers),
    over the evaluations' spread only when no standard error was recorded."""
    answers_se = _answers_se(ses)
    if answers_se is None:
        return estimate(values)
    return Estimate(statistics.fmean(values), answers_se, "answers", len(values), answers_se)


def prevented_share(base: float, plain: float, steered: float) -> float | None:
    """The share of the plain arm's shift from the base model that the steered arm did not make."""
    shift = plain - base
    return None if abs(shift) < 1e-9 else 1 - (steered - base) / shift


@dataclass(frozen=True)
class Share:
    """The share prevented, 1 - (steered - base) / (plain - base), with its 95% interval; `value` is None (n/a)
    when the plain arm's shift has an interval that includes 0 or has none (`reason` says which)."""

    value: float | None
    low: float | None
    high: float | None
    reason: str = ""


@dataclass(frozen=True)
class Shift:
    """The plain arm's shift from the base model with its 95% interval (None: no interval)."""

    value: float
    low: float | None
    high: float | None

    @property
    def distinguishable(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def _draws(*estimates: Estimate) -> list[np.ndarray] | None:
    """Seeded draws of every mean, independent of each other; None if one has no standard error."""
    if any(e.se is None for e in estimates):
        return None
    rng = np.random.default_rng(0)
    return [e.draws(rng, SHARE_DRAWS) for e in estimates]


def _percentiles(values: np.ndarray) -> tuple[float, float]:
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def plain_shift(base: Estimate, plain: Estimate) -> Shift:
    """The plain arm's shift; its interval is the 2.5-97.5 percentiles of the difference of the two means' draws."""
    draws = _draws(base, plain)
    if draws is None:
        return Shift(plain.mean - base.mean, None, None)
    return Shift(plain.mean - base.mean, *_percentiles(draws[1] - draws[0]))


def not_divisible(shift: Shift) -> str | None:
    """Why the plain arm's shift cannot be divided by (the shares prevented read n/a), or None when it can."""
    if shift.low is None:
        return "the plain arm's shift has no interval (one run, no recorded standard error)"
    if not shift.distinguishable:
        return "the plain arm's shift has a 95% interval that includes 0"
    return None


def share_prevented(base: Estimate, plain: Estimate, steered: Estimate) -> Share:
    """Parametric bootstrap: the share computed on independent draws of the three means from their sampling
    distributions; its interval is the draws' 2.5-97.5 percentiles (no interval where an estimate has none)."""
    reason = not_divisible(plain_shift(base, plain))
    if reason:
        return Share(None, None, None, reason)
    value = prevented_share(base.mean, plain.mean, steered.mean)
    draws = _draws(base, plain, steered)
    if draws is None:
        return Share(value, None, None)
    b, p, s = draws
    return Share(value, *_percentiles(1 - (s - b) / (p - b)))


def summarise(
    final: list[dict[str, Any]], combine: Callable[[list[float], list[float | None]], Estimate] = estimate
) -> dict[tuple, dict[str, Estimate]]:
    """Per (arm, coefficient, layers): each measure's estimate over seeds (and sweeps), Nones left out."""
    values: dict[tuple, dict[str, list[tuple[float, float | None]]]] = defaultdict(lambda: defaultdict(list))
    for row in final:
        for measure in MEASURES:
            if as_number(row.get(measure)) is not None:
                key = row["arm"], row["coefficient"], row["layers"]
                values[key][measure].append((float(row[measure]), as_number(row.get(f"{measure}_se"))))
    return {
        key: {m: combine([v for v, _ in pairs], [se for _, se in pairs]) for m, pairs in cell.items()}
        for key, cell in values.items()
    }


def as_number(value: Any) -> float | None:
    """A results row's number: None for a missing one (None, or "" as read back from results.csv)."""
    return None if value is None or value == "" else float(value)


def pareto(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The (trait score, capability) points no other point beats on both (lower trait score, higher capability),
    by trait score."""
    front, best = [], float("-inf")
    for trait, capability in sorted(points, key=lambda p: (p[0], -p[1])):
        if capability > best:
            front.append((trait, capability))
            best = capability
    return front
