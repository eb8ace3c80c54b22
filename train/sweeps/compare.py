"""`prevsteer compare SWEEP_DIR... --out DIR`: one tidy table of every evaluation, a report and the study's figures.

`results.csv` has one row per point, evaluation (epoch) and trait, with the values the run logged in its
`metrics.jsonl` and their standard errors (post-hoc rows come from the plain points' post-hoc evaluations), and the
protocol each was measured with (from the run's resolved recipe or the post-hoc evaluation's recorded settings).
The base model is the runs' step-0 evaluation (`eval.at_start: true`); without it, shares of the shift read n/a.
`report.md` summarises the final models: the protocol; mean and 95% interval per arm and coefficient (over seeds,
or over one run's sampled answers: `train.sweeps.stats`), MMLU with its standard error; the share of the plain
arm's trait shift each prevented, with its interval; the MMLU cost against plain; a matched-reduction table
(preventative vs post-hoc at equal trait level); points below a coherence threshold; and what is missing.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import defaultdict
from pathlib import Path
from typing import Any, cast

from train.errors import PrevsteerError
from train.files import refuse_overwrite
from train.rundir import RunDir
from train.sweeps import records
from train.sweeps.figures import dose_response_figure, frontier_figure
from train.sweeps.runner import SweepDir, point_status
from train.sweeps.stats import (
    MEASURES,
    SHARE_DRAWS,
    Estimate,
    Share,
    as_number,
    base_estimate,
    not_divisible,
    plain_shift,
    share_prevented,
    summarise,
)
from train.sweeps.sweep_settings import CompareSettings

PROTOCOL = (
    "questions",
    "samples",
    "temperature",
    "max_new_tokens",
    "positions",
    "mmlu_format",
    "mmlu_shots",
    "mmlu_questions",
)
COLUMNS = (
    "sweep",
    "point",
    "dataset",
    "level",
    "trait",
    "arm",
    "coefficient",
    "layers",
    "seed",
    "epoch",
    "step",
    *(column for measure in MEASURES for column in (measure, f"{measure}_se")),
    "unscored",
    "train_rows",
    *PROTOCOL,
)
HELD_OUT = ("preference", "perplexity")  # eval.held_out: teacher-forced measures with neither vector nor judge
STEERING_ARMS = {"add": "preventative", "ablate": "caft", "regularize": "regularize", "none": "plain"}


def arm_of(recipe: dict[str, Any], direction: str | None = None) -> tuple[str, float, str]:
    """Arm, coefficient and layers of a run, read from its resolved recipe. A sweep that crosses steering
    directions (its `direction` grid key: the point's direction file) names the direction after the layers, so
    points that differ only in the vector that steered them are never pooled as if they were seeds."""
    steering, data_filter = recipe["steering"], recipe["data"].get("filter")
    suffix = f" ({Path(direction).stem})" if direction else ""
    if data_filter:
        return "filter", float(data_filter["drop_top"]), f"{data_filter['layer']}{suffix}"
    arm = STEERING_ARMS[steering["mode"]]
    if arm == "plain":
        return arm, 0.0, ""
    layers = steering["layers"]
    label = "all" if layers == "all" else "+".join(map(str, layers))
    if arm == "preventative" and layers == "all":
        arm = "preventative-all"
    weight = steering["regularize_weight"] if arm == "regularize" else steering["coefficient"]
    return arm, float(weight), label + suffix


def _dataset(recipe: dict[str, Any]) -> tuple[str, str]:
    build = recipe["data"].get("build")
    return (build["name"], build["level"]) if build else (Path(recipe["data"]["train"]).stem, "")


def _protocol(section: dict[str, Any] | None, trait: str, posthoc: bool) -> dict[str, Any]:
    """How a row was measured, read tolerantly from an `eval:` section (a run's resolved recipe, or the settings a
    post-hoc `prevsteer eval` recorded): a key that is absent was not recorded (None)."""
    section = section or {}
    items = [t for t in section.get("traits") or [] if trait and trait in (t.get("name"), Path(t.get("name", "")).stem)]
    item = items[0] if items else {}
    questions = item.get("questions")  # present and None: every evaluation question
    mmlu = section.get("mmlu") or {}
    return {
        "questions": "all" if "questions" in item and questions is None else questions,
        "samples": item.get("samples"),
        "temperature": item.get("temperature"),
        # per trait, or the section's (one length for every trait)
        "max_new_tokens": item.get("max_new_tokens", section.get("max_new_tokens")) if item else None,
        "positions": (section.get("posthoc") or {}).get("positions") if posthoc else "",
        "mmlu_format": mmlu.get("format"),
        "mmlu_shots": mmlu.get("shots"),
    }


def _tidy(
    evaluation: dict[str, Any], common: dict[str, Any], section: dict[str, Any] | None, posthoc: bool, eval_dir: Path
) -> list[dict[str, Any]]:
    """One row per trait of one evaluation (one row with an empty trait when only MMLU was measured)."""
    traits = sorted(k.removeprefix("eval/trait/") for k in evaluation if k.startswith("eval/trait/")) or [""]
    shared = {
        "coherence": evaluation.get("eval/coherence"),
        "coherence_se": evaluation.get("eval/coherence_se"),
        "mmlu": evaluation.get("eval/mmlu"),
        "mmlu_se": evaluation.get("eval/mmlu_se"),
        "mmlu_p_correct": evaluation.get("eval/mmlu_p_correct"),
        "mmlu_p_correct_se": evaluation.get("eval/mmlu_p_correct_se"),
        "mmlu_questions": records.mmlu_questions(eval_dir) if "eval/mmlu" in evaluation else None,
        **{f"{measure}{se}": evaluation.get(f"eval/{measure}{se}") for measure in HELD_OUT for se in ("", "_se")},
    }
    return [
        {
            **common,
            **shared,
            **_protocol(section, trait, posthoc),
            "trait": trait,
            "trait_score": evaluation.get(f"eval/trait/{trait}"),
            "trait_score_se": evaluation.get(f"eval/trait_se/{trait}"),
            "projection": evaluation.get(f"eval/projection/{trait}"),
            "projection_se": evaluation.get(f"eval/projection_se/{trait}"),
            "unscored": evaluation.get(f"eval/unscored/{trait}"),
        }
        for trait in traits
    ]


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
                missing.append(
                    {
                        "sweep": folder.name,
                        "point": point,
                        "status": point_status(sweep, point),
                        "error": state.get("error") or "",
                    }
                )
                continue
            recipe = run.stored_recipe()
            dataset, level = _dataset(recipe)
            arm, coefficient, layers = arm_of(recipe, entry.get("varied", {}).get("direction"))
            common = {
                "sweep": folder.name,
                "point": point,
                "dataset": dataset,
                "level": level,
                "arm": arm,
                "coefficient": coefficient,
                "layers": layers,
                "seed": recipe["seed"],
                "train_rows": run.record.get("train_rows"),
            }
            evaluations = records.evaluations(run_dir)
            for evaluation in evaluations:
                common.update(epoch=evaluation.get("epoch"), step=evaluation.get("step"))
                step = cast(int, evaluation.get("step"))  # the callback writes every evaluation row with its step
                rows += _tidy(evaluation, common, recipe.get("eval"), False, run.eval_dir(step))
            posthoc_dir = sweep.posthoc_dir(point)
            if posthoc_dir is None:
                continue
            posthoc = records.posthoc_rows(posthoc_dir)
            if posthoc is None:
                continue
            settings = records.posthoc_settings(posthoc_dir)
            chosen = settings["posthoc"]["layers"]
            layers = "all" if chosen == "all" else "+".join(map(str, chosen))
            final = evaluations[-1] if evaluations else {}
            for evaluation in posthoc:
                coefficient = float(evaluation["coefficient"])
                common.update(
                    arm="posthoc",
                    coefficient=coefficient,
                    layers=layers,
                    epoch=final.get("epoch"),
                    step=final.get("step"),
                )
                eval_dir = records.posthoc_eval_dir(posthoc_dir, coefficient)
                rows += _tidy(evaluation, common, settings, True, eval_dir)
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


def base_estimates(rows: list[dict[str, Any]]) -> dict[tuple, dict[str, Estimate]]:
    """Per (dataset, level, trait): the base model's measures, from the step-0 evaluations (before any training
    step every arm is the base model: training-time steering is off while evaluating)."""
    starts = [
        {**r, "arm": "base", "coefficient": 0.0, "layers": ""} for r in rows if r["arm"] != "posthoc" and r["step"] == 0
    ]
    return {key: summarise(group, base_estimate)["base", 0.0, ""] for key, group in _group(starts).items()}


def _cell(estimate: Estimate | None, scale: float = 1.0) -> str:
    """Mean ± half-width of its 95% interval (the mean alone where there is none)."""
    if estimate is None:
        return ""
    half = estimate.half
    mean = f"{scale * estimate.mean:.3g}"
    return mean if half is None else f"{mean} ± {scale * half:.2g}"


def _mmlu_cell(estimate: Estimate | None, scale: float = 1.0) -> str:
    """An MMLU number with its standard error over questions in brackets: a small subset's noise stays visible."""
    if estimate is None or estimate.answers_se is None:
        return _cell(estimate, scale)
    return f"{_cell(estimate, scale)} [SE {scale * estimate.answers_se:.2g}]"


