"""What a built-in dataset builder declares, so the registry reads its facts instead of inspecting its code.

Each builder module (`flawed_math`, `buggy_code`, `bad_advice`, `rude_answers`) has a `BUILDER` satisfying
`DatasetBuilder`; `train.dataprep.builders.BUILDERS` maps their names to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@runtime_checkable
class DatasetBuilder(Protocol):
    """A built-in builder: deterministic chat rows `{"messages": [user, assistant]}` given level, n and seed."""

    @property
    def name(self) -> str:
        """The dataset's name (`prevsteer data build NAME`); its content is data/builders/NAME/*.yaml."""

    @property
    def traits_read(self) -> tuple[str, ...]:
        """Trait files it reads besides its content: they key its cached datasets too."""

    @property
    def reads_source(self) -> bool:
        """Whether `source` may be a file whose malformed lines `skip_bad` skips."""

    @property
    def module(self) -> str:
        """The module whose code makes the rows: hashed into the dataset cache key."""

    def build(self, level: str, n: int, seed: int, source: str | None, skip_bad: bool) -> list[dict]:
        """`n` rows at `level`; `skip_bad` is True only when `reads_source` (build_dataset refuses it otherwise)."""
        ...


@dataclass(frozen=True)
class ContentBuilder:
    """A builder whose rows come from its content alone: it refuses a source, so it has no lines to skip."""

    name: str
    rows: Callable[[str, int, int, str | None], list[dict]]  # the module's build(level, n, seed, source)
    traits_read: tuple[str, ...] = ()
    reads_source = False

    @property
    def module(self) -> str:
        return self.rows.__module__

    def build(self, level: str, n: int, seed: int, source: str | None, skip_bad: bool) -> list[dict]:
        return self.rows(level, n, seed, source)
