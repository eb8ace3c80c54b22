"""A command that runs one stage: its flags come from the stage's settings model, it calls the stage's entry
function with those settings, and prints one report built from the settings and what the stage returned."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from train.cli.flags import add_flags, settings_from
from train.console import result


@dataclass(frozen=True)
class StageCommand:
    name: str
    help: str
    settings: type[BaseModel]
    entry: str  # "module:function", imported when the command runs (the stages import torch, --help does not)
    report: Callable[[Any, Any], str]  # (settings, what the entry function returned) -> the line printed

    def register(self, sub: argparse._SubParsersAction) -> None:
        parser = sub.add_parser(self.name, help=self.help)
        add_flags(parser, self.settings)
        parser.set_defaults(func=self.run)

    def run(self, args: argparse.Namespace) -> int:
        module, function = self.entry.split(":")
        settings = settings_from(args, self.settings)
        result(self.report(settings, getattr(importlib.import_module(module), function)(settings)))
        return 0
