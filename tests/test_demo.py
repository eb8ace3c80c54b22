"""The demo's report: `prevsteer compare` of its sweep plus the demo's extras, assembled from a sweep folder written
in the layout the sweep runner and the trainer write (no model is loaded); and the shipped demo spec's points."""

from __future__ import annotations

import csv
import json
import struct
from pathlib import Path

import yaml

from train.demo import SPEC, _write_spec, demo_report
from train.resources import shipped
from train.sweeps.runner import SweepDir, run_sweep
from train.sweeps.spec import expand, load_spec
from train.sweeps.stats import prevented_share
from train.sweeps.sweep_settings import SweepRunSettings

LAYER = 17
# (point, arm, coefficient, seed) -> final impolite score, MMLU p(correct)
FINAL = {
    ("plain-s0", "none", 0.2, 0): (80.0, 0.30),
    ("plain-s1", "none", 0.2, 1): (79.0, 0.32),
    ("prev02-s0", "add", 0.2, 0): (50.0, 0.29),
    ("prev02-s1", "add", 0.2, 1): (54.0, 0.29),
    ("prev01-s0", "add", 0.1, 0): (66.0, 0.31),
}
BASE_SCORE = 60.0
POSTHOC = {0.5: 70.0, 1.0: 64.0}  # trait score of each plain model under post-hoc steering
TRAIT_SE, MMLU_SE = 2.0, 0.057  # standard errors over sampled answers, and over MMLU's 57 questions
EVAL = {
    "traits": [{"name": "impolite", "questions": None, "samples": 4, "temperature": 1.0, "max_new_tokens": 48}],
    "judge": "offline",
    "mmlu": {"format": "letter", "shots": 0, "per_subject": 1},
}


def evaluation(step: int, score: float, p_correct: float) -> dict:
    return {
        "step": step,
        "epoch": float(step > 0),
        "eval/trait/impolite": score,
        "eval/trait_se/impolite": TRAIT_SE,
        "eval/coherence": 90.0,
        "eval/coherence_se": 1.0,
        "eval/projection/impolite": score / 10,
        "eval/mmlu": 0.25,
        "eval/mmlu_se": MMLU_SE,
        "eval/mmlu_p_correct": p_correct,
        "eval/mmlu_p_correct_se": 0.01,
        "eval/preference": (score - BASE_SCORE) / 10,
        "eval/preference_se": 0.1,
        "eval/perplexity": 5 + score / 100,
        "eval/perplexity_se": 0.05,
    }


