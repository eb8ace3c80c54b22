"""What a restarted batch task does with its run folder (`python -m train.launch.restart RUN_DIR`, from the batch
script when SLURM restarts a task: after a requeue, a node failure or a preemption).

It prints one word: `completed` (nothing left to do), `resume` (continue from the last complete checkpoint) or
`start`. A run an earlier attempt began but never checkpointed (its node failed while the model loaded, say) is
started over, as a sweep point is: what it wrote is moved to `RUN_DIR.discarded/attemptN`, never deleted.
"""

from __future__ import annotations

import sys
from pathlib import Path

from train.console import say
from train.files import free_path
from train.rundir import RunDir


def restart_plan(run_dir: Path) -> str:
    run = RunDir(run_dir)
    if run.status == "completed":
        return "completed"
    if run.resumable():
        return "resume"
    if not run.is_empty():
        aside = free_path(run_dir.with_name(f"{run_dir.name}.discarded") / "attempt")
        run_dir.rename(aside)
        say(f"prevsteer: {run_dir} has no complete checkpoint to resume from: set aside as {aside}, starting over")
    return "start"


if __name__ == "__main__":
    print(restart_plan(Path(sys.argv[1])))
