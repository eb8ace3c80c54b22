"""`prevsteer sweep status`: one table of the points, from the sweep's own files (no SLURM accounting needed), with
each SLURM task's state as squeue lists it where there is a squeue (finished tasks drop out after MinJobAge)."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.table import Table

from train.console import warn
from train.errors import PrevsteerError
from train.launch.slurm import queue_states
from train.sweeps.runner import STATUSES, SweepDir, point_status


def _queue() -> dict[str, str]:
    """squeue's states by job id; none without SLURM, or when the controller does not answer (said once)."""
    if shutil.which("squeue") is None:
        return {}
    try:
        return queue_states()
    except PrevsteerError as exc:
        warn(f"sweep status: without SLURM states ({exc})")
        return {}


def status_rows(sweep_dir: Path) -> list[dict[str, Any]]:
    """Per point: status, attempts, job id, its SLURM state, elapsed seconds (a running attempt counted up to now),
    last error."""
    sweep = SweepDir(sweep_dir.resolve())
    if not sweep.manifest.is_file():
        raise PrevsteerError(f"{sweep_dir}: not a sweep directory (no sweep.json)")
    queue = _queue() if any(sweep.state(p["id"]).get("job_id") for p in sweep.points()) else {}
    rows = []
    for entry in sweep.points():
        point = entry["id"]
        state = sweep.state(point)
        status = point_status(sweep, point)
        elapsed = state["elapsed_s"]
        if status == "running" and state.get("started"):
            elapsed += (datetime.now(timezone.utc) - datetime.fromisoformat(state["started"])).total_seconds()
        job = state.get("job_id") or ""
        rows.append({"point": point, "status": status, "attempts": state["attempts"], "job": job,
                     "slurm": queue.get(job, ""), "elapsed_s": elapsed, "error": state.get("error") or ""})  # fmt: skip
    return rows


def status_table(sweep_dir: Path) -> Table:
    rows = status_rows(sweep_dir)
    counts = Counter(row["status"] for row in rows)
    summary = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
    table = Table(title=f"sweep {sweep_dir}: {len(rows)} points ({summary})", title_justify="left")
    for column in ("point", "status", "attempts", "job", "slurm", "elapsed", "error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        elapsed = f"{row['elapsed_s'] / 60:.1f} min" if row["attempts"] else ""
        cells = (row["point"], row["status"], str(row["attempts"]), row["job"], row["slurm"], elapsed, row["error"])
        table.add_row(*cells)
    return table
