"""The study's figures from compared sweeps: trait score and MMLU against the coefficient (preventative vs
post-hoc, base and plain as reference lines), and MMLU against trait score per arm with its frontier."""

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


def coefficient_figure(groups: dict[tuple, list[dict[str, Any]]], bases: dict[tuple, dict[str, float]], path: Path):
    """One row of panels per dataset and trait: trait score, then MMLU accuracy, against the coefficient."""
    plt = _pyplot()
    fig, axes = plt.subplots(len(groups), 2, figsize=(10, 3.2 * len(groups)), squeeze=False)
    for (key, group), row in zip(sorted(groups.items()), axes, strict=True):
        cells = summarise(group)
        plain = cells.get(("plain", 0.0, ""), {})
        for ax, measure, label in ((row[0], "trait_score", "trait score"), (row[1], "mmlu", "MMLU accuracy")):
            for arm in ("preventative", "posthoc"):
                points = sorted((c, v[measure]) for (a, c, _), v in cells.items() if a == arm and v.get(measure))
                if points:
                    stats = [interval(values) for _, values in points]
                    errors = [half or 0.0 for _, half in stats]
                    x = [c for c, _ in points]
                    ax.errorbar(x, [m for m, _ in stats], yerr=errors, marker="o", capsize=3, label=arm)
            if measure in bases.get(key, {}):
                ax.axhline(bases[key][measure], color="grey", linestyle="--", label="base")
            if plain.get(measure):
                ax.axhline(statistics.fmean(plain[measure]), color="black", linestyle=":", label="plain")
            ax.set_xlabel("coefficient")
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
