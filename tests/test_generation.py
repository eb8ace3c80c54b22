"""Batched generation with left padding gives the same greedy answers as one prompt at a time."""

from __future__ import annotations

from transformers import AutoModelForCausalLM, AutoTokenizer

from train.models.generation import generate_answers


def test_batched_equals_one_at_a_time(tiny_llama):
    model = AutoModelForCausalLM.from_pretrained(tiny_llama).float()
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama)
    prompts = [
        [{"role": "user", "content": "hi"}],
        [{"role": "system", "content": "be brief"}, {"role": "user", "content": "what is the colour of the sea"}],
        [{"role": "user", "content": "name three fruits that grow on trees in warm places"}],
    ]
    batched = generate_answers(model, tokenizer, prompts, max_new_tokens=8, batch_size=3)
    single = [generate_answers(model, tokenizer, [p], max_new_tokens=8)[0] for p in prompts]
    assert batched == single
    assert all(batched)  # a random model still emits tokens
    assert tokenizer.padding_side == "right"  # restored
