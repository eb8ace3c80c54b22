"""The steering core: what each operator does to the residual stream, when, and to which tokens."""

from __future__ import annotations

import pytest
import torch
from tiny import TINY_ARCHS, build_tiny_model
from transformers import AutoModelForCausalLM

from train import PersonaVector, PrevsteerError, SteeringSpec, find_decoder_layers, steer
from train.steering.hooks import Steering, measure_residual_norms
from train.steering.layers import output_hidden

NUM_LAYERS, HIDDEN = 3, 32


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = build_tiny_model("llama", tmp_path_factory.mktemp("llama"), num_layers=NUM_LAYERS, hidden_size=HIDDEN)
    return AutoModelForCausalLM.from_pretrained(path).float()


def random_vector(seed: int = 0, layers: int = NUM_LAYERS, hidden: int = HIDDEN) -> PersonaVector:
    gen = torch.Generator().manual_seed(seed)
    return PersonaVector(torch.randn(layers, hidden, generator=gen), {"trait": "test"})


def block_outputs(model, input_ids, attention_mask=None) -> list[torch.Tensor]:
    """Every block's output as the rest of the network sees it (captured after any steering hook)."""
    outputs: list[torch.Tensor] = []
    handles = [
        block.register_forward_hook(lambda m, a, o: outputs.append(output_hidden(o).detach().clone()))
        for block in find_decoder_layers(model)
    ]
    try:
        with torch.no_grad():
            model(input_ids=input_ids, attention_mask=attention_mask)
    finally:
        for handle in handles:
            handle.remove()
    return outputs


def batch():
    input_ids = torch.tensor([[5, 6, 7, 8, 9, 10], [11, 12, 13, 14, 0, 0]])
    attention_mask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]])
    labels = torch.tensor([[-100, -100, -100, 8, 9, 10], [-100, -100, 13, 14, -100, -100]])
    return input_ids, attention_mask, labels


def test_add_shifts_only_the_chosen_layer_by_c_times_v_and_never_padding(model):
    input_ids, attention_mask, _ = batch()
    vec = random_vector()
    spec = SteeringSpec("add", [vec], layers=[1], coefficient=2.5)
    model.train()
    with steer(model, spec) as steering:
        steering.set_batch(attention_mask)
        # capture the layer-1 output right after the steering hook, with layer 0 untouched
        steered = block_outputs(model, input_ids, attention_mask)
    plain = block_outputs(model, input_ids, attention_mask)
    torch.testing.assert_close(steered[0], plain[0])
    delta = steered[1] - plain[1]
    expected = 2.5 * vec.vector[1]
    torch.testing.assert_close(delta[0], expected.expand(6, -1), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(delta[1, :4], expected.expand(4, -1), atol=1e-5, rtol=1e-5)
    assert delta[1, 4:].abs().max() == 0  # padding never steered
    assert steering.calls == 1


def test_steering_acts_in_training_mode_only_and_hooks_always_removed(model):
    input_ids, _, _ = batch()
    spec = SteeringSpec("add", [random_vector()], layers=[0], coefficient=3.0)
    model.eval()
    reference = model(input_ids=input_ids).logits
    with steer(model, spec):
        torch.testing.assert_close(model(input_ids=input_ids).logits, reference)  # eval: untouched
        model.train()
        assert not torch.allclose(model(input_ids=input_ids).logits, reference)
        model.eval()
    with pytest.raises(ValueError, match="boom"), steer(model, spec):
        raise ValueError("boom")
    model.train()
    assert all(not block._forward_hooks for block in find_decoder_layers(model))
    torch.testing.assert_close(model(input_ids=input_ids).logits, reference)
    model.eval()


def test_post_hoc_when_eval(model):
    input_ids, _, _ = batch()
    model.eval()
    reference = model(input_ids=input_ids).logits
    spec = SteeringSpec("add", [random_vector()], layers=[2], coefficient=-2.0, when="eval")
    with steer(model, spec):
        assert not torch.allclose(model(input_ids=input_ids).logits, reference)


@pytest.mark.parametrize(("scope", "expected_rows"), [("answer", "labels"), ("prompt", "prompt")])
def test_scope_from_labels_mask(model, scope, expected_rows):
    input_ids, attention_mask, labels = batch()
    spec = SteeringSpec("add", [random_vector(1)], layers=[0], coefficient=1.0, scope=scope)
    model.train()
    with steer(model, spec) as steering:
        steering.set_batch(attention_mask, labels)
        steered = block_outputs(model, input_ids, attention_mask)[0]
    plain = block_outputs(model, input_ids, attention_mask)[0]
    touched = (steered - plain).abs().sum(-1) > 0
    answer = labels != -100
    want = answer if expected_rows == "labels" else attention_mask.bool() & ~answer
    assert torch.equal(touched, want)


def test_scope_answer_without_labels_is_a_clear_error(model):
    spec = SteeringSpec("add", [random_vector()], layers=[0], scope="answer")
    with steer(model, spec) as steering, pytest.raises(PrevsteerError, match="labels"):
        steering.set_batch(torch.ones(1, 3))


def test_ablate_removes_the_subspace(model):
    input_ids, attention_mask, _ = batch()
    vectors = [random_vector(2), random_vector(3)]
    model.train()
    with steer(model, SteeringSpec("ablate", vectors, layers=[1])) as steering:
        steering.set_batch(attention_mask)
        out = block_outputs(model, input_ids, attention_mask)[1]
    basis, _ = torch.linalg.qr(torch.stack([v.vector[1] for v in vectors]).T)
    projection = out @ basis
    assert projection[0].abs().max() < 1e-4
    assert projection[1, :4].abs().max() < 1e-4
    assert projection[1, 4:].abs().max() > 1e-3  # padding left alone
    model.eval()


def test_incremental_targets_accumulate_to_each_layers_vector(model):
    vec = random_vector(4)
    steering = Steering(model, SteeringSpec("add", [vec], layers=[0, 1, 2], coefficient=1.5, incremental=True))
    cumulative = torch.zeros(HIDDEN)
    for layer in range(NUM_LAYERS):
        cumulative = cumulative + steering.per_layer[layer]
        torch.testing.assert_close(cumulative, 1.5 * vec.vector[layer])
    torch.testing.assert_close(steering.per_layer[1], 1.5 * (vec.vector[1] - vec.vector[0]))


def test_relative_coefficient_scales_to_the_residual_norm(model):
    input_ids, attention_mask, _ = batch()
    norms = measure_residual_norms(model, [{"input_ids": input_ids, "attention_mask": attention_mask}])
    assert norms.shape == (NUM_LAYERS,) and (norms > 0).all()
    plain = block_outputs(model, input_ids, attention_mask)[2].norm(dim=-1)
    torch.testing.assert_close(norms[2], plain[attention_mask.bool()].mean(), rtol=1e-5, atol=1e-5)
    spec = SteeringSpec("add", [random_vector()], layers=[2], coefficient=0.1, unit="relative")
    steering = Steering(model, spec, norms)
    assert steering.added_norms()[2] == pytest.approx(0.1 * float(norms[2]), rel=1e-5)
    with pytest.raises(PrevsteerError, match="residual norms"):
        Steering(model, SteeringSpec("add", [random_vector()], layers=[2], unit="relative"))


def test_gradient_checkpointing_gives_the_same_gradients(model):
    input_ids, attention_mask, labels = batch()
    spec = SteeringSpec("add", [random_vector(5)], layers=[1], coefficient=2.0, scope="answer")
    grads = []
    for checkpointing in (False, True):
        model.zero_grad()
        if checkpointing:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.train()
        with steer(model, spec) as steering:
            steering.set_batch(attention_mask, labels)
            loss = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
            loss.backward()
        grads.append(torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None]))
        model.gradient_checkpointing_disable()
    torch.testing.assert_close(grads[0], grads[1])
    model.zero_grad()
    model.eval()


