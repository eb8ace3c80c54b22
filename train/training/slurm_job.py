"""What a run records about the SLURM job it runs in: job and array ids, restart count, nodes, and its log.

The batch scripts prevsteer renders (slurm/prevsteer.sbatch) export `PREVSTEER_SLURM_LOG`, the task's log file;
the run links it from its folder, so the log of a run is found from the run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

LOG_VARIABLE = "PREVSTEER_SLURM_LOG"
_FIELDS = {
    "job_id": "SLURM_JOB_ID",
    "array_job_id": "SLURM_ARRAY_JOB_ID",
    "array_task_id": "SLURM_ARRAY_TASK_ID",
    "restart_count": "SLURM_RESTART_COUNT",
    "nodelist": "SLURM_JOB_NODELIST",
    "cpus_per_task": "SLURM_CPUS_PER_TASK",
}


def attempt(env: dict[str, str] | None = None) -> str | None:
    """This start of the job, `JOBID.RESTARTS` (what the batch script writes into a preemption notice); None outside
    SLURM."""
    env = dict(os.environ) if env is None else env
    if "SLURM_JOB_ID" not in env:
        return None
    return f"{env['SLURM_JOB_ID']}.{env.get('SLURM_RESTART_COUNT') or 0}"


def slurm_record(env: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The job's ids, restart count (0 on the first start), node list and log; None outside SLURM."""
    env = dict(os.environ) if env is None else env
    if "SLURM_JOB_ID" not in env:
        return None
    record: dict[str, Any] = {key: env[name] for key, name in _FIELDS.items() if name in env}
    record["restart_count"] = int(record.get("restart_count", 0))
    if env.get(LOG_VARIABLE):
        record["log"] = env[LOG_VARIABLE]
    return record


def link_log(run_dir: Path, record: dict[str, Any] | None) -> None:
    """Link the job's log file from the run folder (replacing a link of an earlier start)."""
    if not record or "log" not in record:
        return
    log = Path(record["log"])
    link = run_dir / log.name
    if link.is_symlink():
        link.unlink()
    if not link.exists():
        link.symlink_to(log)
