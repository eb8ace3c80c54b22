"""`prevsteer compare SWEEP_DIR... --out DIR`: one tidy table of every evaluation, a report and the study's figures.

`results.csv` has one row per point, evaluation (epoch) and trait, with the values the run logged in its
`metrics.jsonl` (post-hoc rows come from the plain points' post-hoc evaluations). The base model is the
runs' step-0 evaluation (`eval.at_start: true`); without it, shares of the shift read n/a.
`report.md` summarises the final models: mean and 95% interval over seeds per arm and coefficient, the share
of the plain arm's trait shift each prevented, the MMLU cost against plain, a matched-reduction table
(preventative vs post-hoc at equal trait level), points below a coherence threshold, and what is missing.
"""

from __future__ import annotations

import csv
import itertools
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from train.errors import PrevsteerError
from train.models.rundir import RunDir
from train.sweeps import records
from train.sweeps.figures import coefficient_figure, frontier_figure
from train.sweeps.runner import SweepDir, point_status
from train.sweeps.stats import interval, prevented_share, summarise

COLUMNS = (
    "sweep", "point", "dataset", "level", "trait", "arm", "coefficient", "layers", "seed", "epoch", "step",
    "trait_score", "coherence", "projection", "mmlu", "mmlu_p_correct", "unscored", "train_rows",
)  # fmt: skip
STEERING_ARMS = {"add": "preventative", "ablate": "caft", "regularize": "regularize", "none": "plain"}
# The share of the plain arm's trait shift an arm prevented divides by that shift: below this many trait-score
# points (0-100) it is within a 20-question evaluation's noise, and the quotient would read 500% or -300%.
MIN_TRAIT_SHIFT = 5.0


def _arm(recipe: dict[str, Any]) -> tuple[str, float, str]:
    """Arm, coefficient and layers of a run, read from its resolved recipe."""
    steering, data_filter = recipe["steering"], recipe["data"].get("filter")
    if data_filter:
        return "filter", float(data_filter["drop_top"]), str(data_filter["layer"])
    arm = STEERING_ARMS[steering["mode"]]
    if arm == "plain":
        return arm, 0.0, ""
    layers = steering["layers"]
    label = "all" if layers == "all" else "+".join(map(str, layers))
    if arm == "preventative" and layers == "all":
        arm = "preventative-all"
    weight = steering["regularize_weight"] if arm == "regularize" else steering["coefficient"]
    return arm, float(weight), label


def _dataset(recipe: dict[str, Any]) -> tuple[str, str]:
    build = recipe["data"].get("build")
    return (build["name"], build["level"]) if build else (Path(recipe["data"]["train"]).stem, "")


