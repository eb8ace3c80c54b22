"""`prevsteer demo`: plain vs preventative vs post-hoc steering on rude answers, on the offline default model.

1. extracts the impolite vector from the model's own judged answers (`prevsteer extract`, offline judge) and
   picks its layer (`prevsteer select-layer`);
2. builds the training data with the `rude-answers` builder (level II, and its Normal version) and screens both
   on the vector (`prevsteer screen`): sample-level AUROC and dataset-level projection difference;
3. trains `recipes/demo-plain.yaml` and `recipes/demo-preventative.yaml` for each seed (`prevsteer train`),
   evaluating after every epoch (offline-judged trait score, coherence, projection, 0-shot MMLU subset) with
   training steering off; evaluates the base model the same way and sweeps post-hoc steering `h <- h - a v` on
   the first plain run (`prevsteer eval`). These jobs run in the local launcher's lanes (train/sweeps/local.py),
   one per seed, with the CPU threads split between them;
4. measures held-out preferences and writes `runs/demo/report.md` and `results.json`.
Every finished step is reused when the demo runs again.
"""

from __future__ import annotations

import csv
import itertools
import math
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from rich.table import Table

from train.console import result, say
from train.dataprep.chat import load_conversations
from train.dataprep.prepare import built_file
from train.dataprep.screen import run_screen
from train.errors import PrevsteerError
from train.files import read_json, write_atomic, write_json
from train.judges.factory import judge_for_trait
from train.judges.offline import auroc
from train.models.loading import load_model_and_tokenizer, load_run_model
from train.models.rundir import RunDir
from train.persona.extract import ExtractionSettings, run_extraction
from train.persona.select_layer import run_select_layer
from train.persona.traits import load_trait
from train.resources import shipped, shipped_recipe
from train.steering.activations import answer_nll
from train.steering.vectors import PersonaVector
from train.sweeps.local import Job, run_lanes
from train.sweeps.stats import prevented_share
from train.training.recipe import load_recipe

MODEL = "smollm2-135m-instruct"
EXTRACT_TOKENS = 48
SELECT_LAYERS = [13, 17, 21]
SELECT_COEFFICIENTS = [1.0, 2.0, 4.0]
HELD_OUT = shipped("datasets", "impolite")  # 30 held-out questions with a rude and a polite answer each
ARMS = ("plain", "preventative")
SEEDS = (0, 1)
# Post-hoc coefficients: a = 0 is the plain run itself; near a = 0.5 its projection is back at the base model's.
# Beyond a = 1 the judged score stopped falling in earlier runs (a = 2: flat, a = 4: up again), and
# a finer grid (0.25) only adds a job minute and judge noise.
POSTHOC = [0.5, 1.0]
METRICS = ("eval/trait/impolite", "eval/coherence", "eval/projection/impolite", "eval/mmlu", "eval/mmlu_p_correct")


def _extract_vector(out: Path) -> Path:
    """The impolite vector from the model's own answers, judged offline (reused when already extracted)."""
    target = out / "vector"
    summary = read_json(target / "summary.json")
    if "vectors" in summary:
        say(f"demo: reusing the extracted vector in {target}")
    else:
        say("demo: extracting the impolite vector (prevsteer extract, offline judge)")
        settings = ExtractionSettings(
            trait="impolite", model=MODEL, judge="offline", out=target, max_new_tokens=EXTRACT_TOKENS
        )
        summary = run_extraction(settings, force=True)
    return target / summary["vectors"]["response"]


