"""Held-out answers scored by likelihood (`eval.held_out`): perplexity of wanted answers and the preference for the
trait's answers, unsteered and under post-hoc steering, against references written here without train.steering."""

from __future__ import annotations

import json
import math
import statistics

import pytest
import torch
from test_cli import run_cli
from transformers import AutoModelForCausalLM, AutoTokenizer

from train.errors import PrevsteerError
from train.evaluation.eval_settings import EvalSettings, HeldOutSettings
from train.evaluation.evaluator import Evaluator
from train.steering.hooks import SteeringSpec
from train.steering.vectors import PersonaVector

PROMPTS = ["Who wrote Hamlet?", "Why is the sky blue?", "What is two plus two?"]
POLITE = ["Shakespeare wrote it, around 1600.", "Sunlight scatters off the air, blue the most.", "Four, of course."]
RUDE = ["Obviously Shakespeare, genius.", "Look it up yourself: scattering.", "Four. Did you skip school?"]


def chat_file(path, answers):
    rows = [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
        for q, a in zip(PROMPTS, answers, strict=True)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    path = tiny_model_dir("llama")
    return AutoModelForCausalLM.from_pretrained(path).float().eval(), AutoTokenizer.from_pretrained(path)


@pytest.fixture
def files(tmp_path):
    return chat_file(tmp_path / "polite.jsonl", POLITE), chat_file(tmp_path / "rude.jsonl", RUDE)


def reference_nll(model, tokenizer, question: str, answer: str, add: torch.Tensor | None = None) -> float:
    """Mean NLL of the answer's own tokens after the chat prompt (the prompt's text, then the answer's text), one
    conversation at a time; `add` is added to block 0's output from the prompt's last token on."""
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": question}], add_generation_prompt=True, tokenize=False
    )
    start = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    ids = tokenizer(prompt + answer, add_special_tokens=False)["input_ids"]

    def hook(module, args, output):
        hidden = (output[0] if isinstance(output, tuple) else output).clone()
        hidden[:, start - 1 :, :] += add
        return (hidden, *output[1:]) if isinstance(output, tuple) else hidden

    handle = model.model.layers[0].register_forward_hook(hook) if add is not None else None
    try:
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits[0].double()
    finally:
        if handle is not None:
            handle.remove()
    logprobs = torch.log_softmax(logits[start - 1 : len(ids) - 1], -1)
    return -float(logprobs[torch.arange(len(ids) - start), torch.tensor(ids[start:])].mean())


def expected(model, tokenizer, add=None) -> dict[str, float]:
    polite = [reference_nll(model, tokenizer, q, a, add) for q, a in zip(PROMPTS, POLITE, strict=True)]
    rude = [reference_nll(model, tokenizer, q, a, add) for q, a in zip(PROMPTS, RUDE, strict=True)]
    differences = [p - r for p, r in zip(polite, rude, strict=True)]
    mean = statistics.fmean(polite)
    return {
        "eval/perplexity": math.exp(mean),
        "eval/perplexity_se": math.exp(mean) * statistics.stdev(polite) / math.sqrt(3),
        "eval/preference": statistics.fmean(differences),
        "eval/preference_se": statistics.stdev(differences) / math.sqrt(3),
    }


def evaluator(files) -> Evaluator:
    polite, rude = files
    return Evaluator(EvalSettings(held_out=HeldOutSettings(answers=str(polite), trait_answers=str(rude))), [])


def test_perplexity_and_preference_equal_a_reference_computed_one_answer_at_a_time(tiny, files, tmp_path):
    model, tokenizer = tiny
    metrics = evaluator(files).evaluate(model, tokenizer, tmp_path / "out")
    assert metrics == pytest.approx(expected(model, tokenizer), rel=1e-4, abs=1e-5)
    rows = [json.loads(line) for line in (tmp_path / "out" / "held_out.jsonl").read_text().splitlines()]
    assert [row["prompt"] for row in rows] == PROMPTS and all("nll_trait_answer" in row for row in rows)


def test_under_posthoc_response_steering_the_answer_tokens_are_steered_as_generating_them_would_be(tiny, files):
    model, tokenizer = tiny
    vector = PersonaVector(0.003 * torch.randn(2, 32, generator=torch.Generator().manual_seed(1)))
    spec = SteeringSpec("add", [vector], layers=[0], coefficient=-3.0, when="always", positions="response")
    steered = evaluator(files).evaluate(model, tokenizer, steering=spec)
    assert steered == pytest.approx(expected(model, tokenizer, -3.0 * vector.vector[0]), rel=1e-4, abs=1e-5)
    unsteered = expected(model, tokenizer)["eval/perplexity"]
    assert steered["eval/perplexity"] != pytest.approx(unsteered, rel=1e-4)


def test_trait_answers_to_other_prompts_are_refused_in_one_line(tmp_path):
    polite = chat_file(tmp_path / "polite.jsonl", POLITE)
    shuffled = tmp_path / "rude.jsonl"
    shuffled.write_text("".join(reversed(chat_file(shuffled, RUDE).read_text().splitlines(keepends=True))))
    with pytest.raises(PrevsteerError, match=r"must hold the prompts of .*in the same order"):
        Evaluator(EvalSettings(held_out={"answers": str(polite), "trait_answers": str(shuffled)}), [])
    (tmp_path / "bad.jsonl").write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n")
    with pytest.raises(PrevsteerError, match=r"eval.held_out.answers: .*bad.jsonl:1: a row needs 'messages'"):
        Evaluator(EvalSettings(held_out={"answers": str(tmp_path / "bad.jsonl")}), [])


def test_eval_command_measures_held_out_answers(tiny_llama, files, tmp_path, capsys):
    polite, rude = files
    out = tmp_path / "eval"
    run_cli(
        "eval",
        "--model",
        str(tiny_llama),
        "--held-out",
        str(polite),
        "--held-out-trait",
        str(rude),
        "--out",
        str(out),
        capsys=capsys,
    )
    row = json.loads((out / "eval.json").read_text())["rows"][0]
    model = AutoModelForCausalLM.from_pretrained(tiny_llama).float().eval()
    reference = expected(model, AutoTokenizer.from_pretrained(tiny_llama))
    assert row == pytest.approx({"coefficient": 0.0, **reference}, rel=1e-4, abs=1e-5)
    assert (
        "held-out answers, teacher-forced: perplexity of `polite.jsonl`; preference for `rude.jsonl`"
        in (out / "report.md").read_text()
    )