def test_wrong_vector_shape_and_layer_are_clear_errors(model):
    with pytest.raises(PrevsteerError, match="hidden size 16 does not match the model's 32"):
        Steering(model, SteeringSpec("add", [random_vector(hidden=16)], layers=[0]))
    with pytest.raises(PrevsteerError, match="4 layers, the model has 3"):
        Steering(model, SteeringSpec("add", [random_vector(layers=4)], layers=[0]))
    with pytest.raises(PrevsteerError, match=r"\[3\] out of range"):
        Steering(model, SteeringSpec("add", [random_vector()], layers=[3]))


@pytest.mark.parametrize("arch", TINY_ARCHS)
def test_steering_reaches_every_architecture_and_through_peft(arch, tmp_path):
    from peft import LoraConfig, get_peft_model

    path = build_tiny_model(arch, tmp_path, num_layers=2, hidden_size=HIDDEN)
    base = AutoModelForCausalLM.from_pretrained(path).float()
    peft_model = get_peft_model(base, LoraConfig(r=2, target_modules="all-linear"))
    input_ids = torch.tensor([[3, 4, 5, 6]])
    peft_model.eval()
    reference = peft_model(input_ids=input_ids).logits
    peft_model.train()
    with steer(peft_model, SteeringSpec("add", [random_vector(layers=2)], layers=[0, 1], coefficient=5.0)) as s:
        steered = peft_model(input_ids=input_ids).logits
    assert s.calls == 2
    assert not torch.allclose(steered, reference)


def test_layer_discovery_override_and_clear_error(model):
    assert find_decoder_layers(model, "model.layers") is model.model.layers
    bare = torch.nn.Sequential(torch.nn.Linear(4, 4))
    with pytest.raises(PrevsteerError, match=r"no decoder layers found in Sequential; set model.layers_path"):
        find_decoder_layers(bare)
    with pytest.raises(PrevsteerError, match=r"'model.nope' is not a non-empty ModuleList"):
        find_decoder_layers(model, "model.nope")