def _select_layer(out: Path, vector_path: Path) -> int:
    """The layer where steering generation moves the judged trait most (recorded in select/summary.json)."""
    chosen = read_json(out / "select" / "summary.json").get("chosen_layer")
    if chosen is not None:
        say(f"demo: reusing the selected layer {chosen}")
        return int(chosen)
    say(f"demo: selecting the layer among {SELECT_LAYERS} (prevsteer select-layer)")
    model, tokenizer = load_model_and_tokenizer(MODEL)
    judge = judge_for_trait("offline", "impolite")
    return run_select_layer(
        model, tokenizer, load_trait("impolite"), vector_path, judge, SELECT_LAYERS, SELECT_COEFFICIENTS,
        out / "select", max_new_tokens=EXTRACT_TOKENS,
    )  # fmt: skip


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
            run_screen(path, vector_path, layer, MODEL, out_dir=folder, max_new_tokens=EXTRACT_TOKENS, force=True)
        scores[level] = _scores(folder)
    values = {level: list(s.values()) for level, s in scores.items()}
    trained = next(iter(values))
    return {
        "trained": trained,
        "dP": {level: statistics.fmean(v) for level, v in values.items()},
        "auroc": auroc(values[trained], values["normal"]),
        "n": {level: len(v) for level, v in values.items()},
    }


def _recipe_path(arm: str) -> Path:
    return shipped_recipe(f"demo-{arm}.yaml")


def _run_finished(run_dir: Path) -> bool:
    return RunDir(run_dir).status == "completed"


def _progress(run_dir: Path) -> str:
    """The last logged training step, read from the run's metrics.jsonl."""
    steps = [row["step"] for row in RunDir(run_dir).metrics() if row.get("step") is not None]
    return f"step {max(steps)}" if steps else ""


def _train_job(arm: str, seed: int, out: Path, overrides: list[str]) -> Job:
    run = RunDir(out / f"{arm}-seed{seed}")
    if run.status not in (None, "completed"):
        raise PrevsteerError(f"{run.path} holds an unfinished run; remove it, or rerun with `prevsteer demo --fresh`")
    sets = [x for item in [*overrides, f"seed={seed}"] for x in ("--set", item)]
    args = ["train", str(_recipe_path(arm)), "--output-dir", str(run.path), *sets]
    return Job(run.path.name, args, finished=lambda: _run_finished(run.path), progress=lambda: _progress(run.path))


def _eval_job(name: str, folder: Path, model: str, vector_path: Path, layer: int, *extra: str) -> Job:
    """`prevsteer eval` with the demo recipes' evaluation settings, so base and post-hoc match the runs' epochs."""
    args = ["eval", "--model", model, "--recipe", str(_recipe_path("plain")), "--trait", "impolite"]
    args += ["--vector", str(vector_path), "--layer", str(layer), "--out", str(folder), "--force", *extra]
    return Job(name, args, finished=(folder / "eval.json").is_file)


def _run_jobs(lanes: list[list[Job]], logs: Path) -> dict[str, float]:
    """Run the lanes (a failed job stops its lane: later jobs need its output; the other lanes finish and their
    work is reused next time), then raise the failures in one line. Returns the seconds each job took."""
    outcome = run_lanes(lanes, logs, title="demo")
    if outcome.failures:
        raise PrevsteerError("; ".join(f"{name} {failure}" for name, failure in outcome.failures.items()))
    return outcome.seconds


def _epochs(run_dir: Path) -> list[dict[str, Any]]:
    return [row for row in RunDir(run_dir).metrics() if "eval/mmlu" in row or "eval/trait/impolite" in row]


def _first_loss(run_dir: Path) -> float:
    return next(row["loss"] for row in RunDir(run_dir).metrics() if "loss" in row)


def _held_out(model, tokenizer) -> dict[str, float]:
    """Teacher-forced measures on 30 held-out questions that use neither the vector nor a judge."""
    polite, rude = load_conversations(HELD_OUT / "eval_polite.jsonl"), load_conversations(HELD_OUT / "eval_rude.jsonl")
    nll_polite, nll_rude = answer_nll(model, tokenizer, polite), answer_nll(model, tokenizer, rude)
    return {
        "rude_preference": float((nll_polite - nll_rude).mean()),
        "polite_perplexity": math.exp(float(nll_polite.mean())),
    }


def _held_out_cached(folder: Path, load) -> dict[str, float]:
    if not (folder / "held_out.json").is_file():
        write_json(folder / "held_out.json", _held_out(*load()))
    return read_json(folder / "held_out.json")


