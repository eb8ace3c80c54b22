"""What a sweep reads from run directories and evaluation folders, in one place (the run-directory layout is
`train.models.rundir.RunDir`'s)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from train.files import read_json
from train.models.rundir import RunDir


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
