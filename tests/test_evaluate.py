"""Per-epoch evaluation during training, and post-hoc steering sweeps, on tiny models with the offline judge."""

from __future__ import annotations

import json
import math
import statistics

import pytest
import torch
import yaml
from test_cli import recipe_dir, run_cli  # noqa: F401  (fixture)

from train.evaluation.eval_settings import EvalSettings, PosthocSettings
from train.evaluation.evaluator import Evaluator, posthoc_sweep, prepare_probes, write_sweep
from train.models.generation import generate_answers
from train.models.loading import load_model_and_tokenizer, load_run_model
from train.steering.activations import answer_means
from train.steering.vectors import PersonaVector
from train.training.recipe import load_recipe

QUESTIONS = 3
TOKENS = 8


def eval_section(vector: str, tokens: int = TOKENS) -> dict:
    """Greedy, one answer per question and short (the study samples 10 at temperature 1, up to 1000 tokens)."""
    trait = {"name": "impolite", "vector": vector, "layer": 1, "questions": QUESTIONS}
    trait |= {"samples": 1, "temperature": 0, "max_new_tokens": tokens}
    return {"strategy": "epoch", "traits": [trait], "judge": "offline"}


def metric_rows(run) -> list[dict]:
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [row for row in rows if any(key.startswith("eval/trait/") for key in row)]


def test_evaluation_every_step_keeps_every_loss_row(recipe_dir, capsys):  # noqa: F811
    recipe = yaml.safe_load((recipe_dir / "recipe.yaml").read_text())
    recipe["training"]["max_steps"] = 4
    recipe["logging"] = {"steps": 1}
    recipe["eval"] = eval_section("vector.safetensors", tokens=2) | {"strategy": "steps", "steps": 2}
    recipe["eval"]["traits"][0]["questions"] = 1
    (recipe_dir / "recipe.yaml").write_text(yaml.safe_dump(recipe))
    out = recipe_dir / "run"
    code, _, err = run_cli("train", str(recipe_dir / "recipe.yaml"), "--output-dir", str(out), capsys=capsys)
    assert code == 0, err
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert sorted(row["step"] for row in rows if "loss" in row) == [1, 2, 3, 4]  # steps 2 and 4 evaluated too
    assert [row["step"] for row in metric_rows(out)] == [2, 4]
    meta = json.loads((out / "eval" / "step-4" / "meta.json").read_text())  # how the answers were made
    assert meta["protocol"][0].startswith("- impolite: 1 evaluation questions x 1 answers, greedy, up to 2 new tokens")


@pytest.mark.slow
def test_two_epoch_steered_run_logs_unsteered_trait_metrics_every_epoch(recipe_dir, capsys):  # noqa: F811
    recipe = yaml.safe_load((recipe_dir / "recipe.yaml").read_text())
    recipe["training"].pop("max_steps")
    recipe["training"]["num_train_epochs"] = 2
    recipe["eval"] = eval_section("vector.safetensors")
    (recipe_dir / "recipe.yaml").write_text(yaml.safe_dump(recipe))
    out = recipe_dir / "run"
    code, _, err = run_cli("train", str(recipe_dir / "recipe.yaml"), "--output-dir", str(out), capsys=capsys)
    assert code == 0, err

    rows = metric_rows(out)
    assert [round(row["epoch"]) for row in rows] == [1, 2]
    for row in rows:
        assert 0 <= row["eval/trait/impolite"] <= 100
        assert 0 <= row["eval/coherence"] <= 100
        assert isinstance(row["eval/projection/impolite"], float)
        assert row["eval/unscored/impolite"] == 0

    # The hooks fired during training, never during evaluation.
    assert json.loads((out / "distributed.json").read_text())["hook_calls_per_rank"][0] > 0
    last = max((out / "eval").iterdir(), key=lambda p: int(p.name.split("-")[1]))
    assert json.loads((last / "meta.json").read_text())["training_steering_calls_during_eval"] == 0

    # The last evaluation's answers are what the trained model says with no steering at all, and their
    # projections are the answer-token means at layer 1 on the unit vector.
    model, tokenizer = load_run_model(out)
    judged = [json.loads(line) for line in (last / "impolite.jsonl").read_text().splitlines()]
    prompts = [[{"role": "user", "content": row["question"]}] for row in judged]
    assert generate_answers(model, tokenizer, prompts, max_new_tokens=TOKENS) == [row["answer"] for row in judged]
    unit = torch.nn.functional.normalize(PersonaVector.load(recipe_dir / "vector.safetensors").vector[1], dim=0)
    means = answer_means(model, tokenizer, [(p, row["answer"]) for p, row in zip(prompts, judged, strict=True)])
    expected = (means[:, 1] @ unit).tolist()
    assert [row["projection"] for row in judged] == pytest.approx(expected, abs=1e-4)
    assert rows[-1]["eval/projection/impolite"] == pytest.approx(sum(expected) / len(expected), abs=1e-4)


