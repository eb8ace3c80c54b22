"""The study's figures from compared sweeps, one row of panels per dataset and trait (error bars: 95% intervals).

`dose_response.png`: the trait score each dose-response arm reaches against its own coefficient, one panel per arm
(preventative: a multiple of the residual norm added while training; post-hoc: a multiple of the vector subtracted
while evaluating; scales that are not comparable, so never one axis), then each capability measure against the
trait score reached, both arms as curves from the plain model with their coefficients written at the points: the
two arms compared where they are comparable, at equal trait levels.

`frontier.png`: each capability measure against the trait score for every arm, with each arm's frontier.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from train.sweeps.stats import Estimate, as_number, pareto, summarise

DOSE_ARMS = {
    "preventative": "preventative coefficient (x residual norm, training)",
    "posthoc": "post-hoc coefficient a (h <- h - a v, inference)",
}
CAPABILITIES = (
    ("mmlu", "MMLU accuracy"),
    ("mmlu_p_correct", "MMLU p(correct)"),
    ("perplexity", "held-out answer perplexity (lower is better)"),
)
LOWER_IS_BETTER = {"perplexity"}
PLAIN = ("plain", 0.0, "")
ROW_HEIGHT, PANEL_WIDTH, DPI = 3.6, 4.6, 110


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _recorded(rows: list[dict[str, Any]], column: str) -> str:
    return ", ".join(sorted({str(r[column]) for r in rows if r.get(column) not in (None, "")}))


def capabilities(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The capability measures the rows have, each with an axis label naming its MMLU format and question count."""
    measured = []
    for measure, label in CAPABILITIES:
        if measure in LOWER_IS_BETTER and any(as_number(r.get(measure)) is not None for r in rows):
            measured.append((measure, label))
        elif any(as_number(r.get(measure)) is not None for r in rows):
            format, questions = _recorded(rows, "mmlu_format"), _recorded(rows, "mmlu_questions")
            details = [*([f"{format} format"] if format else []), *([f"{questions} questions"] if questions else [])]
            measured.append((measure, f"{label} ({', '.join(details)})" if details else label))
    return measured


def _half(estimate: Estimate | None) -> float:
    return (estimate.half or 0.0) if estimate is not None else 0.0


def _curves(cells: dict[tuple, dict[str, Estimate]], arm: str) -> dict[str, list[tuple[float, dict[str, Estimate]]]]:
    """Per layers: the arm's cells by coefficient, starting from the plain model at coefficient 0 (at 0 both arms
    are plain training) unless the arm has its own coefficient 0."""
    curves: dict[str, list[tuple[float, dict[str, Estimate]]]] = {}
    for (name, coefficient, layers), values in sorted(cells.items(), key=lambda kv: kv[0][1]):
        if name == arm:
            curves.setdefault(layers, []).append((coefficient, values))
    plain = cells.get(PLAIN)
    for points in curves.values():
        if plain and points[0][0] != 0.0:
            points.insert(0, (0.0, plain))
    return curves


def _label(arm: str, layers: str, curves: dict[str, Any]) -> str:
    return f"{arm} (layers {layers})" if len(curves) > 1 else arm


def _colour(arm: str) -> str:
    order = ["preventative", "posthoc", "preventative-all", "caft", "regularize", "filter", "plain"]
    return f"C{order.index(arm)}" if arm in order else "C9"


def _references(ax, base: dict[str, Estimate], plain: dict[str, Estimate], measure: str) -> None:
    if measure in base:
        ax.axhline(base[measure].mean, color="grey", linestyle="--", label="base")
    if measure in plain:
        ax.axhline(plain[measure].mean, color="black", linestyle=":", label="plain")


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    _pyplot().close(fig)


