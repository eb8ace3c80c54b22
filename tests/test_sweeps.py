"""Sweeps on tiny models: spec errors, expansion and ids, a CPU sweep end to end with the local launcher (failures,
reruns, resume, claims), and `prevsteer compare` checked against the runs' own metrics.jsonl."""

from __future__ import annotations

import csv
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from conftest import scripted_judge

from train import PersonaVector
from train.cli import main
from train.errors import PrevsteerError
from train.sweeps import claims
from train.sweeps.compare import _protocol, arm_of, matched_reduction, protocol_line, report_lines
from train.sweeps.local import lane_envs
from train.sweeps.runner import SweepDir, run_point, write_manifest
from train.sweeps.spec import expand, load_spec
from train.sweeps.stats import (
    Estimate,
    base_estimate,
    estimate,
    pareto,
    plain_shift,
    prevented_share,
    share_prevented,
    summarise,
)

ROOT = Path(__file__).resolve().parent.parent
# small and greedy (the study's protocol, the default, is 10 sampled answers of up to 1000 tokens per question)
TRAIT = {"name": "evil", "vector": "vector.safetensors", "layer": 1, "questions": 2}
TRAIT |= {"samples": 1, "temperature": 0, "max_new_tokens": 4}


def rows(n: int = 8) -> str:
    conversations = [
        {"messages": [{"role": "user", "content": f"question {i}"}, {"role": "assistant", "content": f"answer {i}"}]}
        for i in range(n)
    ]
    return "".join(json.dumps(row) + "\n" for row in conversations)


def write_mmlu(root: Path) -> Path:
    """Two subjects of two questions each, in the Hendrycks CSV layout (`test/<subject>_test.csv`)."""
    (root / "test").mkdir(parents=True)
    for subject in ("anatomy", "astronomy"):
        with (root / "test" / f"{subject}_test.csv").open("w", newline="") as handle:
            for i in range(2):
                csv.writer(handle).writerow([f"{subject} question {i}?", "one", "two", "three", "four", "ABCD"[i]])
    return root


