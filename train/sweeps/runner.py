"""Running a sweep's points: resumable, one claim per point, failures recorded while the others go on.

Layout of SWEEP_DIR: `sweep.json` (the spec and its points), `points/<id>.yaml` (each point's resolved recipe),
`points/<id>.json` (its state: status, attempts, job id, elapsed, error), `points/<id>.lock` (the claim: an
flock held by the process running the point, and by its trainer, so it vanishes with them), `runs/<id>/` (the
run directory), `posthoc/<id>-<hash>/` (post-hoc steering of a plain point's final model), `logs/<id>.log`.

`prevsteer sweep point SWEEP_DIR ID` runs one point: it claims it (or leaves it to the invocation holding the
claim), skips it when its run completed, resumes it from its last checkpoint when there is one, and starts it
over otherwise (a started run without a checkpoint is moved to `discarded/`, never deleted). Launchers run
these commands: lanes on this machine (train/sweeps/local.py) or SLURM job arrays (train.launch.slurm, rendered
into `slurm/`), one per resource shape, whose tasks start the training with the batch script's srun + torchrun
command line (`PREVSTEER_LAUNCHER`). A preemption notice (USR1) is passed on to the training, which stops at a
checkpoint; the point is then `preempted` and its command exits with 75, so the batch script requeues it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from train.console import say
from train.errors import PrevsteerError
from train.files import now, read_json, write_json
from train.launch import slurm
from train.launch.settings import ResourceShape
from train.models.rundir import RunDir
from train.sweeps import records
from train.sweeps.local import Job, lane_envs, run_lanes
from train.sweeps.spec import SweepSpec, expand, load_spec
from train.training.recipe import dump_recipe

# The batch script's distributed launch command line (shell-quoted words), when a SLURM array task runs a point.
LAUNCHER_VARIABLE = "PREVSTEER_LAUNCHER"

STATUSES = ("queued", "running", "completed", "failed", "preempted")


@dataclass
class SweepDir:
    """The files of one sweep, by what they are."""

    root: Path

    @property
    def manifest(self) -> Path:
        return self.root / "sweep.json"

    def recipe(self, point: str) -> Path:
        return self.root / "points" / f"{point}.yaml"

    def state_file(self, point: str) -> Path:
        return self.root / "points" / f"{point}.json"

    def lock(self, point: str) -> Path:
        return self.root / "points" / f"{point}.lock"

    def run_dir(self, point: str) -> Path:
        return self.root / "runs" / point

    def log(self, point: str) -> Path:
        return self.root / "logs" / f"{point}.log"

    def posthoc_dir(self, point: str) -> Path | None:
        """Where the post-hoc sweep of a plain point goes (None when the sweep has none, or the point is not plain)."""
        posthoc = read_json(self.manifest).get("posthoc")
        entry = self.entry(point)
        if not posthoc or not entry["plain"]:
            return None
        return self.root / "posthoc" / f"{point}-{posthoc['hash']}"

    def points(self) -> list[dict[str, Any]]:
        return read_json(self.manifest).get("points", [])

    def entry(self, point: str) -> dict[str, Any]:
        found = next((p for p in self.points() if p["id"] == point), None)
        if found is None:
            raise PrevsteerError(f"{self.manifest}: no point {point!r}")
        return found

    def state(self, point: str) -> dict[str, Any]:
        return {"status": "queued", "attempts": 0, "elapsed_s": 0.0, **read_json(self.state_file(point))}

    def done(self, point: str) -> bool:
        """The run completed and, for a plain point of a sweep with a post-hoc block, its post-hoc sweep too."""
        if RunDir(self.run_dir(point)).status != "completed":
            return False
        folder = self.posthoc_dir(point)
        return folder is None or records.posthoc_rows(folder) is not None

    def claimed(self, point: str) -> bool:
        """Another process holds this point's claim right now."""
        with claim(self.lock(point)) as fd:
            return fd is None


@contextlib.contextmanager
def claim(path: Path) -> Iterator[int | None]:
    """An exclusive, non-blocking flock on `path`: yields its file descriptor, or None when another process holds
    it. The kernel drops it when every process holding the descriptor ends, so a killed run leaves no stale claim."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield fd
    finally:
        os.close(fd)


def default_sweep_dir(spec: SweepSpec, spec_path: Path) -> Path:
    return Path("runs") / "sweeps" / (spec.name or spec_path.stem)


def write_manifest(sweep: SweepDir, spec: SweepSpec, spec_path: Path, points: list) -> None:
    """`sweep.json` and every point's resolved recipe (unchanged files are left as they are)."""
    posthoc = None
    if spec.posthoc is not None:
        settings = spec.posthoc.model_dump(mode="json")
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]
        posthoc = {**settings, "hash": digest}
    manifest = {
        "name": spec.name or spec_path.stem,
        "spec": str(spec_path.resolve()),
        "written": now(),
        "launcher": spec.launcher.model_dump(mode="json"),
        "posthoc": posthoc,
        "points": [point.record() for point in points],
    }
    sweep.root.mkdir(parents=True, exist_ok=True)
    with (sweep.root / "sweep.lock").open("w") as lock:  # two invocations starting at once write one at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        for point in points:
            path = sweep.recipe(point.id)
            text = dump_recipe(point.recipe)
            if not path.is_file() or path.read_text() != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
        write_json(sweep.manifest, manifest)