def dose_response_figure(
    groups: dict[tuple, list[dict[str, Any]]], bases: dict[tuple, dict[str, Estimate]], path: Path
) -> None:
    """Per dataset and trait: trait score against each dose-response arm's own coefficient, then every capability
    measure against the trait score both arms reach (coefficients at the points). Nothing to draw: no file."""
    rows = [row for group in groups.values() for row in group]
    arms = [arm for arm in DOSE_ARMS if any(row["arm"] == arm for row in rows)]
    measured = capabilities(rows)
    if not groups or not arms:
        return
    columns = len(arms) + len(measured)
    fig, axes = _pyplot().subplots(
        len(groups), columns, figsize=(PANEL_WIDTH * columns, ROW_HEIGHT * len(groups)), squeeze=False
    )
    for (key, group), row_axes in zip(sorted(groups.items()), axes, strict=True):
        cells, base = summarise(group), bases.get(key, {})
        plain = cells.get(PLAIN, {})
        title = " ".join(str(part) for part in key if part)
        for ax, arm in zip(row_axes[: len(arms)], arms, strict=True):
            curves = _curves(cells, arm)
            for layers, points in curves.items():
                scored = [(c, v["trait_score"]) for c, v in points if "trait_score" in v]
                if scored:
                    x, estimates = zip(*scored, strict=True)
                    ax.errorbar(
                        x,
                        [e.mean for e in estimates],
                        yerr=[_half(e) for e in estimates],
                        marker="o",
                        capsize=3,
                        color=_colour(arm),
                        label=_label(arm, layers, curves),
                    )
            _references(ax, base, plain, "trait_score")
            ax.set_xlabel(DOSE_ARMS[arm])
            ax.set_ylabel("trait score reached")
            ax.set_title(f"{title}: {arm}", fontsize=9)
            ax.legend(fontsize=7)
        trait_axes = row_axes[: len(arms)]
        low, high = min(ax.get_ylim()[0] for ax in trait_axes), max(ax.get_ylim()[1] for ax in trait_axes)
        for ax in trait_axes:  # one trait scale across the arms' panels: their reductions read side by side
            ax.set_ylim(low, high)
        for ax, (measure, label) in zip(row_axes[len(arms) :], measured, strict=True):
            for arm in arms:
                curves = _curves(cells, arm)
                for layers, points in curves.items():
                    _trace(
                        ax,
                        [(c, v) for c, v in points if "trait_score" in v and measure in v],
                        measure,
                        _colour(arm),
                        _label(arm, layers, curves),
                        True,
                        plain,
                    )
            _point(ax, base, measure, "base", marker="*", s=140, color="grey")
            _point(ax, plain, measure, "plain", marker="s", s=50, color="black")
            ax.set_xlabel("trait score reached (lower: less of the trait)")
            ax.set_ylabel(label, fontsize=8)
            ax.set_title(f"{title}: capability at equal trait level", fontsize=9)
            ax.legend(fontsize=7)
    _save(fig, path)


def _trace(
    ax,
    points: list[tuple[float, dict[str, Estimate]]],
    measure: str,
    colour: str,
    label: str,
    line: bool,
    plain: dict[str, Estimate] | None,
) -> list[tuple[float, float]]:
    """Capability against trait score with both intervals, each point's coefficient written beside it (not the
    plain model's, where a dose-response curve starts)."""
    if not points:
        return []
    xs = [v["trait_score"].mean for _, v in points]
    ys = [v[measure].mean for _, v in points]
    ax.errorbar(
        xs,
        ys,
        xerr=[_half(v["trait_score"]) for _, v in points],
        yerr=[_half(v[measure]) for _, v in points],
        marker="o",
        capsize=2,
        color=colour,
        label=label,
        linestyle="-" if line else "none",
    )
    for (coefficient, values), x, y in zip(points, xs, ys, strict=True):
        if values is not plain:
            ax.annotate(f"{coefficient:g}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7, color=colour)
    return list(zip(xs, ys, strict=True))


def _point(ax, cell: dict[str, Estimate], measure: str, label: str, **style: Any) -> None:
    """A reference model (base, plain) on a capability-against-trait panel."""
    if "trait_score" in cell and measure in cell:
        ax.scatter([cell["trait_score"].mean], [cell[measure].mean], zorder=3, label=label, **style)


def frontier_figure(
    groups: dict[tuple, list[dict[str, Any]]], bases: dict[tuple, dict[str, Estimate]], path: Path
) -> None:
    """Per dataset and trait and capability measure: every arm's points (mean over seeds, coefficients written at
    them) with the arm's frontier (lower trait score, higher capability). No capability measured: no file."""
    measured = capabilities([row for group in groups.values() for row in group])
    if not groups or not measured:
        return
    size = (1.2 * PANEL_WIDTH * len(measured), 1.2 * ROW_HEIGHT * len(groups))
    fig, axes = _pyplot().subplots(len(groups), len(measured), figsize=size, squeeze=False)
    for (key, group), row_axes in zip(sorted(groups.items()), axes, strict=True):
        cells = summarise(group)
        for ax, (measure, label) in zip(row_axes, measured, strict=True):
            for arm in sorted({a for a, _, _ in cells}):
                points = [
                    (c, v) for (a, c, _), v in sorted(cells.items()) if a == arm and "trait_score" in v and measure in v
                ]
                placed = _trace(ax, points, measure, _colour(arm), arm, False, cells.get(PLAIN))
                if len(placed) > 1:
                    sign = -1.0 if measure in LOWER_IS_BETTER else 1.0  # the frontier keeps the better capability
                    front = [(x, sign * y) for x, y in pareto([(x, sign * y) for x, y in placed])]
                    ax.plot(*zip(*front, strict=True), color=_colour(arm), drawstyle="steps-post")
            _point(ax, bases.get(key, {}), measure, "base", marker="*", s=140, color="grey")
            ax.set_xlabel("trait score (lower is better)")
            ax.set_ylabel(label, fontsize=8)
            ax.set_title(" ".join(str(part) for part in key if part), fontsize=9)
            ax.legend(fontsize=7)
    _save(fig, path)
