"""SLURM job arrays: render readable batch scripts from slurm/prevsteer.sbatch, submit them, read their state.

One script is one job array of tasks of the same resource shape; task i runs line i+1 of its tasks file (the run
folder, then the prevsteer arguments, shell-quoted). Arrays longer than the cluster's MaxArraySize are split into
several scripts. The template's `{{field}}` placeholders are filled here; every `$VARIABLE` in it is left for the
job to expand, so nothing of the submitting shell's environment is baked into the script.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from train.errors import PrevsteerError
from train.launch.settings import ResourceShape
from train.resources import shipped_slurm

TEMPLATE = shipped_slurm("prevsteer.sbatch")
DEFAULT_MAX_ARRAY_SIZE = 1001  # SLURM's default MaxArraySize
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_PLAIN_PATH = re.compile(r"^[\w./+@:,=-]+$")  # usable unquoted in an #SBATCH line


def render(template: str, fields: dict[str, str]) -> str:
    """Fill `{{name}}` placeholders; an unknown name is an error, not a silently empty field."""

    def fill(match: re.Match) -> str:
        if match.group(1) not in fields:
            raise PrevsteerError(f"{TEMPLATE}: unknown field {{{{{match.group(1)}}}}}; known: {sorted(fields)}")
        return fields[match.group(1)]

    return _PLACEHOLDER.sub(fill, template)


def run_dir_of(argv: Sequence[str]) -> Path:
    """The `--output-dir` of a prevsteer command line (a task must name its run folder: resume and status read it)."""
    for i, arg in enumerate(argv):
        if arg == "--output-dir" and i + 1 < len(argv):
            return Path(argv[i + 1]).resolve()
        if arg.startswith("--output-dir="):
            return Path(arg.split("=", 1)[1]).resolve()
    raise PrevsteerError(f"task {shlex.join(argv)!r} has no --output-dir; every task needs its own run folder")


def _plain(path: Path, what: str) -> str:
    text = str(path)
    if not _PLAIN_PATH.match(text):
        raise PrevsteerError(f"{what} {text!r}: only letters, digits and ./_+@:,=- are allowed in a SLURM path")
    return text


def directives(shape: ResourceShape) -> str:
    """The optional #SBATCH lines of a shape (those a cluster without GPUs, partitions or accounts must not get)."""
    lines = [f"#SBATCH --gpus-per-node={shape.gpus_per_node}"] if shape.gpus_per_node else []
    lines += [f"#SBATCH --partition={shape.partition}"] if shape.partition else []
    lines += [f"#SBATCH --account={shape.account}"] if shape.account else []
    lines += [f"#SBATCH --mem={shape.mem}"] if shape.mem is not None else []
    return "\n".join(lines)