def job_id() -> str:
    """The SLURM job (array task) running this process, else this host and process."""
    array = os.environ.get("SLURM_ARRAY_JOB_ID")
    if array:
        return f"{array}_{os.environ.get('SLURM_ARRAY_TASK_ID', '')}"
    return os.environ.get("SLURM_JOB_ID") or f"local:{socket.gethostname()}:{os.getpid()}"


def train_command(recipe: Path, run_dir: Path, resume: bool) -> list[str]:
    """`prevsteer train` for one point: under the batch script's launcher in a SLURM task (srun + torchrun over
    its nodes), else torchrun across the GPUs this process was given when it has several."""
    args = ["train", str(recipe), "--output-dir", str(run_dir), *(["--resume"] if resume else [])]
    launcher = os.environ.get(LAUNCHER_VARIABLE)
    if launcher:
        return [*shlex.split(launcher), "-m", "train.cli", *args]
    gpus = [g for g in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if g.strip()]
    if len(gpus) > 1:
        port = os.environ.get("MASTER_PORT", "29500")
        launcher = ["-m", "torch.distributed.run", f"--nproc-per-node={len(gpus)}", f"--master-port={port}"]
        return [sys.executable, *launcher, "-m", "train.cli", *args]
    return [sys.executable, "-m", "train.cli", *args]


def posthoc_command(sweep: SweepDir, point: str, folder: Path) -> list[str]:
    """`prevsteer eval` of a plain point's final model under the sweep's post-hoc steering."""
    posthoc = read_json(sweep.manifest)["posthoc"]
    layers = "all" if posthoc["layers"] == "all" else ",".join(map(str, posthoc["layers"]))
    args = ["eval", "--model", str(sweep.run_dir(point)), "--recipe", str(sweep.recipe(point))]
    args += ["--posthoc-vector", posthoc["vector"], "--posthoc-layers", layers]
    args += ["--posthoc-coefficients", ",".join(f"{a:g}" for a in posthoc["coefficients"])]
    args += ["--out", str(folder), "--force", *(["--incremental"] if posthoc["incremental"] else [])]
    return [sys.executable, "-m", "train.cli", *args]


class _Child:
    """Child processes run one at a time; SIGTERM/SIGINT to us is passed on to the running one (a job cancelled,
    Ctrl-C, a lane stopped), and so is SIGUSR1 (SLURM's preemption notice: the training stops at its next
    checkpoint). Either one, once it came, keeps the next child from starting. Use it as a context manager: the
    signals are caught for that long (a notice before any child is started is kept, not USR1's default exit)."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1)

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.stopped = False
        self.noticed = False
        self._previous: dict = {}

    def __enter__(self) -> _Child:
        self._previous = {s: signal.signal(s, self._forward) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)

    def _forward(self, signum, _frame) -> None:
        if signum == signal.SIGUSR1:
            self.noticed = True
        else:
            self.stopped = True
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)

    def run(self, command: list[str], log: Path, keep_fd: int) -> int:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as handle:
            handle.write(f"\n=== {now()} {' '.join(command)}\n")
            handle.flush()
            if self.stopped or self.noticed:  # stopped before the child could start: do not start it
                return -signal.SIGTERM
            # the claim's descriptor goes with the child: a trainer outliving us still holds the point
            self.process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, pass_fds=(keep_fd,))
            if self.stopped or self.noticed:  # a signal came while it was being started, before its handlers
                self.process.terminate()
            return self.process.wait()


def _last_line(log: Path) -> str:
    """The last one-line error the command gave (launchers such as torchrun and srun add their own lines after
    it), else the log's last line."""
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()] if log.is_file() else []
    errors = [line for line in lines if line.startswith("prevsteer: error: ")]
    return (errors or lines or ["(no output)"])[-1][:500]


