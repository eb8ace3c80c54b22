"""Running a sweep's points: resumable, one claim per point, failures recorded while the others go on.

Layout of SWEEP_DIR: `sweep.json` (the spec and its points), `points/<id>.yaml` (each point's resolved recipe),
`points/<id>.json` (its state: status, attempts, job id, elapsed, error), `points/<id>.lock` (the claim: an
flock held by the process running the point, and by its trainer, naming its holder: train/sweeps/claims.py),
`runs/<id>/` (the
run directory), `posthoc/<id>-<hash>/` (post-hoc steering of a plain point's final model), `logs/<id>.log`.

`prevsteer sweep point SWEEP_DIR ID` runs one point: it claims it (or leaves it to the invocation holding the
claim), skips it when its run completed, resumes it from its last checkpoint when there is one, and starts it
over otherwise (a started run without a checkpoint is moved to `discarded/`, never deleted). Launchers run
these commands: lanes on this machine (train/sweeps/local.py) or SLURM job arrays (train.launch.slurm, rendered
into `slurm/`), one per resource shape, whose tasks start the training with the batch script's srun + torchrun
command line (`PREVSTEER_LAUNCHER`). A preemption notice (USR1) is passed on to the training, which stops at a
checkpoint; the point is then `preempted` and its command exits with 75, so the batch script requeues it, at most
`launcher.slurm.max_requeues` times (`PREVSTEER_MAX_REQUEUES`): a point preempted again after that many is failed,
with the reason (`--rerun-failed` resumes it).
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from train.console import say, warn
from train.errors import PrevsteerError
from train.files import append_jsonl, free_path, now, read_json, write_json
from train.launch import slurm
from train.launch.launch_settings import ResourceShape
from train.rundir import RunDir
from train.sweeps import claims, records
from train.sweeps.local import Job, lane_envs, run_lanes
from train.sweeps.spec import SweepSpec, expand, load_spec
from train.sweeps.sweep_settings import SweepRunSettings
from train.training.recipe import dump_recipe

# The batch script's distributed launch command line (shell-quoted words), when a SLURM array task runs a point.
LAUNCHER_VARIABLE = "PREVSTEER_LAUNCHER"
# How often the batch script requeues a preempted task (launcher.slurm.max_requeues).
MAX_REQUEUES_VARIABLE = "PREVSTEER_MAX_REQUEUES"

STATUSES = ("queued", "running", "completed", "failed", "preempted", "cancelled")


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

    @property
    def submissions(self) -> Path:
        """One line per SLURM job a `sweep run` submitted: job id, what (points or compare), script, when."""
        return self.root / "slurm" / "submitted.jsonl"

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
        """Another process holds this point's claim right now (a read-only probe)."""
        return claims.holder_of(self.lock(point)) is not None


def default_sweep_dir(spec: SweepSpec, spec_path: Path) -> Path:
    return Path("runs") / "sweeps" / (spec.name or spec_path.stem)


def live_points(sweep: SweepDir, points: list[str]) -> list[str]:
    """The points still running or waiting: claimed now, or recorded queued or running under a SLURM task that
    squeue lists as waiting or running."""
    states = {point: sweep.state(point) for point in points}
    recorded = [state.get("job_id") or "" for state in states.values() if state["status"] in ("queued", "running")]
    queue = slurm.queue_states(recorded) if recorded and shutil.which("squeue") else {}

    def waiting(state: dict[str, Any]) -> bool:
        return state["status"] in ("queued", "running") and queue.get(state.get("job_id") or "") in slurm.LIVE_STATES

    return [point for point, state in states.items() if sweep.claimed(point) or waiting(state)]


