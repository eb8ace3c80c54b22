"""`prevsteer demo`: plain vs preventative vs post-hoc steering on rude answers, on the offline default model.

1. extracts the impolite vector from the model's own judged answers (`prevsteer extract`, offline judge) and
   picks its layer (`prevsteer select-layer`);
2. builds the training data with the `rude-answers` builder (level II, and its Normal version) and screens both
   on the vector (`prevsteer screen`): sample-level AUROC and dataset-level projection difference;
3. runs the sweep recipes/sweeps/demo.yaml with that vector and layer filled in (`prevsteer sweep run`, local
   launcher, two lanes): plain LoRA and preventative LoRA at three coefficients (a dose-response), each evaluated
   after its last step with training steering off (sampled answers: offline-judged trait score with its standard
   error, coherence, projection; 0-shot MMLU in the continuation format; held-out polite answers' perplexity and
   the preference for their rude versions), the base model as the plain run's step-0 evaluation, and post-hoc
   steering `h <- h - a v` of the plain model at three coefficients (`response` positions, as the study steers);
4. compares the sweep (`prevsteer compare`: results.csv, the dose-response figure dose_response.png, frontier.png),
   and writes `runs/demo/report.md`: compare's report plus the demo's extras.
Every finished step is reused when the demo runs again.
"""

from __future__ import annotations

import csv
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from train.console import result, say
from train.dataprep.data_settings import ScreenSettings
from train.dataprep.prepare import built_file
from train.dataprep.screen import run_screen
from train.errors import PrevsteerError
from train.evaluation.eval_settings import EvalSettings
from train.evaluation.evaluator import describe_protocol
from train.files import read_json, write_atomic, write_json
from train.judges.offline import auroc
from train.persona.extract import run_extraction
from train.persona.persona_settings import ExtractionSettings, SelectLayerSettings
from train.persona.select_layer import run_select_layer
from train.resources import shipped_recipe
from train.rundir import RunDir
from train.steering.vectors import PersonaVector
from train.sweeps.compare import collect, compare
from train.sweeps.local import visible_gpus
from train.sweeps.runner import SweepDir, point_status, run_sweep
from train.sweeps.sweep_settings import CompareSettings, SweepRunSettings
from train.training.recipe import load_recipe

MODEL = "smollm2-135m-instruct"
# Smaller than the study's protocol (10 answers per question, up to 1000 tokens; `prevsteer extract`'s defaults), for
# `make demo`'s budget: one answer per question and instruction pair, up to 48 tokens. The report says so.
EXTRACT_PER_QUESTION = 1
EXTRACT_TOKENS = 48
SELECT_LAYERS = [13, 17, 21]
SELECT_COEFFICIENTS = [1.0, 2.0, 4.0]
SPEC = shipped_recipe("sweeps", "demo.yaml")  # the runs: arms, coefficients, seeds, post-hoc, launcher


def _extract_vector(out: Path) -> Path:
    """The impolite vector from the model's own answers, judged offline (reused when already extracted)."""
    target = out / "vector"
    summary = read_json(target / "summary.json")
    if "vectors" in summary:
        say(f"demo: reusing the extracted vector in {target}")
    else:
        say("demo: extracting the impolite vector (prevsteer extract, offline judge)")
        settings = ExtractionSettings(
            trait="impolite",
            model=MODEL,
            judge="offline",
            out=target,
            n_per_question=EXTRACT_PER_QUESTION,
            max_new_tokens=EXTRACT_TOKENS,
            force=True,
        )
        summary = run_extraction(settings)
    return target / summary["vectors"]["response"]


def _select_layer(out: Path, vector_path: Path) -> int:
    """The layer where steering generation moves the judged trait most (recorded in select/summary.json)."""
    chosen = read_json(out / "select" / "summary.json").get("chosen_layer")
    if chosen is not None:
        say(f"demo: reusing the selected layer {chosen}")
        return int(chosen)
    say(f"demo: selecting the layer among {SELECT_LAYERS} (prevsteer select-layer)")
    settings = SelectLayerSettings(
        vector=vector_path,
        trait="impolite",
        model=MODEL,
        judge="offline",
        layers=SELECT_LAYERS,
        coefficients=SELECT_COEFFICIENTS,
        out=out / "select",
        max_new_tokens=EXTRACT_TOKENS,
        force=True,
    )
    return run_select_layer(settings)


