"""`prevsteer sweep cancel SWEEP_DIR`: cancel the sweep's own SLURM jobs, and only those.

The points whose recorded array task squeue lists as waiting or running (first submissions, requeued ones) are
marked `cancelled` first, then exactly those tasks are cancelled (`scancel ARRAY_TASK`), with any comparison job
the sweep submitted. A cancelled point keeps its run folder: the next `sweep run` submits it again and it resumes
from its last checkpoint.
"""

from __future__ import annotations

from pathlib import Path

from train.errors import PrevsteerError
from train.files import now, read_jsonl, write_json
from train.launch import slurm
from train.sweeps.runner import SweepDir


def cancel_sweep(sweep_dir: Path) -> list[str]:
    """Cancel the sweep's live SLURM tasks; returns the points marked cancelled."""
    sweep = SweepDir(sweep_dir.resolve())
    if not sweep.manifest.is_file():
        raise PrevsteerError(f"{sweep_dir}: not a sweep directory (no sweep.json)")
    states = {entry["id"]: sweep.state(entry["id"]) for entry in sweep.points()}
    recorded = {
        point: state.get("job_id") or ""
        for point, state in states.items()
        if state["status"] in ("queued", "running", "preempted")
    }
    submitted = read_jsonl(sweep.submissions)[0] if sweep.submissions.is_file() else []
    compares = [f"{row['job']}_0" for row in submitted if row.get("compare")]  # an array of one task
    queue = slurm.queue_states([*recorded.values(), *compares])
    live = {point: job for point, job in recorded.items() if queue.get(job) in slurm.LIVE_STATES}
    for point, job in live.items():
        write_json(
            sweep.state_file(point),
            {
                **states[point],
                "status": "cancelled",
                "finished": now(),
                "error": f"cancelled (job {job}) by prevsteer sweep cancel",
            },
        )
    jobs = [*live.values(), *(job for job in compares if queue.get(job) in slurm.LIVE_STATES)]
    slurm.cancel(*jobs)
    return sorted(live)
