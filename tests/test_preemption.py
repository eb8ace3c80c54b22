"""Preemption on CPU, without SLURM: a real SIGUSR1 sent to the training process at a known step ends training at
a checkpoint (run.json `preempted`, exit 75), and `--resume` finishes with the adapter, hook count and metrics of
an uninterrupted run. The signal is sent from inside the run (a logging callback or the evaluator), so the step
it arrives at is known and the test needs no timing."""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path

import pytest
import torch
import yaml
from safetensors.torch import load_file

from train import PersonaVector
from train.cli import main
from train.evaluation.evaluator import Evaluator
from train.training import run as run_module
from train.training.metrics_file import MetricsFileCallback
from train.training.preemption import PREEMPTED_EXIT

# 12 rows, batch 4: 3 steps per epoch, 2 epochs.
STEPS = 6


@pytest.fixture
def recipe(tmp_path, tiny_llama) -> Path:
    chats = [
        [{"role": "user", "content": f"question {i} about tea"}, {"role": "assistant", "content": f"answer {i}"}]
        for i in range(12)
    ]
    rows = [{"messages": chat} for chat in chats]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    PersonaVector(3 * torch.randn(2, 32, generator=torch.Generator().manual_seed(0)), {"trait": "t"}).save(
        tmp_path / "vector.safetensors"
    )
    recipe = {
        "name": "tiny",
        "model": {"name": str(tiny_llama), "lora": {"r": 4, "alpha": 8, "dropout": 0.0}},
        "data": {"train": "data.jsonl"},
        "steering": {"mode": "add", "vector": "vector.safetensors", "layers": [0, 1], "coefficient": 1.0},
        "training": {
            "num_train_epochs": 2,
            "per_device_train_batch_size": 4,
            "optim": "sgd",
            "learning_rate": 1.0,
            "save_strategy": "no",
            "max_length": 64,
        },
        "eval": {"strategy": "no"},
        "logging": {"steps": 1},
    }
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe))
    return path


def train(recipe: Path, out: Path, *args: str) -> int:
    return main(["train", str(recipe), "--output-dir", str(out), *args])


def signal_self() -> None:
    os.kill(os.getpid(), signal.SIGUSR1)