def _tidy(evaluation: dict[str, Any], common: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per trait of one evaluation (one row with an empty trait when only MMLU was measured)."""
    traits = sorted(k.removeprefix("eval/trait/") for k in evaluation if k.startswith("eval/trait/")) or [""]
    shared = {
        "coherence": evaluation.get("eval/coherence"),
        "mmlu": evaluation.get("eval/mmlu"),
        "mmlu_p_correct": evaluation.get("eval/mmlu_p_correct"),
    }
    return [
        {**common, **shared, "trait": trait, "trait_score": evaluation.get(f"eval/trait/{trait}"),
         "projection": evaluation.get(f"eval/projection/{trait}"), "unscored": evaluation.get(f"eval/unscored/{trait}")}
        for trait in traits
    ]  # fmt: skip


def collect(sweep_dirs: list[Path]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Tidy result rows of every completed point, and the points that are not completed (status, error)."""
    rows, missing = [], []
    for folder in sweep_dirs:
        sweep = SweepDir(folder.resolve())
        if not sweep.manifest.is_file():
            raise PrevsteerError(f"{folder}: not a sweep directory (no sweep.json)")
        for entry in sweep.points():
            point, run_dir = entry["id"], sweep.run_dir(entry["id"])
            run = RunDir(run_dir)
            if run.status != "completed":
                state = sweep.state(point)
                missing.append({"sweep": folder.name, "point": point, "status": point_status(sweep, point),
                                "error": state.get("error") or ""})  # fmt: skip
                continue
            recipe = run.stored_recipe()
            dataset, level = _dataset(recipe)
            arm, coefficient, layers = _arm(recipe)
            common = {"sweep": folder.name, "point": point, "dataset": dataset, "level": level, "arm": arm,
                      "coefficient": coefficient, "layers": layers, "seed": recipe["seed"],
                      "train_rows": run.record.get("train_rows")}  # fmt: skip
            evaluations = records.evaluations(run_dir)
            for evaluation in evaluations:
                common.update(epoch=evaluation.get("epoch"), step=evaluation.get("step"))
                rows += _tidy(evaluation, common)
            posthoc_dir = sweep.posthoc_dir(point)
            posthoc = records.posthoc_rows(posthoc_dir) if posthoc_dir else None
            if posthoc is None:
                continue
            settings = records.posthoc_settings(posthoc_dir)
            layers = "all" if settings["layers"] == "all" else "+".join(map(str, settings["layers"]))
            final = evaluations[-1] if evaluations else {}
            for evaluation in posthoc:
                common.update(arm="posthoc", coefficient=float(evaluation["coefficient"]), layers=layers,
                              epoch=final.get("epoch"), step=final.get("step"))  # fmt: skip
                rows += _tidy(evaluation, common)
    return rows, missing


def write_results(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def final_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each point's last evaluation (post-hoc rows are of the final model already); step-0 rows are the base."""
    last: dict[tuple, int] = {}
    for row in rows:
        if row["arm"] != "posthoc" and row["step"]:
            key = (row["sweep"], row["point"])
            last[key] = max(last.get(key, 0), row["step"])
    return [r for r in rows if r["arm"] == "posthoc" or (r["step"] and r["step"] == last[(r["sweep"], r["point"])])]


def _group(rows: list[dict[str, Any]]) -> dict[tuple, list[dict[str, Any]]]:
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["dataset"], row["level"], row["trait"]].append(row)
    return groups


def base_values(rows: list[dict[str, Any]]) -> dict[tuple, dict[str, float]]:
    """Per (dataset, level, trait): the base model's mean measures, from the step-0 evaluations (before any
    training step every arm is the base model: training-time steering is off while evaluating)."""
    out = {}
    starts = [
        {**r, "arm": "base", "coefficient": 0.0, "layers": ""} for r in rows if r["arm"] != "posthoc" and r["step"] == 0
    ]
    for key, group in _group(starts).items():
        out[key] = {m: statistics.fmean(v) for m, v in summarise(group).get(("base", 0.0, ""), {}).items()}
    return out


def _mean_cell(values: list[float], scale: float = 1.0) -> str:
    if not values:
        return ""
    mean, half = interval([scale * v for v in values])
    return f"{mean:.3g}" if half is None else f"{mean:.3g} ± {half:.2g}"


def _fmt(value: float | None, pattern: str) -> str:
    return "n/a" if value is None else pattern.format(value)


def matched_reduction(cells: dict[tuple, dict[str, list[float]]]) -> list[dict[str, Any]]:
    """For the trait level post-hoc steering reaches at each of its coefficients: its MMLU cost against plain, and
    that of preventative steering at the (linearly interpolated) coefficient reaching the same level."""
    mean = {key: {m: statistics.fmean(v) for m, v in values.items()} for key, values in cells.items()}
    plain = mean.get(("plain", 0.0, ""))
    if not plain or "mmlu" not in plain or "trait_score" not in plain:
        return []
    curve = [(0.0, plain["trait_score"], plain["mmlu"])]  # preventative at coefficient 0 is plain training
    curve += sorted((c, v["trait_score"], v["mmlu"]) for (arm, c, _), v in mean.items()
                    if arm == "preventative" and "trait_score" in v and "mmlu" in v)  # fmt: skip
    out = []
    for (arm, coefficient, _), values in sorted(mean.items()):
        if arm != "posthoc" or "trait_score" not in values or "mmlu" not in values:
            continue
        target = values["trait_score"]
        row = {"posthoc_coefficient": coefficient, "trait_score": target,
               "posthoc_cost": 100 * (plain["mmlu"] - values["mmlu"]), "preventative_coefficient": None,
               "preventative_cost": None}  # fmt: skip
        for (c0, t0, m0), (c1, t1, m1) in itertools.pairwise(curve):
            if min(t0, t1) <= target <= max(t0, t1):
                f = 0.0 if t1 == t0 else (target - t0) / (t1 - t0)
                row["preventative_coefficient"] = c0 + f * (c1 - c0)
                row["preventative_cost"] = 100 * (plain["mmlu"] - (m0 + f * (m1 - m0)))
                break
        out.append(row)
    return out


def report_lines(rows: list[dict[str, Any]], missing: list[dict[str, Any]], threshold: float) -> list[str]:
    final = final_rows(rows)
    bases = base_values(rows)
    completed = len({(r["sweep"], r["point"]) for r in rows})
    lines = ["# prevsteer compare", "", f"{completed} completed points, {len(missing)} not completed; final models "
             "only below (every evaluation is in results.csv).", ""]  # fmt: skip
    for key, group in sorted(_group(final).items()):
        dataset, level, trait = key
        cells = summarise(group)
        plain = cells.get(("plain", 0.0, ""), {})
        base = bases.get(key, {})
        lines += [f"## {dataset}{f' {level}' if level else ''}: {trait or 'no trait'}", "",
                  "Mean ± half-width of the 95% t-interval over seeds (a single seed: its value).", "",
                  "| arm | coefficient | layers | n | trait score | coherence | projection | MMLU (%) | "
                  "MMLU p(correct) | prevented | MMLU cost (points) |", "|" + "---|" * 11]  # fmt: skip
        plain_score = statistics.fmean(plain["trait_score"]) if plain.get("trait_score") else None
        shift = plain_score - base["trait_score"] if plain_score is not None and "trait_score" in base else None
        for (arm, coefficient, layers), values in sorted(cells.items(), key=lambda kv: (kv[0][0] != "plain", kv[0])):
            trait_values = values.get("trait_score", [])
            share = None
            if trait_values and shift is not None and abs(shift) >= MIN_TRAIT_SHIFT and arm != "plain":
                share = prevented_share(base["trait_score"], plain_score, statistics.fmean(trait_values))
            cost = None
            if values.get("mmlu") and plain.get("mmlu"):
                cost = 100 * (statistics.fmean(plain["mmlu"]) - statistics.fmean(values["mmlu"]))
            n = max(len(v) for v in values.values())
            lines.append(
                f"| {arm} | {coefficient:g} | {layers} | {n} | {_mean_cell(trait_values)} | "
                f"{_mean_cell(values.get('coherence', []))} | {_mean_cell(values.get('projection', []))} | "
                f"{_mean_cell(values.get('mmlu', []), 100)} | {_mean_cell(values.get('mmlu_p_correct', []))} | "
                f"{_fmt(share, '{:.0%}')} | {_fmt(cost, '{:+.1f}')} |"
            )
        if base:
            score, mmlu = _fmt(base.get("trait_score"), "{:.3g}"), _fmt(base.get("mmlu"), "{:.1%}")
            lines += ["", f"Base model (the runs' step-0 evaluations): trait score {score}, MMLU {mmlu}."]
            if shift is not None and abs(shift) < MIN_TRAIT_SHIFT:
                lines.append(f"The plain arm moved the trait score by {shift:+.1f} points from the base model, less "
                             f"than {MIN_TRAIT_SHIFT:g}: too small a shift to divide, so the shares prevented read "
                             "n/a (compare the arms' trait scores directly).")  # fmt: skip
        else:
            lines += ["", "No base evaluation (set eval.at_start: true): the shares read n/a."]
        matched = matched_reduction(cells)
        if matched:
            lines += ["", "Matched reduction: MMLU cost against plain (points) at the trait level post-hoc steering "
                      "reaches at each coefficient.", "",
                      "| post-hoc coefficient | trait score | post-hoc cost | preventative coefficient | "
                      "preventative cost |", "|---|---|---|---|---|"]  # fmt: skip
            for row in matched:
                reached = _fmt(row["preventative_coefficient"], "{:.2g}").replace("n/a", "not reached")
                lines.append(
                    f"| {row['posthoc_coefficient']:g} | {row['trait_score']:.3g} | {row['posthoc_cost']:+.1f} | "
                    f"{reached} | {_fmt(row['preventative_cost'], '{:+.1f}')} |"
                )
        lines.append("")
    incoherent = [r for r in final if r["coherence"] is not None and r["coherence"] < threshold]
    lines += [f"## Below coherence {threshold:g}", ""]
    lines += [f"- {r['point']} ({r['arm']}, coefficient {r['coefficient']:g}, seed {r['seed']}, {r['trait'] or 'MMLU'}"
              f"): coherence {r['coherence']:.3g}" for r in incoherent] or ["None."]  # fmt: skip
    lines += ["", "## Completeness", ""]
    lines += [f"- {m['sweep']}/{m['point']}: {m['status']}" + (f" ({m['error']})" if m["error"] else "")
              for m in missing] or ["Every point completed."]  # fmt: skip
    return [*lines, ""]


def compare(sweep_dirs: list[Path], out: Path, coherence_threshold: float = 50.0) -> Path:
    """Write results.csv, report.md and the figures into `out`; returns the report's path."""
    rows, missing = collect(sweep_dirs)
    if not rows:
        raise PrevsteerError(
            f"{', '.join(map(str, sweep_dirs))}: no completed point with evaluations to compare; the recipes must "
            "evaluate (eval.traits, eval.mmlu or eval.misalignment, e.g. in the spec's overrides)"
        )
    out.mkdir(parents=True, exist_ok=True)
    write_results(rows, out / "results.csv")
    (out / "report.md").write_text("\n".join(report_lines(rows, missing, coherence_threshold)))
    final = final_rows(rows)
    coefficient_figure(_group(final), base_values(rows), out / "coefficients.png")
    frontier_figure(final, out / "frontier.png")
    return out / "report.md"
