"""What real clusters do that the local one-node SLURM cannot show, simulated without SLURM.

The batch script is rendered as `prevsteer launch` renders it and run by bash as a SLURM task would be (SLURM's
variables set by the test), with fake `srun`, `scontrol` and `getent` first on PATH: srun records its arguments,
the notice file and the environment it was started with, then does what the test asks (mark the run preempted,
fail, or have the batch script signalled); scontrol answers `show hostnames`/`show node` from the test's values and
records `requeue`. So the script's own decisions are checked: srun's CPUs, the rendezvous address on hosts that map
their name to 127.0.1.1, which id is requeued, when a requeue is refused, the notice file on USR1 and SIGTERM, site
setup lines, and a restarted run without a checkpoint. Sweep claims on shared filesystems (a lock held for a dead
node, no flock at all) are simulated in-process; squeue and sinfo by fakes that record how they were asked.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from test_distributed import recipe

from train.cli import main
from train.errors import PrevsteerError
from train.launch.launch_settings import ResourceShape
from train.launch.slurm import TEMPLATE, check_satisfiable, render_array
from train.rundir import RunDir
from train.sweeps import runner as runner_module
from train.sweeps.runner import SweepDir, run_point
from train.sweeps.status import status_rows

ROOT = Path(__file__).resolve().parents[1]
__all__ = ["recipe"]  # the tiny recipe fixture of test_distributed

FAKE_SRUN = r"""#!/bin/bash
# Records how it was called, then does $FAKE_SRUN_DOES. Like srun, it outlives a USR1 (srun passes it on).
trap 'echo USR1 >>"$FAKE_LOG/srun.signals"' USR1
printf '%s\n' "$@" >"$FAKE_LOG/srun.args"
env >"$FAKE_LOG/srun.env"
for arg in "$@"; do [ "$prev" = --output-dir ] && RUN=$arg; prev=$arg; done
case "$FAKE_SRUN_DOES" in
    preempt)
        mkdir -p "$RUN"
        echo "{\"status\": \"preempted\", \"checkpoint\": \"checkpoint-3\", \"pid\": $$}" >"$RUN/run.json"
        exit 1 ;;  # what torchrun gives when its workers exit 75
    fail) exit 1 ;;
    signal)
        kill -"$FAKE_SIGNAL" "$PPID"
        sleep 1.5
        cp "$RUN/preemption-notice" "$FAKE_LOG/notice" 2>/dev/null
        exit 0 ;;
esac
exit 0
"""

FAKE_SCONTROL = r"""#!/bin/bash
case "$1 $2" in
    "show hostnames") echo node1 ;;
    "show node") echo "NodeName=node1 Arch=x86_64"; echo "   NodeAddr=$FAKE_NODE_ADDR NodeHostName=node1" ;;
    requeue*) echo "$2" >>"$FAKE_LOG/requeued" ;;
    *) echo "fake scontrol: $*" >&2; exit 1 ;;
esac
"""

FAKE_GETENT = r"""#!/bin/bash
# getent ahostsv4 NAME: node1 resolves to $FAKE_HOST_ADDR (nothing when empty), an address to itself.
if [ "$2" = node1 ]; then
    [ -n "$FAKE_HOST_ADDR" ] && echo "$FAKE_HOST_ADDR    STREAM node1"
elif [[ "$2" =~ ^[0-9.]+$ ]]; then
    echo "$2    STREAM $2"
