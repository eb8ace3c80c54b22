"""The `prevsteer` command line: one module per command group, each command's flags built from its stage's
settings model (`train.cli.flags`). Bad input ends in one line on stderr and exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from train.cli import data, evaluate, persona, sweeps, training
from train.cli.inputs import InputPath, Parser
from train.errors import OutputExists, PrevsteerError

EXIT_BAD_INPUT = 2

__all__ = ["InputPath", "build_parser", "main"]


def build_parser() -> Parser:
    parser = Parser(prog="prevsteer", description="Preventative-steering fine-tuning.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for group in (training, persona, evaluate, data, sweeps):
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except OutputExists as exc:  # the library names its argument (force=True); here it is a flag
        print(f"prevsteer: error: {exc.for_command_line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except PrevsteerError as exc:
        print(f"prevsteer: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("prevsteer: interrupted", file=sys.stderr)
        return 130
