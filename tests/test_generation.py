"""Batched generation with left padding gives the same greedy answers as one prompt at a time, and decoding
never takes a parameter from the model's own generation config."""

from __future__ import annotations

import json
import shutil

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from train.models.generation import generate_answers
from train.models.sampling import Sampling


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


def test_decoding_parameters_are_explicit_whatever_the_models_generation_config(tmp_path, tiny_llama):
    """A model folder whose generation_config.json asks for top-k 1 (and a low top-p and temperature, a strong
    repetition penalty): sampled answers still vary, and greedy answers are those of the folder without it."""
    configured = tmp_path / "configured"
    shutil.copytree(tiny_llama, configured)
    config = {"do_sample": True, "top_k": 1, "top_p": 0.5, "temperature": 0.3, "repetition_penalty": 3.0}
    (configured / "generation_config.json").write_text(json.dumps({**config, "eos_token_id": 2, "pad_token_id": 3}))
    model = AutoModelForCausalLM.from_pretrained(configured).float()
    assert model.generation_config.top_k == 1  # the folder's config is loaded
    tokenizer = AutoTokenizer.from_pretrained(configured)
    prompts = [[{"role": "user", "content": "name three fruits"}]] * 6
    torch.manual_seed(0)
    sampled = generate_answers(model, tokenizer, prompts, max_new_tokens=8, batch_size=6, sampling=Sampling())
    assert len(set(sampled)) > 1
    plain = AutoModelForCausalLM.from_pretrained(tiny_llama).float()
    greedy = generate_answers(model, tokenizer, prompts[:1], max_new_tokens=24)
    assert greedy == generate_answers(plain, tokenizer, prompts[:1], max_new_tokens=24)
