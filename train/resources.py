"""Where the files prevsteer ships live: trait artifacts, persona vectors, judge data and builder content.

One place knows the location, so every module asks `shipped(...)` instead of walking up from its own file.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DIR = REPO_ROOT / "data"


def shipped(*parts: str) -> Path:
    """A path inside the shipped data folder (`data/` in a checkout)."""
    return SHIPPED_DIR.joinpath(*parts)
