"""Files on disk: atomic JSON/JSONL writes, durable appends, and JSONL reads that name the bad line.

Every stage hands its results to the next through files, so a crash must never leave half a file behind.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from train.errors import PrevsteerError


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomic write (parent folders created), so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    os.replace(tmp, path)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Atomic JSONL write (parent folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join(json.dumps(row) + "\n" for row in rows))
    os.replace(tmp, path)


def append_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Append rows durably (flock, fsync), so a crash loses at most what was being written and several
    processes can share the file; after a line cut short by a crash, start on a fresh line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(row) + "\n" for row in rows)
    with path.open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0, os.SEEK_END)
            if handle.tell():
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    text = "\n" + text
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}


def read_jsonl(path: str | Path, skip_bad: bool = False) -> tuple[list[dict[str, Any]], int]:
    """Rows of a JSONL file, and how many malformed lines were skipped (only with `skip_bad`)."""
    rows, _, skipped = read_numbered_jsonl(path, skip_bad)
    return rows, skipped


def read_numbered_jsonl(path: str | Path, skip_bad: bool = False) -> tuple[list[dict[str, Any]], list[int], int]:
    """Rows, the 1-based line number of each (for error messages), and how many malformed lines were skipped."""
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
                if skip_bad:
                    skipped += 1
                    continue
                msg = f"{path}:{number}: malformed JSONL line ({exc}); fix it or skip it (data.skip_bad, --skip-bad)"
                raise PrevsteerError(msg) from None
            rows.append(row)
            numbers.append(number)
    return rows, numbers, skipped
