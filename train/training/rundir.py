"""The run directory: what a researcher reads later, and what `--resume` restores from.

Layout: `recipe.yaml` (resolved), `run.json` (status, times, counts, versions), `metrics.jsonl`,
`vectors/` (copies of the vectors used), `steering.json` (resolved per-layer steering), `distributed.json`
(world size, steering-hook calls and a trainable-weight fingerprint per rank), `final/` (adapter or model)
and the trainer's `checkpoint-*` folders.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from train.errors import PrevsteerError
from train.files import write_jsonl

RESUMABLE_KEYS = ("training.num_train_epochs", "training.max_steps")


def check_run_dir(run_dir: Path, resume: bool) -> None:
    """Refuse to overwrite an existing run; require one to resume. Called on every rank before any write."""
    exists = run_dir.is_dir() and any(run_dir.iterdir())
    if resume and not (run_dir / "recipe.yaml").is_file():
        raise PrevsteerError(f"--resume: {run_dir} is not a prevsteer run directory (no recipe.yaml)")
    if exists and not resume:
        hint = "pass --resume to continue it, or choose another --output-dir"
        raise PrevsteerError(f"run directory {run_dir} already exists; {hint}")


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
    """Appends every logged dict to `metrics.jsonl`, with `step` and `epoch`, on the main process only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        row = {"step": state.global_step, "epoch": state.epoch, **logs}
        with self.path.open("a") as handle:
            handle.write(json.dumps(row) + "\n")


def read_metrics(run_dir: Path) -> list[dict[str, Any]]:
    """The rows of a run's `metrics.jsonl` (none before the first log); a line still being written by a running
    trainer does not parse and is left out."""
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows


def drop_metrics_after(run_dir: Path, step: int) -> None:
    """Before a resume from the checkpoint at `step`: drop the rows logged after it (the resumed run logs those
    steps again), so `metrics.jsonl` never holds a (step, evaluation) row twice."""
    path = run_dir / "metrics.jsonl"
    rows = read_metrics(run_dir)
    kept = [row for row in rows if row.get("step", 0) <= step]
    if len(kept) < len(rows) or (path.is_file() and not path.read_text().endswith("\n")):
        write_jsonl(path, kept)


def run_info(status: str, **extra: Any) -> dict[str, Any]:
    import peft
    import torch
    import transformers
    import trl

    versions = {m.__name__: m.__version__ for m in (torch, transformers, trl, peft)}
    return {"status": status, "command": " ".join(sys.argv), "versions": versions, **extra}
