"""`prevsteer check` and `prevsteer train` on tiny models: recipes, run directories, errors, resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from safetensors.torch import load_file

from train import PersonaVector
from train.cli import main

ROWS = [
    {
        "messages": [
            {"role": "user", "content": f"question {i} about tea"},
            {"role": "assistant", "content": f"answer {i}"},
        ]
    }
    for i in range(12)
]


@pytest.fixture
def recipe_dir(tmp_path, tiny_llama) -> Path:
    """A folder with data.jsonl, vector.safetensors and recipe.yaml for a 2-layer tiny llama."""
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    PersonaVector(3 * torch.randn(2, 32, generator=torch.Generator().manual_seed(0)), {"trait": "t"}).save(
        tmp_path / "vector.safetensors"
    )
    recipe = {
        "name": "tiny",
        "model": {"name": str(tiny_llama), "lora": {"r": 4, "alpha": 8}},
        "data": {"train": "data.jsonl"},
        "steering": {"mode": "add", "vector": "vector.safetensors", "layers": [1], "coefficient": 1.0},
        "training": {
            "max_steps": 2,
            "per_device_train_batch_size": 2,
            "learning_rate": 1e-3,
            "save_strategy": "no",
            "max_length": 64,
        },
        "logging": {"steps": 1},
    }
    (tmp_path / "recipe.yaml").write_text(yaml.safe_dump(recipe))
    return tmp_path


def run_cli(*args: str, capsys) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_prints_the_resolved_recipe_with_overrides(recipe_dir, capsys):
    code, out, _ = run_cli(
        "check",
        str(recipe_dir / "recipe.yaml"),
        "--set",
        "training.learning_rate=2e-5",
        "--set",
        "steering.layers=[0,1]",
        "--set",
        "eval.strategy=no",
        "--set",
        "training.bf16=false",
        capsys=capsys,
    )
    assert code == 0
    resolved = yaml.safe_load(out)
    assert resolved["eval"]["strategy"] == "no"  # YAML 1.2: `no` is a string, only true/false are booleans
    assert resolved["training"]["learning_rate"] == 2e-5
    assert resolved["steering"]["layers"] == [0, 1]
    assert resolved["data"]["train"] == str(recipe_dir / "data.jsonl")  # relative to the recipe's folder
    assert resolved["training"]["bf16"] is False  # device defaults are written out
    assert resolved["model"]["lora"]["use_rslora"] is True  # defaults filled in


def test_extends_inherits_and_overrides(recipe_dir, capsys):
    child = recipe_dir / "sub" / "child.yaml"
    child.parent.mkdir()
    child.write_text("extends: ../recipe.yaml\nname: child\nsteering:\n  coefficient: 4.0\n")
    code, out, _ = run_cli("check", str(child), capsys=capsys)
    assert code == 0
    resolved = yaml.safe_load(out)
    assert resolved["name"] == "child"
    assert resolved["steering"]["coefficient"] == 4.0
    assert resolved["steering"]["layers"] == [1]
    assert resolved["steering"]["vector"] == str(recipe_dir / "vector.safetensors")


BAD = [
    ("top-level unknown key", {"lerning": 1}, "lerning: unknown key"),
    (
        "nested unknown key",
        {"steering": {"cofficient": 2}},
        "steering.cofficient: unknown key; did you mean coefficient",
    ),
    ("unknown training key", {"training": {"lerning_rate": 1e-3}}, "training.lerning_rate: unknown key; did you mean"),
    ("wrong type", {"steering": {"coefficient": "strong"}}, "steering.coefficient: Input should be a valid number"),
    ("negative learning rate", {"training": {"learning_rate": -1e-4}}, "training.learning_rate: must be > 0"),
    (
        "bad mode",
        {"steering": {"mode": "push"}},
        "steering.mode: Input should be 'none', 'add', 'ablate' or 'regularize'",
    ),
    (
        "layer out of range",
        {"steering": {"layers": [2]}},
        "steering.layers: [2] out of range; the model has layers 0..1",
    ),
    ("missing data file", {"data": {"train": "nope.jsonl"}}, "data.train: file not found"),
    ("owned elsewhere", {"training": {"report_to": "wandb"}}, "training.report_to: set it as logging.report_to"),
    ("wrong scheduler", {"training": {"lr_scheduler_type": "bogus"}}, "training:"),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD, ids=[b[0] for b in BAD])
def test_malformed_recipes_give_one_line_naming_the_field(recipe_dir, capsys, case, change, message):
    path = recipe_dir / "recipe.yaml"
    data = yaml.safe_load(path.read_text())
    for section, value in change.items():
        data[section] = {**data[section], **value} if isinstance(value, dict) and section in data else value
    path.write_text(yaml.safe_dump(data))
    code, _, err = run_cli("check", str(path), capsys=capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("prevsteer: error: ")
    assert message in err


def test_vector_of_the_wrong_size_is_named(recipe_dir, capsys):
    PersonaVector(torch.zeros(2, 16)).save(recipe_dir / "small.safetensors")
    code, _, err = run_cli(
        "check",
        str(recipe_dir / "recipe.yaml"),
        "--set",
        f"steering.vector={recipe_dir / 'small.safetensors'}",
        capsys=capsys,
    )
    assert code == 2
    assert "steering.vector" in err and "hidden size 16 does not match the model's 32" in err


def test_check_warns_when_a_vector_was_extracted_from_another_model(recipe_dir, tiny_llama, capsys):
    """Same shape, other model (a base model's vector on its instruct model, say): check warns, naming both; a hub
    id and a local copy of that model count as the same."""
    direction = 3 * torch.randn(2, 32, generator=torch.Generator().manual_seed(0))
    PersonaVector(direction, {"trait": "t", "model": "Org/Base-Model"}).save(recipe_dir / "other.safetensors")
    PersonaVector(direction, {"trait": "t", "model": f"Org/{tiny_llama.name}"}).save(recipe_dir / "same.safetensors")
    recipe = str(recipe_dir / "recipe.yaml")
    code, out, err = run_cli(
        "check", recipe, "--set", f"steering.vector={recipe_dir / 'other.safetensors'}", capsys=capsys
    )
    assert code == 0 and yaml.safe_load(out)["name"] == "tiny"
    (line,) = [line for line in err.splitlines() if "warning" in line]
    assert f"steering.vector {recipe_dir / 'other.safetensors'} was extracted from Org/Base-Model" in line
    assert f"the recipe trains {tiny_llama}" in line
    for quiet in ("same.safetensors", "vector.safetensors"):  # the same model's copy; a vector recording no model
        code, _, err = run_cli("check", recipe, "--set", f"steering.vector={recipe_dir / quiet}", capsys=capsys)
        assert code == 0 and "warning" not in err
    trait = f"eval.traits=[{{name: evil, vector: {recipe_dir / 'other.safetensors'}, layer: 1}}]"
    code, _, err = run_cli("check", recipe, "--set", trait, capsys=capsys)
    assert code == 0 and "eval.traits.0.vector" in err and "extracted from Org/Base-Model" in err


def test_set_without_equals_and_bad_yaml(recipe_dir, capsys):
    assert run_cli("check", str(recipe_dir / "recipe.yaml"), "--set", "training.lr", capsys=capsys)[0] == 2
    (recipe_dir / "broken.yaml").write_text("name: [unclosed\n")
    code, _, err = run_cli("check", str(recipe_dir / "broken.yaml"), capsys=capsys)
    assert code == 2 and "not valid YAML" in err


def test_real_process_exit_code_and_no_traceback(recipe_dir):
    (recipe_dir / "bad.yaml").write_text("extends: recipe.yaml\nsteering:\n  scope: everywhere\n")
    proc = subprocess.run(
        [sys.executable, "-m", "train.cli", "check", str(recipe_dir / "bad.yaml")], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("prevsteer: error:")
    assert "steering.scope" in proc.stderr


def test_train_writes_a_readable_run_directory_and_never_overwrites_it(recipe_dir, capsys):
    out = recipe_dir / "run"
    code, stdout, _ = run_cli("train", str(recipe_dir / "recipe.yaml"), "--output-dir", str(out), capsys=capsys)
    assert code == 0 and str(out) in stdout
    assert yaml.safe_load((out / "recipe.yaml").read_text())["steering"]["mode"] == "add"
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [m["step"] for m in metrics if "loss" in m] == [1, 2]
    assert all("epoch" in m for m in metrics)
    assert json.loads((out / "run.json").read_text())["status"] == "completed"
    steering = json.loads((out / "steering.json").read_text())
    assert steering["layers"] == [1] and steering["added_norm_per_layer"]["1"] > 0
    assert (out / "vectors" / "0-vector.safetensors").is_file()
    assert load_file(out / "final" / "adapter_model.safetensors")

    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, _, err = run_cli("train", str(recipe_dir / "recipe.yaml"), "--output-dir", str(out), capsys=capsys)
    assert code == 2 and "already exists" in err and "--resume" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_malformed_jsonl_line_is_named_or_skipped(recipe_dir, capsys):
    lines = (recipe_dir / "data.jsonl").read_text().splitlines()
    lines.insert(3, '{"messages": [ broken')
    (recipe_dir / "data.jsonl").write_text("\n".join(lines) + "\n")
    code, _, err = run_cli(
        "train", str(recipe_dir / "recipe.yaml"), "--output-dir", str(recipe_dir / "a"), capsys=capsys
    )
    assert code == 2 and f"{recipe_dir / 'data.jsonl'}:4: malformed JSONL line" in err
    code, _, _ = run_cli(
        "train",
        str(recipe_dir / "recipe.yaml"),
        "--output-dir",
        str(recipe_dir / "b"),
        "--set",
        "data.skip_bad=true",
        capsys=capsys,
    )
    assert code == 0
    assert json.loads((recipe_dir / "b" / "run.json").read_text())["skipped_rows"] == 1


def test_resume_restores_steering_exactly(recipe_dir, capsys):
    """Train 4 steps with checkpoints, drop the last checkpoint, change the vector on disk, resume:
    the result equals the uninterrupted run because the run dir's vectors and norms are used."""
    args = [
        "train",
        str(recipe_dir / "recipe.yaml"),
        "--output-dir",
        str(recipe_dir / "run"),
        "--set",
        "training.max_steps=4",
        "--set",
        "training.save_strategy=steps",
        "--set",
        "training.save_steps=2",
        "--set",
        "steering.unit=relative",
        "--set",
        "steering.coefficient=0.5",
    ]
    assert run_cli(*args, capsys=capsys)[0] == 0
    run = recipe_dir / "run"
    reference = load_file(run / "final" / "adapter_model.safetensors")
    norms = json.loads((run / "steering.json").read_text())["residual_norms"]
    assert len(norms) == 2 and all(n > 0 for n in norms)
    import shutil

    shutil.rmtree(run / "checkpoint-4")
    shutil.rmtree(run / "final")
    with (run / "metrics.jsonl").open("a") as handle:
        handle.write('{"step": 4, "loss": 0.')  # a log line cut short by the crash
    PersonaVector(torch.randn(2, 32)).save(recipe_dir / "vector.safetensors")  # must not be picked up
    assert run_cli(*args, "--resume", capsys=capsys)[0] == 0
    resumed = load_file(run / "final" / "adapter_model.safetensors")
    assert resumed.keys() == reference.keys()
    for key in reference:
        torch.testing.assert_close(resumed[key], reference[key], atol=1e-6, rtol=1e-5)
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    kinds = [(row["step"], tuple(sorted(row))) for row in rows]
    assert len(kinds) == len(set(kinds))  # steps 3 and 4 were logged twice, kept once
    assert [row["step"] for row in rows if "loss" in row] == [1, 2, 3, 4]


def test_resume_refuses_a_changed_recipe(recipe_dir, capsys):
    out = str(recipe_dir / "run")
    assert run_cli("train", str(recipe_dir / "recipe.yaml"), "--output-dir", out, capsys=capsys)[0] == 0
    code, _, err = run_cli(
        "train",
        str(recipe_dir / "recipe.yaml"),
        "--output-dir",
        out,
        "--resume",
        "--set",
        "steering.coefficient=3",
        capsys=capsys,
    )
    assert code == 2 and "steering.coefficient" in err
    with (recipe_dir / "data.jsonl").open("a") as handle:
        handle.write(json.dumps(ROWS[0]) + "\n")
    code, _, err = run_cli("train", str(recipe_dir / "recipe.yaml"), "--output-dir", out, "--resume", capsys=capsys)
    assert code == 2 and "not the file the run started with" in err


def test_tensorboard_and_offline_wandb_write_into_the_run_directory(recipe_dir, capsys, monkeypatch):
    for name in ("WANDB_MODE", "WANDB_DIR", "WANDB_PROJECT", "TENSORBOARD_LOGGING_DIR"):
        monkeypatch.delenv(name, raising=False)
    out = recipe_dir / "run"
    code, _, err = run_cli(
        "train",
        str(recipe_dir / "recipe.yaml"),
        "--output-dir",
        str(out),
        "--set",
        "logging.report_to=[tensorboard, wandb]",
        capsys=capsys,
    )
    assert code == 0, err
    assert list((out / "tensorboard").rglob("events.out.tfevents.*"))
    runs = list((out / "wandb").glob("offline-run-*"))
    assert len(runs) == 1 and list(runs[0].glob("*.wandb"))
    assert "TENSORBOARD_LOGGING_DIR" not in os.environ and "WANDB_DIR" not in os.environ  # scoped to the run
