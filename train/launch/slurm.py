"""SLURM job arrays: render readable batch scripts from slurm/prevsteer.sbatch, submit them, read their state.

One script is one job array of tasks of the same resource shape; task i runs line i+1 of its tasks file (the run
folder, then the prevsteer arguments, shell-quoted). Arrays longer than the cluster's MaxArraySize are split into
several scripts. Every rendering writes new files (`NAME.sbatch`, then `NAME.1.sbatch`, ...): the tasks file of a
submitted array is never rewritten while its tasks wait, run or are requeued. The template's `{{field}}` placeholders
are filled here; every `$VARIABLE` in it is left for the job to expand, so nothing of the submitting shell's
environment is baked into the script.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from train.errors import PrevsteerError
from train.launch.launch_settings import ResourceShape
from train.resources import shipped_slurm
from train.rundir import NOTICE_FILE

TEMPLATE = shipped_slurm("prevsteer.sbatch")
DEFAULT_MAX_ARRAY_SIZE = 1001  # SLURM's default MaxArraySize
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_PLAIN_PATH = re.compile(r"^[\w./+@:,=-]+$")  # usable unquoted in an #SBATCH line


def render(template: str, fields: dict[str, str], source: Path = TEMPLATE) -> str:
    """Fill `{{name}}` placeholders; an unknown name is an error, not a silently empty field."""

    def fill(match: re.Match) -> str:
        if match.group(1) not in fields:
            raise PrevsteerError(f"{source}: unknown field {{{{{match.group(1)}}}}}; known: {sorted(fields)}")
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
    """The optional #SBATCH lines of a shape (those a cluster without GPUs, partitions or accounts must not get),
    then the site's own (`directives`: qos, constraint, exclusive, reservation, mail, ...)."""
    lines = [f"#SBATCH --gpus-per-node={shape.gpus_per_node}"] if shape.gpus_per_node else []
    lines += [f"#SBATCH --partition={shape.partition}"] if shape.partition else []
    lines += [f"#SBATCH --account={shape.account}"] if shape.account else []
    lines += [f"#SBATCH --mem={shape.mem}"] if shape.mem is not None else []
    lines += [f"#SBATCH {option}" for option in shape.directives]
    return "\n".join(lines)