def write_manifest(sweep: SweepDir, spec: SweepSpec, spec_path: Path, points: list, merge: bool = False) -> None:
    """`sweep.json` and every point's resolved recipe (unchanged files are left as they are). A sweep.json whose
    points still run or wait is never replaced under them: a spec whose points changed is refused then, unless
    `merge`, which keeps those points (marked `not_in_spec`) beside the new ones until they end."""
    posthoc = None
    if spec.posthoc is not None:
        settings = spec.posthoc.model_dump(mode="json")
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]
        posthoc = {**settings, "hash": digest}
    records = [point.record() for point in points]
    sweep.root.mkdir(parents=True, exist_ok=True)
    with (sweep.root / "sweep.lock").open("w") as lock:  # two invocations starting at once write one at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        ids = {point.id for point in points}
        before = sweep.points() if sweep.manifest.is_file() else []
        if {entry["id"] for entry in before} != ids:
            running = live_points(sweep, [entry["id"] for entry in before])
            if running and not merge:
                gone = len({entry["id"] for entry in before} - ids)
                raise PrevsteerError(
                    f"{spec_path}: its points changed ({len(ids - {e['id'] for e in before})} new, {gone} gone) while "
                    f"{len(running)} point(s) of {sweep.root} still run or wait ({', '.join(running[:3])}"
                    f"{', ...' if len(running) > 3 else ''}); wait for them, `prevsteer sweep cancel {sweep.root}`, "
                    "or pass --merge to keep them beside the new points"
                )
            records += [
                {**entry, "not_in_spec": True} for entry in before if entry["id"] in running and entry["id"] not in ids
            ]
        for point in points:
            path = sweep.recipe(point.id)
            text = dump_recipe(point.recipe)
            if not path.is_file() or path.read_text() != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
        manifest = {
            "name": spec.name or spec_path.stem,
            "spec": str(spec_path.resolve()),
            "written": now(),
            "launcher": spec.launcher.model_dump(mode="json"),
            "posthoc": posthoc,
            "points": records,
        }
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
        torchrun = ["-m", "torch.distributed.run", f"--nproc-per-node={len(gpus)}", f"--master-port={port}"]
        return [sys.executable, *torchrun, "-m", "train.cli", *args]
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

    def run(self, command: list[str], log: Path, keep_fd: int, env: dict[str, str] | None = None) -> int:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as handle:
            handle.write(f"\n=== {now()} {' '.join(command)}\n")
            handle.flush()
            if self.stopped or self.noticed:  # stopped before the child could start: do not start it
                return -signal.SIGTERM
            # the claim's descriptor goes with the child: a trainer outliving us still holds the point
            self.process = subprocess.Popen(
                command, stdout=handle, stderr=subprocess.STDOUT, pass_fds=(keep_fd,), env=env
            )
            if self.stopped or self.noticed:  # a signal came while it was being started, before its handlers
                self.process.terminate()
            return self.process.wait()


def arm_of(sweep: SweepDir, point: str) -> str:
    """The point's arm: its arm file's name where the grid has arms, else its recipe's name."""
    arm = sweep.entry(point)["varied"].get("arm")
    return Path(arm).stem if arm else str(yaml.safe_load(sweep.recipe(point).read_text())["name"])


def logger_env(sweep: SweepDir, point: str) -> dict[str, str]:
    """The training's environment: its W&B run grouped under the sweep (a group the user exported wins), the arm
    as job type, the point id as name; and `SWEEP_DIR/tensorboard/ARM/ID`, a link to its TensorBoard folder, so
    `tensorboard --logdir SWEEP_DIR/tensorboard` shows the sweep by arm. Both hold across requeues (one run id,
    one folder per point)."""
    arm = re.sub(r"[^\w.=-]", "_", arm_of(sweep, point))
    link = sweep.root / "tensorboard" / arm / point
    if not link.is_symlink():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(Path("..") / ".." / "runs" / point / "tensorboard")
    env = {**os.environ, "WANDB_NAME": point}
    env.setdefault("WANDB_RUN_GROUP", str(read_json(sweep.manifest).get("name") or sweep.root.name))
    env.setdefault("WANDB_JOB_TYPE", arm)
    return env


def _last_line(log: Path) -> str:
    """The last one-line error the command gave (launchers such as torchrun and srun add their own lines after
    it), else the log's last line."""
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()] if log.is_file() else []
    errors = [line for line in lines if line.startswith("prevsteer: error: ")]
    return (errors or lines or ["(no output)"])[-1][:500]