fi
"""


def fake_bin(folder: Path, **programs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in programs.items():
        (folder / name).write_text(text)
        (folder / name).chmod(0o755)
    return folder


def recipe_file(tmp_path: Path) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text("name: r\n")  # never read: srun is fake
    return path


def render(tmp_path: Path, **shape: object) -> Path:
    run_dir = tmp_path / "run"
    task = ["train", str(recipe_file(tmp_path)), "--output-dir", str(run_dir)]
    values = {"cpus_per_node": 4, "processes_per_node": 2, "time": "10:00", **shape}
    (script,) = render_array([task], ResourceShape(**values), tmp_path / "job", "r", workdir=ROOT)
    return script


def run_script(
    script: Path,
    tmp_path: Path,
    does: str = "complete",
    restarts: int = 0,
    nodes: int = 1,
    host_addr: str = "10.0.0.7",
    node_addr: str = "10.0.0.7",
    signal: str = "USR1",
) -> subprocess.CompletedProcess:
    log = tmp_path / "fake-log"
    log.mkdir(exist_ok=True)
    bin_dir = fake_bin(tmp_path / "bin", srun=FAKE_SRUN, scontrol=FAKE_SCONTROL, getent=FAKE_GETENT)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE_LOG": str(log),
        "FAKE_SRUN_DOES": does,
        "FAKE_SIGNAL": signal,
        "FAKE_HOST_ADDR": host_addr,
        "FAKE_NODE_ADDR": node_addr,
        "SLURM_JOB_ID": "102",
        "SLURM_ARRAY_JOB_ID": "100",
        "SLURM_ARRAY_TASK_ID": "0",
        "SLURM_JOB_NAME": "r",
        "SLURM_JOB_NODELIST": "node[1-2]" if nodes > 1 else "node1",
        "SLURM_NNODES": str(nodes),
        "SLURM_CPUS_PER_TASK": "4",
    }
    if restarts:
        env["SLURM_RESTART_COUNT"] = str(restarts)
    return subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)


def srun_args(tmp_path: Path) -> list[str]:
    path = tmp_path / "fake-log" / "srun.args"
    return path.read_text().splitlines() if path.is_file() else []


def requeued(tmp_path: Path) -> list[str]:
    path = tmp_path / "fake-log" / "requeued"
    return path.read_text().split() if path.is_file() else []


def test_srun_is_given_the_tasks_cpus(tmp_path):
    """Since Slurm 22.05 srun does not inherit --cpus-per-task: without it torchrun and every rank share one core.
    (The local cluster binds no CPUs, task/none, so only the command line shows it.)"""
    proc = run_script(render(tmp_path), tmp_path)
    assert proc.returncode == 0, proc.stderr
    args = srun_args(tmp_path)
    assert args[: args.index("bash")] == ["--kill-on-bad-exit=1", "--cpus-per-task=4"]
    assert args[args.index("--nproc_per_node") + 1] == "2"


def test_a_preempted_run_requeues_its_own_array_task_not_the_array(tmp_path):
    """Task 0's SLURM_JOB_ID (102) is not the array's id (100): requeueing "$SLURM_JOB_ID" is right only for it, and
    for the task whose SLURM_JOB_ID equals SLURM_ARRAY_JOB_ID it requeues every task. ARRAY_TASK is always one."""
    (tmp_path / "run").mkdir()
    proc = run_script(render(tmp_path), tmp_path, does="preempt")
    assert proc.returncode == 0, proc.stderr
    assert requeued(tmp_path) == ["100_0"]
    assert "requeueing task 100_0 (requeue 1 of at most 5)" in proc.stdout


def test_a_stale_preempted_record_is_not_requeued(tmp_path):
    """run.json says `preempted` from the attempt before; this one fails before training starts (an offline hub, out
    of memory while loading) and leaves it so: that is a failure, not a preemption to requeue for ever."""
    run = tmp_path / "run"
    resumable(run)
    (run / "run.json").write_text(json.dumps({"status": "preempted", "checkpoint": "checkpoint-2"}))
    proc = run_script(render(tmp_path), tmp_path, does="fail", restarts=1)
    assert requeued(tmp_path) == [] and proc.returncode == 1, proc.stdout + proc.stderr
    assert srun_args(tmp_path)[-1] == "--resume" and "exited with code 1" in proc.stdout


def resumable(run: Path) -> None:
    """A run folder with a complete checkpoint."""
    (run / "checkpoint-2").mkdir(parents=True)
    (run / "recipe.yaml").write_text("name: r\n")
    RunDir.mark_complete(run / "checkpoint-2")


def test_requeues_stop_at_max_requeues(tmp_path):
    resumable(tmp_path / "run")
    script = render(tmp_path, max_requeues=2)
    proc = run_script(script, tmp_path, does="preempt", restarts=1)
    assert proc.returncode == 0 and requeued(tmp_path) == ["100_0"]
    proc = run_script(script, tmp_path, does="preempt", restarts=2)
    assert proc.returncode == 1 and requeued(tmp_path) == ["100_0"]  # no second one
    assert "after 2 requeue(s): max_requeues (2) reached, not requeued" in proc.stderr


@pytest.mark.parametrize("host_addr", ["127.0.1.1", ""])
def test_the_rendezvous_is_never_a_loopback_or_empty_address_across_nodes(tmp_path, host_addr):
    """Debian and Ubuntu images map the host name to 127.0.1.1 (and a name may not resolve at all): the other nodes
    could never reach that rendezvous. The node's NodeAddr is used instead, or the job stops with one line."""
    script = render(tmp_path, nodes=2)
    proc = run_script(script, tmp_path, nodes=2, host_addr=host_addr, node_addr="10.1.2.3")
    assert proc.returncode == 0, proc.stderr
    args = srun_args(tmp_path)
    assert args[args.index("--rdzv_endpoint") + 1].startswith("10.1.2.3:")
    (tmp_path / "fake-log" / "srun.args").unlink()
    proc = run_script(script, tmp_path, nodes=2, host_addr=host_addr, node_addr="127.0.0.1")
    assert proc.returncode == 1 and srun_args(tmp_path) == []
    errors = [line for line in proc.stderr.splitlines() if line.startswith("prevsteer: error:")]
    assert len(errors) == 1 and "rendezvous: node1 resolves to" in errors[0] and "routable" in errors[0]
    # On one node loopback is where every rank is: fine.
    proc = run_script(render(tmp_path), tmp_path, host_addr=host_addr, node_addr="127.0.0.1")
    args = srun_args(tmp_path)
    assert proc.returncode == 0 and args[args.index("--rdzv_endpoint") + 1].startswith("127.0.0.1:")