def render_array(
    tasks: Sequence[Sequence[str]],
    shape: ResourceShape,
    out_dir: Path,
    name: str,
    max_parallel: int | None = None,
    max_array_size: int = DEFAULT_MAX_ARRAY_SIZE,
    workdir: Path | None = None,
    run_dirs: Sequence[Path] | None = None,
) -> list[Path]:
    """Write one batch script (+ tasks file) per chunk of at most `max_array_size` tasks into `out_dir` (SLURM's
    MaxArraySize: array indices 0 .. MaxArraySize - 1).

    Each task is the argument list of one prevsteer command (e.g. ["train", RECIPE, "--output-dir", DIR]), run
    under torchrun on `shape`, or a sweep point (["sweep", "point", SWEEP_DIR, ID]) that starts its training with
    the same torchrun command line; `run_dirs` are the tasks' run folders (default: each task's --output-dir).
    At most `max_parallel` tasks of a script run at once. Task logs go to `out_dir/logs/`. Scripts run in
    `workdir` (default: the current directory, where relative paths in the tasks were meant). Returns the
    scripts, in task order.
    """
    if not tasks:
        raise PrevsteerError(f"{name}: no tasks to launch")
    if not re.fullmatch(r"[\w.-]+", name):
        raise PrevsteerError(f"job name {name!r}: only letters, digits, '.', '_' and '-' are allowed")
    if max_parallel is not None and max_parallel < 1:
        raise PrevsteerError(f"max_parallel {max_parallel}: must be at least 1")
    out_dir = out_dir.resolve()
    log_dir = out_dir / "logs"
    _plain(log_dir, "log folder")
    if run_dirs is None:
        run_dirs = [run_dir_of(argv) for argv in tasks]
    lines = [shlex.join([str(Path(run_dir).resolve()), *argv]) for run_dir, argv in zip(run_dirs, tasks, strict=True)]
    chunks = [lines[start : start + max_array_size] for start in range(0, len(lines), max_array_size)]
    template = TEMPLATE.read_text()
    log_dir.mkdir(parents=True, exist_ok=True)
    scripts = []
    for number, chunk in enumerate(chunks):
        stem = name if len(chunks) == 1 else f"{name}-{number}"
        tasks_file = out_dir / f"{stem}.tasks"
        tasks_file.write_text("".join(line + "\n" for line in chunk))
        array = f"0-{len(chunk) - 1}" + (f"%{max_parallel}" if max_parallel else "")
        fields = {
            "name": stem,
            "array": array,
            "nodes": str(shape.nodes),
            "cpus_per_node": str(shape.cpus_per_node),
            "time": shape.time,
            "signal_seconds": str(shape.signal_seconds),
            "log_dir": str(log_dir),
            "extra_directives": directives(shape),
            "workdir": shlex.quote(str((workdir or Path.cwd()).resolve())),
            "python": shlex.quote(sys.executable),
            "processes_per_node": str(shape.processes),
            "tasks_file": shlex.quote(str(tasks_file)),
        }
        script = out_dir / f"{stem}.sbatch"
        script.write_text(render(template, fields))
        scripts.append(script)
    return scripts


def _slurm(*argv: str, what: str) -> str:
    """Run a SLURM client command; its stdout, or a one-line error."""
    if shutil.which(argv[0]) is None:
        raise PrevsteerError(f"{what}: `{argv[0]}` not found: SLURM is not installed here (use --dry-run)")
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        message = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        raise PrevsteerError(f"{what}: {shlex.join(argv)} failed: {message}")
    return proc.stdout


def max_array_size() -> int:
    """The cluster's MaxArraySize (array indices must stay below it)."""
    config = _slurm("scontrol", "show", "config", what="MaxArraySize")
    found = re.search(r"^MaxArraySize\s*=\s*(\d+)", config, re.MULTILINE)
    return int(found.group(1)) if found else DEFAULT_MAX_ARRAY_SIZE


def submit(script: Path, *options: str) -> str:
    """`sbatch [options] SCRIPT`; returns the job id."""
    out = _slurm("sbatch", "--parsable", *options, str(script), what=f"submit {script}")
    return out.strip().split(";")[0]


def release(job_id: str) -> None:
    """Let a job submitted with `--hold` start."""
    _slurm("scontrol", "release", job_id, what=f"release job {job_id}")


def cancel(job_id: str) -> None:
    """`scancel` a job (every task of an array)."""
    _slurm("scancel", job_id, what=f"cancel job {job_id}")


def job_states(job_id: str) -> dict[int, str]:
    """State (PENDING, RUNNING, COMPLETED, FAILED, ...) of each task of an array job that squeue still lists
    (finished ones stay for the cluster's MinJobAge); a plain job is task 0."""
    try:
        argv = ("squeue", "--array", "--jobs", job_id, "--states=all", "--noheader", "--format=%K %T")
        out = _slurm(*argv, what="squeue")
    except PrevsteerError as exc:
        if "Invalid job id" in str(exc):  # finished longer than MinJobAge ago
            return {}
        raise
    states = {}
    for line in out.splitlines():
        task, _, state = line.strip().partition(" ")
        states[int(task) if task.isdigit() else 0] = state
    return states


def queue_states() -> dict[str, str]:
    """State of every job squeue still lists (finished ones stay for the cluster's MinJobAge), by job id; an array
    task's id is `ARRAYJOB_TASK`, as `SLURM_ARRAY_JOB_ID` and `SLURM_ARRAY_TASK_ID` name it inside the job."""
    out = _slurm("squeue", "--array", "--states=all", "--noheader", "--format=%i %T", what="squeue")
    return dict(line.split(maxsplit=1) for line in out.splitlines() if len(line.split()) == 2)


LIVE_STATES = ("PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
               "RESIZING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT")  # fmt: skip