def run_point(sweep_dir: Path, point: str, rerun_failed: bool = False) -> str:
    """Run one point under its claim; returns what became of it (completed, failed, preempted, skipped: ...)."""
    sweep = SweepDir(sweep_dir)
    sweep.entry(point)  # a known point
    with _Child() as child, claim(sweep.lock(point)) as fd:
        if fd is None:
            return "skipped: claimed by another invocation"
        state = sweep.state(point)
        if sweep.done(point):
            if state["status"] != "completed":
                write_json(sweep.state_file(point), {**state, "status": "completed"})
            return "skipped: completed"
        if state["status"] == "failed" and not rerun_failed:
            return "skipped: failed (pass --rerun-failed to retry)"
        started = time.monotonic()
        state.update(status="running", attempts=state["attempts"] + 1, started=now(), job_id=job_id(), error=None)
        write_json(sweep.state_file(point), state)
        status, error = _attempt(sweep, point, fd, child)
        elapsed = state["elapsed_s"] + time.monotonic() - started
        write_json(sweep.state_file(point), {**state, "status": status, "finished": now(), "elapsed_s": elapsed,
                                             "error": error})  # fmt: skip
        return status


def _attempt(sweep: SweepDir, point: str, fd: int, child: _Child) -> tuple[str, str | None]:
    run_dir, log = sweep.run_dir(point), sweep.log(point)
    before = RunDir(run_dir)
    if before.status != "completed":
        resume = before.resumable()
        if run_dir.exists() and not resume:  # started, never checkpointed: start over, keeping what it wrote
            previous = sweep.state(point)["attempts"] - 1  # the attempt that wrote it (this one is counted already)
            run_dir.rename(_free(sweep.root / "discarded" / f"{point}.attempt{previous}"))
        code = child.run(train_command(sweep.recipe(point), run_dir, resume), log, fd)
        if child.stopped:
            return "preempted", f"stopped by a signal (exit {code})"
        after = RunDir(run_dir)  # run.json as the training left it, read once
        if after.status == "preempted":
            return "preempted", f"preemption notice: stopped at {after.record.get('checkpoint')}"
        if child.noticed and after.status != "completed":
            return "preempted", f"preemption notice before the training stopped at a checkpoint (exit {code})"
        if code != 0 or after.status != "completed":
            return "failed", f"train exit {code}: {_last_line(log)}"
    folder = sweep.posthoc_dir(point)
    if folder is not None and records.posthoc_rows(folder) is None:
        code = child.run(posthoc_command(sweep, point, folder), log, fd)
        if child.stopped or child.noticed:
            return "preempted", f"stopped by a signal during the post-hoc evaluation (exit {code})"
        if code != 0:
            return "failed", f"post-hoc eval exit {code}: {_last_line(log)}"
    return "completed", None