@pytest.mark.parametrize("signal", ["USR1", "TERM"])
def test_the_notice_is_a_file_in_the_run_folder_on_usr1_and_sigterm(tmp_path, signal):
    """A preemption with a grace time sends SIGTERM, the time limit USR1: either way the script writes the notice
    file the training reads at each step end, naming this job attempt."""
    proc = run_script(render(tmp_path), tmp_path, does="signal", restarts=3, signal=signal)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "fake-log" / "notice").read_text() == "102.3\n"
    assert f"prevsteer: {signal.replace('TERM', 'SIGTERM')} (preemption notice)" in proc.stdout
    assert "USR1" in (tmp_path / "fake-log" / "srun.signals").read_text()  # and passed on as USR1


def test_a_restart_without_a_checkpoint_starts_over_and_a_completed_run_is_left(tmp_path):
    """A node failure before the first checkpoint: the requeued task finds its own half-written folder. It is set
    aside (never deleted) and the run starts over, as a sweep point does; with a complete checkpoint it resumes;
    a run that completed is left alone."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "recipe.yaml").write_text("name: r\n")
    (run / "checkpoint-5").mkdir()  # torn: no completion marker
    script = render(tmp_path)
    proc = run_script(script, tmp_path, restarts=1)
    assert proc.returncode == 0, proc.stderr
    assert "--resume" not in srun_args(tmp_path) and not run.exists()
    aside = tmp_path / "run.discarded" / "attempt"
    assert (aside / "recipe.yaml").is_file() and "starting over" in proc.stderr
    run.mkdir()
    (run / "recipe.yaml").write_text("name: r\n")
    (run / "checkpoint-5").mkdir()
    RunDir.mark_complete(run / "checkpoint-5")
    assert run_script(script, tmp_path, restarts=2).returncode == 0
    assert srun_args(tmp_path)[-1] == "--resume"
    (run / "run.json").write_text(json.dumps({"status": "completed"}))
    (tmp_path / "fake-log" / "srun.args").unlink()
    proc = run_script(script, tmp_path, restarts=3)
    assert proc.returncode == 0 and srun_args(tmp_path) == [] and "already completed" in proc.stdout


def test_site_setup_runs_first_and_directives_are_sbatch_lines(tmp_path):
    setup = ["export SITE_MARK=loaded", "SITE_UNSET_OK=${NOT_SET}  # set -u comes after the site's lines"]
    script = render(tmp_path, setup=setup, directives=["--qos=high", "#SBATCH --constraint=a100"])
    text = script.read_text()
    assert "#SBATCH --qos=high\n#SBATCH --constraint=a100\n" in text
    assert text.index("export SITE_MARK=loaded") < text.index("set -uo pipefail")
    directives_end = max(m.end() for m in re.finditer(r"^#SBATCH .*$", text, re.MULTILINE))
    assert text.index("export SITE_MARK") > directives_end  # sbatch reads no #SBATCH line after a command
    proc = run_script(script, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "SITE_MARK=loaded" in (tmp_path / "fake-log" / "srun.env").read_text().splitlines()


def test_the_template_needs_no_bash_newer_than_4_2():
    """RHEL 7 has bash 4.2: none of the 4.3+/4.4+ features (and none of 5.x)."""
    text = "\n".join(line for line in TEMPLATE.read_text().splitlines() if not line.lstrip().startswith("#"))
    forbidden = {
        r"\$\{[^}]*@[QEPAaUuLK]\}": "${x@Q} and other transformations (4.4)",
        r"\b(declare|local|typeset) -n\b": "namerefs (4.3)",
        r"\bwait -n\b": "wait -n (4.3)",
        r"\$\{\w+\[-\d+\]\}": "negative array indices (4.3)",
        r"\b(mapfile|readarray) -d\b": "mapfile -d (4.4)",
        r"EPOCHSECONDS|EPOCHREALTIME|SRANDOM|BASH_ARGV0": "bash 5 variables",
        r"inherit_errexit|localvar_inherit": "4.4+ shell options",
    }
    found = {what for pattern, what in forbidden.items() if re.search(pattern, text)}
    assert not found
    # an empty array under `set -u` is an error before 4.4: the template expands only LAUNCHER, never empty
    assert re.findall(r'"\$\{(\w+)\[@\]\}"', text) == ["LAUNCHER", "LAUNCHER"]


# ---------------------------------------------------------------- sweeps: claims, sweep.json, squeue, sinfo

FAKE_SQUEUE = r"""#!/bin/bash
# Records how it was asked; lists the jobs named in $FAKE_QUEUE ("ID STATE" lines) that it was asked for.
printf '%s\n' "$*" >>"$FAKE_LOG/squeue.calls"
if [ -n "${FAKE_SQUEUE_DOWN:-}" ]; then
    echo "slurm_load_jobs error: Unable to contact slurm controller (connect failure)" >&2
    exit 1