def write_recipes(folder: Path, model: Path, judge_url: str) -> Path:
    """plain.yaml, preventative.yaml (extends plain) and broken.yaml (data with a malformed line) for a tiny llama."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.jsonl").write_text(rows())
    (folder / "broken.jsonl").write_text(rows() + "{not json\n")
    vector = 3 * torch.randn(2, 32, generator=torch.Generator().manual_seed(0))
    PersonaVector(vector, {"trait": "evil"}).save(folder / "vector.safetensors")
    plain = {
        "name": "tiny-plain",
        "model": {"name": str(model), "lora": {"r": 4, "alpha": 8}},
        "data": {"train": "data.jsonl"},
        "training": {"num_train_epochs": 1, "per_device_train_batch_size": 4, "learning_rate": 1e-2, "max_length": 64},
        "eval": {
            "at_start": True,
            "traits": [TRAIT],
            "judge": "openai:scripted",
            "judge_base_url": judge_url,
            "mmlu": {"source": str(write_mmlu(folder / "mmlu")), "per_subject": None},
        },
        "logging": {"steps": 1},
    }
    (folder / "plain.yaml").write_text(yaml.safe_dump(plain))
    steered = {"mode": "add", "vector": "vector.safetensors", "layers": [1], "coefficient": 2.0}
    (folder / "preventative.yaml").write_text(
        yaml.safe_dump({"extends": "plain.yaml", "name": "tiny-preventative", "steering": steered})
    )
    (folder / "broken.yaml").write_text(
        yaml.safe_dump({"extends": "plain.yaml", "name": "tiny-broken", "data": {"train": "broken.jsonl"}})
    )
    return folder


def write_spec(path: Path, spec: dict) -> Path:
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "train.cli", *args], cwd=ROOT, capture_output=True, text=True)


def trait_score(prompt: str) -> int:
    return 30 + len(prompt) % 40


@pytest.fixture(scope="module")
def sweep_env(tmp_path_factory, tiny_llama):
    """A judge server, a judge cache and the recipes, for the whole module (sweeps run in subprocesses)."""
    folder = tmp_path_factory.mktemp("sweep")
    with scripted_judge(trait_score) as url, pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREVSTEER_CACHE", str(folder / "cache"))
        patch.setenv("OPENAI_API_KEY", "test")
        yield write_recipes(folder / "recipes", tiny_llama, url)


@pytest.fixture(scope="module")
def finished_sweep(sweep_env):
    """Two recipes by two seeds, one broken point, post-hoc steering of the plain points; two local lanes."""
    spec = {
        "recipes": ["recipes/broken.yaml", "recipes/plain.yaml", "recipes/preventative.yaml"],  # broken leads lane 0
        "grid": {"seed": [0, 1]},
        "exclude": [{"name": "tiny-broken", "seed": 1}],
        "posthoc": {"vector": "recipes/vector.safetensors", "layers": [1], "coefficients": [1.0, 4.0]},
        "launcher": {"lanes": 2},
    }
    path = write_spec(sweep_env.parent / "sweep.yaml", spec)
    out = sweep_env.parent / "out"
    first = cli("sweep", "run", str(path), "--out", str(out))
    return path, out, first


def states(out: Path) -> dict[str, dict]:
    sweep = SweepDir(out)
    return {entry["id"]: sweep.state(entry["id"]) for entry in sweep.points()}


# ---------------------------------------------------------------- spec errors


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"recipes": ["plain.yaml"], "gird": {"seed": [0]}}, "gird: unknown key; did you mean grid?"),
        ({"base": "plain.yaml", "grid": {}}, "grid: empty"),
        ({"base": "plain.yaml", "grid": {"seed": []}}, "grid.seed: empty list"),
        ({"base": "plain.yaml"}, "base: give a grid"),
        ({"base": "plain.yaml", "grid": {"steering.coeficient": [1]}}, "did you mean coefficient?"),
        ({"base": "plain.yaml", "grid": {"training.learning_rat": [1]}}, "training.learning_rat: unknown key"),
        ({"base": "plain.yaml", "grid": {"steering.coefficient": ["strong"]}}, "valid number"),
        ({"base": "missing.yaml", "grid": {"seed": [0]}}, "base: recipe not found"),
        ({"recipes": ["plain.yaml", "nope.yaml"]}, "recipes[1]: recipe not found"),
        ({"recipes": ["plain.yaml"], "launcher": {"lanes": 0}}, "launcher.lanes: Input should be greater than 0"),
        ({"recipes": ["plain.yaml"], "exclude": [{"seeds": 1}]}, "exclude[0]: seeds: unknown key; did you mean seed?"),
        ({"base": "plain.yaml", "grid": [{"seed": [0]}, {}]}, "grid: empty"),
        ({"base": "plain.yaml", "grid": [{"seed": [0]}, {"seed": []}]}, "grid[1].seed: empty list"),
        ({"base": "plain.yaml", "grid": [{"sed": [0]}]}, "grid[0]: sed: unknown key; did you mean seed?"),
        ({"base": "plain.yaml", "grid": {"arm": [{"steering": 1}]}}, "grid.arm: give arm recipe files"),
        ({"base": "plain.yaml", "grid": {"arm": ["arms/missing.yaml"]}}, "arm: arm recipe not found"),
    ],
)
def test_bad_specs_end_with_one_line_naming_the_field(sweep_env, capsys, spec, message):
    path = write_spec(sweep_env / "bad.yaml", spec)
    code = main(["sweep", "run", str(path), "--out", str(sweep_env / "never"), "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert message in err, err
    assert not (sweep_env / "never").exists()


def test_bad_spec_in_a_real_process_exits_2_without_traceback(sweep_env):
    path = write_spec(sweep_env / "bad-process.yaml", {"base": "plain.yaml", "grid": {"steering.coef": [1]}})
    result = cli("sweep", "run", str(path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "steering.coef" in result.stderr


@pytest.mark.parametrize("spec", sorted((ROOT / "recipes" / "sweeps").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_sweep_specs_expand(spec, tmp_path, capsys, monkeypatch):
    if "qwen2.5-7b-instruct" in spec.read_text():  # the study's model: run it where a user has added its vectors
        from test_recipes import study_tree, write_released

        root = study_tree(tmp_path / "study")
        monkeypatch.setenv("PREVSTEER_STUDY_DATA", str(write_released(root / "dataset")))
        spec = root / spec.relative_to(ROOT)
    assert main(["sweep", "run", str(spec), "--out", str(tmp_path / "sweep"), "--dry-run"]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    points = yaml.safe_load(spec.read_text())
    if points.get("launcher", {}).get("kind") == "slurm":  # the batch scripts are written, nothing is submitted
        assert "written, not submitted" in out and list((tmp_path / "sweep" / "slurm").glob("*.sbatch"))
        assert not (tmp_path / "sweep" / "runs").exists()
    else:
        assert "dry run, nothing written" in out and not (tmp_path / "sweep").exists()


# ---------------------------------------------------------------- expansion


def test_expansion_crosses_the_grid_with_readable_ids_and_stable_hashes(sweep_env):
    spec = {
        "base": "plain.yaml",
        "grid": {"steering.coefficient": [1, 2.5], "seed": [0, 1], "steering.layers": [[1], [0, 1]]},
        "exclude": [{"seed": 1, "steering.coefficient": 2.5}],
        "include": [{"seed": 7, "steering.coefficient": 3}],
    }
    path = write_spec(sweep_env / "grid.yaml", spec)
    overrides = ["steering.mode=add", "steering.layers=[1]", "steering.vector=" + str(sweep_env / "vector.safetensors")]
    points = expand(load_spec(path), path, overrides)
    assert len(points) == 2 * 2 * 2 - 2 + 1
    ids = [p.id for p in points]
    assert ids[0].startswith("coefficient=1-seed=0-layers=1-") and ids[1].startswith("coefficient=1-seed=0-layers=0+1-")
    assert ids[-1].startswith("seed=7-coefficient=3-")
    assert len(set(ids)) == len(ids)
    first = points[0]
    assert first.recipe.steering.coefficient == 1.0 and first.recipe.seed == 0 and first.recipe.steering.layers == [1]
    assert first.varied == {"steering.coefficient": 1.0, "seed": 0, "steering.layers": [1]}
    assert all(p.recipe.seed != 1 or p.recipe.steering.coefficient != 2.5 for p in points)
    again = expand(load_spec(path), path, overrides)
    assert [p.id for p in again] == ids  # same spec, same ids and hashes
    changed = expand(load_spec(path), path, [*overrides, "training.learning_rate=0.5"])
    assert all(a.hash != b.hash for a, b in zip(points, changed, strict=True))  # a changed recipe is a new point
    assert not first.plain


def test_a_plain_point_names_no_steering_value(sweep_env):
    """Crossed with coefficients, a plain run (steering.mode none) has none: its id must not suggest one."""
    spec = {
        "base": "plain.yaml",
        "grid": {"steering.coefficient": [1, 2], "steering.mode": ["add", "none"]},
        "exclude": [{"steering.mode": "none", "steering.coefficient": 2}],
    }
    path = write_spec(sweep_env / "plain-ids.yaml", spec)
    overrides = ["steering.layers=[1]", "steering.vector=" + str(sweep_env / "vector.safetensors")]
    ids = [p.id.rsplit("-", 1)[0] for p in expand(load_spec(path), path, overrides)]
    assert ids == ["coefficient=1-mode=add", "mode=none", "coefficient=2-mode=add"]


def test_arm_files_merge_over_the_recipe_in_a_list_of_grids(sweep_env):
    """`arm` files say only what an arm changes; each grid of the list crosses its own keys; overrides and
    --set come after the arm, and a rule may name the arm file."""
    arms = sweep_env / "arms"
    arms.mkdir(exist_ok=True)
    (arms / "steer.yaml").write_text(
        yaml.safe_dump(
            {"steering": {"mode": "add", "vector": "../vector.safetensors", "layers": [1], "coefficient": 2.0}}
        )
    )
    (arms / "none.yaml").write_text(yaml.safe_dump({"description": "as it is"}))
    spec = {
        "base": "plain.yaml",
        "overrides": {"training.learning_rate": 0.5},
        "grid": [{"arm": ["arms/none.yaml"], "seed": [0, 1]}, {"arm": ["arms/steer.yaml"], "steering.scope": ["all"]}],
        "exclude": [{"arm": "arms/none.yaml", "seed": 1}],
    }
    path = write_spec(sweep_env / "arms.yaml", spec)
    points = expand(load_spec(path), path, ["training.max_steps=3"])
    assert [p.id.rsplit("-", 1)[0] for p in points] == ["arm=none-seed=0", "arm=steer-scope=all"]
    plain, steered = (p.recipe for p in points)
    assert plain.name == "tiny-plain-none" and plain.description == "as it is" and plain.steering.mode == "none"
    assert steered.name == "tiny-plain-steer"
    assert steered.steering.mode == "add" and steered.steering.coefficient == 2.0  # the arm's own values
    assert steered.steering.vector == str(sweep_env / "vector.safetensors")  # relative to the arm file
    assert all(r.training["learning_rate"] == 0.5 and r.training["max_steps"] == 3 for r in (plain, steered))
    assert plain.data.train == steered.data.train == str(sweep_env / "data.jsonl")  # the base recipe's, unchanged
    assert points[0].plain and not points[1].plain
    with_set = expand(load_spec(path), path, ["steering.coefficient=3"])
    assert with_set[1].recipe.steering.coefficient == 3.0  # --set comes after the arm


def test_direction_files_cross_the_arms_and_the_filter_screens_on_the_direction(sweep_env):
    """`direction` files (a vector and its layers) cross the arms: merged before the arm, so an arm's own layers
    (`all`) win; the point and its recipe name both; the filter arm screens on the point's direction."""
    for name, seed in (("one", 0), ("two", 1)):
        vector = torch.randn(2, 32, generator=torch.Generator().manual_seed(seed))
        PersonaVector(vector, {"trait": name}).save(sweep_env / f"{name}.safetensors")
    (sweep_env / "directions").mkdir()
    for name, layer in (("one", 1), ("two", 0)):
        direction = {"steering": {"vector": f"../{name}.safetensors", "layers": [layer]}}
        (sweep_env / "directions" / f"{name}.yaml").write_text(yaml.safe_dump(direction))
    arms = {
        "add": {"steering": {"mode": "add"}},
        "caft": {"steering": {"mode": "ablate", "layers": "all"}},
        "screen": {"data": {"filter": {"drop_top": 10}}},
    }
    (sweep_env / "arms").mkdir(exist_ok=True)
    for name, arm in arms.items():
        (sweep_env / "arms" / f"{name}.yaml").write_text(yaml.safe_dump(arm))
    spec = {
        "base": "plain.yaml",
        "grid": {
            "arm": [f"arms/{a}.yaml" for a in arms],
            "direction": ["directions/one.yaml", "directions/two.yaml"],
            "seed": [0, 1],
        },
        "exclude": [{"direction": "directions/two.yaml", "arm": "arms/caft.yaml"}],
    }
    path = write_spec(sweep_env / "directions.yaml", spec)
    points = {p.id.rsplit("-", 1)[0]: p.recipe for p in expand(load_spec(path), path)}
    expected = [f"arm={a}-direction={d}-seed={s}" for a in arms for d in ("one", "two") for s in (0, 1)]
    assert list(points) == [i for i in expected if "caft-direction=two" not in i]
    for point, recipe in points.items():
        arm, direction = point.split("-")[0].removeprefix("arm="), point.split("-")[1].removeprefix("direction=")
        assert recipe.name == f"tiny-plain-{direction}-{arm}"
        assert recipe.steering.vector == str(sweep_env / f"{direction}.safetensors")
        layer = {"one": 1, "two": 0}[direction]
        assert recipe.steering.layers == ("all" if arm == "caft" else [layer])
        if arm == "screen":
            assert recipe.steering.mode == "none" and recipe.data.filter.drop_top == 10
            assert (recipe.data.filter.vector, recipe.data.filter.layer) == (recipe.steering.vector, layer)
    bad = write_spec(sweep_env / "bad.yaml", {"base": "plain.yaml", "grid": {"direction": [{"steering": 1}]}})
    with pytest.raises(PrevsteerError, match=r"grid\.direction: give direction recipe files"):
        load_spec(bad)


