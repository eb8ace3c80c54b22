"""The study's figures from compared sweeps: trait score and MMLU against the coefficient (preventative vs
post-hoc dose-response, base and plain as reference lines), and MMLU against trait score per arm with its frontier."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from train.sweeps.stats import interval, pareto, summarise


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


PANELS = (("trait_score", "trait score"), ("mmlu", "MMLU accuracy"), ("mmlu_p_correct", "MMLU p(correct)"))


def coefficient_figure(groups: dict[tuple, list[dict[str, Any]]], bases: dict[tuple, dict[str, float]], path: Path):
    """One row of panels per dataset and trait: trait score, MMLU accuracy (and MMLU p(correct) where measured)
    against the coefficient. Each arm's curve starts at coefficient 0 from the plain mean: at 0 both arms are plain
    training."""
    plt = _pyplot()
    rows = [row for group in groups.values() for row in group]
    measured = [(m, label) for m, label in PANELS if any(row.get(m) not in (None, "") for row in rows)]
    fig, axes = plt.subplots(len(groups), len(measured), figsize=(5 * len(measured), 3.4 * len(groups)), squeeze=False)
    for (key, group), row in zip(sorted(groups.items()), axes, strict=True):
        cells = summarise(group)
        plain = cells.get(("plain", 0.0, ""), {})
        for ax, (measure, label) in zip(row, measured, strict=True):
            start = [(0.0, *interval(plain[measure]))] if plain.get(measure) else []
            for arm in ("preventative", "posthoc"):
                stats = [(c, *interval(v[measure])) for (a, c, _), v in cells.items() if a == arm and v.get(measure)]
                if stats:
                    x, means, halves = zip(*(start + sorted(stats)), strict=True)
                    ax.errorbar(x, means, yerr=[h or 0.0 for h in halves], marker="o", capsize=3, label=arm)
            if measure in bases.get(key, {}):
                ax.axhline(bases[key][measure], color="grey", linestyle="--", label="base")
            if start:
                ax.axhline(start[0][1], color="black", linestyle=":", label="plain")
            ax.set_xlabel("coefficient (0: plain; each arm on its own scale)")
            ax.set_ylabel(label)
            ax.set_title(" ".join(str(part) for part in key if part))
            ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def frontier_figure(final: list[dict[str, Any]], path: Path) -> None:
    """MMLU against trait score, one colour per arm (a point per coefficient, mean over seeds) with its frontier."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    cells = summarise(final)
    for arm in sorted({a for a, _, _ in cells}):
        points = [(statistics.fmean(v["trait_score"]), statistics.fmean(v["mmlu"]))
                  for (a, _, _), v in cells.items() if a == arm and v.get("trait_score") and v.get("mmlu")]  # fmt: skip
        if not points:
            continue
        scatter = ax.scatter(*zip(*points, strict=True), label=arm)
        front = pareto(points)
        ax.plot(*zip(*front, strict=True), color=scatter.get_facecolor()[0], drawstyle="steps-post")
    ax.set_xlabel("trait score (lower is better)")
    ax.set_ylabel("MMLU accuracy")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
