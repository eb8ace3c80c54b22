"""Where the files prevsteer ships live: trait artifacts, persona vectors, judge data, builder content, recipes.

They are package data: `train/shipped/data` and `train/shipped/recipes` link to the repository's `data/` and
`recipes/`, and a built wheel carries copies of both, so an installed prevsteer finds them without a checkout.
One place knows the location, so every module asks `shipped(...)` instead of walking up from its own file.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SHIPPED_ROOT = Path(str(files("train"))) / "shipped"
SHIPPED_DIR = SHIPPED_ROOT / "data"
RECIPES_DIR = SHIPPED_ROOT / "recipes"


def shipped(*parts: str) -> Path:
    """A path inside the shipped data folder (`data/` in a checkout)."""
    return SHIPPED_DIR.joinpath(*parts)


def shipped_recipe(*parts: str) -> Path:
    """A path inside the shipped recipes folder (`recipes/` in a checkout)."""
    return RECIPES_DIR.joinpath(*parts)


def shipped_label(path: Path) -> str:
    """A short name for messages: `data/...` for a shipped file (its name in the repository), else the path."""
    try:
        return str(Path("data") / path.resolve().relative_to(SHIPPED_DIR.resolve()))
    except ValueError:
        return str(path)
