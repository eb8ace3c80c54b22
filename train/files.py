"""Files on disk: one atomic write, durable appends, and one JSONL reader that names the bad line.

Every stage hands its results to the next through files, so a crash must never leave half a file behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock

from train.errors import OutputExists, PrevsteerError


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def read_yaml(path: Path, loader: type = yaml.SafeLoader) -> Any:
    """A YAML file's data (a missing file is the caller's message); invalid YAML is one line naming the line."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark else ""
        raise PrevsteerError(f"{path}:{where} not valid YAML ({getattr(exc, 'problem', exc)})") from None


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> Path:
    """Write a whole file through a temp file beside it (fsync'd, then renamed over it; parent folders created),
    so a crash leaves the old file or the new one, never half of either."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; artifacts are shared on clusters
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(data, indent=2, default=str) + "\n")


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    write_atomic(path, "".join(json.dumps(row) + "\n" for row in rows))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    write_atomic(path, text.getvalue())


def free_path(path: Path) -> Path:
    """PATH, or PATH.1, PATH.2, ... : the first that does not exist yet (its parent folder created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = path, 1
    while candidate.exists():
        candidate, n = path.with_name(f"{path.name}.{n}"), n + 1
    return candidate


def lock_for(path: Path) -> FileLock:
    """The lock that makes concurrent processes (ranks, jobs) take turns on PATH: a `.NAME.lock` file beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(path.with_name(f".{path.name}.lock"))


def append_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Append rows durably (locked, fsync'd), so a crash loses at most what was being written and several
    processes can share the file; after a line cut short by a crash, start on a fresh line."""
    text = "".join(json.dumps(row) + "\n" for row in rows)
    with lock_for(path), path.open("a+b") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell():
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                text = "\n" + text
        handle.write(text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}


def read_jsonl(path: str | Path, skip_bad: bool = False) -> tuple[list[dict[str, Any]], int]:
    """Rows of a JSONL file, and how many malformed lines were skipped (see `read_numbered_jsonl`)."""
    rows, _, skipped = read_numbered_jsonl(path, skip_bad)
    return rows, skipped


def read_numbered_jsonl(path: str | Path, skip_bad: bool = False) -> tuple[list[dict[str, Any]], list[int], int]:
    """Rows, the 1-based line number of each (for error messages), and how many malformed lines were skipped.

    A malformed line is an error naming file:line unless `skip_bad`; a last line without its newline that does
    not parse is a write cut short (or still going on) and is skipped, and counted, either way.
    """
    path = Path(path)
    rows, numbers, skipped = [], [], 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError(f"expected a JSON object, got {type(row).__name__}")
            except ValueError as exc:
                torn = not line.endswith("\n")  # only the last line can lack its newline
                if skip_bad or torn:
                    skipped += 1
                    continue
                msg = f"{path}:{number}: malformed JSONL line ({exc}); fix it or skip it (data.skip_bad, --skip-bad)"
                raise PrevsteerError(msg) from None
            rows.append(row)
            numbers.append(number)
    return rows, numbers, skipped


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file's bytes, read in blocks (datasets and vectors can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_dir() -> Path:
    """$PREVSTEER_CACHE, else $XDG_CACHE_HOME/prevsteer, else ~/.cache/prevsteer."""
    if os.environ.get("PREVSTEER_CACHE"):
        return Path(os.environ["PREVSTEER_CACHE"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "prevsteer"


def refuse_overwrite(path: str | os.PathLike[str], force: bool, folder: bool = False) -> None:
    """Never overwrite an output silently: an output file that exists, or an output folder that holds anything, is
    an `OutputExists` error unless `force`; a folder's path taken by a file is an error either way."""
    path = Path(path)
    if folder and path.exists() and not path.is_dir():
        raise PrevsteerError(f"{path} is a file, not a folder")
    if force or not path.exists():
        return
    if not folder:
        raise OutputExists(path)
    if any(path.iterdir()):
        raise OutputExists(path, "is not empty", "write into it")