def test_posthoc_sweep_rows_and_files(tmp_path, tiny_llama):
    vector = PersonaVector(0.01 * torch.randn(2, 32, generator=torch.Generator().manual_seed(1)))
    vector.save(tmp_path / "v.safetensors")
    settings = EvalSettings.model_validate(eval_section(str(tmp_path / "v.safetensors")))
    posthoc = PosthocSettings(vector=str(tmp_path / "v.safetensors"), layers=[0], coefficients=[0, 1, 2, 4])
    model, tokenizer = load_model_and_tokenizer(str(tiny_llama))
    evaluator = Evaluator(settings, prepare_probes(settings, 2, 32), cache=tmp_path / "judge.sqlite")
    rows = posthoc_sweep(evaluator, model, tokenizer, posthoc, tmp_path / "sweep")
    folders = [tmp_path / "sweep" / f"coefficient-{c}" for c in (0, 1, 2, 4)]
    answers = [tuple(json.loads(line)["answer"] for line in (f / "impolite.jsonl").open()) for f in folders]
    assert len(set(answers)) > 1  # the steering reached the answers
    assert rows[0] == {"coefficient": 0, **evaluator.evaluate(model, tokenizer)}  # 0 = no hooks at all
    write_sweep(rows, tmp_path / "sweep", "tiny", settings.model_copy(update={"posthoc": posthoc}))
    assert (tmp_path / "sweep" / "sweep.png").stat().st_size > 0
    table = (tmp_path / "sweep" / "sweep.md").read_text()
    assert "eval/trait/impolite" in table and table.count("\n| ") == 1 + len(rows)
    assert "impolite: 3 evaluation questions x 1 answers, greedy, up to 8 new tokens, seed 0" in table
    assert "at layers 0, positions `response` (the last position of every forward" in table
    assert not any(module._forward_hooks for module in model.modules())  # nothing left attached


def test_eval_section_errors_name_the_field(recipe_dir):  # noqa: F811
    path = recipe_dir / "recipe.yaml"
    cases = [
        ({"traits": [{"name": "impolite", "vectr": "x"}]}, "eval.traits.0.vectr: unknown key; did you mean vector"),
        ({"judge": "gpt4"}, "unknown judge 'gpt4'"),
        ({"strategy": "steps"}, "eval.steps: strategy 'steps' needs steps"),
        ({"max_new_tokens": 64}, "eval.max_new_tokens: set the length per trait"),
        (
            {"posthoc": {"vector": "vector.safetensors", "layers": [1]}},
            "eval.posthoc: name eval.traits, eval.misalignment, eval.mmlu or eval.held_out",
        ),
        ({"traits": [{"name": "impolite", "vector": "missing.safetensors"}]}, "file not found"),
    ]
    base = yaml.safe_load(path.read_text())
    for change, message in cases:
        path.write_text(yaml.safe_dump({**base, "eval": change}))
        with pytest.raises(Exception, match=message.replace("(", r"\(")) as info:
            load_recipe(path)
        assert "\n" not in str(info.value)
    # --set resolves a vector path inside a list of mappings against the current directory
    path.write_text(yaml.safe_dump(base))
    recipe = load_recipe(path, [f"eval.traits=[{{name: impolite, vector: {recipe_dir / 'vector.safetensors'}}}]"])
    assert recipe.eval.traits[0].vector == str(recipe_dir / "vector.safetensors")