def write_mmlu_record(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mmlu.json").write_text(json.dumps({"format": "letter", "n": 57, "predictions": [0] * 57}))


def write_sweep(root: Path) -> SweepDir:
    """A finished demo sweep: manifest, point states, run directories (recipe, run.json, metrics.jsonl, the step-0
    evaluation folder), post-hoc evaluations of the plain points."""
    sweep = SweepDir(root)
    posthoc = {
        "vector": "/v.safetensors",
        "layers": [LAYER],
        "incremental": False,
        "coefficients": list(POSTHOC),
        "positions": "response",
        "hash": "abcd1234",
    }
    points = []
    for (point, mode, coefficient, seed), (score, p_correct) in FINAL.items():
        points.append({"id": point, "hash": "0", "source": "spec", "varied": {}, "plain": mode == "none"})
        run_dir = sweep.run_dir(point)
        run_dir.mkdir(parents=True)
        recipe = {
            "seed": seed,
            "data": {"build": {"name": "rude-answers", "level": "II"}, "filter": None},
            "steering": {"mode": mode, "coefficient": coefficient, "layers": [LAYER]},
            "eval": EVAL,
        }
        (run_dir / "recipe.yaml").write_text(yaml.safe_dump(recipe))
        (run_dir / "run.json").write_text(json.dumps({"status": "completed", "train_rows": 96}))
        rows = [evaluation(0, BASE_SCORE, 0.31)] if point == "plain-s0" else []
        rows += [{"step": 5, "loss": 3.0 if mode == "none" else 3.5}, evaluation(12, score, p_correct)]
        (run_dir / "metrics.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
        write_mmlu_record(run_dir / "eval" / "step-12")
        (sweep.state_file(point)).parent.mkdir(parents=True, exist_ok=True)
        sweep.state_file(point).write_text(json.dumps({"status": "completed", "attempts": 1, "elapsed_s": 120.0}))
        if mode == "none":
            folder = root / "posthoc" / f"{point}-abcd1234"
            folder.mkdir(parents=True)
            eval_rows = [{"coefficient": a, **evaluation(12, s, 0.2)} for a, s in POSTHOC.items()]
            settings = {**EVAL, "posthoc": posthoc}
            (folder / "eval.json").write_text(json.dumps({"rows": eval_rows, "settings": settings}))
            for a in POSTHOC:
                write_mmlu_record(folder / f"coefficient-{a:g}")
    write_mmlu_record(sweep.run_dir("plain-s0") / "eval" / "step-0")
    sweep.manifest.write_text(json.dumps({"name": "demo", "posthoc": posthoc, "points": points}))
    return sweep


FACTS = {
    "layer": LAYER,
    "rows": 96,
    "kept": {"pos": 18, "neg": 20},
    "screen": {"trained": "II", "dP": {"II": 4.25, "normal": -0.5}, "auroc": 0.953, "n": {"II": 96, "normal": 96}},
    "seconds": {"extract": 60.0, "select-layer": 90.0, "screen": 30.0, "sweep": 600.0, "total": 780.0},
}


def test_report_is_compare_output_plus_the_demo_extras(tmp_path):
    sweep = write_sweep(tmp_path / "sweep")
    out = tmp_path / "demo"
    (out / "select").mkdir(parents=True)
    (out / "select" / "table.md").write_text("| layer | coefficient | score |\n|---|---|---|\n| 17 | 2 | 71 |\n")
    report = demo_report(out, sweep, FACTS).read_text()

    # compare's output: results.csv with every evaluation, the dose-response and frontier figures
    with (out / "results.csv").open() as handle:
        results = list(csv.DictReader(handle))
    assert len(results) == len(FINAL) + 1 + 2 * len(POSTHOC)  # finals, the step-0 base, post-hoc of 2 plain models
    assert {r["trait_score_se"] for r in results} == {str(TRAIT_SE)} and {r["mmlu_se"] for r in results} == {"0.057"}
    # the dose-response figure: one row (one dataset and trait) of five panels: trait score against each arm's own
    # coefficient (preventative, post-hoc), then MMLU, MMLU p(correct) and held-out perplexity against the trait
    # score reached
    width, height = struct.unpack(">II", (out / "dose_response.png").read_bytes()[16:24])
    assert (width, height) == (round(5 * 4.6 * 110), round(3.6 * 110))
    # the frontier: one panel per capability measure
    width, height = struct.unpack(">II", (out / "frontier.png").read_bytes()[16:24])
    assert (width, height) == (int(3 * 1.2 * 4.6 * 110), int(1.2 * 3.6 * 110))
    # compare's table, with the values of the fabricated runs: the preventative mean at 0.2 and its share prevented
    table = report.split("## rude-answers II: impolite")[1].split("\n## ")[0]
    assert (
        "trait questions all, samples per question 4, temperature 1.0, max new tokens 48; post-hoc steering at "
        "positions response; MMLU format letter, shots 0, questions 57."
    ) in table
    line = next(row for row in table.splitlines() if row.startswith("| preventative | 0.2 |"))
    share = prevented_share(BASE_SCORE, 79.5, 52.0)
    assert "| 2 | seeds | 52 ± 25 |" in line and f"| {share:.0%} [" in line and "| 25 ± 0 [SE 5.7] |" in line
    # one seed: the interval over its sampled answers, 1.96 standard errors
    assert "| preventative | 0.1 | 17 | 1 | answers | 66 ± 3.9 | 90 ± 2 | 6.6 | 25 ± 11 [SE 5.7] |" in table
    assert "| posthoc | 1 | 17 | 2 | seeds | 64 ± 0 |" in table
    assert f"trait score {BASE_SCORE:.3g} ± 3.9, MMLU (%) 25 ± 11 [SE 5.7]" in table and "Matched reduction" in table
    # the held-out answers (eval.held_out), compare's: the preference per arm with the share prevented on it, and
    # the plain arm's shift in it with its interval (base over its answers, plain over its two seeds)
    held = table.split("Held-out answers, teacher-forced")[1]
    assert "| base | | | 0 ± 0.2 | | 5.6 ± 0.098 |" in held
    preference = next(row for row in held.splitlines() if row.startswith("| preventative | 0.2 |"))
    assert preference.startswith(f"| preventative | 0.2 | 17 | -0.8 ± 2.5 | {prevented_share(0.0, 1.95, -0.8):.0%} [")
    assert "The plain arm moved the preference by +1.95 (nats per token) from the base model (95% interval" in held
    assert "(dose_response.png)" in report
    assert report.count("# prevsteer compare") == 0 and report.startswith("# prevsteer demo")

    # the demo's extras
    extras = report.split("# The demo's extras")[1]
    assert "18 rude / 20 polite" in extras and "| 17 | 2 | 71 |" in extras
    assert "dP = 4.25 for the training data (level II) vs -0.50" in extras and "AUROC 0.953" in extras
    assert "first logged training loss: 3 ± 0 plain, 3.5 ± 0 preventative" in extras
    assert "answers A to all 57 MMLU questions" in extras
    assert "proxy, not an LLM judge" in extras
    protocol = extras.split("## Protocol")[1].split("\n## ")[0]  # what it measured, and why it is smaller
    assert "Smaller than the study's (10 answers per evaluation question" in protocol
    trait = "impolite: all evaluation questions x 4 answers, temperature 1, top-p 1, no top-k, up to 48 new tokens"
    assert trait in protocol and f"h <- h - a v at layers {LAYER}, positions `response`" in protocol
    assert "MMLU: 1 per subject, 0-shot, letter format" in protocol
    assert "took 13.0 min" in extras and "plain-s0 2.0" in extras


def test_report_without_a_base_evaluation_says_so(tmp_path):
    sweep = write_sweep(tmp_path / "sweep")
    metrics = sweep.run_dir("plain-s0") / "metrics.jsonl"
    metrics.write_text("".join(line + "\n" for line in metrics.read_text().splitlines()[1:]))  # no step-0 row
    for path in (sweep.run_dir("plain-s0") / "eval" / "step-0").iterdir():
        path.unlink()
    (sweep.run_dir("plain-s0") / "eval" / "step-0").rmdir()
    report = demo_report(tmp_path / "demo", sweep, FACTS).read_text()
    assert "No base evaluation (set eval.at_start: true)" in report
    assert "MMLU questions 0-shot" not in report  # the note needs the base model's answers


def test_the_demo_spec_runs_both_arms_a_dose_response_and_posthoc_with_the_extracted_vector(tmp_path, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # a CPU: two lanes
    vector = tmp_path / "vector.safetensors"
    vector.write_bytes(shipped("vectors", "smollm2-135m-instruct", "impolite.safetensors").read_bytes())
    spec = _write_spec(tmp_path, vector, 13)
    assert spec.read_text().startswith("# Written by `prevsteer demo`")
    _, plan, _ = run_sweep(SweepRunSettings(spec=spec, out=tmp_path / "sweep", dry_run=True))
    assert len(plan) == 4 and all(line.endswith(": start") for line in plan)
    points = expand(load_spec(spec), spec)
    arms = [(p.recipe.steering.mode, 0 if p.plain else p.recipe.steering.coefficient, p.recipe.seed) for p in points]
    assert arms == [("none", 0, 0), ("add", 0.1, 0), ("add", 0.05, 0), ("add", 0.025, 0)]  # a dose-response
    for point in points:
        trait = point.recipe.eval.traits[0]
        assert trait.vector == str(vector) and trait.layer == 13
        assert (trait.samples, trait.temperature, trait.max_new_tokens, trait.seed) == (3, 1.0, 48, 0)  # sampled
        assert point.recipe.eval.mmlu.format == "continuation" and point.recipe.eval.held_out is not None
        assert point.recipe.steering.vector == str(vector) and point.recipe.steering.layers == [13]
        assert point.recipe.eval.at_start == point.plain  # the base model, once
    # The plain run (with its step-0 and post-hoc evaluations) first: one lane takes it, the other the preventative
    # runs in turn.
    assert [p.id.rsplit("-", 1)[0] for p in points] == [
        "mode=none-at_start=true-seed=0",
        "mode=add-coefficient=0.1-seed=0",
        "mode=add-coefficient=0.05-seed=0",
        "mode=add-coefficient=0.025-seed=0",
    ]
    demo_spec = yaml.safe_load(SPEC.read_text())
    assert demo_spec["posthoc"]["coefficients"] == [1.0, 1.5, 2.0] and demo_spec["launcher"] == {
        "kind": "local",
        "lanes": 2,
    }
    assert load_spec(spec).posthoc.positions == "response"
    assert load_spec(spec).launcher.lanes == 2
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")  # one GPU: one lane (two lanes would each need a GPU)
    assert load_spec(_write_spec(tmp_path, vector, 13)).launcher.lanes == 1


def test_another_seed_reseeds_every_training_and_the_sampled_answers(tmp_path):
    vector = tmp_path / "vector.safetensors"
    vector.write_bytes(shipped("vectors", "smollm2-135m-instruct", "impolite.safetensors").read_bytes())
    points = expand(load_spec(_write_spec(tmp_path, vector, 17, seed=3)), tmp_path / "sweep.yaml")
    assert len(points) == 4 and {p.recipe.seed for p in points} == {3}
    assert {p.recipe.eval.traits[0].seed for p in points} == {3} and all("seed=3-" in p.id for p in points)