def _share_cell(share: Share | None) -> str:
    if share is None or share.value is None:
        return "n/a"
    if share.low is None or share.high is None:
        return f"{share.value:.0%} (no interval)"
    return f"{share.value:.0%} [{share.low:.0%}, {share.high:.0%}]"


def _difference_se(a: float | None, b: float | None) -> float | None:
    """The standard error of a difference of two MMLU accuracies, as if independent: an upper bound, since both
    were measured on the same questions."""
    return None if a is None or b is None else math.hypot(a, b)


def _cost_cell(cost: float | None, se: float | None) -> str:
    if cost is None:
        return "n/a"
    return f"{cost:+.1f}" if se is None else f"{cost:+.1f} [SE {se:.2g}]"


def matched_reduction(cells: dict[tuple, dict[str, Estimate]]) -> list[dict[str, Any]]:
    """For the trait level post-hoc steering reaches at each of its coefficients: its MMLU cost against plain (in
    points, with a standard error), and that of preventative steering at the (linearly interpolated) coefficient
    reaching the same level."""
    plain = cells.get(("plain", 0.0, ""))
    if not plain or "mmlu" not in plain or "trait_score" not in plain:
        return []
    curve = [(0.0, plain["trait_score"].mean, plain["mmlu"])]  # preventative at coefficient 0 is plain training
    preventative = [
        (c, v["trait_score"].mean, v["mmlu"])
        for (arm, c, _), v in cells.items()
        if arm == "preventative" and "trait_score" in v and "mmlu" in v
    ]
    curve += sorted(preventative, key=lambda point: point[0])
    reference = plain["mmlu"]
    out = []
    for (arm, coefficient, _), values in sorted(cells.items()):
        if arm != "posthoc" or "trait_score" not in values or "mmlu" not in values:
            continue
        target = values["trait_score"].mean
        row = {
            "posthoc_coefficient": coefficient,
            "trait_score": target,
            "posthoc_cost": 100 * (reference.mean - values["mmlu"].mean),
            "posthoc_cost_se": _scaled(_difference_se(reference.answers_se, values["mmlu"].answers_se)),
            "preventative_coefficient": None,
            "preventative_cost": None,
            "preventative_cost_se": None,
        }
        for (c0, t0, m0), (c1, t1, m1) in itertools.pairwise(curve):
            if min(t0, t1) <= target <= max(t0, t1):
                f = 0.0 if t1 == t0 else (target - t0) / (t1 - t0)
                row["preventative_coefficient"] = c0 + f * (c1 - c0)
                row["preventative_cost"] = 100 * (reference.mean - (m0.mean + f * (m1.mean - m0.mean)))
                if m0.answers_se is not None and m1.answers_se is not None:
                    se = (1 - f) * m0.answers_se + f * m1.answers_se  # of the interpolated accuracy
                    row["preventative_cost_se"] = _scaled(_difference_se(reference.answers_se, se))
                break
        out.append(row)
    return out