fi
printf '%s' "$FAKE_QUEUE"
"""

FAKE_SINFO = r"""#!/bin/bash
# One partition of GPU nodes: 64 CPUs, 4 A100s, 512000 MB, MaxTime 2 days; and the default partition, small.
echo "small*|2|(null)|4000|4:00:00"
echo "gpu|64|gpu:a100:4(S:0-1)|512000|2-00:00:00"
"""


@pytest.fixture
def fakes(tmp_path, monkeypatch) -> Path:
    """squeue and sinfo fakes first on PATH (their calls logged in the returned folder); no real SLURM reachable."""
    log = tmp_path / "fake-log"
    log.mkdir()
    bin_dir = fake_bin(tmp_path / "fake-bin", squeue=FAKE_SQUEUE, sinfo=FAKE_SINFO)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_LOG", str(log))
    monkeypatch.setenv("FAKE_QUEUE", "")
    return log


def sweep_spec(recipe: Path, folder: Path, seeds: list[int], **slurm: object) -> Path:
    shape = {"cpus_per_node": 1, "processes_per_node": 1, "time": "10:00", **slurm}
    spec = {"recipes": [str(recipe)], "grid": {"seed": seeds}, "launcher": {"kind": "slurm", "slurm": shape}}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def dry_run(spec: Path, out: Path, *options: str) -> int:
    return main(["sweep", "run", str(spec), "--out", str(out), "--dry-run", *options])


@pytest.fixture
def slurm_task(monkeypatch):
    """This process as SLURM array task 555_0."""
    for name, value in {"SLURM_JOB_ID": "556", "SLURM_ARRAY_JOB_ID": "555", "SLURM_ARRAY_TASK_ID": "0"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLURM_RESTART_COUNT", raising=False)


def hold_claim(lock: Path, holder: dict) -> subprocess.Popen:
    """Another process holding the point's flock (as a dead node's lock is still held on an NFS server), its lock
    file naming `holder`."""
    code = textwrap.dedent("""
        import fcntl, json, os, sys, time
        fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.write(fd, sys.argv[2].encode())
        print("held", flush=True)
        time.sleep(600)
    """)
    lock.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-c", code, str(lock), json.dumps(holder)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def written_sweep(recipe, tmp_path, fakes) -> SweepDir:
    spec = sweep_spec(recipe, tmp_path / "spec", [0, 1])
    assert dry_run(spec, tmp_path / "sweep") == 0
    return SweepDir(tmp_path / "sweep")


def test_a_claim_held_for_a_job_squeue_no_longer_lists_is_taken_over(written_sweep, slurm_task, monkeypatch, fakes):
    """A node died while its task held the point: on a shared filesystem its lock can stay held. The lock file
    names the holder; squeue (faked) no longer lists that job, so this task takes the point over and runs it,
    instead of exiting 0 and leaving the point to no one."""
    ran: list[str] = []

    def attempt(sweep, point, fd, child):
        ran.append(point)
        return "completed", None

    monkeypatch.setattr(runner_module, "_attempt", attempt)
    point = written_sweep.points()[0]["id"]
    lock = written_sweep.lock(point)
    gone = {"job_id": "999_3", "host": "node-that-died", "pid": 4242, "attempt": "1000.0"}
    holder = hold_claim(lock, gone)
    try:
        assert written_sweep.claimed(point)
        assert run_point(written_sweep.root, point) == "completed" and ran == [point]
        state = written_sweep.state(point)
        assert state["status"] == "completed" and state["job_id"] == "555_0"
        assert "--jobs=999" in (fakes / "squeue.calls").read_text()
        assert json.loads(lock.read_text())["job_id"] == "555_0"  # the lock file now names this task
    finally:
        holder.kill()
        holder.wait()


def test_a_claim_whose_holder_runs_or_cannot_be_told_is_not_left_to_no_one(written_sweep, slurm_task, monkeypatch):
    monkeypatch.setattr(runner_module, "_attempt", lambda *args: pytest.fail("the point ran under another's claim"))
    point = written_sweep.points()[0]["id"]
    holder = hold_claim(written_sweep.lock(point), {"job_id": "999_3", "host": "node-b", "pid": 4242})
    try:
        monkeypatch.setenv("FAKE_QUEUE", "999_3 RUNNING\n")
        assert run_point(written_sweep.root, point) == "skipped: claimed by job 999_3 (host node-b, pid 4242)"
        monkeypatch.setenv("FAKE_SQUEUE_DOWN", "1")  # squeue cannot answer: cannot tell, so try again later (exit 75)
        assert main(["sweep", "point", str(written_sweep.root), point]) == 75
    finally:
        holder.kill()
        holder.wait()


def test_probes_of_claims_are_read_only_and_create_nothing(written_sweep, monkeypatch):
    """`sweep status` on a collaborator's sweep: lock files are opened read-only (a shared flock), never created."""
    opened: list[tuple[str, int]] = []
    real_open = os.open

    def recording_open(path, flags, *args, **kwargs):
        opened.append((str(path), flags))
        return real_open(path, flags, *args, **kwargs)

    point = written_sweep.points()[0]["id"]
    written_sweep.lock(point).write_text("")  # one point was claimed once; the other never
    for entry in written_sweep.points():  # recorded running: status asks whether anyone still holds them
        written_sweep.state_file(entry["id"]).write_text(json.dumps({"status": "running", "attempts": 1}))
    monkeypatch.setattr(os, "open", recording_open)
    rows = status_rows(written_sweep.root)
    locks = [(path, flags) for path, flags in opened if path.endswith(".lock")]
    assert len(rows) == 2 and locks
    assert all(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) == 0 for _, flags in locks)
    assert sorted(p.name for p in (written_sweep.root / "points").glob("*.lock")) == [f"{point}.lock"]