def run_point(sweep_dir: Path, point: str, rerun_failed: bool = False) -> str:
    """Run one point under its claim; returns what became of it (completed, failed, preempted, skipped: ...,
    retry: ... when a claim's holder cannot be told apart from a live one under SLURM: the task tries again later)."""
    sweep = SweepDir(sweep_dir)
    sweep.entry(point)  # a known point
    me = claims.whoami(job_id())
    with _Child() as child, claims.claim(sweep.lock(point), me) as fd:
        if fd is not None:
            return _run_claimed(sweep, point, fd, child, rerun_failed)
        holder = claims.holder_of(sweep.lock(point))
        if holder is None:  # released in between: another invocation ran it
            return "skipped: claimed by another invocation"
        gone = claims.holder_gone(holder, me)
        if gone is False or (gone is None and "SLURM_JOB_ID" not in os.environ):
            return f"skipped: claimed by {claims.describe(holder)}"
        if gone is None:
            return f"retry: claimed by {claims.describe(holder)}, which cannot be told to be running or gone"
        say(f"sweep: {point}: claimed by {claims.describe(holder)}, which is gone: taking the point over")
        with claims.take_over(sweep.lock(point), me) as taken:
            return _run_claimed(sweep, point, taken, child, rerun_failed)


def _run_claimed(sweep: SweepDir, point: str, fd: int, child: _Child, rerun_failed: bool) -> str:
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
    cap = os.environ.get(MAX_REQUEUES_VARIABLE)
    requeues = int(os.environ.get("SLURM_RESTART_COUNT") or 0)
    if status == "preempted" and cap is not None and requeues >= int(cap):
        error = f"preempted after {requeues} requeue(s), launcher.slurm.max_requeues ({cap}) reached: {error}"
        status = "failed"  # the run stays resumable: --rerun-failed continues it from its checkpoint
    if sweep.state(point)["status"] == "cancelled":  # `sweep cancel` said so while it ran: it stays cancelled
        status, error = "cancelled", sweep.state(point).get("error")
    elapsed = state["elapsed_s"] + time.monotonic() - started
    write_json(
        sweep.state_file(point), {**state, "status": status, "finished": now(), "elapsed_s": elapsed, "error": error}
    )
    return status


def _attempt(sweep: SweepDir, point: str, fd: int, child: _Child) -> tuple[str, str | None]:
    run_dir, log = sweep.run_dir(point), sweep.log(point)
    before = RunDir(run_dir)
    if before.status != "completed":
        resume = before.resumable()
        recorded = dict(before.record)  # run.json as an earlier attempt left it
        if not before.is_empty() and not resume:  # started, never checkpointed: start over, keeping what it wrote
            previous = sweep.state(point)["attempts"] - 1  # the attempt that wrote it (this one is counted already)
            run_dir.rename(free_path(sweep.root / "discarded" / f"{point}.attempt{previous}"))
        code = child.run(train_command(sweep.recipe(point), run_dir, resume), log, fd, logger_env(sweep, point))
        if child.stopped:
            return "preempted", f"stopped by a signal (exit {code})"
        after = RunDir(run_dir)  # run.json as the training left it, read once
        if after.status == "preempted" and after.record != recorded:  # this attempt stopped it (not an earlier one)
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
        if entry.get("not_in_spec") or sweep.done(point) or sweep.claimed(point):
            continue
        if point_status(sweep, point) == "failed" and not rerun_failed:
            continue
        out.append(point)
    return out


def _local(sweep: SweepDir, points: list[str], spec: SweepSpec, rerun_failed: bool, **_: Any) -> None:
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
    sweep: SweepDir, points: list[str], spec: SweepSpec, rerun_failed: bool, template: Path | None = None
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
    out: list[tuple[Path, list[str]]] = []
    for number, (shape, group) in enumerate(groups.values()):
        tasks = [["sweep", "point", str(sweep.root), point, *extra] for point in group]
        stem = name if len(groups) == 1 else f"{name}-shape{number}"
        run_dirs = [sweep.run_dir(point) for point in group]
        scripts = slurm.render_array(
            tasks,
            shape,
            sweep.root / "slurm",
            stem,
            spec.launcher.max_parallel,
            size,
            run_dirs=run_dirs,
            template=template,
        )
        out += zip(scripts, [group[start : start + size] for start in range(0, len(group), size)], strict=True)
    return out