def _scaled(se: float | None) -> float | None:
    return None if se is None else 100 * se


def _recorded(rows: list[dict[str, Any]], column: str) -> str:
    """The distinct values of a protocol column, or 'not recorded'."""
    seen = sorted({str(r[column]) for r in rows if r.get(column) not in (None, "")}, key=lambda v: (len(v), v))
    if not seen:
        return "not recorded"
    return ", ".join(seen) + (" (differs between runs)" if len(seen) > 1 else "")


def protocol_line(group: list[dict[str, Any]]) -> str:
    """How the group's final models were measured, from the runs' resolved recipes (`eval:`) and the post-hoc
    evaluations' recorded settings; 'not recorded' where they have no such field."""
    parts = []
    if any(r["trait"] for r in group):
        parts.append(
            f"trait questions {_recorded(group, 'questions')}, samples per question "
            f"{_recorded(group, 'samples')}, temperature {_recorded(group, 'temperature')}, max new tokens "
            f"{_recorded(group, 'max_new_tokens')}"
        )
    posthoc = [r for r in group if r["arm"] == "posthoc"]
    if posthoc:
        parts.append(f"post-hoc steering at positions {_recorded(posthoc, 'positions')}")
    if any(as_number(r.get("mmlu")) is not None for r in group):
        parts.append(
            f"MMLU format {_recorded(group, 'mmlu_format')}, shots {_recorded(group, 'mmlu_shots')}, "
            f"questions {_recorded(group, 'mmlu_questions')}"
        )
    return "Protocol (the runs' resolved recipes and post-hoc settings): " + "; ".join(parts) + "."