def metrics(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def status(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text())


def test_signal_checkpoints_and_resume_matches_an_uninterrupted_run(recipe, tmp_path, monkeypatch):
    assert train(recipe, tmp_path / "whole") == 0

    class SignalAtStepOne(MetricsFileCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            super().on_log(args, state, control, logs, **kwargs)
            if state.global_step == 1:
                signal_self()  # arrives after step 1's decision: honoured at the end of step 2

    with monkeypatch.context() as patch:
        patch.setattr(run_module, "MetricsFileCallback", SignalAtStepOne)
        assert train(recipe, tmp_path / "cut") == PREEMPTED_EXIT
    cut = tmp_path / "cut"
    info = status(cut)
    assert info["status"] == "preempted" and info["checkpoint"] == "checkpoint-2"
    assert sorted(p.name for p in cut.glob("checkpoint-*")) == ["checkpoint-2"]
    assert json.loads((cut / "checkpoint-2" / "steering_state.json").read_text()) == {"hook_calls": 2 * 2}
    assert not (cut / "final").exists()
    assert signal.getsignal(signal.SIGUSR1) is signal.SIG_DFL  # the handler is removed again

    assert train(recipe, cut, "--resume") == 0
    assert status(cut)["status"] == "completed"
    whole, resumed = (
        load_file(tmp_path / "whole" / "final" / "adapter_model.safetensors"),
        load_file(cut / "final" / "adapter_model.safetensors"),
    )
    assert resumed.keys() == whole.keys()
    assert max(t.abs().max().item() for k, t in whole.items() if "lora_B" in k) > 1e-3  # training moved it
    for key in whole:
        torch.testing.assert_close(resumed[key], whole[key], atol=1e-6, rtol=0)
    record = json.loads((cut / "distributed.json").read_text())
    assert (
        record["hook_calls_per_rank"]
        == json.loads((tmp_path / "whole" / "distributed.json").read_text())["hook_calls_per_rank"]
        == [STEPS * 2]
    )
    assert [m["step"] for m in metrics(cut) if "loss" in m] == list(range(1, STEPS + 1))


def test_signal_during_evaluation_is_honoured_right_after_it(recipe, tmp_path, monkeypatch):
    mmlu = tmp_path / "mmlu" / "test"
    mmlu.mkdir(parents=True)
    rows = [f'"Question {i}: pick {"ABCD"[i % 4]}?",one,two,three,four,{"ABCD"[i % 4]}\n' for i in range(4)]
    (mmlu / "anatomy_test.csv").write_text("".join(rows))
    evaluation = [
        f"--set=eval.mmlu={{source: {mmlu.parent}, per_subject: null, batch_size: 4}}",
        "--set=eval.strategy=steps",
        "--set=eval.steps=2",
    ]
    evaluate = Evaluator.evaluate

    def evaluate_and_signal(self, model, tokenizer, out):
        result = evaluate(self, model, tokenizer, out)
        signal_self()  # still inside the evaluation at step 2
        return result

    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        patch.setattr(Evaluator, "evaluate", evaluate_and_signal)
        assert train(recipe, out, *evaluation) == PREEMPTED_EXIT
    assert status(out)["checkpoint"] == "checkpoint-2"

    # Lose the tail of the log as a kill would (a row past the checkpoint): the resume drops it, then logs again.
    with (out / "metrics.jsonl").open("a") as handle:
        handle.write(json.dumps({"step": 3, "epoch": 1.0, "loss": 9.9}) + "\n")
    assert train(recipe, out, "--resume", *evaluation) == 0
    rows = metrics(out)
    evaluated = [m["step"] for m in rows if "eval/mmlu" in m]
    assert evaluated == [2, 4, 6]
    losses = [(m["step"], m["loss"]) for m in rows if "loss" in m]
    steps = [step for step, _ in losses]
    assert steps == sorted(set(steps)) and 3 in steps and (3, 9.9) not in losses  # step 3 logged once, anew


def test_a_notice_before_an_evaluation_stops_first_and_the_resumed_run_evaluates(recipe, tmp_path, monkeypatch):
    """A notice that arrives before an evaluation is due does not wait for it (a 300 s notice could end during a
    10-minute evaluation): the run stops at a checkpoint that says the evaluation was put off, and the resumed run
    does it before training on."""
    mmlu = tmp_path / "mmlu" / "test"
    mmlu.mkdir(parents=True)
    rows = [f'"Question {i}: pick {"ABCD"[i % 4]}?",one,two,three,four,{"ABCD"[i % 4]}\n' for i in range(4)]
    (mmlu / "anatomy_test.csv").write_text("".join(rows))
    evaluation = [
        f"--set=eval.mmlu={{source: {mmlu.parent}, per_subject: null, batch_size: 4}}",
        "--set=eval.strategy=steps",
        "--set=eval.steps=2",
    ]
    evaluate = Evaluator.evaluate
    evaluated: list[Path] = []

    def counted(self, model, tokenizer, out):
        evaluated.append(out)
        return evaluate(self, model, tokenizer, out)

    class SignalAtStepOne(MetricsFileCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            super().on_log(args, state, control, logs, **kwargs)
            if state.global_step == 1:
                signal_self()  # comes before step 2, whose end has an evaluation due

    out = tmp_path / "run"
    monkeypatch.setattr(Evaluator, "evaluate", counted)
    with monkeypatch.context() as patch:
        patch.setattr(run_module, "MetricsFileCallback", SignalAtStepOne)
        assert train(recipe, out, *evaluation) == PREEMPTED_EXIT
    assert evaluated == []  # stopped before the evaluation of step 2, not after it
    assert status(out)["checkpoint"] == "checkpoint-2"
    assert json.loads((out / "checkpoint-2" / "checkpoint_complete.json").read_text())["evaluation_put_off"] is True
    assert train(recipe, out, "--resume", *evaluation) == 0
    assert [path.name for path in evaluated] == ["step-2", "step-4", "step-6"]
    assert [m["step"] for m in metrics(out) if "eval/mmlu" in m] == [2, 4, 6]


def test_a_notice_file_for_this_job_attempt_stops_training_and_a_stale_one_does_not(recipe, tmp_path, monkeypatch):
    """The batch script writes the notice into the run folder, naming the job attempt (`JOBID.RESTARTS`): the
    training reads it at each step end, without any signal (under proctrack/pgid the workers torchrun starts in a
    new session never see USR1). Simulated in-process: SLURM's variables set, the file written from a callback."""
    monkeypatch.setenv("SLURM_JOB_ID", "4242")
    monkeypatch.setenv("SLURM_RESTART_COUNT", "1")

    class NoticeAtStepOne(MetricsFileCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            super().on_log(args, state, control, logs, **kwargs)
            if state.global_step == 1:
                self.run.notice_file.write_text(self.notice)

    with monkeypatch.context() as patch:
        patch.setattr(run_module, "MetricsFileCallback", NoticeAtStepOne)
        NoticeAtStepOne.notice = "4242.0\n"  # written for the attempt before this one: stale
        assert train(recipe, tmp_path / "stale") == 0
        assert status(tmp_path / "stale")["status"] == "completed"
        NoticeAtStepOne.notice = "4242.1\n"
        assert train(recipe, tmp_path / "cut") == PREEMPTED_EXIT
    info = status(tmp_path / "cut")
    assert info["status"] == "preempted" and info["checkpoint"] == "checkpoint-2"
    assert signal.getsignal(signal.SIGUSR1) is signal.SIG_DFL


def test_a_resumed_run_logs_to_the_same_wandb_run(recipe, tmp_path, monkeypatch):
    """The W&B run id is kept in run.json and resumed: a requeued run is one W&B run (offline here), with the name a
    sweep point's supervisor gives it (WANDB_NAME)."""
    for name in ("WANDB_MODE", "WANDB_DIR", "WANDB_PROJECT", "WANDB_RUN_ID", "WANDB_RESUME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WANDB_NAME", "point-7")
    wandb = ["--set=logging.report_to=[wandb]"]

    class SignalAtStepOne(MetricsFileCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            super().on_log(args, state, control, logs, **kwargs)
            if state.global_step == 1 and not (Path(args.output_dir) / "checkpoint-2").exists():
                signal_self()

    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        patch.setattr(run_module, "MetricsFileCallback", SignalAtStepOne)
        assert train(recipe, out, *wandb) == PREEMPTED_EXIT
    first = status(out)["wandb_run_id"]
    assert train(recipe, out, "--resume", *wandb) == 0
    assert status(out)["wandb_run_id"] == first and "WANDB_RUN_ID" not in os.environ
    runs = sorted(p.name for p in (out / "wandb").glob("offline-run-*"))
    # both attempts: one W&B run (wandb adds "-1" to the folder of a second attempt within the same second)
    assert runs and all(re.fullmatch(rf"offline-run-\d+_\d+-{first}(-\d+)?", name) for name in runs), runs
    assert json.loads((out / "checkpoint-2" / "trainer_state.json").read_text())["global_step"] == 2
    assert yaml.safe_load((out / "recipe.yaml").read_text())["logging"]["run_name"] is None  # not in the recipe
