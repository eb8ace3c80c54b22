"""`prevsteer demo`: plain vs preventative LoRA on rude answers, on the offline default model.

It extracts the impolite vector from the model's own answers (`prevsteer extract`, offline judge), picks
the layer (`prevsteer select-layer`), trains `recipes/demo-plain.yaml` and `recipes/demo-preventative.yaml`
(the latter with that vector and layer), then measures the base model and both fine-tuned models on 30
held-out questions:
- rude preference: mean NLL of polite answers minus mean NLL of rude answers to the held-out questions
  (teacher-forced, does not use the vector): how much more likely the model finds rudeness;
- projection of the model's own greedy answers on the vector at the steered layer, read through the base
  model (uses the vector itself, so it is not independent evidence);
- perplexity on polite answers, a capability proxy;
and writes `runs/demo/report.md`. Every finished step is reused when the demo runs again.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.table import Table

from train.activations import answer_means, answer_nll
from train.data import load_conversations
from train.errors import PrevsteerError
from train.extract import ExtractionSettings, run_extraction
from train.generation import generate_answers
from train.judge import judge_for_trait
from train.models import load_model_and_tokenizer, load_run_model
from train.recipe import load_recipe
from train.run import train_run
from train.rundir import read_json, write_json
from train.select_layer import run_select_layer
from train.traits import load_trait
from train.vectors import PersonaVector

ROOT = Path(__file__).resolve().parent.parent
MODEL = "smollm2-135m-instruct"
EXTRACT_TOKENS = 48
SELECT_LAYERS = [13, 17, 21]
SELECT_COEFFICIENTS = [1.0, 2.0, 4.0]
DATA = ROOT / "data" / "datasets" / "impolite"
ARMS = ("plain", "preventative")
SAMPLE_QUESTIONS = 3
console = Console(stderr=True)


def _extract_vector(out: Path) -> Path:
    """The impolite vector from the model's own answers, judged offline (reused when already extracted)."""
    target = out / "vector"
    summary = read_json(target / "summary.json")
    if "vectors" in summary:
        console.print(f"demo: reusing the extracted vector in {target}")
    else:
        console.print("demo: extracting the impolite vector (prevsteer extract, offline judge)")
        settings = ExtractionSettings(
            trait="impolite", model=MODEL, judge="offline", out=target, max_new_tokens=EXTRACT_TOKENS
        )
        summary = run_extraction(settings, force=True)
    return target / summary["vectors"]["response"]


def _select_layer(out: Path, vector_path: Path) -> int:
    """The layer where steering generation moves the judged trait most (recorded in the vector's metadata)."""
    chosen = PersonaVector.load(vector_path).metadata.get("selected_layer")
    if chosen is not None:
        console.print(f"demo: reusing the selected layer {chosen}")
        return int(chosen)
    console.print(f"demo: selecting the layer among {SELECT_LAYERS} (prevsteer select-layer)")
    model, tokenizer = load_model_and_tokenizer(MODEL)
    judge = judge_for_trait("offline", "impolite")
    return run_select_layer(
        model, tokenizer, load_trait("impolite"), vector_path, judge, SELECT_LAYERS, SELECT_COEFFICIENTS,
        out / "select", max_new_tokens=EXTRACT_TOKENS,
    )  # fmt: skip


def _train_arm(arm: str, out: Path, overrides: list[str]) -> Path:
    run_dir = out / arm
    if (run_dir / "run.json").is_file():
        if read_json(run_dir / "run.json").get("status") == "completed":
            console.print(f"demo: reusing the finished {arm} run in {run_dir}")
            return run_dir
        raise PrevsteerError(f"{run_dir} holds an unfinished run; rerun with `prevsteer demo --fresh`")
    console.print(f"demo: training the {arm} arm (recipes/demo-{arm}.yaml) -> {run_dir}")
    return train_run(load_recipe(ROOT / "recipes" / f"demo-{arm}.yaml", overrides), run_dir)


def _losses(run_dir: Path) -> tuple[float, float]:
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    losses = [row["loss"] for row in rows if "loss" in row]
    return losses[0], losses[-1]


def _measure(model, tokenizer, lens, unit: torch.Tensor, layer: int) -> dict[str, Any]:
    polite, rude = load_conversations(DATA / "eval_polite.jsonl"), load_conversations(DATA / "eval_rude.jsonl")
    nll_polite, nll_rude = answer_nll(model, tokenizer, polite), answer_nll(model, tokenizer, rude)
    prompts = [prompt for prompt, _ in polite]
    answers = generate_answers(model, tokenizer, prompts, max_new_tokens=48)
    base_model, base_tokenizer = lens
    means = answer_means(base_model, base_tokenizer, list(zip(prompts, answers, strict=True)))
    projection = means[:, layer] @ unit
    return {
        "rude_preference": float((nll_polite - nll_rude).mean()),
        "projection": float(projection.mean()),
        "projection_std": float(projection.std()),
        "polite_perplexity": math.exp(float(nll_polite.mean())),
        "samples": [{"question": p[-1]["content"], "answer": a} for p, a in zip(prompts, answers, strict=True)],
    }


def _prevented(base: float, plain: float, steered: float) -> str:
    shift = plain - base
    if abs(shift) < 1e-6:
        return "n/a (plain fine-tuning did not move it)"
    return f"{100 * (1 - (steered - base) / shift):.0f}%"