def _scores(folder: Path) -> dict[int, float]:
    with (folder / "scores.csv").open() as handle:
        return {int(row["index"]): float(row["projection_difference"]) for row in csv.DictReader(handle)}


def _screen(out: Path, data: dict[str, Path], vector_path: Path, layer: int) -> dict[str, Any]:
    """Screen the training data and its Normal version; both share their prompts, so base answers are made once."""
    scores = {}
    for level, path in data.items():
        folder = out / "screen" / level
        if not (folder / "scores.csv").is_file():
            say(f"demo: screening the {level} data (prevsteer screen)")
            screen = ScreenSettings(
                data=path,
                vector=vector_path,
                layer=layer,
                model=MODEL,
                out=folder,
                max_new_tokens=EXTRACT_TOKENS,
                force=True,
            )
            run_screen(screen)
        scores[level] = _scores(folder)
    values = {level: list(s.values()) for level, s in scores.items()}
    trained = next(iter(values))
    return {
        "trained": trained,
        "dP": {level: statistics.fmean(v) for level, v in values.items()},
        "auroc": auroc(values[trained], values["normal"]),
        "n": {level: len(v) for level, v in values.items()},
    }


def _first_loss(run_dir: Path) -> float | None:
    return next((row["loss"] for row in RunDir(run_dir).metrics() if "loss" in row), None)


def _write_spec(out: Path, vector_path: Path, layer: int, seed: int | None = None) -> Path:
    """recipes/sweeps/demo.yaml with the extracted vector and the selected layer filled in, its paths made absolute
    and no more lanes than visible GPUs (on a GPU machine), written to `out/sweep.yaml`: the spec the demo runs, and
    that `prevsteer sweep run` can run again. A `seed` replaces the spec's training seeds and the evaluation's
    sampling seed: the same demo on other draws."""
    data = yaml.safe_load(SPEC.read_text())
    data["base"] = str((SPEC.resolve().parent / data["base"]).resolve())
    vector = str(vector_path)
    trait = load_recipe(data["base"]).eval.traits[0].model_dump()  # the recipe's evaluation protocol, kept
    if seed is not None:
        trait["seed"] = seed
        for grid in data["grid"]:
            grid["seed"] = [seed]
    data["overrides"] = {
        **data.get("overrides", {}),
        "steering.vector": vector,
        "steering.layers": [layer],
        "eval.traits": [{**trait, "vector": vector, "layer": layer}],
    }
    data["posthoc"].update(vector=vector, layers=[layer])
    gpus = visible_gpus()
    if gpus:  # a lane per GPU at most: the lanes split the visible GPUs between them
        data["launcher"]["lanes"] = min(data["launcher"]["lanes"], len(gpus))
    path = out / "sweep.yaml"
    header = (
        "# Written by `prevsteer demo`: recipes/sweeps/demo.yaml with the extracted vector and the selected layer.\n"
    )
    path.write_text(header + yaml.safe_dump(data, sort_keys=False))
    return path


def _run_sweep(spec_path: Path, sweep_dir: Path) -> SweepDir:
    """Run the sweep's unfinished points in the local launcher's lanes (failed ones are retried: a rerun of the demo
    is a retry); then raise the points that did not complete, in one line."""
    sweep, _, _ = run_sweep(SweepRunSettings(spec=spec_path, out=sweep_dir, rerun_failed=True))
    failed = [entry["id"] for entry in sweep.points() if not sweep.done(entry["id"])]
    if failed:
        details = "; ".join(f"{p}: {sweep.state(p).get('error') or point_status(sweep, p)}" for p in failed)
        raise PrevsteerError(
            f"demo: {len(failed)} sweep point(s) did not complete ({details}); logs in "
            f"{sweep.root / 'logs'}; run `prevsteer demo` again to retry them"
        )
    return sweep


def _trained(sweep: SweepDir) -> list[dict[str, Any]]:
    """Every trained point: its arm, coefficient and seed (as `prevsteer compare` reads them) and its run directory."""
    rows, _ = collect([sweep.root])
    seen, out = set(), []
    for row in rows:
        if row["arm"] != "posthoc" and row["point"] not in seen:
            seen.add(row["point"])
            out.append(
                {**{k: row[k] for k in ("point", "arm", "coefficient", "seed")}, "dir": sweep.run_dir(row["point"])}
            )
    return sorted(out, key=lambda r: (r["arm"] != "plain", r["coefficient"], r["seed"]))


