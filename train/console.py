"""The one output channel for messages and progress bars: stderr, from the main process only.

Under torchrun every rank runs the same code, so a message or a bar would appear once per rank; here they
come from rank 0 alone (`RANK` unset: a single process). A command's result goes to stdout (`result`), also once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text
from tqdm.auto import tqdm

_stderr = Console(stderr=True, soft_wrap=True)


def is_main_process() -> bool:
    """Rank 0 of a distributed launch, or a single process."""
    return os.environ.get("RANK", "0") == "0"


def say(message: str) -> None:
    """A progress message on stderr, once under DDP (printed as it is: brackets are not rich markup)."""
    if is_main_process():
        _stderr.print(message, markup=False)


def warn(message: str) -> None:
    if is_main_process():
        _stderr.print(Text.assemble(("warning: ", "yellow"), message))


def result(value: Any) -> None:
    """A command's result on stdout, once under DDP: text as it is (scripts parse it), or a rich renderable."""
    if not is_main_process():
        return
    if isinstance(value, str):
        print(value, flush=True)
    else:  # a table piped to a file keeps its columns instead of rich's 80-column default
        Console(width=None if sys.stdout.isatty() else 200).print(value)


def progress(iterable: Iterable | None = None, **kwargs: Any) -> tqdm:
    """A tqdm bar on stderr (tqdm's keywords), shown by the main process only."""
    kwargs["disable"] = kwargs.get("disable", False) or not is_main_process()
    return tqdm(iterable, **kwargs)


def live(renderable: Any, **kwargs: Any) -> Live:
    """A display redrawn in place on stderr (e.g. a table of running jobs); rich.live.Live's keywords."""
    return Live(renderable, console=_stderr, **kwargs)