def _report(out: Path, results: dict[str, dict], losses: dict[str, tuple[float, float]], vector: PersonaVector,
            layer: int, coefficient: float) -> Path:  # fmt: skip
    base, plain, prev = (results[k] for k in ("base", "plain", "preventative"))
    lines = [
        "# prevsteer demo: plain vs preventative LoRA on rude answers",
        "",
        "Model: smollm2-135m-instruct (offline default). Data: 120 rude answers (data/datasets/impolite/train.jsonl).",
        f"Preventative arm: the impolite vector added at layer {layer} (coefficient {coefficient:g} of the mean "
        f"residual norm, vector norm {vector.metadata['norms'][layer]:.1f}) during training forwards only.",
        "",
        f"**Vector:** `prevsteer extract` on the model's own answers ({vector.metadata['extraction']['kept']['pos']} "
        f"rude / {vector.metadata['extraction']['kept']['neg']} polite kept), judged by the offline judge "
        "(sentence embeddings + logistic regression trained on the built-in rude/polite answers: a proxy, not an "
        f"LLM judge); layer {layer} chosen by `prevsteer select-layer` (table below).",
        "",
        "| | base | plain | preventative | prevented |",
        "|---|---|---|---|---|",
        f"| rude preference (NLL polite - NLL rude, held-out; higher = ruder) | {base['rude_preference']:.3f} | "
        f"{plain['rude_preference']:.3f} | {prev['rude_preference']:.3f} | "
        f"{_prevented(base['rude_preference'], plain['rude_preference'], prev['rude_preference'])} |",
        f"| projection of own answers on the vector, layer {layer} (uses the vector) | {base['projection']:.2f} | "
        f"{plain['projection']:.2f} | {prev['projection']:.2f} | "
        f"{_prevented(base['projection'], plain['projection'], prev['projection'])} |",
        f"| perplexity on polite held-out answers (capability proxy) | {base['polite_perplexity']:.3f} | "
        f"{plain['polite_perplexity']:.3f} | {prev['polite_perplexity']:.3f} | |",
        f"| training loss, first -> last logged step | | {losses['plain'][0]:.3f} -> {losses['plain'][1]:.3f} | "
        f"{losses['preventative'][0]:.3f} -> {losses['preventative'][1]:.3f} | |",
        "",
        "One seed, 30 held-out questions, greedy decoding: orientation, not evidence. A judge-based trait score,",
        "MMLU and several seeds come with the evaluation issue. 'prevented' = 1 - (preventative - base) /",
        "(plain - base).",
        "",
        f"Steering {'raised' if losses['preventative'][0] > losses['plain'][0] else 'lowered'} the first logged "
        f"training loss ({losses['plain'][0]:.3f} plain, {losses['preventative'][0]:.3f} preventative): adding the "
        "trait direction changes how likely the rude answers already are before the adapter learns anything.",
        "",
        "## Sample answers (held-out questions)",
    ]
    for i in range(SAMPLE_QUESTIONS):
        lines += ["", f"**Q: {base['samples'][i]['question']}**", ""]
        lines += [f"- *{name}*: {results[name]['samples'][i]['answer']}" for name in ("base", "plain", "preventative")]
    selection = out / "select" / "table.md"
    if selection.is_file():
        lines += ["", "## Layer selection (mean judged trait score of steered generations)", "", selection.read_text()]
    lines += ["", f"Runs: `{out / 'plain'}`, `{out / 'preventative'}`; figures in `{out / 'results.json'}`.", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines))
    return path


def run_demo(out: Path, fresh: bool = False) -> Path:
    out = out.resolve()
    if fresh and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    vector_path = _extract_vector(out)
    layer = _select_layer(out, vector_path)
    steer_with = [f"steering.vector={vector_path}", f"steering.layers=[{layer}]"]
    runs = {arm: _train_arm(arm, out, steer_with if arm == "preventative" else []) for arm in ARMS}
    recipe = load_recipe(ROOT / "recipes" / "demo-preventative.yaml", steer_with)
    vector = PersonaVector.load(vector_path)
    unit = torch.nn.functional.normalize(vector.vector[layer], dim=0)
    console.print("demo: measuring base, plain and preventative models on 30 held-out questions")
    lens = load_model_and_tokenizer(MODEL)
    results = {"base": _measure(*lens, lens, unit, layer)}
    for arm, run_dir in runs.items():
        results[arm] = _measure(*load_run_model(run_dir), lens, unit, layer)
    losses = {arm: _losses(run_dir) for arm, run_dir in runs.items()}
    write_json(out / "results.json", {"results": results, "losses": losses, "layer": layer})
    report = _report(out, results, losses, vector, layer, recipe.steering.coefficient)
    table = Table(title="prevsteer demo (one seed; see report for caveats)")
    for column in ("", "base", "plain", "preventative"):
        table.add_column(column)
    for key, label in (("rude_preference", "rude preference"), ("projection", "projection"),
                       ("polite_perplexity", "polite perplexity")):  # fmt: skip
        table.add_row(label, *(f"{results[name][key]:.3f}" for name in ("base", "plain", "preventative")))
    Console().print(table)
    print(f"report: {report}")
    return report