def queued_elsewhere(sweep: SweepDir, points: list[str]) -> list[str]:
    """The points whose recorded SLURM task squeue still lists as waiting or running: already submitted."""
    recorded = {point: sweep.state(point).get("job_id") or "" for point in points}
    jobs = slurm.queue_states(list(recorded.values()))
    return [point for point, job in recorded.items() if jobs.get(job) in slurm.LIVE_STATES]


def compare_shape(spec: SweepSpec) -> ResourceShape:
    """What the comparison job asks for: one CPU process for an hour, where the points' jobs go (partition, account,
    site setup and directives)."""
    shape = spec.launcher.slurm
    kept = shape.model_dump(include={"partition", "account", "setup", "directives", "max_requeues"})
    directives = [d for d in kept.pop("directives") if not d.startswith(("--gres", "--gpus", "-G"))]
    return ResourceShape(cpus_per_node=1, processes_per_node=1, time="1:00:00", directives=directives, **kept)


def _slurm(
    sweep: SweepDir,
    points: list[str],
    spec: SweepSpec,
    rerun_failed: bool,
    template: Path | None = None,
    compare: bool = False,
) -> None:
    """Submit the points not already queued, held until each is recorded `queued` with its array task's job id
    (so a task that starts at once finds its record, and overwrites it, not the other way round), and with
    `compare` the comparison as a job that starts once every array ended. Whatever fails after the first sbatch,
    every job this call submitted is cancelled and the points' records are put back: nothing is left in the queue
    (held for ever, or waiting on a partition that cannot run it)."""
    queued = queued_elsewhere(sweep, points)
    if queued:
        say(f"sweep: {len(queued)} point(s) already queued or running in SLURM: {', '.join(queued)}")
    todo = [p for p in points if p not in queued]
    for shape in {
        shape_of(sweep, spec, point).model_dump_json(): shape_of(sweep, spec, point) for point in todo
    }.values():
        rules = [i for i, rule in enumerate(spec.launcher.shapes) if spec.launcher.shape_for(rule.when) == shape]
        slurm.check_satisfiable(shape, f"launcher.shapes[{rules[0]}].slurm" if rules else "launcher.slurm")
    rendered = render_slurm(sweep, todo, spec, rerun_failed, template) if todo else []
    saved = {point: read_json(sweep.state_file(point)) for point in todo}
    submitted: list[str] = []
    arrays: list[tuple[str, Path, list[str]]] = []
    try:
        for script, group in rendered:
            job = slurm.submit(script, "--hold")
            submitted.append(job)
            arrays.append((job, script, group))
            for index, point in enumerate(group):
                state = sweep.state(point)
                write_json(
                    sweep.state_file(point),
                    {**state, "status": "queued", "job_id": f"{job}_{index}", "submitted": now(), "error": None},
                )
        if compare:
            submitted.append(_submit_compare(sweep, spec, template, [job for job, _, _ in arrays]))
        for job in submitted:
            slurm.release(job)
    except BaseException:
        _withdraw(sweep, submitted, saved)
        raise
    rows: list[dict[str, Any]] = [
        {"job": job, "points": group, "script": str(script), "submitted": now()} for job, script, group in arrays
    ]
    rows += [{"job": submitted[-1], "compare": True, "submitted": now()}] if compare else []
    append_jsonl(sweep.submissions, rows)
    for job, script, group in arrays:
        say(f"sweep: submitted job {job}: {len(group)} point(s) ({script})")
    if compare:
        say(
            f"sweep: submitted job {submitted[-1]}: prevsteer compare into {sweep.root / 'compare'} once the points end"
        )


