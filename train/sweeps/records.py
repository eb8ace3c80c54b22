"""What a sweep reads from run directories and evaluation folders, in one place (the run-directory layout is
`train.rundir.RunDir`'s)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from train.files import read_json
from train.rundir import RunDir


def evaluations(run_dir: Path) -> list[dict[str, Any]]:
    """The rows of `metrics.jsonl` that hold evaluation metrics (`eval/...`), in order."""
    return [row for row in RunDir(run_dir).metrics() if any(key.startswith("eval/") for key in row)]


def posthoc_rows(folder: Path) -> list[dict[str, Any]] | None:
    """The rows of a finished `prevsteer eval` post-hoc sweep (one per coefficient), None before it finished."""
    record = read_json(folder / "eval.json")
    return record.get("rows") if record else None


def posthoc_settings(folder: Path) -> dict[str, Any]:
    """The evaluation settings of a post-hoc sweep that `prevsteer eval` recorded (its `eval:` section: `posthoc`
    holds the vector, layers and coefficients)."""
    return read_json(folder / "eval.json")["settings"]


def posthoc_eval_dir(folder: Path, coefficient: float) -> Path:
    """The evaluation folder of one coefficient of a post-hoc sweep."""
    return folder / f"coefficient-{coefficient:g}"


def mmlu_questions(eval_dir: Path) -> int | None:
    """How many MMLU questions an evaluation folder's `mmlu.json` scored (None without one)."""
    return read_json(eval_dir / "mmlu.json").get("n")
