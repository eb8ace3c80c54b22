"""Preemption: a SIGUSR1 (a scheduler's notice that the job will be stopped) ends training at a checkpoint.

The signal handler only sets a flag. At the next step end (or right after an evaluation, if it arrived during one)
every rank all-reduces the flag, so all ranks decide together and none waits alone in a collective; the trainer
then saves a checkpoint, and `Preempted` unwinds `train()` so the run can be marked `preempted` and resumed
later from that checkpoint (the batch script requeues the job). Every checkpoint also holds the steering hooks'
call count, so a resumed run reports the same count as an uninterrupted one.
"""

from __future__ import annotations

import math
import signal
import threading
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from transformers import TrainerCallback

from train.files import read_json, write_json

# EX_TEMPFAIL: a temporary condition, the same command (with --resume) continues the run.
PREEMPTED_EXIT = 75
STEERING_STATE = "steering_state.json"


class Preempted(Exception):
    """Training stopped at a checkpoint because the job is being preempted."""

    def __init__(self, checkpoint: Path) -> None:
        super().__init__(f"preempted: checkpoint {checkpoint} saved; resume with --resume")
        self.checkpoint = checkpoint


def restore_steering_calls(hooks: Any, checkpoint: Path) -> None:
    """Continue the hooks' call count from what `checkpoint` recorded (nothing recorded: unchanged)."""
    saved = read_json(checkpoint / STEERING_STATE)
    if hooks is not None and "hook_calls" in saved:
        hooks.calls = saved["hook_calls"]


class PreemptionCallback(TrainerCallback):
    """Stops training at a checkpoint once SIGUSR1 has arrived on any rank. Add it after the evaluation callback,
    so a signal that arrives during an evaluation is honoured right after it. Use it as a context manager around
    the whole run (model loading included, so an early notice is kept): it installs the signal handler for that
    long."""

    def __init__(self, hooks: Any = None, signum: int = signal.SIGUSR1) -> None:
        self.hooks = hooks  # the steering hooks (or regulariser) whose call count each checkpoint keeps
        self.signum = signum
        self.requested = False
        self.stopping = False
        self._previous: Any = None

    def __enter__(self) -> PreemptionCallback:
        # Python delivers signals to the main thread only; a run trained in another thread is not preemptible.
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(self.signum, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(self.signum, self._previous)
            self._previous = None

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.requested = True

    def _agreed(self, args) -> bool:
        """Whether any rank got the signal. Collective: every rank calls it at the same points."""
        if not (dist.is_available() and dist.is_initialized()):
            return self.requested
        flag = torch.tensor([int(self.requested)], device=args.device)
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        return bool(flag.item())

    def _check(self, args, state, control) -> None:
        # At the last step training ends anyway; a stop there would only add a checkpoint and a requeue.
        if not self.stopping and state.global_step < state.max_steps and self._agreed(args):
            self.stopping = True
            control.should_save = True

    def on_step_end(self, args, state, control, **kwargs):
        # The last step of an epoch is followed by on_epoch_end (and its evaluation): decide there, so the
        # epoch's evaluation is not lost to a resume that starts with the next epoch.
        if state.epoch is not None and not math.isclose(state.epoch, round(state.epoch), abs_tol=1e-9):
            self._check(args, state, control)

    def on_epoch_end(self, args, state, control, **kwargs):
        self._check(args, state, control)

    def on_evaluate(self, args, state, control, **kwargs):
        self._check(args, state, control)

    def on_save(self, args, state, control, **kwargs):
        checkpoint = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        if state.is_world_process_zero and self.hooks is not None:
            write_json(checkpoint / STEERING_STATE, {"hook_calls": self.hooks.calls})
        if self.stopping:
            raise Preempted(checkpoint)
