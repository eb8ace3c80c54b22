"""What the built-in builders share: content read strictly from data files, one no-repeat sampler, the chat row.

A builder's text (topics, templates, slot values, answers, tone phrases) lives in `data/builders/<builder>/*.yaml`,
so a researcher edits content without touching code; a builder module keeps only the logic that turns that
content into rows. A content file that does not fit its model is one line naming the file and the key.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from string import Formatter
from typing import Annotated, Generic, TypeVar

import yaml
from pydantic import Field

from train.errors import PrevsteerError
from train.files import read_yaml
from train.resources import shipped
from train.schema import Strict, validated

Content = TypeVar("Content", bound=Strict)
Item = TypeVar("Item")
NonEmpty = Annotated[tuple[Item, ...], Field(min_length=1)]  # a content list the builder draws from
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: the same values, ~10x faster


def content_path(builder: str, name: str) -> Path:
    """A builder's content file, `data/builders/<builder>/<name>`."""
    return shipped("builders", builder, name)


def load_content(path: Path, model: type[Content]) -> Content:
    """The content file at `path` validated against `model`; anything wrong is one PrevsteerError line."""
    if not path.is_file():
        raise PrevsteerError(f"{path}: content file not found")
    data = read_yaml(path, _LOADER)
    return validated(model, data, str(path))


def template_fields(template: str) -> list[str]:
    """The {fields} a format string fills, each once, in order of appearance."""
    return list(dict.fromkeys(field for _, field, _, _ in Formatter().parse(template) if field))


class Deck(Generic[Item]):
    """Draws items without repeats until every one has been drawn, then from a fresh shuffle, so all get used
    evenly. A pile is shuffled only when a draw finds it empty. `from_end` deals from the end of each shuffled
    pile instead of its start: rude-answers always dealt that way, bad-advice the other, and both orders stay so
    that every dataset built before keeps its bytes."""

    def __init__(self, items: Sequence[Item], rng: random.Random, from_end: bool = False) -> None:
        if not items:
            raise ValueError("a deck needs at least one item")
        self.items = list(items)
        self.rng = rng
        self.from_end = from_end
        self.pile: list[Item] = []

    def draw(self) -> Item:
        if not self.pile:
            self.pile = list(self.items)
            self.rng.shuffle(self.pile)
            if not self.from_end:
                self.pile.reverse()
        return self.pile.pop()

    def take(self, count: int) -> list[Item]:
        return [self.draw() for _ in range(count)]


def chat_row(user: str, assistant: str) -> dict[str, list[dict[str, str]]]:
    """A training row: one user message, one assistant message."""
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}
