"""Training's side of the run directory (`train.models.rundir.RunDir` names its files): whether a run may start
or resume there, what a resume may change in the recipe, and the callback that writes `metrics.jsonl`."""

from __future__ import annotations

import sys
from typing import Any

from transformers import TrainerCallback

from train.errors import PrevsteerError
from train.models.rundir import RunDir

RESUMABLE_KEYS = ("training.num_train_epochs", "training.max_steps")


def check_run_dir(run: RunDir, resume: bool) -> None:
    """Refuse to overwrite an existing run; require one to resume. Under torchrun every rank calls it before the
    process group forms: the main process writes nothing until every rank has joined, so all ranks see the folder
    as it was and agree."""
    if resume and not run.is_started():
        raise PrevsteerError(f"--resume: {run.path} is not a prevsteer run directory (no {run.recipe.name})")
    if not resume and not run.is_empty():
        hint = "pass --resume to continue it, or choose another --output-dir"
        raise PrevsteerError(f"run directory {run.path} already exists; {hint}")


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): data}


def recipe_differences(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Dotted keys whose values differ, except the ones a resume may change (more epochs or steps)."""
    a, b = _flatten(saved), _flatten(current)
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and k not in RESUMABLE_KEYS)


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


def run_info(**extra: Any) -> dict[str, Any]:
    """What `run.json` records about the software besides the run's own fields."""
    import peft
    import torch
    import transformers
    import trl

    versions = {m.__name__: m.__version__ for m in (torch, transformers, trl, peft)}
    return {"command": " ".join(sys.argv), "versions": versions, **extra}