def _base_eval_dir(trained: list[dict[str, Any]]) -> Path | None:
    """The step-0 evaluation folder (the base model) of the run that has one."""
    found = [run["dir"] / "eval" / "step-0" for run in trained if (run["dir"] / "eval" / "step-0").is_dir()]
    return found[0] if found else None


def _mmlu_note(base_eval: Path | None) -> str:
    """Say so when the base model gives the same letter to every MMLU question: then accuracy only counts it."""
    record = read_json(base_eval / "mmlu.json") if base_eval else {}
    predictions = record.get("predictions")
    if not predictions or len(set(predictions)) > 1 or record.get("format", "letter") != "letter":
        return ""
    letter = "ABCD"[predictions[0]]
    return (
        f"The base model answers {letter} to all {len(predictions)} MMLU questions 0-shot, so its accuracy is the "
        f"share of {letter} answers in the subset and cannot move unless that bias breaks; MMLU p(correct) (mean "
        "probability of the right letter among the four) is the MMLU measure here that can register a cost."
    )


def _spread(values: list[float]) -> str:
    mean = statistics.fmean(values)
    half = (max(values) - min(values)) / 2
    return f"{mean:.3g} ± {half:.2g}" if len(values) > 1 else f"{mean:.3g}"


def _protocol_lines(trained: list[dict[str, Any]], posthoc: dict[str, Any]) -> list[str]:
    """How the answers were made (the plain run's recipe and the sweep's post-hoc settings), and why it is smaller
    than the study's protocol."""
    stored = RunDir(trained[0]["dir"]).stored_recipe()["eval"]
    settings = EvalSettings.model_validate({**stored, "posthoc": {k: v for k, v in posthoc.items() if k != "hash"}})
    return [
        "## Protocol",
        "",
        "Smaller than the study's (10 answers per evaluation question sampled at temperature 1 and top-p 1, up to "
        "1000 tokens; extraction likewise), so that `make demo` fits its 20 minutes on 2 CPU cores: extraction "
        f"sampled {EXTRACT_PER_QUESTION} answer per question and instruction pair, up to {EXTRACT_TOKENS} tokens. "
        "Every evaluation (training runs and post-hoc):",
        "",
        *describe_protocol(settings),
        "",
    ]


