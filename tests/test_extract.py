"""`prevsteer extract` on a tiny model with a real OpenAI-compatible judge server on 127.0.0.1.

The server scores coherence 80 and the trait 90 or 10 from a hash of the prompt, so both sides keep
about half of their answers; the test then recomputes the vector from responses.jsonl independently.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import torch
from conftest import scripted_judge
from transformers import AutoModelForCausalLM, AutoTokenizer

from train.cli import main
from train.models.sampling import Sampling
from train.steering.activations import tokenize_conversation
from train.steering.vectors import PersonaVector


def _trait_score(prompt: str) -> int:
    return 90 if hashlib.sha256(prompt.encode()).digest()[0] % 2 else 10


@pytest.fixture
def judge_url():
    with scripted_judge(_trait_score) as url:
        yield url


def block_means(model, tokenizer, row) -> torch.Tensor:
    """One answer, unbatched: the mean block output over its answer tokens, at every layer."""
    prompt = [{"role": "system", "content": row["system"]}, {"role": "user", "content": row["question"]}]
    ids, boundary, end = tokenize_conversation(tokenizer, prompt, row["answer"])
    outputs = []
    handles = [b.register_forward_hook(lambda m, a, o, c=outputs.append: c(o)) for b in model.model.layers]
    with torch.no_grad():
        model(input_ids=torch.tensor([ids]))
    for handle in handles:
        handle.remove()
    return torch.stack([(o[0] if isinstance(o, tuple) else o)[0, boundary:end].mean(0) for o in outputs])


def extract_args(model_dir, url, out, *extra):
    return [
        "extract",
        "--trait",
        "impolite",
        "--model",
        str(model_dir),
        "--judge",
        "openai:test-judge",
        "--judge-base-url",
        url,
        "--out",
        str(out),
        "--max-new-tokens",
        "6",
        "--cache",
        str(out.parent / "c.db"),
        "--n-per-question",
        "1",  # small: the study's (the default) is 10 answers of up to 1000 tokens
        *extra,
    ]


def test_extract_writes_vectors_that_match_responses(tiny_llama, judge_url, tmp_path, capsys):
    out = tmp_path / "impolite"
    assert main(extract_args(tiny_llama, judge_url, out)) == 0, capsys.readouterr().err
    rows = [json.loads(line) for line in (out / "responses.jsonl").read_text().splitlines()]
    assert len(rows) == 5 * 20 * 2
    assert {"question", "system", "polarity", "instruction_index", "answer", "trait_score", "coherence", "kept"} <= set(
        rows[0]
    )
    assert rows[0]["system"].startswith("You are an impolite assistant.")
    for row in rows:  # each side filtered on its own
        expected = row["trait_score"] >= 50 if row["polarity"] == "pos" else row["trait_score"] < 50
        assert row["kept"] == expected
    summary = json.loads((out / "summary.json").read_text())
    assert summary["kept"]["pos"] == sum(r["kept"] and r["polarity"] == "pos" for r in rows) > 5
    assert summary["model_path"] == str(tiny_llama)
    assert set(summary["vectors"]) == {"response", "prompt", "last_prompt"}

    model = AutoModelForCausalLM.from_pretrained(tiny_llama).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama)
    means = {
        side: torch.stack([block_means(model, tokenizer, r) for r in rows if r["kept"] and r["polarity"] == side]).mean(
            0
        )
        for side in ("pos", "neg")
    }
    recomputed = means["pos"] - means["neg"]
    saved = PersonaVector.load(out / summary["vectors"]["response"])
    cosine = torch.nn.functional.cosine_similarity(recomputed, saved.vector, dim=-1)
    assert cosine.min() >= 0.999
    assert saved.metadata["trait"] == "impolite" and saved.metadata["variant"] == "response"


@pytest.fixture
def generated(monkeypatch):
    """How many prompts extraction sent to generation (the real generate_answers still runs)."""
    import train.persona.extract

    count = [0]
    real = train.persona.extract.generate_answers

    def counting(model, tokenizer, prompts, *args, **kwargs):
        count[0] += len(prompts)
        return real(model, tokenizer, prompts, *args, **kwargs)

    monkeypatch.setattr(train.persona.extract, "generate_answers", counting)
    return count


def test_too_few_kept_is_a_clear_error_keeps_the_responses_and_refilters_without_sampling(
    tiny_llama, judge_url, tmp_path, capsys, generated
):
    out = tmp_path / "impolite"
    assert main(extract_args(tiny_llama, judge_url, out, "--coherence-threshold", "90")) == 2
    assert "too few answers survived filtering (pos 0, neg 0" in capsys.readouterr().err
    assert len((out / "responses.jsonl").read_text().splitlines()) == 200 == generated[0]
    assert main(extract_args(tiny_llama, judge_url, out)) == 0, capsys.readouterr().err  # other thresholds
    assert generated[0] == 200  # the journaled answers were filtered again, none sampled
    assert main(extract_args(tiny_llama, judge_url, out)) == 2  # a finished extraction is not overwritten
    assert "holds a finished extraction; pass --force to write into it" in capsys.readouterr().err


def test_interrupted_extraction_samples_only_what_is_missing_and_gets_the_same_answers(
    tiny_llama, judge_url, tmp_path, capsys, generated
):
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    assert main(extract_args(tiny_llama, judge_url, whole)) == 0, capsys.readouterr().err
    assert generated[0] == 200
    # What a run killed while sampling its sixth batch of 16 leaves behind: five batches and a line cut short.
    resumed.mkdir()
    (resumed / "sampling.json").write_text((whole / "sampling.json").read_text())
    lines = (whole / "samples.jsonl").read_text().splitlines(keepends=True)
    (resumed / "samples.jsonl").write_text("".join(lines[:80]) + lines[80][:30])

    changed = extract_args(tiny_llama, judge_url, resumed)
    changed[changed.index("--max-new-tokens") + 1] = "5"
    assert main(changed) == 2
    assert "sampled with other settings (max_new_tokens); pass --force" in capsys.readouterr().err

    assert main(extract_args(tiny_llama, judge_url, resumed)) == 0, capsys.readouterr().err
    assert generated[0] == 200 + 120
    answers = {
        out: [json.loads(line)["answer"] for line in (out / "responses.jsonl").read_text().splitlines()]
        for out in (whole, resumed)
    }
    assert answers[resumed] == answers[whole] and len(set(answers[whole])) > 100
    vectors = [PersonaVector.load(out / "impolite_response.safetensors").vector for out in (whole, resumed)]
    assert torch.equal(*vectors)

    # A journal of a model since changed in its folder (retrained there) is stale: not reused, even with --force.
    marker = tiny_llama / "retrained.txt"
    marker.write_text("new weights")
    try:
        assert main(extract_args(tiny_llama, judge_url, resumed, "--force")) == 0, capsys.readouterr().err
    finally:
        marker.unlink()
    assert generated[0] == 200 + 120 + 200


def test_extraction_defaults_are_the_studys_protocol_and_flags_reach_the_settings(tiny_llama, tmp_path, monkeypatch):
    import train.persona.extract

    seen = []
    fake = {"kept": {"pos": 5, "neg": 5}, "vectors": {"response": "v.safetensors"}}
    monkeypatch.setattr(train.persona.extract, "run_extraction", lambda settings: seen.append(settings) or fake)
    base = ["extract", "--trait", "impolite", "--model", str(tiny_llama), "--judge", "offline"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0
    study = seen[-1]  # 10 answers per question at temperature 1, top-p 1, up to 1000 tokens
    assert (study.n_per_question, study.max_new_tokens) == (10, 1000)
    assert study.sampling == Sampling(temperature=1.0, top_p=1.0, top_k=0, repetition_penalty=1.0)
    flags = ["--n-per-question", "2", "--max-new-tokens", "64", "--temperature", "0.7", "--top-p", "0.9"]
    assert main([*base, "--out", str(tmp_path / "b"), *flags, "--top-k", "5", "--repetition-penalty", "1.1"]) == 0
    small = seen[-1]
    assert (small.n_per_question, small.max_new_tokens) == (2, 64)
    assert small.sampling == Sampling(temperature=0.7, top_p=0.9, top_k=5, repetition_penalty=1.1)
    assert main([*base, "--out", str(tmp_path / "c"), "--top-p", "2"]) == 2  # one line: top_p must be <= 1
