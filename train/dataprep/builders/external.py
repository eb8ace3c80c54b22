"""External datasets into chat JSONL (`prevsteer data load FORMAT PATH`): rows `{"messages": [...]}`.

Formats:
- `chat`: any layout `train.dataprep.chat` accepts (`messages`, `prompt`/`completion`, `question`/`answer`);
- `insecure-code`: the emergent-misalignment repository's `data/insecure.jsonl` (OpenAI fine-tuning rows: one
  user message, then one assistant message), or the same pair as `prompt`/`completion`;
- `study`: the original persona-vectors study's dataset archive, a folder `<name>/` holding `normal.jsonl`,
  `misaligned_1.jsonl` and `misaligned_2.jsonl` (levels normal, I and II).
A malformed line is a PrevsteerError naming the file and line, or, with `skip_bad`, skipped and counted.

Recipes read the study's archive as the dataset `study:<name>` (`data.build.name`), from the one folder
$PREVSTEER_STUDY_DATA names (or `data.build.source`): `build_study`.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

from train.dataprep.chat import to_prompt_completion
from train.errors import PrevsteerError
from train.files import read_numbered_jsonl

FORMATS = ("chat", "insecure-code", "study")
STUDY_FILES = {"normal": "normal.jsonl", "I": "misaligned_1.jsonl", "II": "misaligned_2.jsonl"}
STUDY_PREFIX = "study:"  # data.build.name study:<name>: one dataset of the study's archive
STUDY_DATA = "PREVSTEER_STUDY_DATA"  # the folder holding the archive's <name>/ folders

Check = Callable[[list[dict[str, str]]], None]


def _user_then_assistant(messages: list[dict[str, str]]) -> None:
    roles = [m["role"] for m in messages]
    if roles != ["user", "assistant"]:
        raise ValueError(f"expected one user message then one assistant message, got roles {roles}")


def _load(path: str | os.PathLike[str], skip_bad: bool, check: Check | None = None) -> tuple[list[dict], int]:
    path = Path(path)
    if not path.is_file():
        raise PrevsteerError(f"{path}: no such file; expected a JSONL file")
    raw, numbers, skipped = read_numbered_jsonl(path, skip_bad)
    rows = []
    for row, line in zip(raw, numbers, strict=True):
        try:
            pair = to_prompt_completion(row)
            messages = pair["prompt"] + pair["completion"]
            if check is not None:
                check(messages)
        except ValueError as exc:
            if not skip_bad:
                raise PrevsteerError(f"{path}:{line}: {exc}; fix it or pass --skip-bad") from None
            skipped += 1
            continue
        rows.append({"messages": messages})
    if not rows:
        raise PrevsteerError(f"{path}: no usable rows ({skipped} skipped)")
    return rows, skipped


def load_chat(path: str | os.PathLike[str], skip_bad: bool = False) -> tuple[list[dict], int]:
    """Chat rows of a JSONL file in any layout train.dataprep.chat accepts, and the number of bad lines skipped."""
    return _load(path, skip_bad)


def load_insecure_code(path: str | os.PathLike[str], skip_bad: bool = False) -> tuple[list[dict], int]:
    """The emergent-misalignment insecure-code rows (user request, assistant code), and the number skipped."""
    return _load(path, skip_bad, _user_then_assistant)


def study_file(folder: str | os.PathLike[str], name: str, level: str) -> Path:
    """`<folder>/<name>/{normal,misaligned_1,misaligned_2}.jsonl` for level normal, I or II."""
    if level not in STUDY_FILES:
        raise PrevsteerError(f"study dataset level {level!r}; allowed: {', '.join(STUDY_FILES)}")
    path = Path(folder) / name / STUDY_FILES[level]
    if not path.is_file():
        found = sorted(p.parent.name for p in Path(folder).glob(f"*/{STUDY_FILES['normal']}"))
        raise PrevsteerError(
            f"{path}: not found; the study's archive has <name>/{{{','.join(STUDY_FILES.values())}}}; "
            f"datasets in {folder}: {', '.join(found) or '(none)'}"
        )
    return path


def load_study_dataset(
    folder: str | os.PathLike[str], name: str, level: str, skip_bad: bool = False
) -> tuple[list[dict], int]:
    """One level of one dataset of the original study's archive, and the number of bad lines skipped."""
    return load_chat(study_file(folder, name, level), skip_bad)


def source_file(fmt: str, path: str | os.PathLike[str], level: str | None = None) -> Path:
    """The file a `data load` reads: PATH itself, or for `study` PATH=<archive>/<name> and the level's file."""
    if fmt not in FORMATS:
        raise PrevsteerError(f"unknown data format {fmt!r}; allowed: {', '.join(FORMATS)}")
    if fmt == "study":
        if level is None:
            raise PrevsteerError(f"format study needs --level ({', '.join(STUDY_FILES)})")
        path = Path(path)
        return study_file(path.parent, path.name, level)
    if level is not None:
        raise PrevsteerError(f"--level applies to format study only, not {fmt}")
    return Path(path)


def load_external(
    fmt: str, path: str | os.PathLike[str], skip_bad: bool = False, level: str | None = None
) -> tuple[list[dict], int]:
    """Rows of an external dataset in one of FORMATS, and the number of bad lines skipped."""
    file = source_file(fmt, path, level)
    return load_insecure_code(file, skip_bad) if fmt == "insecure-code" else load_chat(file, skip_bad)


def study_root(source: str | os.PathLike[str] | None = None) -> Path:
    """The folder of the study's released datasets: `source` (data.build.source) when given, else $PREVSTEER_STUDY_DATA.
    Unset or missing, a one-line error naming the setting."""
    setting, folder = ("data.build.source", source) if source else (f"${STUDY_DATA}", os.environ.get(STUDY_DATA))
    layout = f"<name>/{{{','.join(STUDY_FILES.values())}}}"
    if not folder:
        raise PrevsteerError(
            f"${STUDY_DATA} is unset: set it to the folder of the study's released datasets ({layout}: its "
            "dataset.zip, unzipped), or give data.build.source"
        )
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise PrevsteerError(f"{setting}={folder}: no such folder; it should hold the study's datasets ({layout})")
    return path


def study_dataset_file(name: str, level: str, source: str | os.PathLike[str] | None = None) -> Path:
    """The file dataset `study:<name>` reads at this level."""
    return study_file(study_root(source), name.removeprefix(STUDY_PREFIX), level)


def build_study(
    name: str, level: str, n: int | None = None, seed: int = 0, source: str | None = None, skip_bad: bool = False
) -> list[dict]:
    """Rows of `study:<name>` at one level as released: every row, or a seeded sample of n (in file order)."""
    rows, _ = load_chat(study_dataset_file(name, level, source), skip_bad)
    if n is not None and n < len(rows):
        keep = sorted(random.Random(seed).sample(range(len(rows)), n))
        rows = [rows[i] for i in keep]
    return rows
