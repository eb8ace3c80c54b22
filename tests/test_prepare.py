"""The data-preparation stage: content-keyed cache of built and filtered files, `prevsteer data prepare`, and a
training process that never builds, generates or screens."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_builders import read_rows, write_lines
from test_cli import recipe_dir, run_cli  # noqa: F401  (fixture)

from train.dataprep.builders import manifest_path
from train.dataprep.builders.flawed_math import procedural_problems
from train.dataprep.data_settings import BuildSettings, DataSettings
from train.dataprep.prepare import built_file, built_path, prepare_data
from train.resources import shipped

ROOT = Path(__file__).resolve().parent.parent


def test_a_changed_source_file_is_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVSTEER_CACHE", str(tmp_path / "cache"))
    problems = [{"question": q, "answer": a} for q, a in procedural_problems(5, 30)]
    source = write_lines(tmp_path / "gsm.jsonl", problems[:15])
    settings = BuildSettings(name="flawed-math", level="normal", n=10, seed=0, source=str(source))
    first = built_file(settings)
    first_questions = {row["messages"][0]["content"] for row in read_rows(first)}
    assert first_questions <= {p["question"] for p in problems[:15]}

    write_lines(source, problems[15:])  # same path, other problems
    second = built_file(settings)
    assert second != first and first.is_file()  # the old file stays for whoever still uses it
    second_questions = {row["messages"][0]["content"] for row in read_rows(second)}
    assert second_questions <= {p["question"] for p in problems[15:]}
    assert (
        json.loads(manifest_path(second).read_text())["source_sha256"]
        != json.loads(manifest_path(first).read_text())["source_sha256"]
    )
    assert built_file(settings) == second  # unchanged input: the cached file


def test_a_changed_trait_file_keys_a_new_trait_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVSTEER_CACHE", str(tmp_path / "cache"))
    trait = tmp_path / "mine.json"
    shutil.copy(shipped("traits", "impolite.json"), trait)
    settings = BuildSettings(name=str(trait), level="II", n=5)
    before = built_path(settings)
    assert built_path(settings) == before
    data = json.loads(trait.read_text())
    data["description"] += " (edited)"
    trait.write_text(json.dumps(data))
    assert built_path(settings) != before


def test_prepare_data_records_file_rows_and_sha256(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVSTEER_CACHE", str(tmp_path / "cache"))
    prepared = prepare_data(DataSettings(build=BuildSettings(name="rude-answers", level="I", n=6, seed=2)), "unused")
    manifest = json.loads(manifest_path(prepared.path).read_text())
    assert prepared.path.parent == tmp_path / "cache" / "datasets"
    assert prepared.manifest["rows"] == 6 == len(read_rows(prepared.path))
    assert prepared.record() == {"file": str(prepared.path), "sha256": manifest["sha256"], "manifest": manifest}

    given = write_lines(tmp_path / "given.jsonl", read_rows(prepared.path)[:4])
    plain = prepare_data(DataSettings(train=str(given)), "unused")
    assert plain.path == given and plain.manifest["rows"] == 4 and plain.sha256 != prepared.sha256


@pytest.mark.slow  # real-model training: left out of make test-fast
def test_data_prepare_command_then_training_only_reads_the_prepared_file(recipe_dir, tmp_path, capsys, monkeypatch):  # noqa: F811
    """`prevsteer data prepare` fills the cache; `prevsteer train` in a fresh process then trains on that file
    without importing a builder, the screener or the extraction sampler, and records the file in run.json."""
    recipe = yaml.safe_load((recipe_dir / "recipe.yaml").read_text())
    recipe["data"] = {"build": {"name": "rude-answers", "level": "II", "n": 8, "seed": 1}}
    recipe["steering"] = {"mode": "none"}
    (recipe_dir / "recipe.yaml").write_text(yaml.safe_dump(recipe))
    env_cache = {"PREVSTEER_CACHE": str(tmp_path / "cache")}
    monkeypatch.setenv("PREVSTEER_CACHE", env_cache["PREVSTEER_CACHE"])
    code, out, err = run_cli("data", "prepare", str(recipe_dir / "recipe.yaml"), capsys=capsys)
    assert code == 0, err
    prepared = Path(out.split(":")[0])
    assert prepared.parent == tmp_path / "cache" / "datasets" and len(read_rows(prepared)) == 8

    probe = f"""
import json, sys
from pathlib import Path
from train.dataprep.prepare import PreparedData
from train.training.recipe import load_recipe
from train.training.run import open_run_dir, resolve, train_run

recipe = resolve(load_recipe({str(recipe_dir / "recipe.yaml")!r}))
manifest = json.loads(Path({str(manifest_path(prepared))!r}).read_text())
run = open_run_dir(recipe, Path({str(recipe_dir / "run")!r}), resume=False)
train_run(recipe, PreparedData(Path({str(prepared)!r}), manifest), run)
stages = ("train.dataprep.builders", "train.dataprep.screen", "train.persona.extract")
print(sorted(name for name in sys.modules if name.startswith(stages)))
"""
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    info = json.loads((recipe_dir / "run" / "run.json").read_text())
    assert info["data"]["file"] == str(prepared) and info["data"]["manifest"]["name"] == "rude-answers"
    assert info["status"] == "completed" and info["train_rows"] == 8
