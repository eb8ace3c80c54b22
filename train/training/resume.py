"""Whether a training run may start or resume in a run directory, and what a resume may change in the recipe."""

from __future__ import annotations

from typing import Any

from train.errors import OutputExists, PrevsteerError
from train.rundir import RunDir

RESUMABLE_KEYS = ("training.num_train_epochs", "training.max_steps")


def check_run_dir(run: RunDir, resume: bool) -> None:
    """Refuse to overwrite an existing run; require one to resume. Under torchrun every rank calls it before the
    process group forms: the main process writes nothing until every rank has joined, so all ranks see the folder
    as it was and agree."""
    if resume and not run.is_started():
        raise PrevsteerError(f"resume: {run.path} is not a prevsteer run directory (no {run.recipe.name})")
    if not resume and not run.is_empty():
        action = "continue it, or choose another output directory"
        raise OutputExists(f"run directory {run.path}", "already exists", action, option="resume")


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
