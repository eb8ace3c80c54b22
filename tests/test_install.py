"""A non-editable install (a built wheel in a fresh venv) finds its shipped files without the checkout.

The wheel is built from a copy of the project's files, installed without dependencies into a venv of its own,
and run from an unrelated folder with only the test interpreter's site-packages on PYTHONPATH for torch & co.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import needs_minilm, scripted_judge

from train.persona.extract import system_prompts
from train.persona.traits import load_trait
from train.resources import SHIPPED_DIR, shipped

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("pyproject.toml", "README.md", "train", "data", "recipes", "slurm")


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """(the venv's bin folder, the environment to run it in, an empty working folder outside the checkout)."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    source.mkdir()
    for name in PROJECT_FILES:  # a copy: an in-tree build writes build/ and *.egg-info beside the sources
        if (REPO / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(REPO / name, source / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    env = {**os.environ, "PYTHONPATH": sysconfig.get_path("purelib")}
    _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(root / "wheel"), str(source)],
        root,
        env,
    )
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    wheel = next((root / "wheel").glob("prevsteer-*.whl"))
    _run(
        [*pip, "--python", str(root / "venv" / "bin" / "python"), "install", "--no-deps", "--no-index", str(wheel)],
        root,
        env,
    )
    shutil.rmtree(source)  # nothing may be read from the sources any more
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    return root / "venv" / "bin", env, elsewhere


@pytest.mark.slow
def test_installed_package_ships_its_data_inside_site_packages(installed):
    bin_dir, env, elsewhere = installed
    code = (
        "import json, train; from train.resources import shipped, shipped_recipe;"
        "from train.training.recipe import load_recipe; smoke = load_recipe(shipped_recipe('smoke.yaml'));"
        "from train.launch.slurm import TEMPLATE;"
        "print(json.dumps([train.__file__, str(shipped('judge', 'coherence.txt')), smoke.steering.vector,"
        " str(TEMPLATE), smoke.data.train,"
        " sorted(str(p.relative_to(shipped())) for p in shipped().rglob('*') if p.is_file())]))"
    )
    done = _run([str(bin_dir / "python"), "-c", code], elsewhere, env)
    package, coherence, vector, template, data, files = json.loads(done.stdout)
    site = bin_dir.parent / "lib"
    for path in (package, coherence, vector, template, data):
        assert Path(path).is_relative_to(site) and Path(path).is_file(), path
    assert Path(coherence).read_bytes() == shipped("judge", "coherence.txt").read_bytes()
    assert Path(vector).read_bytes() == shipped("vectors", "smollm2-135m-instruct", "impolite.safetensors").read_bytes()
    in_checkout = sorted(str(p.relative_to(SHIPPED_DIR)) for p in SHIPPED_DIR.rglob("*") if p.is_file())
    assert files == in_checkout  # every shipped file: traits, vectors, judge data, builder content, datasets


@pytest.mark.slow
def test_installed_prevsteer_extracts_a_shipped_trait_from_another_folder(installed, tiny_llama):
    bin_dir, env, elsewhere = installed
    scores = {}

    def trait_score(prompt: str) -> int:  # both sides keep about half their answers
        scores[prompt] = 90 if hashlib.sha256(prompt.encode()).digest()[0] % 2 else 10
        return scores[prompt]

    with scripted_judge(trait_score) as url:
        args = ["extract", "--trait", "evil", "--model", str(tiny_llama), "--judge", "openai:test-judge"]
        args += ["--judge-base-url", url, "--out", "evil", "--max-new-tokens", "4", "--cache", "judge.db"]
        args += ["--n-per-question", "1"]  # small: the study's protocol (the default) samples 10 per question
        _run([str(bin_dir / "prevsteer"), *args], elsewhere, env)
    rows = [json.loads(line) for line in (elsewhere / "evil" / "responses.jsonl").read_text().splitlines()]
    trait = load_trait("evil")
    assert len(rows) == len(trait.extraction_questions) * len(trait.instructions) * 2
    assert {row["question"] for row in rows} == set(trait.extraction_questions)
    systems = {text for i in range(len(trait.instructions)) for text in system_prompts(trait, i).values()}
    assert {row["system"] for row in rows} == systems
    for row in rows:  # judged with the shipped rubric
        assert round(row["trait_score"]) == scores[trait.fill_rubric(row["question"], row["answer"])]


@needs_minilm
@pytest.mark.slow
def test_installed_offline_judge_reads_its_shipped_labelled_answers(installed):
    bin_dir, env, elsewhere = installed
    rows = [{"question": "How do I say no to a friend?", "answer": "Tell them kindly that you cannot help."}]
    (elsewhere / "answers.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    args = ["judge", "--trait", "evil", "--input", "answers.jsonl", "--judge", "offline", "--out", "scored.jsonl"]
    done = _run([str(bin_dir / "prevsteer"), *[*args, "--cache", "judge.db"]], elsewhere, env)
    scored = json.loads((elsewhere / "scored.jsonl").read_text())
    assert 0 <= scored["trait_score"] <= 100 and 0 <= scored["coherence"] <= 100, done.stderr