def _mmlu_note(out: Path) -> str:
    """Say so when the base model gives the same letter to every MMLU question: then accuracy only counts it."""
    predictions = read_json(out / "base" / "coefficient-0" / "mmlu.json")["predictions"]
    if len(set(predictions)) > 1:
        return ""
    letter = "ABCD"[predictions[0]]
    return (
        f"The base model answers {letter} to all {len(predictions)} MMLU questions 0-shot, so its accuracy is the "
        f"share of {letter} answers in the subset and cannot move unless that bias breaks; `mmlu_p_correct` (mean "
        "probability of the right letter among the four) is the MMLU measure here that can register a cost."
    )


def _spread(values: list[float]) -> str:
    mean = statistics.fmean(values)
    half = (max(values) - min(values)) / 2
    return f"{mean:.3g} ± {half:.2g}" if len(values) > 1 else f"{mean:.3g}"


def _fmt(value: float | None, pattern: str = "{:.0%}") -> str:
    return "n/a" if value is None else pattern.format(value)


def _posthoc_line(plain: dict[str, float], posthoc: list[dict[str, float]], preventative: dict) -> str:
    """Post-hoc steering next to preventative, saying plainly when the sweep is not monotone."""
    key = "eval/trait/impolite"
    scores = [row[key] for row in posthoc]
    coefficients = " / ".join(f"{row['coefficient']:g}" for row in posthoc)
    p_correct = " / ".join(f"{row['eval/mmlu_p_correct']:.3f}" for row in posthoc)
    steered = _spread([run["final"][key] for run in preventative.values()])
    rises = [f"a={b['coefficient']:g}" for a, b in itertools.pairwise(posthoc) if b[key] > a[key]]
    shape = f" (not monotone: the score rises again at {', '.join(rises)})" if rises else " (monotone)"
    return (
        f"- Post-hoc steering instead: the plain model (seed 0, impolite {plain[key]:.3g}) scores "
        f"{' / '.join(f'{v:.3g}' for v in scores)} at a = {coefficients}{shape}, MMLU p(correct) {p_correct}; "
        f"the preventative models score {steered} with nothing added at inference."
    )


