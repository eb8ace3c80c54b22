"""The exceptions a user sees: the CLI prints each as a single line and exits 2."""

from __future__ import annotations

import os
from pathlib import Path


class PrevsteerError(Exception):
    """Bad input: the message names what is wrong and what is allowed."""


class OutputExists(PrevsteerError):
    """An output that is there already and is not replaced without `force`. The library's message names the
    argument (`force`); the command line shows its flag instead (`--force`)."""

    def __init__(self, path: str | os.PathLike[str], state: str = "exists", action: str = "replace it") -> None:
        self.path, self.state, self.action = Path(path), state, action
        super().__init__(f"{path} {state}; pass force=True to {action}")

    def for_flag(self, flag: str) -> str:
        return f"{self.path} {self.state}; pass {flag} to {self.action}"