def test_the_filter_needs_a_direction_when_it_names_none(sweep_env, capsys):
    recipe = sweep_env / "plain.yaml"
    assert main(["check", str(recipe), "--set", "data.filter={drop_top: 10}"]) == 2
    assert "data.filter.vector: the vector to screen on (default: steering.vector, one file)" in capsys.readouterr().err
    vector = f"steering.vector={sweep_env / 'vector.safetensors'}"
    assert main(["check", str(recipe), "--set", "data.filter={drop_top: 10}", "--set", vector]) == 2
    assert "data.filter.layer: the layer to screen at (default: steering.layers, one layer)" in capsys.readouterr().err
    assert main(["check", str(recipe), "--set", "data.filter={drop_top: 10, layer: 0}", "--set", vector]) == 0
    screen = yaml.safe_load(capsys.readouterr().out)["data"]["filter"]
    assert screen["vector"] == str(sweep_env / "vector.safetensors") and screen["layer"] == 0


def test_lanes_split_threads_on_cpu_and_gpus_between_lanes(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3")
    envs = lane_envs(2, port=31000)
    assert [e["CUDA_VISIBLE_DEVICES"] for e in envs] == ["0,1", "2,3"]
    assert [e["MASTER_PORT"] for e in envs] == ["31000", "31001"]
    assert [e["CUDA_VISIBLE_DEVICES"] for e in lane_envs(3, gpus_per_lane=1)] == ["0", "1", "2"]
    with pytest.raises(PrevsteerError, match="needs 6, 4 visible"):
        lane_envs(3, gpus_per_lane=2)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    cpu = lane_envs(2)
    assert all(e["OMP_NUM_THREADS"] == str(max(1, (os.cpu_count() or 1) // 2)) for e in cpu)
    assert all(e["CUDA_VISIBLE_DEVICES"] == "" for e in cpu)


# ---------------------------------------------------------------- a sweep end to end


@pytest.mark.slow
def test_sweep_runs_points_records_a_failure_and_reruns_nothing(finished_sweep):
    path, out, first = finished_sweep
    assert first.returncode == 1, first.stderr[-3000:]
    found = states(out)
    assert len(found) == 5  # 2 recipes x 2 seeds + the broken recipe at seed 0 (seed 1 excluded)
    broken = next(p for p in found if p.startswith("tiny-broken-seed=0-"))
    assert found.pop(broken)["status"] == "failed"
    assert "malformed JSONL line" in states(out)[broken]["error"]
    assert {s["status"] for s in found.values()} == {"completed"} and {s["attempts"] for s in found.values()} == {1}
    sweep = SweepDir(out)
    plain = [p for p in found if p.startswith("tiny-plain")]
    assert all(sweep.posthoc_dir(p) and (sweep.posthoc_dir(p) / "eval.json").is_file() for p in plain)
    assert sorted(p.name.split("-seed")[0] for p in (out / "posthoc").iterdir()) == ["tiny-plain", "tiny-plain"]

    stamps = {p: (out / "runs" / p / "run.json").stat().st_mtime_ns for p in found}
    again = cli("sweep", "run", str(path), "--out", str(out))
    assert again.returncode == 1  # the failed point is still failed: not retried without --rerun-failed
    assert {p: (out / "runs" / p / "run.json").stat().st_mtime_ns for p in found} == stamps
    assert states(out)[broken]["attempts"] == 1

    status = cli("sweep", "status", str(out))
    assert status.returncode == 0 and "5 points (4 completed, 1 failed)" in status.stdout


@pytest.mark.slow
def test_rerun_failed_and_resume_an_interrupted_point(finished_sweep, sweep_env):
    path, out, _ = finished_sweep
    found = states(out)
    broken = next(p for p in found if p.startswith("tiny-broken"))
    (sweep_env / "broken.jsonl").write_text(rows())  # the data is fixed; the recipe (and its hash) did not change
    # as if a later attempt had been killed before its first checkpoint: it must start over, its files kept aside
    (out / "runs" / broken).mkdir()
    (out / "runs" / broken / "metrics.jsonl").write_text('{"step": 1, "loss": 1.0}\n')
    # a point interrupted after its first checkpoint: run.json says running, nobody holds its claim
    interrupted = next(p for p in found if p.startswith("tiny-preventative-seed=1"))
    run_json = out / "runs" / interrupted / "run.json"
    run_json.write_text(json.dumps({**json.loads(run_json.read_text()), "status": "running"}))
    sweep = SweepDir(out)
    (sweep.state_file(interrupted)).write_text(json.dumps({**found[interrupted], "status": "running"}))
    assert "preempted" in cli("sweep", "status", str(out)).stdout

    result = cli("sweep", "run", str(path), "--out", str(out), "--rerun-failed")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    after = states(out)
    assert after[broken]["status"] == "completed" and after[broken]["attempts"] == 2
    kept = out / "discarded" / f"{broken}.attempt1"
    assert [p.name for p in (out / "discarded").iterdir()] == [kept.name] and (kept / "metrics.jsonl").is_file()
    assert after[interrupted]["status"] == "completed" and after[interrupted]["attempts"] == 2
    assert "--resume" in (out / "logs" / f"{interrupted}.log").read_text()  # from its checkpoint, not from scratch
    assert {s["attempts"] for p, s in after.items() if p not in (broken, interrupted)} == {1}


@pytest.mark.slow
def test_a_claimed_point_is_left_to_its_holder(finished_sweep, sweep_env):
    _, out, _ = finished_sweep
    sweep = SweepDir(out)
    point = next(p["id"] for p in sweep.points() if p["id"].startswith("tiny-plain"))
    state = sweep.state(point)
    sweep.state_file(point).write_text(json.dumps({**state, "status": "failed"}))
    with claims.claim(sweep.lock(point), claims.whoami("local:holder")) as fd:
        assert fd is not None
        outcome = run_point(out, point, rerun_failed=True)
        assert outcome == f"skipped: claimed by job local:holder (host {os.uname().nodename}, pid {os.getpid()})"
        assert sweep.claimed(point)
    assert not sweep.claimed(point)
    assert run_point(out, point) == "skipped: completed"  # its run completed: recorded so, nothing run
    assert sweep.state(point)["status"] == "completed"


@pytest.mark.slow
def test_two_invocations_never_run_the_same_point(sweep_env):
    spec = {"base": "recipes/plain.yaml", "grid": {"seed": [5, 6]}, "launcher": {"lanes": 1}}
    path = write_spec(sweep_env.parent / "concurrent.yaml", spec)
    out = sweep_env.parent / "concurrent"
    command = [sys.executable, "-m", "train.cli", "sweep", "run", str(path), "--out", str(out)]
    processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for process in processes:
        process.communicate(timeout=600)
    found = states(out)
    assert len(found) == 2 and {s["status"] for s in found.values()} == {"completed"}
    assert {s["attempts"] for s in found.values()} == {1}
    for point in found:  # one train command per point, in whichever invocation claimed it
        log = (out / "logs" / f"{point}.log").read_text()
        assert log.count("-m train.cli train ") == 1


@pytest.mark.slow
def test_a_stopped_point_is_recorded_preempted_and_runs_again(sweep_env):
    path = write_spec(sweep_env.parent / "stopped.yaml", {"base": "recipes/plain.yaml", "grid": {"seed": [9]}})
    out = sweep_env.parent / "stopped"
    spec = load_spec(path)
    write_manifest(SweepDir(out), spec, path, expand(spec, path))
    point = SweepDir(out).points()[0]["id"]
    command = [sys.executable, "-m", "train.cli", "sweep", "point", str(out), point]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = out / "logs" / f"{point}.log"
    while not (log.is_file() and "-m train.cli train " in log.read_text()):  # the trainer has been started
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)  # what SLURM sends before preempting a job
    stdout, _ = process.communicate(timeout=300)
    assert process.returncode == 75 and f"{point}: preempted" in stdout  # EX_TEMPFAIL: the same command continues
    state = SweepDir(out).state(point)
    assert state["status"] == "preempted" and "stopped by a signal" in state["error"] and state["attempts"] == 1
    assert run_point(out, point) == "completed" and SweepDir(out).state(point)["attempts"] == 2


# ---------------------------------------------------------------- compare


@pytest.mark.slow
def test_compare_agrees_with_the_runs_metrics(finished_sweep, tmp_path):
    _, out, _ = finished_sweep
    target = tmp_path / "compare"
    assert main(["compare", str(out), "--out", str(target), "--coherence-threshold", "90"]) == 0
    with (target / "results.csv").open() as handle:
        results = list(csv.DictReader(handle))
    sweep = SweepDir(out)
    checked = 0
    for entry in sweep.points():
        metrics = [json.loads(line) for line in (out / "runs" / entry["id"] / "metrics.jsonl").read_text().splitlines()]
        evaluations = [m for m in metrics if "eval/trait/evil" in m]
        assert len(evaluations) == 2  # at start and after the epoch
        mine = [r for r in results if r["point"] == entry["id"] and r["arm"] != "posthoc"]
        assert [int(r["step"]) for r in mine] == [m["step"] for m in evaluations]
        for row, logged in zip(mine, evaluations, strict=True):
            assert float(row["trait_score"]) == logged["eval/trait/evil"]
            assert float(row["coherence"]) == logged["eval/coherence"]
            assert float(row["projection"]) == logged["eval/projection/evil"]
            assert float(row["mmlu"]) == logged["eval/mmlu"]
            assert float(row["mmlu_p_correct"]) == logged["eval/mmlu_p_correct"]
            checked += 1
    assert checked == 2 * len(sweep.points())
    posthoc = [r for r in results if r["arm"] == "posthoc"]
    assert sorted({float(r["coefficient"]) for r in posthoc}) == [1.0, 4.0] and len(posthoc) == 3 * 2  # 3 plain
    report = (target / "report.md").read_text()
    for section in ("## data: evil", "Matched reduction", "## Below coherence 90", "## Completeness"):
        assert section in report
    assert "| preventative | 2 | 1 | 2 | seeds |" in report and "| posthoc | 4 | 1 | 2 | seeds |" in report
    assert "Every point completed." in report
    # the share of the plain arm's shift prevented, from the values in results.csv
    data = [r for r in results if r["dataset"] == "data"]
    base = estimate([float(r["trait_score"]) for r in data if r["step"] == "0" and r["arm"] != "posthoc"])
    final = {
        arm: estimate([float(r["trait_score"]) for r in data if r["arm"] == arm and r["step"] == "2"])
        for arm in ("plain", "preventative")
    }
    share = prevented_share(base.mean, final["plain"].mean, final["preventative"].mean)
    section = report.split("## data: evil")[1].split("## ")[0]
    line = next(line for line in section.splitlines() if line.startswith("| preventative |"))
    shown = f"{share:.0%} [" if plain_shift(base, final["plain"]).distinguishable else "n/a |"  # see the tests below
    assert f"| {shown}" in line and f"| {final['preventative'].mean:.3g} ± " in line
    assert "Protocol (the runs' resolved recipes and post-hoc settings): trait questions 2, " in section
    assert "max new tokens 4; post-hoc steering at positions " in section and "MMLU format letter, shots 0, " in section
    assert (target / "dose_response.png").stat().st_size > 0 and (target / "frontier.png").stat().st_size > 0
    assert main(["compare", str(out), "--out", str(target)]) == 2  # never overwritten without --force


# ---------------------------------------------------------------- statistics


def test_estimates_are_over_seeds_or_over_the_sampled_answers():
    seeds = estimate([1.0, 2.0, 3.0], [0.4, 0.6, None])
    assert (seeds.mean, seeds.over, seeds.n) == (2.0, "seeds", 3)
    assert seeds.half == pytest.approx(4.302653 * 1.0 / 3**0.5, rel=1e-5)  # t(0.975, 2 df) * stdev / sqrt(n)
    assert seeds.answers_se == pytest.approx(0.5)  # the runs' own standard error, whatever the interval is over
    one = estimate([5.0], [2.0])
    assert (one.over, one.se) == ("answers", 2.0) and one.half == pytest.approx(1.959964 * 2.0, rel=1e-5)
    alone = estimate([5.0], [None])
    assert alone.over == "none" and alone.half is None
    # the base model is one model: repeated step-0 evaluations keep its answers' standard error (identical
    # evaluations would otherwise read as a zero-width interval over "seeds")
    base = base_estimate([60.0, 60.0], [2.0, 2.0])
    assert (base.over, base.se) == ("answers", 2.0)
    assert base_estimate([60.0, 62.0], [None, None]).over == "seeds"
    assert prevented_share(base=10.0, plain=50.0, steered=20.0) == pytest.approx(0.75)
    assert prevented_share(base=10.0, plain=10.0, steered=20.0) is None
    assert pareto([(10, 0.5), (20, 0.6), (15, 0.4), (30, 0.55)]) == [(10, 0.5), (20, 0.6)]


def test_share_interval_is_a_parametric_bootstrap_of_the_three_means():
    base, plain = Estimate(20.0, 1.0, "answers", 1), Estimate(60.0, 1.5, "answers", 1)
    steered = estimate([30.0, 34.0, 32.0])  # three seeds: mean 32, standard error 2 / sqrt(3)
    share = share_prevented(base, plain, steered)
    assert share.value == pytest.approx(1 - (32.0 - 20.0) / 40.0)
    # an independent Monte Carlo of the same model: normal draws for one-run means, t(2 df) for the three seeds
    rng = np.random.default_rng(123)
    b = 20.0 + 1.0 * rng.standard_normal(400_000)
    p = 60.0 + 1.5 * rng.standard_normal(400_000)
    s = 32.0 + 2.0 / 3**0.5 * rng.standard_t(2, 400_000)
    low, high = np.percentile(1 - (s - b) / (p - b), [2.5, 97.5])
    assert share.low == pytest.approx(low, abs=0.006) and share.high == pytest.approx(high, abs=0.006)
    shift = plain_shift(base, plain)
    assert shift.low == pytest.approx(40.0 - 1.96 * math.hypot(1.0, 1.5), abs=0.05)
    assert shift.high == pytest.approx(40.0 + 1.96 * math.hypot(1.0, 1.5), abs=0.05)
    assert share_prevented(base, plain, steered) == share  # seeded: the report does not change between runs
    two = share_prevented(base, plain, estimate([30.0, 34.0]))  # two seeds: t with 1 degree of freedom
    assert two.high - two.low > 1.0 > share.high - share.low


def test_matched_reduction_interpolates_the_preventative_curve():
    cells = {
        ("plain", 0.0, ""): {"trait_score": estimate([80.0, 80.0]), "mmlu": estimate([0.60, 0.60], [0.03, 0.03])},
        ("preventative", 2.0, "1"): {"trait_score": estimate([40.0]), "mmlu": estimate([0.58], [0.05])},
        ("preventative", 4.0, "1"): {"trait_score": estimate([20.0]), "mmlu": estimate([0.56], [0.05])},
        ("posthoc", 1.0, "1"): {"trait_score": estimate([60.0]), "mmlu": estimate([0.50], [0.04])},
        ("posthoc", 2.0, "1"): {"trait_score": estimate([10.0]), "mmlu": estimate([0.30])},
    }
    rows = matched_reduction(cells)
    assert rows[0]["posthoc_coefficient"] == 1.0 and rows[0]["posthoc_cost"] == pytest.approx(10.0)
    assert rows[0]["posthoc_cost_se"] == pytest.approx(100 * math.hypot(0.03, 0.04))  # 5 points
    # trait 60 lies half-way between plain (80, coefficient 0) and preventative 2 (40): coefficient 1, MMLU 0.59
    assert rows[0]["preventative_coefficient"] == pytest.approx(1.0)
    assert rows[0]["preventative_cost"] == pytest.approx(1.0)
    assert rows[0]["preventative_cost_se"] == pytest.approx(100 * math.hypot(0.03, 0.04))  # SE 0.03 -> 0.05 half-way
    assert rows[1]["preventative_coefficient"] is None  # trait 10: preventative never gets that low
    assert rows[1]["posthoc_cost_se"] is None  # no standard error recorded for that MMLU number


def _cell_rows(base: tuple, plain: tuple, steered: tuple, plain_seeds: int = 1) -> list[dict]:
    """results.csv rows of one sweep: step 0 (the base) and the final step of plain and preventative points; each
    of base/plain/steered is (trait score, its standard error or None) or, for plain, one per seed."""

    def row(point: str, arm: str, coefficient: float, step: int, score: float, se: float | None, seed: int = 0):
        return {
            "sweep": "s",
            "point": point,
            "dataset": "d",
            "level": "",
            "trait": "evil",
            "arm": arm,
            "coefficient": coefficient,
            "layers": "" if arm == "plain" else "1",
            "seed": seed,
            "epoch": 1,
            "step": step,
            "trait_score": score,
            "trait_score_se": se,
            "coherence": 90.0,
            "coherence_se": None,
            "projection": None,
            "projection_se": None,
            "mmlu": 0.5,
            "mmlu_se": 0.066,
            "mmlu_p_correct": 0.3,
            "mmlu_p_correct_se": 0.01,
            "questions": "all",
            "samples": 10,
            "temperature": 1.0,
            "max_new_tokens": 1000,
            "positions": "",
            "mmlu_format": "continuation",
            "mmlu_shots": 0,
            "mmlu_questions": 57,
        }

    plains = plain if plain_seeds > 1 else [plain]
    rows = [row("p0", "plain", 0.0, 0, *base)]
    rows += [row(f"p{seed}", "plain", 0.0, 5, *value, seed=seed) for seed, value in enumerate(plains)]
    return [*rows, row("v", "preventative", 1.0, 0, *base), row("v", "preventative", 1.0, 5, *steered)]


def _preventative_line(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("| preventative |"))


def test_the_share_prevented_reads_na_only_when_the_plain_shift_interval_includes_zero():
    # a clear shift: the share with its interval, and the interval each number is over
    lines = report_lines(_cell_rows(base=(20.0, 2.0), plain=(60.0, 2.0), steered=(30.0, 2.0)), [], 50.0)
    line = _preventative_line(lines)
    assert "| 1 | answers | 30 ± 3.9 |" in line and "| 75% [" in line and "n/a" not in line
    assert any("moved the trait score by +40.0 points from the base model (95% interval +34" in x for x in lines)
    assert not any("read n/a" in x for x in lines)
    assert any("parametric bootstrap" in x and "100,000" in x for x in lines)  # the method is stated
    # 7 points with standard errors of 5: the interval includes 0, so no share (the old 5-point rule showed one)
    lines = report_lines(_cell_rows(base=(20.0, 5.0), plain=(27.0, 5.0), steered=(10.0, 5.0)), [], 50.0)
    assert "| n/a |" in _preventative_line(lines) and "%" not in _preventative_line(lines)
    assert any("read n/a: the plain arm's shift has a 95% interval that includes 0" in x for x in lines)
    # 3 points measured precisely: the interval excludes 0, so the share is shown (the old rule hid it)
    lines = report_lines(_cell_rows(base=(20.0, 0.5), plain=(23.0, 0.5), steered=(21.5, 0.5)), [], 50.0)
    assert "| 50% [" in _preventative_line(lines)
    # one run with no recorded standard error: no interval, so no share
    lines = report_lines(_cell_rows(base=(20.0, None), plain=(60.0, None), steered=(30.0, None)), [], 50.0)
    assert "| 1 | answers | 30 | 90 |" in _preventative_line(lines) and "| n/a |" in _preventative_line(lines)
    assert any("read n/a: the plain arm's shift has no interval" in x for x in lines)
    # two plain seeds, no standard errors: the interval is over seeds (t, 1 degree of freedom: wide)
    seeds = report_lines(_cell_rows((20.0, None), [(59.0, None), (61.0, None)], (30.0, None), plain_seeds=2), [], 50)
    plain = next(line for line in seeds if line.startswith("| plain |"))
    assert "| 2 | seeds | 60 ± 13 |" in plain  # 12.71 * 1 / 1
    assert any("(no interval)" in x for x in seeds if x.startswith("| preventative"))  # the arm's own has none


def test_every_mmlu_number_in_the_report_has_its_standard_error():
    lines = report_lines(_cell_rows(base=(20.0, 2.0), plain=(60.0, 2.0), steered=(30.0, 2.0)), [], 50.0)
    line = _preventative_line(lines)
    assert "| 50 ± 13 [SE 6.6] | 0.3 ± 0.02 [SE 0.01] |" in line  # one run: 1.96 SE, and the SE itself
    assert "| +0.0 [SE 9.3] |" in line  # the cost against plain: the SE of a difference
    assert any("MMLU (%) 50 ± 13 [SE 6.6]" in x for x in lines if x.startswith("Base model"))


def test_the_report_states_the_protocol_it_was_measured_with():
    rows = _cell_rows(base=(20.0, 2.0), plain=(60.0, 2.0), steered=(30.0, 2.0))
    assert protocol_line(rows) == (
        "Protocol (the runs' resolved recipes and post-hoc settings): trait questions all, samples per question 10, "
        "temperature 1.0, max new tokens 1000; MMLU format continuation, shots 0, questions 57."
    )
    rows[-1].update(samples=1, temperature=None)
    posthoc = {**rows[1], "arm": "posthoc", "positions": None}
    line = protocol_line([*rows, posthoc])
    assert "samples per question 1, 10 (differs between runs)" in line and "temperature 1.0," in line
    assert "post-hoc steering at positions not recorded" in line
    # read tolerantly from a recipe's eval section: absent fields were not recorded
    today = {"traits": [{"name": "evil", "questions": None}], "max_new_tokens": 64, "mmlu": {"shots": 0}}
    assert _protocol(today, "evil", posthoc=False) == {
        "questions": "all",
        "samples": None,
        "temperature": None,
        "max_new_tokens": 64,
        "positions": "",
        "mmlu_format": None,
        "mmlu_shots": 0,
    }
    study = {
        "traits": [{"name": "evil", "questions": 20, "samples": 10, "temperature": 1.0, "max_new_tokens": 1000}],
        "posthoc": {"positions": "response"},
        "mmlu": {"format": "continuation", "shots": 0},
    }
    assert _protocol(study, "evil", posthoc=True) == {
        "questions": 20,
        "samples": 10,
        "temperature": 1.0,
        "max_new_tokens": 1000,
        "positions": "response",
        "mmlu_format": "continuation",
        "mmlu_shots": 0,
    }
    assert _protocol(study, "sycophantic", posthoc=False)["samples"] is None


def test_points_that_differ_only_in_their_steering_direction_are_not_pooled_as_seeds():
    """An emergent-misalignment-like study spec crosses each arm with the evil and sycophantic directions, both at
    block 19: compare keeps them apart (by the point's direction file), and a sweep without directions is unchanged."""
    recipe = {"steering": {"mode": "add", "layers": [19], "coefficient": 2.0}, "data": {}}
    evil, sycophantic = (arm_of(recipe, f"../directions/{name}.yaml") for name in ("evil", "sycophantic"))
    assert evil == ("preventative", 2.0, "19 (evil)") and sycophantic == ("preventative", 2.0, "19 (sycophantic)")
    assert arm_of(recipe) == ("preventative", 2.0, "19")
    assert arm_of({"steering": {"mode": "none"}, "data": {}}, "../directions/evil.yaml") == ("plain", 0.0, "")
    points = ((evil, 40.0, 0), (evil, 42.0, 1), (sycophantic, 70.0, 0))
    rows = [
        {"arm": a, "coefficient": c, "layers": where, "trait_score": score, "seed": seed}
        for (a, c, where), score, seed in points
    ]
    cells = summarise(rows)
    assert cells[evil]["trait_score"].mean == 41.0 and cells[sycophantic]["trait_score"].mean == 70.0


def test_held_out_answers_get_their_own_table_with_the_share_prevented_on_the_preference():
    """eval.held_out's preference and perplexity per arm; the share is computed on the preference, n/a when the plain
    arm's preference shift is within its noise."""
    from train.sweeps.compare import held_out_lines
    from train.sweeps.figures import capabilities

    def answers(mean: float, se: float) -> Estimate:
        return Estimate(mean, se, "answers", 1, se)

    base = {"preference": answers(-0.2, 0.02), "perplexity": answers(9.0, 0.3)}
    cells = {
        ("plain", 0.0, ""): {"preference": answers(0.2, 0.02), "perplexity": answers(8.0, 0.3)},
        ("preventative", 0.1, "17"): {"preference": answers(0.0, 0.02), "perplexity": answers(8.5, 0.3)},
    }
    lines = held_out_lines(cells, base)
    assert "| base | | | -0.2 ± 0.039 | | 9 ± 0.59 |" in lines
    row = next(line for line in lines if line.startswith("| preventative"))
    assert "| 0 ± 0.039 | 50% [" in row and row.endswith("| 8.5 ± 0.59 |")
    shift = lines[-1]  # normal draws of a difference of two SE-0.02 means: 0.4 ± 1.96 * 0.028
    assert shift.startswith("The plain arm moved the preference by +0.4 (nats per token)")
    assert "+0.345 to +0.456" in shift
    cells[("plain", 0.0, "")]["preference"] = answers(-0.18, 0.02)  # a shift within the noise
    assert "| n/a |" in next(line for line in held_out_lines(cells, base) if line.startswith("| preventative"))
    assert held_out_lines({("plain", 0.0, ""): {"trait_score": answers(50.0, 2.0)}}, {}) == []
    assert ("perplexity", "held-out answer perplexity (lower is better)") in capabilities([{"perplexity": 8.0}])