def _free(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = path, 1
    while candidate.exists():
        candidate, n = path.with_name(f"{path.name}.{n}"), n + 1
    return candidate


def point_status(sweep: SweepDir, point: str) -> str:
    """The state as recorded, except that a point recorded as running whose claim nobody holds was interrupted."""
    status = sweep.state(point)["status"]
    if status == "running" and not sweep.claimed(point):
        return "preempted"
    return status


def planned(sweep: SweepDir, point: str) -> str:
    """What running the point would do, from its run directory alone (for --dry-run)."""
    run_dir = sweep.run_dir(point)
    run = RunDir(run_dir)
    if run.status == "completed":
        return "completed, skipped"
    return "resume from its last checkpoint" if run.resumable() else "start"


def pending(sweep: SweepDir, rerun_failed: bool) -> list[str]:
    """The points a run would start or resume: not done, not claimed elsewhere, not failed unless retried."""
    out = []
    for entry in sweep.points():
        point = entry["id"]
        if sweep.done(point) or sweep.claimed(point):
            continue
        if point_status(sweep, point) == "failed" and not rerun_failed:
            continue
        out.append(point)
    return out


def _local(sweep: SweepDir, points: list[str], spec: SweepSpec, rerun_failed: bool) -> None:
    settings = spec.launcher
    envs = lane_envs(settings.lanes, settings.gpus_per_lane, settings.port)
    extra = ["--rerun-failed"] if rerun_failed else []

    def job(point: str) -> Job:
        args = ["sweep", "point", str(sweep.root), point, *extra]
        return Job(point, args, finished=lambda: sweep.done(point) or sweep.claimed(point))

    run_lanes([job(p) for p in points], sweep.root / "logs" / "lanes", envs, title=f"sweep {sweep.root.name}")


def shape_of(sweep: SweepDir, spec: SweepSpec, point: str) -> ResourceShape:
    """The resources one point's array task asks for (`launcher.slurm`, or a `launcher.shapes` rule's)."""
    return spec.launcher.shape_for(yaml.safe_load(sweep.recipe(point).read_text()))


def render_slurm(
    sweep: SweepDir, points: list[str], spec: SweepSpec, rerun_failed: bool
) -> list[tuple[Path, list[str]]]:
    """One job array per resource shape (split below the cluster's MaxArraySize), rendered into `SWEEP_DIR/slurm/`:
    task i of a script runs `prevsteer sweep point SWEEP_DIR ID`, whose run folder is `runs/ID`. Returns each
    script with the points it runs, in task order."""
    extra = ["--rerun-failed"] if rerun_failed else []
    groups: dict[str, tuple[ResourceShape, list[str]]] = {}
    for point in points:
        shape = shape_of(sweep, spec, point)
        groups.setdefault(shape.model_dump_json(), (shape, []))[1].append(point)
    size = slurm.max_array_size() if shutil.which("scontrol") else slurm.DEFAULT_MAX_ARRAY_SIZE
    name = re.sub(r"[^\w.-]", "_", sweep.root.name)
    out = []
    for number, (shape, group) in enumerate(groups.values()):
        tasks = [["sweep", "point", str(sweep.root), point, *extra] for point in group]
        stem = name if len(groups) == 1 else f"{name}-shape{number}"
        run_dirs = [sweep.run_dir(point) for point in group]
        scripts = slurm.render_array(tasks, shape, sweep.root / "slurm", stem, spec.launcher.max_parallel, size,
                                     run_dirs=run_dirs)  # fmt: skip
        out += zip(scripts, [group[start : start + size] for start in range(0, len(group), size)], strict=True)
    return out


def queued_elsewhere(sweep: SweepDir, points: list[str]) -> list[str]:
    """The points whose recorded SLURM task squeue still lists as waiting or running: already submitted."""
    jobs = slurm.queue_states()
    return [p for p in points if jobs.get(sweep.state(p).get("job_id") or "") in slurm.LIVE_STATES]


def _slurm(sweep: SweepDir, points: list[str], spec: SweepSpec, rerun_failed: bool) -> None:
    """Submit the points not already queued, held until each is recorded `queued` with its array task's job id
    (so a task that starts at once finds its record, and overwrites it, not the other way round)."""
    queued = queued_elsewhere(sweep, points)
    if queued:
        say(f"sweep: {len(queued)} point(s) already queued or running in SLURM: {', '.join(queued)}")
    todo = [p for p in points if p not in queued]
    for script, group in render_slurm(sweep, todo, spec, rerun_failed) if todo else []:
        job = slurm.submit(script, "--hold")
        try:
            for index, point in enumerate(group):
                state = sweep.state(point)
                write_json(sweep.state_file(point), {**state, "status": "queued", "job_id": f"{job}_{index}",
                                                     "submitted": now(), "error": None})  # fmt: skip
        except BaseException:  # nobody would ever release it: a held array must not outlive this run
            slurm.cancel(job)
            raise
        slurm.release(job)
        say(f"sweep: submitted job {job}: {len(group)} point(s) ({script})")


LAUNCHERS = {"local": _local, "slurm": _slurm}


def run_sweep(
    spec_path: Path,
    sweep_dir: Path | None = None,
    launcher: str | None = None,
    overrides: list[str] = (),
    dry_run: bool = False,
    rerun_failed: bool = False,
) -> tuple[SweepDir, list[str], list[Path]]:
    """Expand the spec, record it, and launch the points still to run; returns the sweep, those points (with
    --dry-run: what would happen to each) and, for a SLURM dry run, the batch scripts written but not submitted."""
    spec = load_spec(spec_path)
    if launcher is not None:
        spec = spec.model_copy(update={"launcher": spec.launcher.model_copy(update={"kind": launcher})})
    if spec.posthoc is not None:
        vector = (spec_path.resolve().parent / spec.posthoc.vector).resolve()
        if not vector.is_file():
            raise PrevsteerError(f"{spec_path}: posthoc.vector: file not found: {vector}")
        spec = spec.model_copy(update={"posthoc": spec.posthoc.model_copy(update={"vector": str(vector)})})
    points = expand(spec, spec_path, list(overrides))
    sweep = SweepDir((sweep_dir or default_sweep_dir(spec, spec_path)).resolve())
    if dry_run and spec.launcher.kind != "slurm":
        return sweep, [f"{p.id}: {planned(sweep, p.id)}" for p in points], []
    write_manifest(sweep, spec, spec_path, points)
    todo = pending(sweep, rerun_failed)
    if dry_run:  # slurm: the scripts are written (with the sweep they run), nothing is submitted
        scripts = render_slurm(sweep, todo, spec, rerun_failed) if todo else []
        return sweep, [f"{p}: {planned(sweep, p)}" for p in todo], [script for script, _ in scripts]
    if todo:
        LAUNCHERS[spec.launcher.kind](sweep, todo, spec, rerun_failed)
    return sweep, todo, []