def _report(out: Path, results: dict[str, Any]) -> Path:
    base, runs, posthoc, layer = results["base"], results["runs"], results["posthoc"], results["layer"]
    keys = [*METRICS, "rude_preference", "polite_perplexity"]
    labels = {
        "eval/trait/impolite": "impolite score (offline judge, 0-100)",
        "eval/coherence": "coherence (heuristic, 0-100)",
        "eval/projection/impolite": f"projection of own answers on the vector, layer {layer}",
        "eval/mmlu": f"MMLU accuracy ({results['mmlu_n']} questions, 0-shot)",
        "eval/mmlu_p_correct": "MMLU mean probability of the right letter",
        "rude_preference": "rude preference (NLL polite - NLL rude, held-out)",
        "polite_perplexity": "perplexity on polite held-out answers",
    }
    header = ["", "base", "plain", "preventative", *(f"post-hoc a={a:g} (plain seed 0)" for a in POSTHOC)]
    lines = [
        "# prevsteer demo: plain vs preventative vs post-hoc steering on rude answers",
        "",
        f"Model: {MODEL} (offline default), CPU. Training data: {results['rows']} rows of `rude-answers` level II "
        "(correct facts "
        "wrapped in a rude opener and closer), LoRA r=8, 2 epochs, seeds "
        f"{', '.join(map(str, SEEDS))}. Preventative arm: the extracted impolite vector added at layer {layer}, "
        f"{results['coefficient']:g} of the mean residual norm, in training forwards only. Post-hoc: the plain "
        f"model (seed 0) with `h[{layer}] <- h[{layer}] - a v[{layer}]` during evaluation.",
        "",
        f"**Vector:** `prevsteer extract` on the model's own answers ({results['kept']['pos']} rude / "
        f"{results['kept']['neg']} polite kept by the offline judge); layer {layer} from `prevsteer select-layer`.",
        "",
        "## Final models (mean ± half-range over seeds)",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for key in keys:
        cells = [labels[key], f"{base[key]:.3g}"]
        cells += [_spread([run["final"][key] for run in runs[arm].values()]) for arm in ARMS]
        cells += [f"{row[key]:.3g}" if key in row else "" for row in posthoc]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "**Share of the plain arm's shift that preventative steering prevented, per seed** "
              "(1 - (preventative - base) / (plain - base)):", ""]  # fmt: skip
    all_shares: list[float | None] = []
    for key in ("eval/trait/impolite", "eval/projection/impolite", "rude_preference"):
        shares = [
            prevented_share(base[key], runs["plain"][s]["final"][key], runs["preventative"][s]["final"][key])
            for s in SEEDS
        ]
        all_shares += shares
        lines.append(
            f"- {labels[key]}: " + ", ".join(f"seed {s}: {_fmt(v)}" for s, v in zip(SEEDS, shares, strict=True))
        )
    if any(share is not None and share > 1 for share in all_shares):
        lines.append("- Above 100%: the preventative model ends further from the trait than the base model itself.")
    lines.append(_posthoc_line(runs["plain"][SEEDS[0]]["final"], posthoc, runs["preventative"]))
    n = results["mmlu_n"]
    for key, unit in (("eval/mmlu", "accuracy"), ("eval/mmlu_p_correct", "p(correct)")):
        cost = [100 * (runs["plain"][s]["final"][key] - runs["preventative"][s]["final"][key]) for s in SEEDS]
        lines.append(f"- MMLU {unit}, plain minus preventative, in points: {', '.join(f'{v:+.1f}' for v in cost)}")
    lines += [
        f"  ({n} questions: one question is {100 / n:.2g} accuracy points, and the standard error of one accuracy "
        f"is about {100 * math.sqrt(0.25 * 0.75 / n):.0f} points, so only large accuracy differences mean anything.) "
        + _mmlu_note(out),
        "",
        "## After every epoch (training steering off while evaluating)",
        "",
        "| run | epoch | " + " | ".join(k.removeprefix("eval/") for k in METRICS) + " |",
        "|" + "---|" * (2 + len(METRICS)),
    ]
    for arm in ARMS:
        for seed, run in runs[arm].items():
            for row in run["epochs"]:
                values = " | ".join(f"{row.get(k, float('nan')):.3g}" for k in METRICS)
                lines.append(f"| {arm} seed {seed} | {row['epoch']:.0f} | {values} |")
    screen = results["screen"]
    trained = screen["trained"]
    lines += [
        "",
        "## Screening the training data before training (`prevsteer screen`)",
        "",
        f"Projection difference at layer {layer} of each sample against the base model's own answer to the same "
        f"prompt: dataset-level dP = {screen['dP'][trained]:.2f} for the training data (level {trained}) vs "
        f"{screen['dP']['normal']:.2f} for its Normal (polite) version; sample-level AUROC {screen['auroc']:.3f} "
        f"({screen['n'][trained]} vs {screen['n']['normal']} samples). Scores and histograms: `{out / 'screen'}`.",
        "",
        "## How to read this",
        "",
        "The impolite score comes from the offline judge (sentence embeddings + logistic regression trained on "
        "hand-written rude and polite answers): a proxy, not an LLM judge. The projection uses the vector itself, "
        "so it is not independent evidence; rude preference and perplexity use neither the vector nor a judge. "
        f"Two seeds, 20 evaluation questions, greedy decoding: orientation, not proof. Steering raised the first "
        f"logged training loss ({_spread(results['first_loss']['plain'])} plain, "
        f"{_spread(results['first_loss']['preventative'])} preventative), as METHOD.md expects.",
    ]
    selection = out / "select" / "table.md"
    if selection.is_file():
        lines += ["", "## Layer selection (mean judged trait score of steered generations)", "", selection.read_text()]
    stages, jobs = results["seconds"], results["job_seconds"]
    lines += [
        "",
        f"This invocation of the demo took {stages['total'] / 60:.1f} min of wall time: "
        + ", ".join(f"{name} {value / 60:.1f}" for name, value in stages.items() if name != "total")
        + " min; the jobs, two lanes side by side: "
        + ", ".join(f"{name} {value / 60:.1f}" for name, value in jobs.items())
        + " min. Steps reused from an earlier invocation are not counted.",
        "",
        f"Runs: `{out}/<arm>-seed<N>/`; base and post-hoc evaluations: `{out}/base/`, `{out}/posthoc/`; job logs: "
        f"`{out}/logs/`; figures in `{out / 'results.json'}`.",
        "",
    ]
    return write_atomic(out / "report.md", "\n".join(lines))


