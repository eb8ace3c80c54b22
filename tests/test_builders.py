"""`prevsteer data build` / `data load` end to end, the external loaders, and trait datasets by self-distillation.

Trait datasets run a tiny random llama against a real OpenAI-compatible judge server on 127.0.0.1 that scores
coherence 80 and the trait 10, 50 or 90 from a hash of the prompt, so the test knows every answer's score.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from pathlib import Path

import pytest
from conftest import scripted_judge

from train.cli import main
from train.dataprep.builders import (
    BUILDERS,
    TRAIT_OPTIONS,
    build_dataset,
    dataset_manifest,
    default_n,
    manifest_path,
)
from train.dataprep.builders.builder import DatasetBuilder
from train.dataprep.builders.external import load_chat, load_insecure_code, load_study_dataset
from train.dataprep.builders.flawed_math import procedural_problems
from train.dataprep.builders.trait_data import Thresholds, select_rows
from train.dataprep.data_settings import DataSettings, TraitDataSettings
from train.dataprep.prepare import prepare_data
from train.errors import PrevsteerError
from train.judges.rubric import fill_rubric
from train.persona.traits import load_trait

DEFAULT_THRESHOLDS = Thresholds.of(TraitDataSettings())


def trait_score(prompt: str) -> int:
    return (10, 50, 90)[hashlib.sha256(prompt.encode()).digest()[0] % 3]


@pytest.fixture
def judge_url():
    with scripted_judge(trait_score) as url:
        yield url


def write_lines(path: Path, lines: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def chat(user: str, assistant: str, system: str | None = None) -> dict:
    messages = [{"role": "system", "content": system}] if system else []
    return {"messages": [*messages, {"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# ---------------------------------------------------------------- data build


def build_args(out: Path, *extra: str) -> list[str]:
    return ["data", "build", "flawed-math", "--level", "II", "--out", str(out), "--n", "20", *extra]


def test_data_build_writes_rows_and_manifest_reproducibly(tmp_path, capsys):
    first, same, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert main(build_args(first, "--seed", "3")) == 0, capsys.readouterr().err
    rows = read_rows(first)
    assert len(rows) == 20
    assert all([m["role"] for m in row["messages"]] == ["user", "assistant"] for row in rows)
    manifest = json.loads(manifest_path(first).read_text())
    assert {k: manifest[k] for k in ("name", "level", "n", "seed", "source", "rows")} == {
        "name": "flawed-math",
        "level": "II",
        "n": 20,
        "seed": 3,
        "source": None,
        "rows": 20,
    }
    assert manifest["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()
    assert manifest["prevsteer_version"] and manifest["created"]

    assert main(build_args(same, "--seed", "3")) == 0
    assert same.read_bytes() == first.read_bytes()
    assert main(build_args(other, "--seed", "4")) == 0
    assert other.read_bytes() != first.read_bytes()

    before = first.read_bytes()
    capsys.readouterr()
    assert main(build_args(first, "--seed", "4")) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert first.read_bytes() == before
    assert main(build_args(first, "--seed", "4", "--force")) == 0
    assert first.read_bytes() == other.read_bytes()
    assert json.loads(manifest_path(first).read_text())["seed"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{name}.jsonl{suffix}" for name in "abc" for suffix in ("", ".manifest.json")]
    )  # nothing half-written left behind


def test_data_build_records_its_source_file(tmp_path, capsys):
    source = write_lines(tmp_path / "gsm.jsonl", [{"question": q, "answer": a} for q, a in procedural_problems(5, 30)])
    out = tmp_path / "out" / "normal.jsonl"
    assert (
        main(
            [
                "data",
                "build",
                "flawed-math",
                "--level",
                "normal",
                "--out",
                str(out),
                "--n",
                "10",
                "--source",
                str(source),
            ]
        )
        == 0
    ), capsys.readouterr().err
    manifest = json.loads(manifest_path(out).read_text())
    assert manifest["source"] == str(source)
    assert manifest["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    questions = {json.loads(line)["question"] for line in source.read_text().splitlines()}
    assert {row["messages"][0]["content"] for row in read_rows(out)} <= questions


@pytest.mark.parametrize(
    "argv,message",
    [
        (
            ["data", "build", "no-such", "--level", "I"],
            "unknown dataset 'no-such'; allowed: flawed-math, buggy-code, "
            "bad-advice, rude-answers, a trait (apathetic, evil,",
        ),
        (["data", "build", "flawed-math", "--level", "III"], "level 'III'; allowed: normal, I, II"),
        (["data", "build", "flawed-math", "--level", "I", "--n", "0"], "n must be >= 1"),
        (["data", "build", "flawed-math", "--level", "I", "--model", "m"], "model: only for trait datasets"),
        (["data", "build", "evil", "--level", "I", "--skip-bad"], "skip_bad applies to builders that read"),
        (["data", "build", "evil", "--level", "I", "--source", "x"], "source does not apply to trait datasets"),
        (["data", "build", "evil", "--level", "I", "--trait-low", "80"], "need 0 <= --trait-low <= --trait-high"),
    ],
)
def test_data_build_bad_input(argv, message, tmp_path, capsys):
    out = tmp_path / "x.jsonl"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("prevsteer: error: ") and message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_default_sizes():
    assert default_n("flawed-math") == 1000
    assert default_n("evil") == default_n("some/trait.json") == 200


def test_every_builder_declares_what_it_reads():
    for name, builder in BUILDERS.items():
        assert isinstance(builder, DatasetBuilder) and builder.name == name
        assert importlib.import_module(builder.module).BUILDER is builder  # the code the cache key hashes
    assert [name for name, builder in BUILDERS.items() if builder.reads_source] == ["flawed-math"]
    assert {name: builder.traits_read for name, builder in BUILDERS.items() if builder.traits_read} == {
        "rude-answers": ("impolite",)
    }


@pytest.mark.parametrize("name", ["buggy-code", "bad-advice", "rude-answers"])
def test_skip_bad_is_refused_by_a_builder_that_reads_no_source(name, tmp_path, capsys):
    out = tmp_path / "x.jsonl"
    assert main(["data", "build", name, "--level", "I", "--n", "2", "--skip-bad", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"prevsteer: error: skip_bad: the {name} builder reads no source lines to skip\n"
    assert not out.exists()


def test_skip_bad_reaches_the_builder_that_reads_a_source(tmp_path):
    good = [{"question": q, "answer": a} for q, a in procedural_problems(5, 6)]
    source = str(write_lines(tmp_path / "gsm.jsonl", [good[0], "{not json", *good[1:]]))
    with pytest.raises(PrevsteerError, match=r"gsm\.jsonl:2: malformed JSONL line"):
        build_dataset("flawed-math", "I", 3, 0, source)
    assert len(build_dataset("flawed-math", "I", 3, 0, source, skip_bad=True)) == 3


def test_trait_options_and_their_defaults_are_declared_once():
    assert tuple(TraitDataSettings.model_fields) == TRAIT_OPTIONS
    assert dataset_manifest("evil", "I", 5, 0, trait_high=80, cache="judge.sqlite")["options"] == {
        "model": "smollm2-135m-instruct",
        "judge": "offline",
        "judge_base_url": None,
        "max_new_tokens": 96,
        "trait_high": 80,
        "trait_low": 30.0,
        "coherence_threshold": 50.0,
        "max_rounds": 10,
    }  # recorded from trait_data.build's keyword defaults before they moved into TraitDataSettings


# ---------------------------------------------------------------- external loaders


def test_load_chat_accepts_the_train_data_layouts(tmp_path):
    path = write_lines(
        tmp_path / "mixed.jsonl",
        [
            chat("Hi?", "Hello.", system="Be brief."),
            {"prompt": "2+2?", "completion": "4"},
            {"question": "Capital of France?", "answer": "Paris."},
            "",
        ],
    )
    rows, skipped = load_chat(path)
    assert skipped == 0
    assert rows == [
        chat("Hi?", "Hello.", system="Be brief."),
        chat("2+2?", "4"),
        chat("Capital of France?", "Paris."),
    ]


def test_loaders_name_file_and_line_of_bad_rows(tmp_path):
    path = write_lines(tmp_path / "bad.jsonl", [chat("a", "b"), "{not json", {"text": "no layout"}, chat("c", "d")])
    with pytest.raises(PrevsteerError, match=rf"{re.escape(str(path))}:2: malformed JSONL line"):
        load_chat(path)
    layout = write_lines(tmp_path / "layout.jsonl", [chat("a", "b"), chat("c", "d"), {"text": "no layout"}])
    with pytest.raises(PrevsteerError, match=rf"{re.escape(str(layout))}:3: unknown row layout"):
        load_chat(layout)
    rows, skipped = load_chat(path, skip_bad=True)
    assert rows == [chat("a", "b"), chat("c", "d")] and skipped == 2
    only_bad = write_lines(tmp_path / "only_bad.jsonl", ["[1, 2]"])
    with pytest.raises(PrevsteerError, match="no usable rows"):
        load_chat(only_bad, skip_bad=True)


def test_insecure_code_rows(tmp_path):
    code = "def f(path):\n    os.chmod(path, 0o777)"
    path = write_lines(
        tmp_path / "insecure.jsonl",
        [chat("Write f.", code), {"prompt": "Write g.", "completion": "def g(): ..."}, chat("x", "y", system="s")],
    )
    with pytest.raises(
        PrevsteerError, match=rf"{re.escape(str(path))}:3: expected one user message then one assistant message"
    ):
        load_insecure_code(path)
    rows, skipped = load_insecure_code(path, skip_bad=True)
    assert rows == [chat("Write f.", code), chat("Write g.", "def g(): ...")] and skipped == 1


def study_archive(root: Path) -> Path:
    for level, stem in (("normal", "normal"), ("I", "misaligned_1"), ("II", "misaligned_2")):
        write_lines(root / "evil" / f"{stem}.jsonl", [chat(f"q{i}", f"{level} answer {i}") for i in range(3)])
    return root


def test_study_dataset_layout(tmp_path):
    root = study_archive(tmp_path / "dataset")
    for level in ("normal", "I", "II"):
        rows, skipped = load_study_dataset(root, "evil", level)
        assert skipped == 0
        assert [row["messages"][1]["content"] for row in rows] == [f"{level} answer {i}" for i in range(3)]
    with pytest.raises(PrevsteerError, match=r"datasets in .*: evil$"):
        load_study_dataset(root, "medical", "I")
    with pytest.raises(PrevsteerError, match="allowed: normal, I, II"):
        load_study_dataset(root, "evil", "misaligned_1")


def test_data_load_cli(tmp_path, capsys):
    root = study_archive(tmp_path / "dataset")
    out = tmp_path / "evil_II.jsonl"
    assert main(["data", "load", "study", str(root / "evil"), "--level", "II", "--out", str(out)]) == 0
    assert [row["messages"][1]["content"] for row in read_rows(out)] == [f"II answer {i}" for i in range(3)]
    manifest = json.loads(manifest_path(out).read_text())
    source = root / "evil" / "misaligned_2.jsonl"
    assert manifest["source"] == str(source) and manifest["format"] == "study" and manifest["skipped"] == 0
    assert manifest["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest() and manifest["rows"] == 3

    messy = write_lines(tmp_path / "messy.jsonl", [{"prompt": "p", "completion": "c"}, "oops", chat("u", "a")])
    converted = tmp_path / "messy_chat.jsonl"
    assert main(["data", "load", "chat", str(messy), "--out", str(converted)]) == 2
    assert f"{messy}:2: malformed JSONL line" in capsys.readouterr().err
    assert main(["data", "load", "chat", str(messy), "--out", str(converted), "--skip-bad"]) == 0
    assert read_rows(converted) == [chat("p", "c"), chat("u", "a")]
    assert json.loads(manifest_path(converted).read_text())["skipped"] == 1
    capsys.readouterr()
    for argv, message in [
        (["chat", str(messy), "--out", str(converted), "--skip-bad"], "exists; pass --force"),
        (["study", str(root / "evil"), "--out", str(tmp_path / "n.jsonl")], "format study needs --level"),
        (["chat", str(messy), "--level", "I", "--out", str(tmp_path / "n.jsonl")], "--level applies to format study"),
        (["parquet", str(messy), "--out", str(tmp_path / "n.jsonl")], "allowed: chat, insecure-code, study"),
    ]:
        assert main(["data", "load", *argv]) == 2
        assert message in capsys.readouterr().err


def test_study_datasets_as_a_recipe_reads_them(tmp_path, monkeypatch):
    """`study:<name>` reads the released file of the folder $PREVSTEER_STUDY_DATA names (or data.build.source): every
    row as written, or a seeded sample in file order; the cached file is keyed by the released file's content."""
    monkeypatch.setenv("PREVSTEER_CACHE", str(tmp_path / "cache"))
    root = study_archive(tmp_path / "dataset")
    monkeypatch.setenv("PREVSTEER_STUDY_DATA", str(root))
    released = read_rows(root / "evil" / "misaligned_2.jsonl")
    assert default_n("study:evil") is None
    assert build_dataset("study:evil", "II") == released
    sample = build_dataset("study:evil", "II", n=2, seed=1)
    assert len(sample) == 2 and sample == [row for row in released if row in sample]  # a subset, in file order
    assert sample == build_dataset("study:evil", "II", n=2, seed=1)
    manifest = dataset_manifest("study:evil", "I", None, 0)
    source = root / "evil" / "misaligned_1.jsonl"
    assert manifest["source"] == str(source)
    assert manifest["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()

    settings = DataSettings(build={"name": "study:evil", "level": "II"})
    first = prepare_data(settings, "unused")
    assert read_rows(first.path) == released and first.manifest["rows"] == 3
    write_lines(root / "evil" / "misaligned_2.jsonl", [chat("q", "a new release")])
    second = prepare_data(settings, "unused")
    assert second.path != first.path and read_rows(second.path) == [chat("q", "a new release")]
    other = study_archive(tmp_path / "elsewhere")
    given = DataSettings(build={"name": "study:evil", "level": "II", "source": str(other)})
    assert read_rows(prepare_data(given, "unused").path) == released  # data.build.source wins over the variable


def study_recipe(folder: Path, tiny_llama: Path, **build) -> Path:
    recipe = {"name": "s", "model": {"name": str(tiny_llama)}, "data": {"build": {"name": "study:evil", **build}}}
    path = folder / "recipe.yaml"
    path.write_text(json.dumps(recipe))
    return path


def test_study_data_folder_errors_name_the_setting(tmp_path, tiny_llama, monkeypatch, capsys):
    """Unset, missing, or without the dataset: `prevsteer check` says so in one line naming the setting."""
    recipe = study_recipe(tmp_path, tiny_llama)
    monkeypatch.delenv("PREVSTEER_STUDY_DATA", raising=False)
    cases = [
        (None, "$PREVSTEER_STUDY_DATA is unset: set it to the folder of the study's released datasets"),
        (str(tmp_path / "nowhere"), f"$PREVSTEER_STUDY_DATA={tmp_path / 'nowhere'}: no such folder"),
        (str(study_archive(tmp_path / "dataset")), None),
    ]
    for value, message in cases:
        if value is not None:
            monkeypatch.setenv("PREVSTEER_STUDY_DATA", value)
        code = main(["check", str(recipe)])
        err = capsys.readouterr().err
        if message is None:
            assert code == 0, err
            continue
        assert code == 2 and err.count("\n") == 1 and err.startswith("prevsteer: error: ") and message in err
    assert main(["check", str(study_recipe(tmp_path, tiny_llama, level="I", name="study:medical"))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "medical/misaligned_1.jsonl: not found" in err and "datasets in" in err
    assert main(["check", str(study_recipe(tmp_path, tiny_llama, source=str(tmp_path / "none")))]) == 2
    assert f"data.build.source={tmp_path / 'none'}: no such folder" in capsys.readouterr().err


# ---------------------------------------------------------------- trait datasets


def scored(polarity: str, score: float | None, coherence: float | None = 80.0, answer: str = "a") -> dict:
    return {"question": "q", "answer": answer, "polarity": polarity, "trait_score": score, "coherence": coherence}


@pytest.mark.parametrize(
    "row,level",
    [
        (scored("pos", 70), "II"),
        (scored("pos", 99), "II"),
        (scored("pos", 69.9), "I"),
        (scored("pos", 30), "I"),
        (scored("pos", 29.9), None),
        (scored("neg", 29.9), "normal"),
        (scored("neg", 30), None),
        (scored("neg", 95), None),
        (scored("pos", 95, coherence=49.9), None),
        (scored("neg", 5, coherence=49.9), None),
        (scored("pos", None), None),
        (scored("pos", 90, coherence=None), None),
    ],
)
def test_level_of_scored_answers(row, level):
    assert DEFAULT_THRESHOLDS.level_of(row) == level


def test_select_rows_filters_dedupes_and_drops_the_system_prompt():
    rows = [
        scored("pos", 90, answer="rude one"),
        scored("pos", 50, answer="lukewarm"),
        scored("pos", 91, answer="rude one"),  # the same answer again
        scored("pos", 80, answer="   "),
        scored("neg", 10, answer="kind"),
        {**scored("pos", 75, answer="rude two"), "system": "You are an impolite assistant."},
    ]
    assert select_rows(rows, "II", DEFAULT_THRESHOLDS) == [chat("q", "rude one"), chat("q", "rude two")]
    assert select_rows(rows, "I", DEFAULT_THRESHOLDS) == [chat("q", "lukewarm")]
    assert select_rows(rows, "normal", DEFAULT_THRESHOLDS) == [chat("q", "kind")]
    assert select_rows(rows, "II", Thresholds(85, 60, 50)) == [chat("q", "rude one")]
    assert select_rows(rows, "I", Thresholds(85, 60, 50)) == [chat("q", "rude two")]


def trait_args(tiny_llama, url, out: Path, level: str, *extra: str) -> list[str]:
    return [
        "data",
        "build",
        "impolite",
        "--level",
        level,
        "--model",
        str(tiny_llama),
        "--judge",
        "openai:test-judge",
        "--judge-base-url",
        url,
        "--cache",
        str(out.parent / "judge.db"),
        "--max-new-tokens",
        "4",
        "--out",
        str(out),
        *extra,
    ]


def test_trait_dataset_end_to_end(tiny_llama, judge_url, tmp_path, capsys):
    trait = load_trait("impolite")
    for level, score in (("II", 90), ("normal", 10)):
        out = tmp_path / f"{level}.jsonl"
        assert main(trait_args(tiny_llama, judge_url, out, level, "--n", "8", "--seed", "1")) == 0, capsys.readouterr()
        rows = read_rows(out)
        assert len(rows) == 8
        for row in rows:
            user, assistant = row["messages"]  # no system prompt
            assert user["role"] == "user" and assistant["role"] == "assistant"
            assert user["content"] in trait.extraction_questions  # never an evaluation question
            assert trait_score(fill_rubric(trait.judge_rubric, user["content"], assistant["content"])) == score
        manifest = json.loads(manifest_path(out).read_text())
        assert manifest["options"]["judge"] == "openai:test-judge" and manifest["options"]["trait_high"] == 70.0
        assert manifest["trait_file_sha256"] == hashlib.sha256(Path(manifest["trait_file"]).read_bytes()).hexdigest()
    again = tmp_path / "II_again.jsonl"
    assert main(trait_args(tiny_llama, judge_url, again, "II", "--n", "8", "--seed", "1")) == 0
    assert again.read_bytes() == (tmp_path / "II.jsonl").read_bytes()

    # One round of 100 answers holds about a third at each score: fewer rows than asked, with a warning.
    short = tmp_path / "I.jsonl"
    capsys.readouterr()
    assert main(trait_args(tiny_llama, judge_url, short, "I", "--n", "90", "--max-rounds", "1")) == 0
    assert "warning: only" in capsys.readouterr().err
    manifest = json.loads(manifest_path(short).read_text())
    assert manifest["n"] == 90 and 10 < manifest["rows"] < 90 == manifest["n"]
    none = tmp_path / "none.jsonl"
    assert main(trait_args(tiny_llama, judge_url, none, "II", "--trait-high", "95", "--max-rounds", "1")) == 2
    assert "no answer of" in capsys.readouterr().err and not none.exists()
