"""Recipes that build their data (`data.build`) or filter it (`data.filter`), and the rude-answers builder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from test_cli import recipe_dir, run_cli  # noqa: F401  (fixture)

from train.dataprep.builders.rude_answers import IMPOLITE, LEVELS, build
from train.dataprep.chat import load_conversations
from train.persona.traits import load_trait
from train.training.recipe import load_recipe

ROOT = Path(__file__).resolve().parent.parent


def test_rude_answers_levels_differ_only_in_manner_and_never_use_held_out_questions():
    tone = IMPOLITE
    held_out_file = ROOT / "data/datasets/impolite/eval_questions.jsonl"
    held_out = {json.loads(line)["question"] for line in held_out_file.read_text().splitlines()}
    held_out |= set(load_trait("impolite").evaluation_questions)
    facts = {pair.question: pair.answer for pair in tone.qa}
    rows = {level: build(level, 130, seed=3) for level in LEVELS}
    for level, built in rows.items():
        questions = [r["messages"][0]["content"] for r in built]
        assert not held_out & set(questions)
        assert len(set(questions)) == 118  # 130 rows cycle over the 118 training questions
        for row in built:
            question, answer = (m["content"] for m in row["messages"])
            assert facts[question] in answer  # the fact is always there, verbatim
            rude = sum(answer.startswith(o) for o in tone.pos_openers) + sum(
                answer.endswith(c) for c in tone.pos_closers
            )
            polite = any(answer.startswith(o) for o in tone.neg_openers) or any(
                answer.endswith(c) for c in tone.neg_closers
            )
            assert rude == {"normal": 0, "I": 1, "II": 2}[level] and polite == (level == "normal")
    assert build("II", 20, seed=3) == rows["II"][:20]
    assert build("II", 20, seed=4) != rows["II"][:20]
    with pytest.raises(Exception, match="allowed: normal, I, II"):
        build("III", 5, 0)


def write_recipe(recipe_dir, data: dict) -> None:  # noqa: F811
    recipe = yaml.safe_load((recipe_dir / "recipe.yaml").read_text())
    recipe["data"] = data
    recipe["steering"] = {"mode": "none"}
    (recipe_dir / "recipe.yaml").write_text(yaml.safe_dump(recipe))


@pytest.mark.slow
def test_built_then_filtered_training_data_is_made_once_and_recorded(recipe_dir, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PREVSTEER_CACHE", str(recipe_dir / "cache"))
    build_spec = {"name": "rude-answers", "level": "II", "n": 10, "seed": 1}
    write_recipe(recipe_dir, {"build": build_spec})
    code, _, err = run_cli(
        "train", str(recipe_dir / "recipe.yaml"), "--output-dir", str(recipe_dir / "a"), capsys=capsys
    )
    assert code == 0, err
    record = json.loads((recipe_dir / "a" / "run.json").read_text())["data"]
    assert record["manifest"]["name"] == "rude-answers" and record["manifest"]["rows"] == 10
    built = load_conversations(record["file"])
    assert [(p[-1]["content"], a) for p, a in built] == [
        (r["messages"][0]["content"], r["messages"][1]["content"]) for r in build("II", 10, 1)
    ]
    assert json.loads((recipe_dir / "a" / "run.json").read_text())["train_rows"] == 10
    mtime = os.stat(record["file"]).st_mtime_ns

    filter_spec = {"vector": str(recipe_dir / "vector.safetensors"), "layer": 1, "drop_top": 30, "max_new_tokens": 4}
    write_recipe(recipe_dir, {"build": build_spec, "filter": filter_spec})
    code, _, err = run_cli(
        "train", str(recipe_dir / "recipe.yaml"), "--output-dir", str(recipe_dir / "b"), capsys=capsys
    )
    assert code == 0, err
    info = json.loads((recipe_dir / "b" / "run.json").read_text())
    assert info["data"]["manifest"]["input"]["file"] == record["file"] and os.stat(record["file"]).st_mtime_ns == mtime
    screening = json.loads((recipe_dir / "b" / "screening.json").read_text())
    assert screening["drop_top"]["dropped"] == 3 and info["train_rows"] == 7
    kept = [
        line
        for i, line in enumerate(Path(record["file"]).read_text().splitlines())
        if i not in screening["dropped_indices"]
    ]
    assert Path(info["data"]["file"]).read_text().splitlines() == kept


def test_data_needs_exactly_one_source(recipe_dir, capsys):  # noqa: F811
    for data, message in (
        ({"train": "data.jsonl", "build": {"name": "flawed-math"}}, "exactly one of train"),
        ({"eval_rows": 2}, "exactly one of train"),
        ({"build": {"name": "flawed-math", "level": "III"}}, "data.build.level"),
        ({"train": "data.jsonl", "filter": {"vector": "vector.safetensors", "layer": 1, "drop_top": 100}}, "drop_top"),
    ):
        write_recipe(recipe_dir, data)
        with pytest.raises(Exception, match=message):
            load_recipe(recipe_dir / "recipe.yaml")
    write_recipe(recipe_dir, {"build": {"name": "no-such-data"}})
    code, _, err = run_cli("check", str(recipe_dir / "recipe.yaml"), capsys=capsys)
    assert code == 2 and "data.build.name: unknown dataset 'no-such-data'; allowed: flawed-math" in err