def demo_report(out: Path, sweep: SweepDir, facts: dict[str, Any]) -> Path:
    """`prevsteer compare` of the demo's sweep into `out` (results.csv, dose_response.png, frontier.png), and
    `out/report.md`: what was run, compare's report, then the demo's extras (extraction, layer selection, screening,
    caveats, timings)."""
    compare(CompareSettings(sweep_dirs=[sweep.root], out=out, force=True))
    comparison = (out / "report.md").read_text()
    trained = _trained(sweep)
    layer, screen, posthoc = facts["layer"], facts["screen"], read_json(sweep.manifest)["posthoc"]
    coefficients = sorted({run["coefficient"] for run in trained if run["arm"] == "preventative"})
    seeds = sorted({run["seed"] for run in trained})
    lines = [
        "# prevsteer demo: plain vs preventative vs post-hoc steering on rude answers",
        "",
        f"Model: {MODEL} (offline default), CPU. Training data: {facts['rows']} rows of `rude-answers` level "
        f"{screen['trained']} (correct facts wrapped in a rude opener and closer), LoRA, "
        f"seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}. Preventative arm: the extracted impolite "
        f"vector added at layer {layer} in "
        f"training forwards only, at coefficients {', '.join(f'{c:g}' for c in coefficients)} of the mean residual "
        f"norm there. Post-hoc arm: each plain model with `h[{layer}] <- h[{layer}] - a v[{layer}]` while evaluating, "
        f"a = {', '.join(f'{a:g}' for a in posthoc['coefficients'])} (a multiple of the vector itself: the two arms' "
        "coefficients are on different scales, so compare them by the trait level they reach, not by the number).",
        "",
        f"The runs are the sweep `{sweep.root}` (spec `{out / 'sweep.yaml'}`, from recipes/sweeps/demo.yaml), run "
        "with the local launcher; what follows up to the demo's extras is `prevsteer compare` of it.",
        "",
        "![dose-response: each arm's trait score, and capability at the trait score it reaches](dose_response.png)",
        "",
        comparison.removeprefix("# prevsteer compare\n"),
        "# The demo's extras",
        "",
        "## Vector and layer",
        "",
        f"`prevsteer extract` on the model's own answers ({facts['kept']['pos']} rude / {facts['kept']['neg']} "
        f"polite kept by the offline judge); layer {layer} from `prevsteer select-layer`.",
    ]
    selection = out / "select" / "table.md"
    if selection.is_file():
        lines += ["", "Layer selection (mean judged trait score of steered generations):", "", selection.read_text()]
    trained_level = screen["trained"]
    lines += [
        "",
        *_protocol_lines(trained, posthoc),
        "## Screening the training data before training (`prevsteer screen`)",
        "",
        f"Projection difference at layer {layer} of each sample against the base model's own answer to the same "
        f"prompt: dataset-level dP = {screen['dP'][trained_level]:.2f} for the training data (level {trained_level}) "
        f"vs {screen['dP']['normal']:.2f} for its Normal (polite) version; sample-level AUROC {screen['auroc']:.3f} "
        f"({screen['n'][trained_level]} vs {screen['n']['normal']} samples). Scores and histograms: "
        f"`{out / 'screen'}`.",
        "",
        "## How to read this",
        "",
        "The trait score comes from the offline judge (sentence embeddings + logistic regression trained on "
        "hand-written rude and polite answers): a proxy, not an LLM judge. The projection uses the vector itself, "
        "so it is not independent evidence; the held-out preference and perplexity use neither the vector nor a judge. "
        f"{len(seeds)} seed(s), short answers (see Protocol): orientation, not proof.",
    ]
    losses = {
        arm: [v for run in trained if run["arm"] == arm and (v := _first_loss(run["dir"])) is not None]
        for arm in ("plain", "preventative")
    }
    if all(losses.values()):
        lines.append(
            f"The first logged training loss: {_spread(losses['plain'])} plain, "
            f"{_spread(losses['preventative'])} preventative (docs/method.md expects steering to raise it)."
        )
    note = _mmlu_note(_base_eval_dir(trained))
    if note:
        lines += ["", note]
    stages = facts["seconds"]
    elapsed = {entry["id"]: sweep.state(entry["id"])["elapsed_s"] for entry in sweep.points()}
    lines += [
        "",
        "## Timings",
        "",
        f"This invocation took {stages['total'] / 60:.1f} min of wall time: "
        + ", ".join(f"{name} {value / 60:.1f}" for name, value in stages.items() if name != "total")
        + " min. Sweep points (training, evaluations and post-hoc; two lanes side by side, summed over attempts): "
        + ", ".join(f"{point} {value / 60:.1f}" for point, value in elapsed.items())
        + " min. Steps reused from an earlier invocation are not counted.",
        "",
        f"Every evaluation: `{out / 'results.csv'}`; runs, post-hoc evaluations and logs: `{sweep.root}` "
        f"(`prevsteer sweep status {sweep.root}`); the figures behind this report: `{out / 'results.json'}`.",
        "",
    ]
    return write_atomic(out / "report.md", "\n".join(lines))


def run_demo(out: Path, fresh: bool = False, seed: int | None = None) -> Path:
    out = out.resolve()
    if fresh and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    clock, seconds = time.monotonic(), {}

    def lap(name: str) -> None:
        nonlocal clock
        seconds[name], clock = time.monotonic() - clock, time.monotonic()

    vector_path = _extract_vector(out)
    lap("extract")
    layer = _select_layer(out, vector_path)
    lap("select-layer")
    build = load_recipe(shipped_recipe("demo-plain.yaml")).data.build
    assert build is not None  # demo-plain.yaml builds its data
    data: dict[str, Path] = {
        level: built_file(build.model_copy(update={"level": level})) for level in (build.level, "normal")
    }
    screen = _screen(out, data, vector_path, layer)
    lap("screen")

    sweep = _run_sweep(_write_spec(out, vector_path, layer, seed), out / "sweep")
    lap("sweep")

    seconds["total"] = sum(seconds.values())
    facts = {
        "layer": layer,
        "rows": build.n,
        "kept": PersonaVector.load(vector_path).metadata["extraction"]["kept"],
        "screen": screen,
        "seconds": seconds,
    }
    write_json(out / "results.json", facts)
    report = demo_report(out, sweep, facts)
    result(
        f"report: {report} (every evaluation in {out / 'results.csv'}, dose-response in {out / 'dose_response.png'})"
    )
    return report
