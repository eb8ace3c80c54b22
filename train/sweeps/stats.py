"""The statistics a comparison reports: means with 95% intervals over seeds, prevented shares, frontiers."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from typing import Any

MEASURES = ("trait_score", "coherence", "projection", "mmlu", "mmlu_p_correct")


def prevented_share(base: float, plain: float, steered: float) -> float | None:
    """The share of the plain arm's shift from the base model that the steered arm did not make."""
    shift = plain - base
    return None if abs(shift) < 1e-9 else 1 - (steered - base) / shift


def interval(values: list[float]) -> tuple[float, float | None]:
    """Mean and the half-width of its 95% t-interval (None for a single value)."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, None
    from scipy.stats import t

    return mean, float(t.ppf(0.975, len(values) - 1)) * statistics.stdev(values) / math.sqrt(len(values))


def summarise(final: list[dict[str, Any]]) -> dict[tuple, dict[str, list[float]]]:
    """Per (arm, coefficient, layers): each measure's values over seeds (and sweeps), Nones left out."""
    cells: dict[tuple, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in final:
        for measure in MEASURES:
            if row[measure] is not None and row[measure] != "":
                cells[row["arm"], row["coefficient"], row["layers"]][measure].append(float(row[measure]))
    return cells


def pareto(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The (trait score, MMLU) points no other point beats on both (lower trait score, higher MMLU), by trait score."""
    front, best = [], float("-inf")
    for trait, mmlu in sorted(points, key=lambda p: (p[0], -p[1])):
        if mmlu > best:
            front.append((trait, mmlu))
            best = mmlu
    return front
