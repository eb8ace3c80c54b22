"""Where the files prevsteer ships live: trait artifacts, persona vectors, judge data, builder content, recipes,
SLURM templates.

They are package data: `train/shipped/data`, `train/shipped/recipes` and `train/shipped/slurm` link to the
repository's `data/`, `recipes/` and `slurm/`, and a built wheel carries copies of them, so an installed prevsteer
finds them without a checkout. One place knows the location, so every module asks `shipped(...)` instead of walking
up from its own file.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SHIPPED_ROOT = Path(str(files("train"))) / "shipped"
SHIPPED_DIR = SHIPPED_ROOT / "data"
RECIPES_DIR = SHIPPED_ROOT / "recipes"
SLURM_DIR = SHIPPED_ROOT / "slurm"


def shipped(*parts: str) -> Path:
    """A path inside the shipped data folder (`data/` in a checkout)."""
    return SHIPPED_DIR.joinpath(*parts)


def shipped_recipe(*parts: str) -> Path:
    """A path inside the shipped recipes folder (`recipes/` in a checkout)."""
    return RECIPES_DIR.joinpath(*parts)


def shipped_slurm(*parts: str) -> Path:
    """A path inside the shipped SLURM folder (`slurm/` in a checkout): batch-script templates, cluster configs."""
    return SLURM_DIR.joinpath(*parts)


def shipped_label(path: Path) -> str:
    """A short name for messages: `data/...` for a shipped file (its name in the repository), else the path."""
    try:
        return str(Path("data") / path.resolve().relative_to(SHIPPED_DIR.resolve()))
    except ValueError:
        return str(path)