def _render_compare(sweep: SweepDir, spec: SweepSpec, template: Path | None) -> Path:
    """The comparison's batch script: `prevsteer compare SWEEP_DIR --out SWEEP_DIR/compare`."""
    out = sweep.root / "compare"
    task = ["compare", str(sweep.root), "--out", str(out), "--force"]
    name = re.sub(r"[^\w.-]", "_", sweep.root.name) + "-compare"
    (script,) = slurm.render_array(
        [task], compare_shape(spec), sweep.root / "slurm", name, run_dirs=[out], template=template
    )
    return script


def _submit_compare(sweep: SweepDir, spec: SweepSpec, template: Path | None, arrays: list[str]) -> str:
    script = _render_compare(sweep, spec, template)
    dependency = [f"--dependency=afterany:{':'.join(arrays)}"] if arrays else []
    return slurm.submit(script, "--hold", *dependency)


def _withdraw(sweep: SweepDir, jobs: list[str], saved: dict[str, dict[str, Any]]) -> None:
    """Cancel what was submitted and put back the records of the points that still name those jobs."""
    try:
        slurm.cancel(*jobs)
    except PrevsteerError as exc:
        warn(f"sweep: could not cancel job(s) {', '.join(jobs)}: {exc}")
    for point, state in saved.items():
        with contextlib.suppress(OSError):
            now_state = read_json(sweep.state_file(point))
            if now_state.get("status") == "queued" and (now_state.get("job_id") or "").split("_")[0] in jobs:
                write_json(sweep.state_file(point), state) if state else sweep.state_file(point).unlink()


LAUNCHERS: dict[str, Callable[..., None]] = {"local": _local, "slurm": _slurm}


def run_sweep(settings: SweepRunSettings) -> tuple[SweepDir, list[str], list[Path]]:
    """Expand the spec, record it, and launch the points still to run; returns the sweep, those points (with
    `dry_run`: what would happen to each) and, for a SLURM dry run, the batch scripts written but not submitted.
    `merge`: see `write_manifest`; `template`: a site's own batch template; `compare` (SLURM): submit the
    comparison as a job that runs once the points' arrays ended."""
    spec_path, launcher, template, compare = settings.spec, settings.launcher, settings.template, settings.compare
    dry_run, rerun_failed = settings.dry_run, settings.rerun_failed
    spec = load_spec(spec_path)
    if launcher is not None:
        spec = spec.model_copy(update={"launcher": spec.launcher.model_copy(update={"kind": launcher})})
    if (template or compare) and spec.launcher.kind != "slurm":
        raise PrevsteerError(f"{'template' if template else 'compare'}: only with the slurm launcher")
    if spec.posthoc is not None:
        vector = (spec_path.resolve().parent / spec.posthoc.vector).resolve()
        if not vector.is_file():
            raise PrevsteerError(f"{spec_path}: posthoc.vector: file not found: {vector}")
        spec = spec.model_copy(update={"posthoc": spec.posthoc.model_copy(update={"vector": str(vector)})})
    points = expand(spec, spec_path, settings.overrides)
    sweep = SweepDir((settings.out or default_sweep_dir(spec, spec_path)).resolve())
    if dry_run and spec.launcher.kind != "slurm":
        return sweep, [f"{p.id}: {planned(sweep, p.id)}" for p in points], []
    claims.check_flock(sweep.root)
    write_manifest(sweep, spec, spec_path, points, settings.merge)
    todo = pending(sweep, rerun_failed)
    if dry_run:  # slurm: the scripts are written (new files, with the sweep they run), nothing is submitted
        scripts = [script for script, _ in render_slurm(sweep, todo, spec, rerun_failed, template)] if todo else []
        if compare:
            scripts.append(_render_compare(sweep, spec, template))
        return sweep, [f"{p}: {planned(sweep, p)}" for p in todo], scripts
    if todo or compare:
        LAUNCHERS[spec.launcher.kind](sweep, todo, spec, rerun_failed, template=template, compare=compare)
    return sweep, todo, []
