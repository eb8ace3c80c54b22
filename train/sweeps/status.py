"""`prevsteer sweep status`: one table of the points, from the sweep's own files, with each SLURM task's state as
squeue lists it (finished tasks drop out after MinJobAge) and, where the cluster keeps accounting, as sacct recorded
it: that tells a task that ran out of time, memory or its node (TIMEOUT, OUT_OF_MEMORY, NODE_FAIL) or was preempted
apart from one that failed. Without squeue or sacct the files alone are shown."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.table import Table

from train.console import warn
from train.errors import PrevsteerError
from train.launch.slurm import accounted_states, queue_states
from train.sweeps.runner import STATUSES, SweepDir, point_status

# Outcomes the files cannot tell (the job was killed from outside): said in the error column.
KILLED = ("TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "CANCELLED")


def _queue(jobs: list[str]) -> dict[str, str]:
    """squeue's states by job id; none without SLURM, or when the controller does not answer (said once)."""
    if shutil.which("squeue") is None:
        return {}
    try:
        return queue_states(jobs)
    except PrevsteerError as exc:
        warn(f"sweep status: without SLURM states ({exc})")
        return {}


def _accounting(jobs: list[str]) -> dict[str, str]:
    """sacct's states by job id; none without sacct or where the cluster keeps no accounting."""
    if shutil.which("sacct") is None:
        return {}
    try:
        return accounted_states(jobs)
    except PrevsteerError:
        return {}


def status_rows(sweep_dir: Path) -> list[dict[str, Any]]:
    """Per point: status, attempts, job id, its SLURM state, elapsed seconds (a running attempt counted up to now),
    last error."""
    sweep = SweepDir(sweep_dir.resolve())
    if not sweep.manifest.is_file():
        raise PrevsteerError(f"{sweep_dir}: not a sweep directory (no sweep.json)")
    jobs = [sweep.state(p["id"]).get("job_id") or "" for p in sweep.points()]
    queue = _queue(jobs) if any(jobs) else {}
    accounted = _accounting([job for job in jobs if job and job not in queue])
    rows = []
    for entry in sweep.points():
        point = entry["id"]
        state = sweep.state(point)
        status = point_status(sweep, point)
        elapsed = state["elapsed_s"]
        if status == "running" and state.get("started"):
            elapsed += (datetime.now(timezone.utc) - datetime.fromisoformat(state["started"])).total_seconds()
        job = state.get("job_id") or ""
        slurm = queue.get(job) or accounted.get(job, "")
        error = state.get("error") or ""
        if slurm in KILLED and status not in ("completed", "cancelled"):
            error = f"SLURM: {slurm}" + (f"; {error}" if error else "")
        rows.append(
            {
                "point": point,
                "status": status,
                "attempts": state["attempts"],
                "job": job,
                "slurm": slurm,
                "elapsed_s": elapsed,
                "error": error,
            }
        )
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
