"""The exceptions a user sees: the CLI prints each as a single line and exits 2."""

from __future__ import annotations

import os


class PrevsteerError(Exception):
    """Bad input: the message names what is wrong and what is allowed."""


class OutputExists(PrevsteerError):
    """An output that is there already and is not replaced unless `option` (`force`, or `resume` for a run
    directory) says so. The library's message names the argument (`force=True`); the command line shows its flag
    instead (`--force`)."""

    def __init__(
        self, path: str | os.PathLike[str], state: str = "exists", action: str = "replace it", option: str = "force"
    ) -> None:
        self.path, self.state, self.action, self.option = path, state, action, option
        super().__init__(f"{path} {state}; pass {option}=True to {action}")

    def for_command_line(self) -> str:
        return f"{self.path} {self.state}; pass --{self.option.replace('_', '-')} to {self.action}"