INTERVALS = (
    "Mean ± half-width of its 95% interval: over seeds (Student's t) in a row of n >= 2 runs; in a row of one run, "
    "over that run's sampled answers (MMLU: over its questions; normal, from the standard errors the evaluation "
    "recorded); a number alone has neither (one run, no standard error recorded). [SE ...]: MMLU's standard error "
    "over questions (the mean of the runs'), which seeds scored on the same questions do not show."
)
SHARE_METHOD = (
    "Prevented: 1 - (arm - base) / (plain - base) of the trait score, with its 95% interval from a parametric "
    f"bootstrap: {SHARE_DRAWS:,} independent draws of the base, plain and arm means from their sampling "
    "distributions (t over seeds, normal over sampled answers), the 2.5th-97.5th percentiles of the share. It reads "
    "n/a when the plain arm's shift from the base (the same draws' difference) has a 95% interval that includes 0, "
    "or none."
)


def held_out_lines(cells: dict[tuple, dict[str, Estimate]], base: dict[str, Estimate]) -> list[str]:
    """The held-out answers' measures per arm (`eval.held_out`): the preference for the trait's answers, with the
    share of the plain arm's shift in it each arm prevented, and the wanted answers' perplexity. None measured: no
    lines."""
    if not any(measure in values for values in cells.values() for measure in HELD_OUT):
        return []
    plain = cells.get(("plain", 0.0, ""), {})
    lines = [
        "",
        "Held-out answers, teacher-forced (neither the vector nor the judge): preference = NLL(wanted answer) "
        "- NLL(trait answer) per prompt, above 0 when the trait's answer is the likelier; perplexity of the "
        "wanted answers (lower is better). Intervals as above; the share as above, on the preference.",
        "",
        "| model | coefficient | layers | preference | prevented (preference) [95% interval] | perplexity |",
        "|---|---|---|---|---|---|",
    ]
    if base:
        lines.append(f"| base | | | {_cell(base.get('preference'))} | | {_cell(base.get('perplexity'))} |")
    for (arm, coefficient, layers), values in sorted(cells.items(), key=lambda kv: (kv[0][0] != "plain", kv[0])):
        share = ""
        if arm != "plain" and all("preference" in cell for cell in (base, plain, values)):
            share = _share_cell(share_prevented(base["preference"], plain["preference"], values["preference"]))
        lines.append(
            f"| {arm} | {coefficient:g} | {layers} | {_cell(values.get('preference'))} | {share} | "
            f"{_cell(values.get('perplexity'))} |"
        )
    if "preference" in base and "preference" in plain:
        shift = plain_shift(base["preference"], plain["preference"])
        interval = "no interval" if shift.low is None else f"95% interval {shift.low:+.3g} to {shift.high:+.3g}"
        lines += [
            "",
            f"The plain arm moved the preference by {shift.value:+.3g} (nats per token) from the base model "
            f"({interval}).",
        ]
    return lines


