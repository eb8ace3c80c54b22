"""What a sweep reads from run directories and evaluation folders, in one place (the run-directory layout is
`train.models.rundir.RunDir`'s)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from train.files import read_json
from train.models.rundir import RunDir


def run_status(run_dir: Path) -> str | None:
    """`run.json`'s status (running, completed, failed), or None before the run wrote one."""
    return RunDir(run_dir).status


def run_record(run_dir: Path) -> dict[str, Any]:
    return RunDir(run_dir).record


def has_checkpoint(run_dir: Path) -> bool:
    """A run the trainer can `--resume`: its recipe and at least one checkpoint are there."""
    run = RunDir(run_dir)
    return run.recipe.is_file() and bool(run.checkpoints())


def run_recipe(run_dir: Path) -> dict[str, Any]:
    """The resolved recipe the run stored."""
    return yaml.safe_load(RunDir(run_dir).recipe.read_text())


def evaluations(run_dir: Path) -> list[dict[str, Any]]:
    """The rows of `metrics.jsonl` that hold evaluation metrics (`eval/...`), in order."""
    return [row for row in RunDir(run_dir).metrics() if any(key.startswith("eval/") for key in row)]


def posthoc_rows(folder: Path) -> list[dict[str, Any]] | None:
    """The rows of a finished `prevsteer eval` post-hoc sweep (one per coefficient), None before it finished."""
    record = read_json(folder / "eval.json")
    return record.get("rows") if record else None


def posthoc_settings(folder: Path) -> dict[str, Any]:
    """The post-hoc steering settings (vector, layers, coefficients) that `prevsteer eval` recorded."""
    return read_json(folder / "eval.json")["settings"]["posthoc"]
