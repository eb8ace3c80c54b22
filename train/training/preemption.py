"""Preemption: a scheduler's notice that the job will be stopped ends training at a complete checkpoint.

The notice comes as SIGUSR1 (the handler only sets a flag) or as a file the batch script writes into the run folder
(`RunDir.notice_file`, naming the job attempt it is meant for): a signal may never reach processes the cluster does
not track (torchrun starts its workers in a new session) or arrive before the handler is installed, the file is
there either way. At each step end, before an evaluation starts and right after one, every rank all-reduces what
it knows (the main rank reads the file), so all ranks decide together and none waits alone in a collective. The
trainer then saves a checkpoint; every rank waits until all of it is written, the main rank marks it complete (last)
and the run `preempted`, and only then does `Preempted` unwind `train()` on every rank: a launcher that kills the
other ranks as soon as one exits can no longer tear the checkpoint. Every checkpoint holds the steering hooks' call
count, so a resumed run reports the same count as an uninterrupted one, and says whether an evaluation was put off
by the notice, which the resumed run then does first.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from transformers import TrainerCallback

from train.files import read_json, write_json
from train.rundir import RunDir
from train.training.slurm_job import attempt

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


def _barrier() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


class PreemptionCallback(TrainerCallback):
    """Stops training at a checkpoint once a notice has come to any rank (SIGUSR1, or the run folder's notice file
    for this job attempt). Add it after the evaluation callback, so a notice that arrives during an evaluation is
    honoured right after it. Use it as a context manager around the whole run (model loading included, so an early
    notice is kept): it installs the signal handler for that long. `run` is the run directory the main rank marks
    `preempted` (None: no run.json, no notice file)."""

    def __init__(self, hooks: Any = None, signum: int = signal.SIGUSR1, run: RunDir | None = None) -> None:
        self.hooks = hooks  # the steering hooks (or regulariser) whose call count each checkpoint keeps
        self.signum = signum
        self.run = run
        self.attempt = attempt()
        self.requested = False
        self.stopping = False
        self.evaluation_put_off = False
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

    def _noticed(self, state) -> bool:
        """A signal came, or (main rank) the notice file names this job attempt (one from an earlier one is stale)."""
        if not self.requested and self.run is not None and self.attempt is not None and state.is_world_process_zero:
            with contextlib.suppress(OSError):
                self.requested = self.run.notice_file.read_text().strip() == self.attempt
        return self.requested

    def _agreed(self, args, state) -> bool:
        """Whether any rank got the notice. Collective: every rank calls it at the same points."""
        if not (dist.is_available() and dist.is_initialized()):
            return self._noticed(state)
        flag = torch.tensor([int(self._noticed(state))], device=args.device)
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        return bool(flag.item())

    def _check(self, args, state, control) -> bool:
        # At the last step training ends anyway; a stop there would only add a checkpoint and a requeue.
        if not self.stopping and state.global_step < state.max_steps and self._agreed(args, state):
            self.stopping = True
            control.should_save = True
        return self.stopping

    def stop_before_evaluation(self, args, state, control) -> bool:
        """Called by the evaluation callback on every rank before it evaluates: with a notice, the evaluation is put
        off (the checkpoint says so, and the resumed run does it first) and training stops at a checkpoint now, so a
        notice shorter than an evaluation still gives one."""
        if self._check(args, state, control):
            self.evaluation_put_off = True
        return self.stopping

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
        _barrier()  # every rank has written its part of the checkpoint (rank 0: model, optimizer, trainer state)
        if state.is_world_process_zero:
            if self.hooks is not None:
                write_json(checkpoint / STEERING_STATE, {"hook_calls": self.hooks.calls})
            RunDir.mark_complete(checkpoint, evaluation_put_off=self.evaluation_put_off)
            if self.stopping and self.run is not None:
                self.run.preempt(checkpoint=checkpoint.name)
        _barrier()  # no rank leaves (and lets a launcher kill the others) before run.json says `preempted`
        if self.stopping:
            raise Preempted(checkpoint)
