"""The callback that writes a run's `metrics.jsonl`, resume-safe."""

from __future__ import annotations

from transformers import TrainerCallback

from train.rundir import RunDir


class MetricsFileCallback(TrainerCallback):
    """Appends every logged dict to `metrics.jsonl`, with `step` and `epoch`, on the main process only.

    A resumed run starts from its checkpoint's step and logs the steps after it again, so the rows a previous
    attempt logged past that step are dropped first: no (step, kind) row appears twice.
    """

    def __init__(self, run: RunDir) -> None:
        self.run = run

    def on_train_begin(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            self.run.drop_metrics_after(state.global_step)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs:
            self.run.append_metrics({"step": state.global_step, "epoch": state.epoch, **logs})
