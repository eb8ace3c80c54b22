"""Mean activations: the batched streaming pass equals a one-answer-at-a-time reference."""

from __future__ import annotations

import pytest
import torch
from tiny import build_tiny_model
from transformers import AutoModelForCausalLM, AutoTokenizer

from train.steering.activations import answer_means, answer_nll, mean_activations, tokenize_conversation


def test_batched_means_match_one_at_a_time_hidden_states(tmp_path):
    path = build_tiny_model("llama", tmp_path, num_layers=3, hidden_size=32)
    model = AutoModelForCausalLM.from_pretrained(path).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    conversations = [
        ([{"role": "system", "content": "be kind"}, {"role": "user", "content": "what is tea"}], "a warm drink"),
        ([{"role": "user", "content": "name a colour"}], "blue, the colour of the sky on a clear day"),
        ([{"role": "user", "content": "hi"}], "hello"),
    ]
    got = mean_activations(model, tokenizer, conversations, batch_size=2)
    responses, prompts, lasts = [], [], []
    for prompt, answer in conversations:
        ids, boundary, end = tokenize_conversation(tokenizer, prompt, answer)
        blocks = []
        capture = blocks.append
        handles = [layer.register_forward_hook(lambda m, a, o, c=capture: c(o)) for layer in model.model.layers]
        with torch.no_grad():
            model(input_ids=torch.tensor([ids]))  # one answer, no padding
        for handle in handles:
            handle.remove()
        blocks = [b[0] if isinstance(b, tuple) else b for b in blocks]
        blocks = [b[0] for b in blocks]
        stacked = torch.stack(blocks)  # [L, T, d]
        responses.append(stacked[:, boundary:end].mean(1))
        prompts.append(stacked[:, :boundary].mean(1))
        lasts.append(stacked[:, boundary - 1])
    torch.testing.assert_close(got.response, torch.stack(responses).mean(0), atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(got.prompt, torch.stack(prompts).mean(0), atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(got.last_prompt, torch.stack(lasts).mean(0), atol=1e-5, rtol=1e-4)
    assert got.count == 3


def test_boundary_comes_from_the_chat_template(tmp_path):
    path = build_tiny_model("llama", tmp_path, num_layers=1, hidden_size=16)
    tokenizer = AutoTokenizer.from_pretrained(path)
    ids, boundary, end = tokenize_conversation(tokenizer, [{"role": "user", "content": "q"}], "the answer")
    assert tokenizer.decode(ids[:boundary]).endswith("assistant\n")
    # the answer's own tokens, as the study averaged them: not the end-of-turn marker the template appends
    assert tokenizer.decode(ids[boundary:end]) == "the answer"
    assert tokenizer.decode(ids[end:]) == "<|im_end|>\n"
    # an empty answer has no tokens of its own: its span is the end-of-turn marker
    ids, boundary, end = tokenize_conversation(tokenizer, [{"role": "user", "content": "q"}], "")
    assert tokenizer.decode(ids[boundary:end]) == "<|im_end|>\n"


def test_answer_means_leave_out_the_end_of_turn_tokens(tmp_path):
    """Two answers that differ only after the template's end-of-turn marker would differ in their means if the
    marker counted; the mean is the hidden states' average over exactly the answer's decoded tokens."""
    path = build_tiny_model("llama", tmp_path, num_layers=2, hidden_size=32)
    model = AutoModelForCausalLM.from_pretrained(path).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    prompt = [{"role": "user", "content": "what is tea"}]
    means = answer_means(model, tokenizer, [(prompt, "a warm drink")])
    text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False) + "a warm drink"
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]  # prompt + answer text, as the study tokenised
    start = len(tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True)["input_ids"])
    outputs = []
    handles = [b.register_forward_hook(lambda m, a, o, c=outputs.append: c(o)) for b in model.model.layers]
    with torch.no_grad():
        model(input_ids=torch.tensor([ids]))
    for handle in handles:
        handle.remove()
    expected = torch.stack([(o[0] if isinstance(o, tuple) else o)[0, start:].mean(0) for o in outputs])
    torch.testing.assert_close(means[0], expected, atol=1e-5, rtol=1e-4)


def test_answer_nll_and_means_match_single_conversation_references(tmp_path):
    path = build_tiny_model("llama", tmp_path, num_layers=2, hidden_size=32)
    model = AutoModelForCausalLM.from_pretrained(path).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    conversations = [
        ([{"role": "user", "content": "what is tea"}], "a warm drink made from leaves"),
        ([{"role": "user", "content": "hi"}], "hello"),
    ]
    nll = answer_nll(model, tokenizer, conversations, batch_size=2)
    means = answer_means(model, tokenizer, conversations, batch_size=2)
    assert means.shape == (2, 2, 32)
    for i, (prompt, answer) in enumerate(conversations):
        ids, boundary, end = tokenize_conversation(tokenizer, prompt, answer)
        labels = torch.tensor([[-100] * boundary + ids[boundary:end] + [-100] * (len(ids) - end)])
        with torch.no_grad():
            loss = model(input_ids=torch.tensor([ids]), labels=labels).loss  # HF's mean over answer tokens
        assert float(nll[i]) == pytest.approx(float(loss), rel=1e-5)
        single = mean_activations(model, tokenizer, [conversations[i]])
        torch.testing.assert_close(means[i], single.response, atol=1e-5, rtol=1e-4)
