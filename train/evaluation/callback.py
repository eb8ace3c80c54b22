"""`EvaluationCallback`: trait expression, coherence, projections and MMLU after every epoch (or N steps).

The model is evaluated as it would be used: in eval mode, where the trainer's steering hooks (which act in
training-mode forwards only) do nothing. The callback checks that: it counts the hooks' calls around the
evaluation and records the count (which must be 0) beside the generations in `eval/step-<N>/meta.json`,
with how the answers were made (samples, decoding, tokens: the protocol).
Metrics go through `trainer.log`, so they reach `metrics.jsonl`, wandb and TensorBoard like the loss. With a
preemption notice pending, an evaluation is not started (the run stops at a checkpoint first); the resumed run does
it before training on.
"""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback

from train.evaluation.evaluator import Evaluator, describe_protocol
from train.files import write_json
from train.rundir import RunDir


class EvaluationCallback(TrainerCallback):
    """`preemption` (a PreemptionCallback) is asked before each evaluation whether the run stops first;
    `put_off`: the checkpoint this run resumes from put its evaluation off, so it is done at the start."""

    def __init__(
        self, evaluator: Evaluator, run_dir: RunDir, steering: Any = None, preemption: Any = None, put_off: bool = False
    ) -> None:
        self.evaluator = evaluator
        self.run_dir = run_dir
        self.steering = steering  # the trainer's Steering (or regularizer): its `calls` must not move
        self.preemption = preemption
        self.put_off = put_off
        self.trainer: Any = None  # set by the trainer, whose `log` reaches every logger

    def _due(self, args, state, control, model, tokenizer) -> None:
        """An evaluation is due: run it, unless a preemption notice stops the run at a checkpoint first."""
        if self.preemption is None or not self.preemption.stop_before_evaluation(args, state, control):
            self._run(state, control, model, tokenizer)

    def _run(self, state, control, model, tokenizer) -> None:
        """Evaluate and log. `trainer.log` clears `control.should_log` (transformers' CallbackHandler.on_log), which
        would drop the loss row the trainer is about to log for this step: the flag is put back afterwards."""
        should_log = control.should_log
        calls_before = getattr(self.steering, "calls", 0)
        out = self.run_dir.eval_dir(state.global_step)
        metrics = self.evaluator.evaluate(model, tokenizer, out)
        steered = getattr(self.steering, "calls", 0) - calls_before
        if state.is_world_process_zero:
            unsteered = self.evaluator.settings.model_copy(update={"posthoc": None})  # post-hoc runs after training
            meta = {
                "step": state.global_step,
                "epoch": state.epoch,
                "training_steering_calls_during_eval": steered,
                "protocol": describe_protocol(unsteered),
            }
            write_json(out / "meta.json", {**meta, "metrics": metrics})
        self.trainer.log(metrics)
        control.should_log = should_log

    def on_train_begin(self, args, state, control, model=None, processing_class=None, **kwargs):
        if (self.evaluator.settings.at_start and state.global_step == 0) or self.put_off:
            self._run(state, control, model, processing_class)

    def on_epoch_end(self, args, state, control, model=None, processing_class=None, **kwargs):
        if self.evaluator.settings.strategy == "epoch":
            self._due(args, state, control, model, processing_class)

    def on_step_end(self, args, state, control, model=None, processing_class=None, **kwargs):
        settings = self.evaluator.settings
        if settings.strategy == "steps" and state.global_step % settings.steps == 0:
            self._due(args, state, control, model, processing_class)
