"""PreventativeSFTTrainer: steering changes training, never evaluation, and leaves nothing in the weights."""

from __future__ import annotations

import pytest
import torch
from conftest import cpu_sft_config
from datasets import Dataset
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

from train import PersonaVector, SteeringSpec
from train.steering.hooks import Steering
from train.steering.regularize import ProjectionRegularizer
from train.training.trainer import PreventativeSFTTrainer

QUESTIONS = ["what is tea", "name a colour", "how far is the moon", "why is the sky blue", "what is bread"]


def dataset(n: int = 10) -> Dataset:
    rows = []
    for i in range(n):
        q = QUESTIONS[i % len(QUESTIONS)]
        rows.append(
            {
                "prompt": [{"role": "user", "content": f"{q} {i}"}],
                "completion": [{"role": "assistant", "content": f"the answer to {q} is simple, number {i}"}],
            }
        )
    return Dataset.from_list(rows)


def load(path, lora: bool = True):
    model = AutoModelForCausalLM.from_pretrained(path).float()
    tokenizer = AutoTokenizer.from_pretrained(path)
    if lora:
        model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear"))
    return model, tokenizer


def vector_for(model, seed: int = 0, scale: float = 5.0) -> PersonaVector:
    gen = torch.Generator().manual_seed(seed)
    config = model.config
    return PersonaVector(scale * torch.randn(config.num_hidden_layers, config.hidden_size, generator=gen))


def train(tmp_path, model, tokenizer, steering=None, regularizer=None, eval_dataset=None, **overrides):
    trainer = PreventativeSFTTrainer(
        model=model,
        args=cpu_sft_config(tmp_path, **overrides),
        train_dataset=dataset(),
        eval_dataset=eval_dataset,
        processing_class=tokenizer,
        steering=steering,
        regularizer=regularizer,
    )
    trainer.train()
    return trainer


def losses(trainer) -> list[float]:
    return [row["loss"] for row in trainer.state.log_history if "loss" in row]


def test_steering_changes_training_loss_but_not_eval_loss(tmp_path, tiny_llama):
    results = {}
    for name in ("plain", "steered"):
        model, tokenizer = load(tiny_llama)
        steering = None
        if name == "steered":
            steering = Steering(model, SteeringSpec("add", [vector_for(model)], layers=[0], coefficient=1.0))
        # evaluate after every step, with the hooks attached; a learning rate too small to move the weights,
        # so any eval difference would be steering leaking into evaluation
        trainer = train(
            tmp_path / name,
            model,
            tokenizer,
            steering,
            eval_dataset=dataset(4),
            learning_rate=1e-12,
            eval_strategy="steps",
            eval_steps=1,
        )
        evals = [row["eval_loss"] for row in trainer.state.log_history if "eval_loss" in row]
        results[name] = (losses(trainer), evals, steering)
    (plain_losses, plain_eval, _), (steered_losses, steered_eval, steering) = results["plain"], results["steered"]
    assert abs(steered_losses[0] - plain_losses[0]) > 1e-3
    assert len(steered_eval) == 3
    assert steered_eval == pytest.approx(plain_eval, abs=1e-6)
    assert steering.calls == 3  # one firing per training step, none during evaluation
    assert not any(block._forward_hooks for block in model.base_model.model.model.layers)


def test_saved_adapter_reloads_in_plain_peft_with_identical_logits(tmp_path, tiny_llama):
    model, tokenizer = load(tiny_llama)
    spec = SteeringSpec("add", [vector_for(model)], layers=[1], coefficient=2.0, scope="answer")
    trainer = train(tmp_path, model, tokenizer, Steering(model, spec))
    trainer.save_model(str(tmp_path / "final"))
    input_ids = torch.tensor([[1, 20, 30, 40, 50, 2]])
    trainer.model.eval()
    with torch.no_grad():
        trained = trainer.model(input_ids=input_ids).logits
        base = AutoModelForCausalLM.from_pretrained(tiny_llama).float()
        base_logits = base(input_ids=input_ids).logits
        reloaded = PeftModel.from_pretrained(base, tmp_path / "final").eval()
        reloaded_logits = reloaded(input_ids=input_ids).logits
    torch.testing.assert_close(reloaded_logits, trained, atol=1e-5, rtol=1e-5)
    assert not torch.allclose(reloaded_logits, base_logits)  # the adapter did learn something


def test_full_fine_tuning_saves_a_plain_model(tmp_path, tiny_llama):
    model, tokenizer = load(tiny_llama, lora=False)
    spec = SteeringSpec("add", [vector_for(model)], layers=[0, 1], coefficient=1.0, incremental=True)
    trainer = train(tmp_path, model, tokenizer, Steering(model, spec), learning_rate=1e-3)
    trainer.save_model(str(tmp_path / "final"))
    input_ids = torch.tensor([[1, 20, 30, 40, 2]])
    trainer.model.eval()
    with torch.no_grad():
        reloaded = AutoModelForCausalLM.from_pretrained(tmp_path / "final").eval()
        torch.testing.assert_close(reloaded(input_ids=input_ids).logits, trainer.model(input_ids=input_ids).logits)


def test_ablate_mode_trains_differently_from_plain(tmp_path, tiny_llama):
    first = []
    for ablate in (False, True):
        model, tokenizer = load(tiny_llama)
        steering = None
        if ablate:
            steering = Steering(model, SteeringSpec("ablate", [vector_for(model, 1), vector_for(model, 2)], layers=[0]))
        first.append(losses(train(tmp_path / str(ablate), model, tokenizer, steering))[0])
    assert abs(first[0] - first[1]) > 1e-4


def projection_shift(model, tiny_llama, units: torch.Tensor, layer: int) -> float:
    """Mean |change| of the answer-free projection at `layer` between the trained model and its base."""
    input_ids = torch.tensor([[1, 20, 30, 40, 50, 60, 2]])
    outs = []
    block = model.base_model.model.model.layers[layer]
    handle = block.register_forward_hook(lambda m, a, o: outs.append(o[0] if isinstance(o, tuple) else o))
    model.eval()
    with torch.no_grad():
        model(input_ids=input_ids)
        with model.disable_adapter():
            model(input_ids=input_ids)
    handle.remove()
    return float(((outs[0] - outs[1]) @ units).abs().mean())


def test_regularize_penalises_projection_drift(tmp_path, tiny_llama):
    shifts, penalties = {}, {}
    for weight in (0.0, 100.0):
        model, tokenizer = load(tiny_llama)
        vec = vector_for(model, 3)
        regularizer = ProjectionRegularizer(model, [vec], layers=[1], weight=weight)
        trainer = train(tmp_path / str(weight), model, tokenizer, regularizer=regularizer, max_steps=6)
        penalties[weight] = [r["projection_penalty"] for r in trainer.state.log_history if "projection_penalty" in r]
        unit = torch.nn.functional.normalize(vec.vector[1], dim=0)
        shifts[weight] = projection_shift(trainer.model, tiny_llama, unit, 1)
    assert penalties[0.0][0] == pytest.approx(0.0, abs=1e-10)  # LoRA starts as the identity
    assert shifts[100.0] < 0.5 * shifts[0.0]
