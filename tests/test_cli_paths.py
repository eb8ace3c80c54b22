"""Every input path of every command, found by walking the parser: a missing, unreadable, empty or wrong-kind
path ends in one line naming it and exit code 2, before any work starts."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from train.cli import InputPath, build_parser, main
from train.errors import PrevsteerError

OUTPUTS = {"out", "output_dir", "cache", "cache_root"}  # Path options a command writes, not reads


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    """(argv prefix, parser) of every leaf command."""
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        yield prefix, parser
    for action in subparsers:
        for name, sub in action.choices.items():
            yield from _commands(sub, (*prefix, name))


COMMANDS = list(_commands(build_parser()))
PATH_ARGUMENTS = [
    (prefix, parser, action)
    for prefix, parser in COMMANDS
    for action in parser._actions
    if isinstance(action.type, InputPath)
]


def _name(action: argparse.Action) -> str:
    return action.option_strings[0] if action.option_strings else action.dest


def _argv(prefix, parser, action, value: str, good: Path) -> list[str]:
    """The command with `value` for `action`; earlier positionals get a valid value so `value` is reached."""
    if action.option_strings:
        return [*prefix, action.option_strings[0], value]
    before = []
    for other in parser._get_positional_actions():
        if other is action:
            break
        before.append(str(good) if isinstance(other.type, InputPath) else "chat")
    return [*prefix, *before, value]


def _bad_paths(tmp_path: Path, kind: str) -> dict[str, Path]:
    empty_file = tmp_path / "empty.jsonl"
    empty_file.touch()
    empty_folder, full_folder = tmp_path / "empty-folder", tmp_path / "full-folder"
    empty_folder.mkdir()
    full_folder.mkdir()
    (full_folder / "f.jsonl").write_text("{}\n")
    cases = {"missing": tmp_path / "missing.jsonl", "empty": empty_file if kind != "folder" else empty_folder}
    cases["wrong kind"] = full_folder if kind == "file" else empty_file if kind == "folder" else empty_folder
    return cases


def test_the_walk_finds_the_input_paths_and_every_other_path_option_is_an_output():
    found = {(" ".join(prefix), _name(action)) for prefix, _, action in PATH_ARGUMENTS}
    assert {("judge", "--input"), ("vector contrast", "--pos"), ("screen", "data"), ("data load", "path")} <= found
    assert {("eval", "--model"), ("train", "recipe"), ("select-layer", "--vector"), ("project", "--input")} <= found
    others = {
        (" ".join(prefix), _name(action))
        for prefix, parser in COMMANDS
        for action in parser._actions
        if action.type is Path and action.dest not in OUTPUTS
    }
    assert not others, f"input paths without the validated type: {others}"


@pytest.mark.parametrize("case", ["missing", "empty", "wrong kind"])
@pytest.mark.parametrize(
    ("prefix", "parser", "action"),
    PATH_ARGUMENTS,
    ids=[f"{' '.join(prefix)} {_name(action)}" for prefix, _, action in PATH_ARGUMENTS],
)
def test_a_bad_input_path_is_one_line_and_exit_2(prefix, parser, action, case, tmp_path, capsys):
    bad = _bad_paths(tmp_path, action.type.kind)[case]
    good = tmp_path / "good.jsonl"
    good.write_text("{}\n")
    assert main(_argv(prefix, parser, action, str(bad), good)) == 2
    err = capsys.readouterr().err
    assert err.startswith("prevsteer: error:") and err.count("\n") == 1, err
    assert f"argument {_name(action)}: {bad}: " in err, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file; this case needs an unprivileged user")
def test_an_unreadable_input_path_is_named(tmp_path, capsys):
    unreadable = tmp_path / "unreadable.jsonl"
    unreadable.write_text("{}\n")
    unreadable.chmod(0)
    assert main(["screen", str(unreadable), "--vector", str(unreadable), "--layer", "0"]) == 2
    assert f"argument data: {unreadable}: cannot be read (permission denied)" in capsys.readouterr().err


def test_shipped_names_and_keywords_are_not_taken_for_paths(tmp_path):
    """`evil`, `hub`, `org/name` stay names for the library to resolve; only paths are checked here."""
    args = build_parser().parse_args(
        ["judge", "--trait", "evil", "--input", __file__, "--judge", "offline", "--out", str(tmp_path / "o.jsonl")]
    )
    assert args.trait == "evil" and args.input == Path(__file__)
    args = build_parser().parse_args(["eval", "--model", "org/name", "--mmlu-source", "hub", "--out", "o"])
    assert args.model == "org/name" and args.mmlu_source == "hub"
    with pytest.raises(PrevsteerError, match="not found"):
        build_parser().parse_args(["eval", "--model", "./runs/missing", "--out", "o"])


def test_a_real_process_prints_one_line_and_no_traceback(tmp_path):
    missing = tmp_path / "missing.jsonl"
    command = [sys.executable, "-m", "train.cli", "judge", "--trait", "evil", "--input", str(missing)]
    done = subprocess.run(
        [*command, "--judge", "offline", "--out", str(tmp_path / "o")], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert (
        done.stderr == f"prevsteer: error: prevsteer judge: argument --input: {missing}: not found; expected a "
        "readable, non-empty file\n"
    )