def test_a_filesystem_without_flock_is_one_clear_error_at_sweep_run(recipe, tmp_path, fakes, monkeypatch, capsys):
    """Lustre mounted without flock answers ENOSYS: simulated by an flock that raises it."""
    spec = sweep_spec(recipe, tmp_path / "spec", [0])

    def no_flock(fd, operation):
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    monkeypatch.setattr(fcntl, "flock", no_flock)
    assert dry_run(spec, tmp_path / "sweep") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not support flock" in err and "--out" in err
    assert not (tmp_path / "sweep" / "sweep.json").exists()


def test_each_submission_keeps_its_own_tasks_file(written_sweep, recipe, tmp_path):
    """A later `sweep run` (even --dry-run) must not rewrite the tasks file a live array still reads."""
    first = written_sweep.root / "slurm" / "sweep.tasks"
    before = first.read_text()
    spec = sweep_spec(recipe, tmp_path / "spec", [0, 1, 2])  # one more point: the dry run's tasks differ
    assert dry_run(spec, written_sweep.root) == 0
    assert first.read_text() == before
    assert len((written_sweep.root / "slurm" / "sweep.1.tasks").read_text().splitlines()) == 3
    assert "sweep.1.tasks" in (written_sweep.root / "slurm" / "sweep.1.sbatch").read_text()