def _fresh_stem(out_dir: Path, stem: str) -> str:
    """STEM, or STEM.1, STEM.2, ...: the first whose tasks file did not exist; it is created here (exclusively, so two
    submissions at once get two names)."""
    for number in range(10_000):
        candidate = stem if number == 0 else f"{stem}.{number}"
        try:
            os.close(os.open(out_dir / f"{candidate}.tasks", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        except FileExistsError:
            continue
        return candidate
    raise PrevsteerError(f"{out_dir}: no free name for {stem}.N.tasks")


def render_array(
    tasks: Sequence[Sequence[str]],
    shape: ResourceShape,
    out_dir: Path,
    name: str,
    max_parallel: int | None = None,
    max_array_size: int = DEFAULT_MAX_ARRAY_SIZE,
    workdir: Path | None = None,
    run_dirs: Sequence[Path] | None = None,
    template: Path | None = None,
) -> list[Path]:
    """Write one batch script (+ tasks file) per chunk of at most `max_array_size` tasks into `out_dir` (SLURM's
    MaxArraySize: array indices 0 .. MaxArraySize - 1).

    Each task is the argument list of one prevsteer command (e.g. ["train", RECIPE, "--output-dir", DIR]), run
    under torchrun on `shape`, or a sweep point (["sweep", "point", SWEEP_DIR, ID]) that starts its training with
    the same torchrun command line; `run_dirs` are the tasks' run folders (default: each task's --output-dir).
    At most `max_parallel` tasks of a script run at once. Task logs go to `out_dir/logs/`. Scripts run in
    `workdir` (default: the current directory, where relative paths in the tasks were meant). `template`: a site's
    own copy of slurm/prevsteer.sbatch. Returns the scripts (new files, never an earlier submission's), in task
    order.
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
    source = template or TEMPLATE
    try:
        text = source.read_text()
    except OSError as exc:
        raise PrevsteerError(f"--template {source}: {exc.strerror}") from None
    log_dir.mkdir(parents=True, exist_ok=True)
    scripts = []
    for number, chunk in enumerate(chunks):
        stem = name if len(chunks) == 1 else f"{name}-{number}"
        files = _fresh_stem(out_dir, stem)
        tasks_file = out_dir / f"{files}.tasks"
        tasks_file.write_text("".join(line + "\n" for line in chunk))
        array = f"0-{len(chunk) - 1}" + (f"%{max_parallel}" if max_parallel else "")
        fields = {
            "name": stem,
            "array": array,
            "nodes": str(shape.nodes),
            "cpus_per_node": str(shape.cpus_per_node),
            "time": shape.time,
            "signal_seconds": str(shape.signal_seconds),
            "max_requeues": str(shape.max_requeues),
            "log_dir": str(log_dir),
            "extra_directives": directives(shape),
            "setup": "\n".join(shape.setup),
            "notice_file": NOTICE_FILE,
            "workdir": shlex.quote(str((workdir or Path.cwd()).resolve())),
            "python": shlex.quote(sys.executable),
            "processes_per_node": str(shape.processes),
            "tasks_file": shlex.quote(str(tasks_file)),
        }
        script = out_dir / f"{files}.sbatch"
        script.write_text(render(text, fields, source))
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


def cancel(*job_ids: str) -> None:
    """`scancel` jobs (an array's id: every task of it; `ARRAY_TASK`: that task)."""
    if job_ids:
        _slurm("scancel", *job_ids, what=f"cancel job(s) {' '.join(job_ids)}")


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


def queue_states(jobs: Sequence[str]) -> dict[str, str]:
    """State of the given jobs (and every task of the given arrays; `ARRAY_TASK` ids ask for their array) as squeue
    still lists them (finished ones stay for the cluster's MinJobAge), by job id; an array task's id is
    `ARRAYJOB_TASK`, as `SLURM_ARRAY_JOB_ID` and `SLURM_ARRAY_TASK_ID` name it inside the job. Only these jobs are
    asked for: on a real cluster the whole queue is long, and the answer would hold other users' jobs."""
    ids = sorted({job.split("_")[0] for job in jobs if job and job.split("_")[0].isdigit()})
    if not ids:
        return {}
    argv = ("squeue", "--array", "--states=all", "--noheader", "--format=%i %T", f"--jobs={','.join(ids)}")
    try:
        out = _slurm(*argv, what="squeue")
    except PrevsteerError as exc:
        if "Invalid job id" in str(exc):  # all of them finished longer than MinJobAge ago
            return {}
        raise
    states = dict(line.split(maxsplit=1) for line in out.splitlines() if len(line.split()) == 2)
    # An array whose tasks all ended before any started is listed as one line, ARRAYJOB: its tasks share that state.
    for job in jobs:
        if job not in states and job.split("_")[0] in states:
            states[job] = states[job.split("_")[0]]
    return states


LIVE_STATES = (
    "PENDING",
    "RUNNING",
    "CONFIGURING",
    "COMPLETING",
    "REQUEUED",
    "REQUEUE_HOLD",
    "REQUEUE_FED",
    "RESIZING",
    "SUSPENDED",
    "STOPPED",
    "SIGNALING",
    "STAGE_OUT",
)


def seconds(time: str) -> float:
    """A SLURM time (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS; UNLIMITED/infinite) in seconds."""
    if time.strip().lower() in ("infinite", "unlimited"):
        return float("inf")
    days, _, clock = time.strip().rpartition("-")
    parts = [int(p) for p in clock.split(":")]
    if days:  # D-HH[:MM[:SS]]
        hours, minutes, secs = [*parts, 0, 0][:3]
    elif len(parts) == 3:  # HH:MM:SS
        hours, minutes, secs = parts
    else:  # MM, MM:SS
        hours, (minutes, secs) = 0, [*parts, 0][:2]
    return ((int(days or 0) * 24 + hours) * 60 + minutes) * 60 + secs


def _megabytes(mem: str) -> float:
    """--mem's value (default unit MB; K, M, G, T suffixes) in MB."""
    match = re.fullmatch(r"(\d+)([KMGT]?)B?", mem.strip().upper())
    assert match is not None  # the caller passes only sizes of this form
    number, unit = match.groups()
    return int(number) * {"K": 1 / 1024, "": 1, "M": 1, "G": 1024, "T": 1024 * 1024}[unit]


def _gpus(gres: str) -> int:
    """The GPU count of a node's GRES (`gpu:4`, `gpu:a100:4(S:0-1)`, several comma-separated), 0 without."""
    found = re.findall(r"(?:^|,)gpu(?::[\w.-]+)?:(\d+)", gres)
    return sum(int(n) for n in found)


def check_satisfiable(shape: ResourceShape, where: str) -> None:
    """Refuse before anything is submitted a request no node of the partition can meet: more CPUs, GPUs or memory
    per node than any of its nodes has (sinfo), or a time above its MaxTime. `where` names the fields in the error:
    `--` for command-line options, else a settings path such as `launcher.slurm`. Without sinfo nothing is
    checked (sbatch then says what it finds)."""
    if shutil.which("sinfo") is None:
        return
    try:
        out = _slurm("sinfo", "--noheader", "--format=%P|%c|%G|%m|%l", what="sinfo")
    except PrevsteerError:
        return
    rows = [line.split("|") for line in out.splitlines() if line.count("|") == 4]
    default = next((row[0].rstrip("*") for row in rows if row[0].endswith("*")), None)
    partition = shape.partition or default
    mine = [row for row in rows if row[0].rstrip("*") == partition]

    def name(field: str) -> str:
        return f"--{field.replace('_', '-')}" if where == "--" else f"{where}.{field}"

    if not mine:
        allowed = sorted({row[0].rstrip("*") for row in rows})
        raise PrevsteerError(f"{name('partition')}: no partition {partition!r} on this cluster; allowed: {allowed}")

    def most(values: list[str]) -> float:
        return max(float(v.rstrip("+")) for v in values if v.rstrip("+").replace(".", "", 1).isdigit())

    cpus = most([row[1] for row in mine])
    gpus = max(_gpus(row[2]) for row in mine)
    memory = most([row[3] for row in mine])
    limit = min(seconds(row[4]) for row in mine)
    what = f"the nodes of partition {partition}"
    if shape.cpus_per_node > cpus:
        raise PrevsteerError(
            f"{name('cpus_per_node')}: {shape.cpus_per_node} CPUs per node, but {what} have at most {cpus:g}"
        )
    if shape.gpus_per_node > gpus:
        raise PrevsteerError(
            f"{name('gpus_per_node')}: {shape.gpus_per_node} GPUs per node, but {what} have at most {gpus}"
        )
    mem = shape.mem
    if mem not in (None, "0") and re.fullmatch(r"\d+[KMGT]?B?", mem.upper()) and _megabytes(mem) > memory:
        raise PrevsteerError(f"{name('mem')}: {shape.mem} per node, but {what} have at most {memory:g} MB")
    if seconds(shape.time) > limit:
        maxtime = next(row[4] for row in mine if seconds(row[4]) == limit)
        raise PrevsteerError(f"{name('time')}: {shape.time} is above partition {partition}'s MaxTime ({maxtime})")


def accounted_states(jobs: Sequence[str]) -> dict[str, str]:
    """Each given job's (and array task's) final state as SLURM accounting recorded it (sacct): COMPLETED, FAILED,
    TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, PREEMPTED, CANCELLED, ... by job id (`ARRAYJOB_TASK` for array tasks). Raises
    PrevsteerError where the cluster keeps no accounting."""
    ids = sorted({job.split("_")[0] for job in jobs if job and job.split("_")[0].isdigit()})
    if not ids:
        return {}
    argv = ("sacct", "--noheader", "--parsable2", "--allocations", "--format=JobID,State", f"--jobs={','.join(ids)}")
    out = _slurm(*argv, what="sacct")
    rows = [line.split("|") for line in out.splitlines() if line.count("|") == 1]
    return {job: state.split()[0] for job, state in rows if state.strip()}  # "CANCELLED by 0": CANCELLED