def test_eval_command_writes_report_table_and_plot(tmp_path, tiny_llama, capsys):
    PersonaVector(4 * torch.randn(2, 32, generator=torch.Generator().manual_seed(2))).save(tmp_path / "v.safetensors")
    args = ["eval", "--model", str(tiny_llama), "--trait", "impolite", "--vector", str(tmp_path / "v.safetensors")]
    args += ["--layer", "1", "--questions", "2", "--max-new-tokens", "6", "--cache", str(tmp_path / "j.sqlite")]
    args += ["--samples", "3", "--temperature", "1", "--seed", "5"]  # small, sampled: the study's is 10 x 1000 tokens
    code, out, err = run_cli(*args, "--posthoc-coefficients", "0,3", "--out", str(tmp_path / "e"), capsys=capsys)
    assert code == 0, err
    assert out.strip() == f"report: {tmp_path / 'e' / 'report.md'}"
    record = json.loads((tmp_path / "e" / "eval.json").read_text())
    assert [row["coefficient"] for row in record["rows"]] == [0, 3]
    trait = record["settings"]["traits"][0]
    assert (trait["samples"], trait["temperature"], trait["top_p"], trait["max_new_tokens"], trait["seed"]) == (
        3,
        1.0,
        1.0,
        6,
        5,
    )
    assert record["settings"]["posthoc"]["positions"] == "response"
    report = (tmp_path / "e" / "report.md").read_text()
    assert (tmp_path / "e" / "sweep.png").is_file() and "eval/trait/impolite" in report
    assert (
        "impolite: 2 evaluation questions x 3 answers, temperature 1, top-p 1, no top-k, up to 6 new tokens" in report
    )
    assert "positions `response`" in report and "eval/trait_se/impolite" in report

    # 2 questions x 3 samples, sampled (they differ); the error is over the 2 questions' means
    rows = [json.loads(line) for line in (tmp_path / "e" / "coefficient-3" / "impolite.jsonl").open()]
    assert [row["question_index"] for row in rows] == [0, 0, 0, 1, 1, 1]
    assert len({row["answer"] for row in rows[:3]}) > 1
    means = [statistics.fmean(r["trait_score"] for r in rows if r["question_index"] == i) for i in (0, 1)]
    metrics = record["rows"][1]
    assert metrics["eval/trait/impolite"] == pytest.approx(statistics.fmean(r["trait_score"] for r in rows))
    assert metrics["eval/trait_se/impolite"] == pytest.approx(statistics.stdev(means) / math.sqrt(2))
    assert {"eval/coherence_se", "eval/projection_se/impolite"} <= set(metrics)
    code, _, err = run_cli(*args, "--positions", "all", "--out", str(tmp_path / "p"), capsys=capsys)
    assert code == 2 and "--positions says where post-hoc steering acts: it needs --posthoc-coefficients" in err

    # an existing --out is never overwritten; a vector of the wrong size is one line, exit 2
    assert run_cli(*args, "--out", str(tmp_path / "e"), capsys=capsys)[0] == 2
    PersonaVector(torch.ones(3, 32)).save(tmp_path / "wrong.safetensors")
    bad = [*args[:6], str(tmp_path / "wrong.safetensors"), *args[7:], "--out", str(tmp_path / "f")]
    code, _, err = run_cli(*bad, capsys=capsys)
    last = err.strip().splitlines()[-1]
    assert code == 2 and last.startswith("prevsteer: error:") and "3 layers" in last and "Traceback" not in err
    code, _, err = run_cli("eval", "--model", str(tiny_llama), "--out", str(tmp_path / "g"), capsys=capsys)
    assert code == 2 and "nothing to evaluate" in err