def report_lines(rows: list[dict[str, Any]], missing: list[dict[str, Any]], threshold: float) -> list[str]:
    final = final_rows(rows)
    bases = base_estimates(rows)
    completed = len({(r["sweep"], r["point"]) for r in rows})
    lines = [
        "# prevsteer compare",
        "",
        f"{completed} completed points, {len(missing)} not completed; final models "
        "only below (every evaluation is in results.csv).",
        "",
    ]
    for key, group in sorted(_group(final).items()):
        dataset, level, trait = key
        cells = summarise(group)
        plain = cells.get(("plain", 0.0, ""), {})
        base = bases.get(key, {})
        shift = None
        if "trait_score" in base and "trait_score" in plain:
            shift = plain_shift(base["trait_score"], plain["trait_score"])
        lines += [
            f"## {dataset}{f' {level}' if level else ''}: {trait or 'no trait'}",
            "",
            protocol_line(group),
            "",
            INTERVALS,
            "",
            "| arm | coefficient | layers | n | interval over | trait score | coherence | projection | "
            "MMLU (%) | MMLU p(correct) | prevented [95% interval] | MMLU cost (points) |",
            "|" + "---|" * 12,
        ]
        for (arm, coefficient, layers), values in sorted(cells.items(), key=lambda kv: (kv[0][0] != "plain", kv[0])):
            share = None
            if arm != "plain" and shift is not None and "trait_score" in values:
                share = share_prevented(base["trait_score"], plain["trait_score"], values["trait_score"])
            cost, cost_se = None, None
            if "mmlu" in values and "mmlu" in plain:
                cost = 100 * (plain["mmlu"].mean - values["mmlu"].mean)
                cost_se = _scaled(_difference_se(plain["mmlu"].answers_se, values["mmlu"].answers_se))
            n = max(e.n for e in values.values())
            over = "seeds" if n >= 2 else "answers" if any(e.over == "answers" for e in values.values()) else "-"
            lines.append(
                f"| {arm} | {coefficient:g} | {layers} | {n} | {over} | {_cell(values.get('trait_score'))} | "
                f"{_cell(values.get('coherence'))} | {_cell(values.get('projection'))} | "
                f"{_mmlu_cell(values.get('mmlu'), 100)} | {_mmlu_cell(values.get('mmlu_p_correct'))} | "
                f"{'' if arm == 'plain' else _share_cell(share)} | "
                f"{'' if arm == 'plain' else _cost_cell(cost, cost_se)} |"
            )
        if base:
            lines += [
                "",
                "Base model (the runs' step-0 evaluations; one model, so its interval is over its sampled "
                f"answers): trait score {_cell(base.get('trait_score')) or 'n/a'}, MMLU (%) "
                f"{_mmlu_cell(base.get('mmlu'), 100) or 'n/a'}.",
            ]
            if shift is not None:
                interval = "no interval" if shift.low is None else f"95% interval {shift.low:+.1f} to {shift.high:+.1f}"
                lines.append(
                    f"The plain arm moved the trait score by {shift.value:+.1f} points from the base model "
                    f"({interval})."
                )
                reason = not_divisible(shift)
                if reason:
                    lines.append(f"The shares prevented read n/a: {reason}; compare the arms' trait scores directly.")
            lines += ["", SHARE_METHOD]
        else:
            lines += ["", "No base evaluation (set eval.at_start: true): the shares read n/a."]
        lines += held_out_lines(cells, base)
        matched = matched_reduction(cells)
        if matched:
            lines += [
                "",
                "Matched reduction: MMLU cost against plain (points; [SE]: of the difference, as if the two "
                "were independent, an upper bound on the same questions) at the trait level post-hoc steering "
                "reaches at each coefficient.",
                "",
                "| post-hoc coefficient | trait score | post-hoc cost | preventative coefficient | preventative cost |",
                "|---|---|---|---|---|",
            ]
            for row in matched:
                reached = (
                    "not reached"
                    if row["preventative_coefficient"] is None
                    else (f"{row['preventative_coefficient']:.2g}")
                )
                lines.append(
                    f"| {row['posthoc_coefficient']:g} | {row['trait_score']:.3g} | "
                    f"{_cost_cell(row['posthoc_cost'], row['posthoc_cost_se'])} | {reached} | "
                    f"{_cost_cell(row['preventative_cost'], row['preventative_cost_se'])} |"
                )
        lines.append("")
    incoherent = [r for r in final if r["coherence"] is not None and r["coherence"] < threshold]
    lines += [f"## Below coherence {threshold:g}", ""]
    lines += [
        f"- {r['point']} ({r['arm']}, coefficient {r['coefficient']:g}, seed {r['seed']}, {r['trait'] or 'MMLU'}"
        f"): coherence {r['coherence']:.3g}"
        for r in incoherent
    ] or ["None."]
    lines += ["", "## Completeness", ""]
    lines += [
        f"- {m['sweep']}/{m['point']}: {m['status']}" + (f" ({m['error']})" if m["error"] else "") for m in missing
    ] or ["Every point completed."]
    return [*lines, ""]


def compare(settings: CompareSettings) -> Path:
    """Write results.csv, report.md and the figures into `out`; returns the report's path."""
    sweep_dirs, out = settings.sweep_dirs, settings.out
    refuse_overwrite(out, settings.force, folder=True)
    rows, missing = collect(sweep_dirs)
    if not rows:
        raise PrevsteerError(
            f"{', '.join(map(str, sweep_dirs))}: no completed point with evaluations to compare; the recipes must "
            "evaluate (eval.traits, eval.mmlu or eval.misalignment, e.g. in the spec's overrides)"
        )
    out.mkdir(parents=True, exist_ok=True)
    write_results(rows, out / "results.csv")
    (out / "report.md").write_text("\n".join(report_lines(rows, missing, settings.coherence_threshold)))
    groups, bases = _group(final_rows(rows)), base_estimates(rows)
    dose_response_figure(groups, bases, out / "dose_response.png")
    frontier_figure(groups, bases, out / "frontier.png")
    return out / "report.md"