def test_a_changed_spec_is_refused_while_points_still_run_and_merged_when_asked(
    written_sweep, recipe, tmp_path, capsys, monkeypatch
):
    points = [entry["id"] for entry in written_sweep.points()]
    state = {"status": "queued", "attempts": 0, "elapsed_s": 0.0, "job_id": "700_0"}
    written_sweep.state_file(points[0]).write_text(json.dumps(state))
    monkeypatch.setenv("FAKE_QUEUE", "700_0 PENDING\n700_1 PENDING\n")
    changed = sweep_spec(recipe, tmp_path / "spec2", [1, 2])  # seed 0 is gone, seed 2 is new
    manifest = written_sweep.manifest.read_text()
    assert dry_run(changed, written_sweep.root) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "points changed (1 new, 1 gone)" in err and points[0] in err and "--merge" in err
    assert written_sweep.manifest.read_text() == manifest  # not replaced under the live point
    assert dry_run(changed, written_sweep.root, "--merge") == 0
    merged = {entry["id"]: entry for entry in written_sweep.points()}
    assert len(merged) == 3 and merged[points[0]]["not_in_spec"] is True  # its task still finds it
    assert points[1] in merged and not merged[points[1]].get("not_in_spec")
    assert written_sweep.entry(points[0])  # `sweep point` of the live task still works


def test_squeue_is_asked_about_the_sweeps_own_jobs_only(written_sweep, fakes):
    for index, point in enumerate(entry["id"] for entry in written_sweep.points()):
        state = {"status": "queued", "attempts": 0, "elapsed_s": 0.0, "job_id": f"{800 + index}_0"}
        written_sweep.state_file(point).write_text(json.dumps(state))
    status_rows(written_sweep.root)
    calls = (fakes / "squeue.calls").read_text().splitlines()
    assert calls and all("--jobs=800,801" in call for call in calls)


@pytest.mark.parametrize(
    ("slurm", "message"),
    [
        ({"cpus_per_node": 8}, "cpus_per_node: 8 CPUs per node, but the nodes of partition small have at most 2"),
        (
            {"partition": "gpu", "gpus_per_node": 8},
            "gpus_per_node: 8 GPUs per node, but the nodes of partition gpu have at most 4",
        ),
        ({"partition": "gpu", "mem": "1T"}, "mem: 1T per node, but the nodes of partition gpu have at most 512000 MB"),
        ({"partition": "gpu", "time": "3-00:00:00"}, "time: 3-00:00:00 is above partition gpu's MaxTime (2-00:00:00)"),
        ({"partition": "gpus"}, "partition: no partition 'gpus' on this cluster; allowed: ['gpu', 'small']"),
    ],
)
def test_a_request_no_node_can_meet_is_refused_before_submitting(recipe, tmp_path, fakes, capsys, slurm, message):
    spec = sweep_spec(recipe, tmp_path / "spec", [0], **slurm)
    assert main(["sweep", "run", str(spec), "--out", str(tmp_path / "sweep")]) == 2
    err = capsys.readouterr().err
    assert err == f"prevsteer: error: launcher.slurm.{message}\n"
    assert not (tmp_path / "sweep" / "slurm").exists()  # nothing rendered, nothing submitted
    assert dry_run(spec, tmp_path / "sweep") == 0  # a dry run only writes the scripts, on any machine
    fine = ResourceShape(partition="gpu", gpus_per_node=4, cpus_per_node=64, mem="500G", time="1-00:00:00")
    check_satisfiable(fine, "launcher.slurm")
    shape = ResourceShape(cpus_per_node=8, time="10:00")
    with pytest.raises(PrevsteerError, match=r"^--cpus-per-node: 8 CPUs per node"):
        check_satisfiable(shape, "--")