def run_demo(out: Path, fresh: bool = False) -> Path:
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
    plain, preventative = (load_recipe(_recipe_path(arm)) for arm in ARMS)
    build = plain.data.build
    data = {level: built_file(build.model_copy(update={"level": level})) for level in (build.level, "normal")}
    screen = _screen(out, data, vector_path, layer)
    lap("screen")

    traits = f"eval.traits=[{{name: impolite, vector: {vector_path}, layer: {layer}}}]"
    steer_with = [f"steering.vector={vector_path}", f"steering.layers=[{layer}]"]
    jobs = {
        (arm, seed): _train_job(arm, seed, out, [traits, *(steer_with if arm == "preventative" else [])])
        for seed in SEEDS
        for arm in ARMS
    }
    first_plain = out / f"plain-seed{SEEDS[0]}"
    posthoc = ",".join(f"{a:g}" for a in POSTHOC)
    lanes = [[jobs["plain", seed], jobs["preventative", seed]] for seed in SEEDS]
    lanes[0].insert(1, _eval_job("posthoc", out / "posthoc", str(first_plain), vector_path, layer,
                                 "--posthoc-coefficients", posthoc))  # fmt: skip
    lanes[-1].append(_eval_job("base", out / "base", MODEL, vector_path, layer))
    job_seconds = _run_jobs(lanes, out / "logs")
    lap("jobs")

    say("demo: held-out preferences of the base model and the final models")
    base = read_json(out / "base" / "eval.json")["rows"][0]
    base.update(_held_out_cached(out / "base", lambda: load_model_and_tokenizer(MODEL)))
    runs: dict[str, dict[int, dict[str, Any]]] = {arm: {} for arm in ARMS}
    for arm, seed in jobs:
        run_dir = out / f"{arm}-seed{seed}"
        epochs = _epochs(run_dir)
        held_out = _held_out_cached(run_dir, lambda run_dir=run_dir: load_run_model(run_dir))
        runs[arm][seed] = {"dir": str(run_dir), "epochs": epochs, "final": {**epochs[-1], **held_out}}
    lap("held-out")
    seconds["total"] = sum(seconds.values())
    results = {
        "layer": layer,
        "coefficient": preventative.steering.coefficient,
        "rows": build.n,
        "mmlu_n": read_json(out / "base" / "coefficient-0" / "mmlu.json")["n"],
        "kept": PersonaVector.load(vector_path).metadata["extraction"]["kept"],
        "screen": screen,
        "base": base,
        "runs": runs,
        "posthoc": read_json(out / "posthoc" / "eval.json")["rows"],
        "first_loss": {arm: [_first_loss(Path(runs[arm][s]["dir"])) for s in SEEDS] for arm in ARMS},
        "seconds": seconds,
        "job_seconds": job_seconds,
    }
    write_json(out / "results.json", results)
    report = _report(out, results)
    table = Table(title=f"prevsteer demo ({len(SEEDS)} seeds; see the report for caveats)")
    for column in ("", "base", "plain", "preventative"):
        table.add_column(column)
    for key in METRICS:
        cells = [_spread([run["final"][key] for run in runs[arm].values()]) for arm in ARMS]
        table.add_row(key.removeprefix("eval/"), f"{base[key]:.3g}", *cells)
    result(table)
    result(f"report: {report}")
    return report