def test_dry_run_shows_site_setup_and_directives(recipe, tmp_path, fakes, capsys):
    spec = sweep_spec(recipe, tmp_path / "spec", [0], setup=["module load cuda/12.1"], directives=["--qos=high"])
    assert dry_run(spec, tmp_path / "sweep") == 0
    out = capsys.readouterr().out
    assert "  #SBATCH --qos=high\n" in out and "  module load cuda/12.1\n" in out
    script = (tmp_path / "sweep" / "slurm" / "sweep.sbatch").read_text()
    assert "#SBATCH --qos=high\n" in script and "\nmodule load cuda/12.1\n" in script


FAKE_SACCT = r"""#!/bin/bash
printf '%s\n' "$*" >>"$FAKE_LOG/sacct.calls"
if [ -n "${FAKE_NO_ACCOUNTING:-}" ]; then
    echo "sacct: error: Slurm accounting storage is disabled" >&2
    exit 1
fi
printf '800_0|OUT_OF_MEMORY\n801_0|TIMEOUT\n'
"""


def test_status_tells_outcomes_apart_with_sacct_and_falls_back_without(written_sweep, fakes, monkeypatch):
    """The local cluster keeps no accounting: sacct is faked (and then made to answer as such a cluster does)."""
    fake_bin(Path(os.environ["PATH"].split(":")[0]), sacct=FAKE_SACCT)
    points = [entry["id"] for entry in written_sweep.points()]
    for index, point in enumerate(points):
        state = {"status": "running", "attempts": 1, "elapsed_s": 0.0, "job_id": f"{800 + index}_0"}
        written_sweep.state_file(point).write_text(json.dumps(state))
    rows = {row["point"]: row for row in status_rows(written_sweep.root)}  # squeue lists neither any more
    assert [rows[p]["slurm"] for p in points] == ["OUT_OF_MEMORY", "TIMEOUT"]
    assert rows[points[0]]["error"] == "SLURM: OUT_OF_MEMORY" and rows[points[0]]["status"] == "preempted"
    assert "--jobs=800,801" in (fakes / "sacct.calls").read_text()
    monkeypatch.setenv("FAKE_NO_ACCOUNTING", "1")
    rows = status_rows(written_sweep.root)
    assert [row["slurm"] for row in rows] == ["", ""] and [row["status"] for row in rows] == ["preempted"] * 2


def test_sweep_points_share_a_wandb_group_and_a_tensorboard_folder_by_arm(written_sweep, monkeypatch):
    monkeypatch.delenv("WANDB_RUN_GROUP", raising=False)
    monkeypatch.delenv("WANDB_JOB_TYPE", raising=False)
    point = written_sweep.points()[0]["id"]
    env = runner_module.logger_env(written_sweep, point)
    assert (env["WANDB_RUN_GROUP"], env["WANDB_JOB_TYPE"], env["WANDB_NAME"]) == ("sweep", "dist", point)
    link = written_sweep.root / "tensorboard" / "dist" / point
    assert link.resolve() == (written_sweep.run_dir(point) / "tensorboard").resolve()
    monkeypatch.setenv("WANDB_RUN_GROUP", "mine")  # a group the user exported wins
    assert runner_module.logger_env(written_sweep, point)["WANDB_RUN_GROUP"] == "mine"
