"""Sweeps on SLURM: the array scripts a sweep renders (checked without SLURM), and real sweeps on the local one-node
cluster (`bash scripts/slurm_local.sh up`): an array of points that completes while its failing point is
reported, a re-run that submits nothing, `sweep status` with squeue's states, and a preempted point that is
requeued and resumed. Every wait is bounded and every job is cancelled at the end (test_slurm's fixtures)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from test_distributed import recipe
from test_slurm import jobs, needs_slurm, read_log, run_json, wait_for

from train.cli import main
from train.files import write_json
from train.launch.slurm import LIVE_STATES, TEMPLATE, job_states, queue_states
from train.sweeps.runner import LAUNCHER_VARIABLE, SweepDir, train_command
from train.sweeps.status import status_rows

__all__ = ["jobs", "recipe"]  # fixtures shared with test_slurm and test_distributed

PREEMPT_STEPS = 200
SHAPE = {"cpus_per_node": 1, "processes_per_node": 1, "time": "10:00"}


def write_sweep(
    recipe: Path,
    folder: Path,
    grid: dict,
    broken: bool = False,
    include: list | None = None,
    slurm: dict | None = None,
    **launcher,
) -> Path:
    """A spec over the tiny recipe (plus, with `broken`, a recipe whose data has a malformed line: it fails when
    it trains, not when the sweep is expanded)."""
    folder.mkdir(parents=True, exist_ok=True)
    recipes = [str(recipe)]
    if broken:
        data = folder / "broken.jsonl"
        data.write_text(recipe.with_name("train.jsonl").read_text() + "{not json\n")
        (folder / "broken.yaml").write_text(
            yaml.safe_dump({"extends": str(recipe), "name": "broken", "data": {"train": str(data)}})
        )
        recipes.append(str(folder / "broken.yaml"))
    shape = {**SHAPE, **(slurm or {})}
    spec = {"recipes": recipes, "grid": grid, "launcher": {"kind": "slurm", "slurm": shape, **launcher}}
    if include:
        spec["include"] = include
    if broken:
        spec["exclude"] = [{"name": "broken", "seed": seed} for seed in grid["seed"][1:]]
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def submitted(captured) -> list[str]:
    """The job ids a `sweep run` said it submitted (on stderr, with its other progress lines)."""
    return re.findall(r"submitted job (\d+)", captured.err)


def status(sweep: Path, capsys) -> dict[str, dict]:
    """`prevsteer sweep status`'s rows by point, after checking that the table printed each one's job and state."""
    assert main(["sweep", "status", str(sweep)]) == 0
    printed = capsys.readouterr().out
    rows = {row["point"]: row for row in status_rows(sweep)}
    for row in rows.values():
        assert row["job"] in printed and row["slurm"] in printed and row["status"] in printed
    return rows


def test_dry_run_writes_one_array_script_per_shape_and_submits_nothing(recipe, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no sbatch, scontrol or squeue can be called
    bigger = [{"when": {"seed": 2}, "slurm": {"cpus_per_node": 2, "time": "20:00"}}]
    spec = write_sweep(recipe, tmp_path / "spec", {"seed": [0, 1, 2]}, max_parallel=2, shapes=bigger)
    sweep = tmp_path / "sweep"
    assert main(["sweep", "run", str(spec), "--out", str(sweep), "--dry-run"]) == 0
    assert "3 points (dry run, sweep.json and the batch scripts written, nothing submitted)" in capsys.readouterr().out
    monkeypatch.undo()  # bash again, to read the scripts
    scripts = sorted((sweep / "slurm").glob("*.sbatch"))
    assert [s.name for s in scripts] == ["sweep-shape0.sbatch", "sweep-shape1.sbatch"]
    points = [entry["id"] for entry in SweepDir(sweep).points()]
    template = TEMPLATE.read_text()
    shell = 'eval "set -- $1"; printf "%s\\n" "$@"'
    for script, group, cpus, time in zip(scripts, (points[:2], points[2:]), (1, 2), ("10:00", "20:00"), strict=True):
        text = script.read_text()
        assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
        assert f"#SBATCH --array=0-{len(group) - 1}%2\n" in text and "#SBATCH --requeue\n" in text
        assert "#SBATCH --signal=B:USR1@300\n" in text and f"#SBATCH --cpus-per-task={cpus}\n" in text
        assert f"#SBATCH --time={time}\n" in text
        for variable in ("$SLURM_", "${SLURM_"):  # none expanded when the script was written
            assert text.count(variable) == template.count(variable) > 0
        lines = script.with_suffix(".tasks").read_text().splitlines()
        for point, line in zip(group, lines, strict=True):
            words = subprocess.run(["bash", "-c", shell, "bash", line], capture_output=True, text=True).stdout.split()
            assert words == [str(sweep / "runs" / point), "sweep", "point", str(sweep), point]
        # The sweep-point branch hands the training its srun + torchrun line; a `train` task is run under it.
        assert "PREVSTEER_LAUNCHER=$(printf '%q ' \"${LAUNCHER[@]}\")" in text
        assert '"${LAUNCHER[@]}" -m train.cli "$@"' in text
    assert not any((sweep / "points").glob("*.json"))  # nothing recorded as queued


def test_a_point_trains_under_the_launcher_the_batch_script_hands_it(monkeypatch, tmp_path):
    """The script exports its srun + torchrun words quoted with `printf %q` (bash 4.2 has no @Q); the point splits
    them back exactly."""
    words = [
        "srun",
        "--kill-on-bad-exit=1",
        "bash",
        "-c",
        'trap "" USR1; exec "$@"',
        "torchrun",
        "/a b/it's python",
        "--cpus-per-task=$SLURM_CPUS_PER_TASK",
        "a;b|c&d",
        "~x",
        "*",
    ]
    exported = 'LAUNCHER=("$@"); printf "%q " "${LAUNCHER[@]}"'
    quoted = subprocess.run(["bash", "-c", exported, "bash", *words], capture_output=True, text=True).stdout
    monkeypatch.setenv(LAUNCHER_VARIABLE, quoted)
    command = train_command(tmp_path / "p.yaml", tmp_path / "run", resume=True)
    assert command == [
        *words,
        "-m",
        "train.cli",
        "train",
        str(tmp_path / "p.yaml"),
        "--output-dir",
        str(tmp_path / "run"),
        "--resume",
    ]


def test_a_bad_resource_shape_in_the_spec_is_one_line(recipe, tmp_path, capsys):
    spec = write_sweep(recipe, tmp_path, {"seed": [0]})
    data = yaml.safe_load(spec.read_text())
    data["launcher"]["slurm"]["time"] = "1 hour"
    spec.write_text(yaml.safe_dump(data))
    assert main(["sweep", "run", str(spec), "--out", str(tmp_path / "never"), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "launcher.slurm.time" in err and "not a SLURM time" in err
    data["launcher"]["slurm"] = {"gpus": 2}
    spec.write_text(yaml.safe_dump(data))
    assert main(["sweep", "run", str(spec), "--out", str(tmp_path / "never"), "--dry-run"]) == 2
    assert "launcher.slurm.gpus: unknown key" in capsys.readouterr().err
    data["launcher"]["slurm"] = SHAPE
    for shapes, message in [
        ([{"when": {"seed": 1}, "slurm": {"nodes": 0}}], "shapes[0].slurm.nodes: Input should be greater than"),
        (
            [{"when": {"sed": 1}, "slurm": {"nodes": 2}}],
            "launcher.shapes[0].when: sed: unknown key; did you mean seed?",
        ),
        ([{"whn": {"seed": 1}, "slurm": {"nodes": 2}}], "launcher.shapes.0.whn: unknown key; did you mean when?"),
    ]:
        data["launcher"]["shapes"] = shapes
        spec.write_text(yaml.safe_dump(data))
        assert main(["sweep", "run", str(spec), "--out", str(tmp_path / "never"), "--dry-run"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "never").exists()


@needs_slurm
def test_a_submit_that_cannot_record_its_points_leaves_no_held_array(recipe, tmp_path, capsys, monkeypatch):
    """The array is submitted held and released once its points are recorded; when recording fails, the held
    array is cancelled rather than left in the queue for ever."""
    import train.sweeps.runner as runner

    def failing(path, data):
        if Path(path).parent.name == "points":
            raise OSError(f"{path}: No space left on device")
        return write_json(path, data)

    spec = write_sweep(recipe, tmp_path / "spec", {"seed": [0, 1]})
    monkeypatch.setattr(runner, "write_json", failing)
    with pytest.raises(OSError, match="No space left"):
        main(["sweep", "run", str(spec), "--out", str(tmp_path / "sweep")])
    states = {state for script, state in jobs_of(tmp_path)}
    assert states == {"CANCELLED"}


def jobs_of(folder: Path) -> list[tuple[str, str]]:
    """(batch script, state) of every job squeue lists whose script lies under `folder` (one line per array)."""
    out = subprocess.run(
        ["squeue", "--me", "--states=all", "--noheader", "--format=%o|%T"], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split("|") for line in out.splitlines() if line.startswith(f"{folder}/")]
    return [(script, state) for script, state in rows]


def wait_sweep(sweep: Path, job: str) -> None:
    def ended() -> bool:
        return not any(state in LIVE_STATES for state in job_states(job).values())

    wait_for(ended, f"sweep job {job} to finish", sweep / "slurm" / "logs")


@needs_slurm
@pytest.mark.slow
def test_array_sweep_completes_reports_its_failing_point_and_a_rerun_submits_nothing(recipe, tmp_path, jobs, capsys):
    spec = write_sweep(recipe, tmp_path / "spec", {"seed": [0, 1, 2]}, broken=True, max_parallel=2)
    sweep = tmp_path / "sweep"
    assert main(["sweep", "run", str(spec), "--out", str(sweep)]) == 0
    printed = capsys.readouterr()
    jobs.extend(submitted(printed))
    assert len(jobs) == 1, printed  # one shape: one array of 4 points
    points = {entry["id"]: entry for entry in SweepDir(sweep).points()}
    assert len(points) == 4
    queued = status(sweep, capsys)  # right after submission: recorded queued (or already running), with the task id
    assert sorted(row["job"] for row in queued.values()) == [f"{jobs[0]}_{i}" for i in range(4)]
    assert all(row["status"] in ("queued", "running") for row in queued.values())
    assert all(row["slurm"] in LIVE_STATES for row in queued.values())  # PENDING, RUNNING (or just starting)

    wait_sweep(sweep, jobs[0])
    sweep_dir = SweepDir(sweep)
    broken = next(p for p in points if p.startswith("broken-"))
    assert sweep_dir.state(broken)["status"] == "failed" and "malformed JSONL" in sweep_dir.state(broken)["error"]
    good = [p for p in points if p != broken]
    for index, point in enumerate(points):
        state = sweep_dir.state(point)
        assert state["job_id"] == f"{jobs[0]}_{index}" and state["attempts"] == 1
        if point in good:
            record = run_json(sweep_dir.run_dir(point))
            assert state["status"] == "completed" and record["status"] == "completed"
            assert record["slurm"]["array_task_id"] == str(index) and record["world_size"] == 1
            link = sweep_dir.run_dir(point) / Path(record["slurm"]["log"]).name  # the task's log, from its run
            assert link.is_symlink() and f"prevsteer: task {index}" in read_log(link)
    final = status(sweep, capsys)
    assert {final[p]["status"] for p in good} == {"completed"} and final[broken]["status"] == "failed"
    states = queue_states(jobs)  # squeue keeps finished tasks for MinJobAge (300 s by default)
    assert {final[p]["slurm"] for p in good} == {states[f"{jobs[0]}_{i}"] for i in range(3)} == {"COMPLETED"}
    assert final[broken]["slurm"] == states[f"{jobs[0]}_3"] == "FAILED"

    stamps = {p: (sweep_dir.run_dir(p) / "run.json").stat().st_mtime_ns for p in good}
    assert main(["sweep", "run", str(spec), "--out", str(sweep)]) == 1  # the failed point is still failed
    again = capsys.readouterr()
    assert submitted(again) == [] and "1 point(s) did not complete" in again.out
    assert {p: (sweep_dir.run_dir(p) / "run.json").stat().st_mtime_ns for p in good} == stamps


@needs_slurm
@pytest.mark.slow
def test_a_preempted_point_is_requeued_and_resumes(recipe, tmp_path, jobs, capsys):
    spec = write_sweep(recipe, tmp_path / "spec", {"seed": [0]})
    sweep = tmp_path / "sweep"
    assert main(["sweep", "run", str(spec), "--out", str(sweep), f"--set=training.max_steps={PREEMPT_STEPS}"]) == 0
    jobs.extend(submitted(capsys.readouterr()))
    sweep_dir = SweepDir(sweep)
    (point,) = [entry["id"] for entry in sweep_dir.points()]
    run_dir, logs = sweep_dir.run_dir(point), sweep / "slurm" / "logs"
    wait_for(lambda: (run_dir / "metrics.jsonl").is_file(), "the first logged step", logs)
    subprocess.run(["scancel", "--signal=USR1", "--batch", jobs[0]], check=True)
    wait_for(lambda: sweep_dir.state(point)["status"] == "preempted", "the point recorded preempted", logs)
    assert run_json(run_dir)["status"] == "preempted"
    checkpoint = run_json(run_dir)["checkpoint"]
    wait_for(lambda: job_states(jobs[0]).get(0) == "PENDING", "the requeued task", logs)
    # SLURM holds a requeued job back for about two minutes (BeginTime): start it sooner, though not at once (a
    # restart in the same second as the end of the first start is refused: "Job credential revoked").
    subprocess.run(["scontrol", "update", f"JobId={jobs[0]}", "StartTime=now+5"], check=True)
    wait_sweep(sweep, jobs[0])

    state = sweep_dir.state(point)
    assert state["status"] == "completed" and state["attempts"] == 2 and state["job_id"] == f"{jobs[0]}_0"
    record = run_json(run_dir)
    assert record["status"] == "completed" and record["slurm"]["restart_count"] == 1
    assert int(checkpoint.split("-")[1]) < PREEMPT_STEPS and (run_dir / checkpoint).is_dir()
    commands = [line for line in read_log(sweep_dir.log(point)).splitlines() if line.startswith("=== ")]
    assert len(commands) == 2 and all("torch.distributed.run" in c and "-m train.cli train " in c for c in commands)
    assert "--resume" not in commands[0] and commands[1].endswith(" --resume")  # from its checkpoint
    rows = map(json.loads, (run_dir / "metrics.jsonl").read_text().splitlines())
    assert [row["step"] for row in rows if "loss" in row] == list(range(1, PREEMPT_STEPS + 1))
    task_log = read_log(logs / f"{sweep.name}-{jobs[0]}_0.out")
    assert "requeueing" in task_log and "restart 1" in task_log


def task_starts(log: Path, task: int) -> int:
    return read_log(log).count(f"prevsteer: task {task} (job ") if log.is_file() else 0


@needs_slurm
@pytest.mark.slow
def test_preempting_the_task_that_holds_the_array_id_requeues_that_task_alone(recipe, tmp_path, jobs, capsys):
    """In every array one task's SLURM_JOB_ID is the array's own id: with 2 CPUs and 3 one-CPU tasks, tasks 0 and 1
    start first (each split off with a new id) and task 2, started last, keeps the array's id. Requeueing that id
    would requeue every task (finished ones run again); the script requeues ARRAY_TASK, so the others keep one
    start and one attempt each."""
    long = [{"seed": 2, "training.max_steps": PREEMPT_STEPS}]
    spec = write_sweep(recipe, tmp_path / "spec", {"seed": [0, 1]}, include=long)
    sweep = tmp_path / "sweep"
    assert main(["sweep", "run", str(spec), "--out", str(sweep)]) == 0
    jobs.extend(submitted(capsys.readouterr()))
    sweep_dir = SweepDir(sweep)
    points = [entry["id"] for entry in sweep_dir.points()]
    assert len(points) == 3 and sweep_dir.state(points[2])["job_id"] == f"{jobs[0]}_2"
    logs = sweep / "slurm" / "logs"
    run_dir = sweep_dir.run_dir(points[2])
    wait_for(lambda: (run_dir / "metrics.jsonl").is_file(), "task 2's first logged step", logs)
    ids = subprocess.run(
        ["squeue", "--array", "--noheader", "--format=%i %A", f"--jobs={jobs[0]}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"{jobs[0]}_2 {jobs[0]}" in ids.splitlines(), ids  # task 2's own job id is the array's id
    subprocess.run(["scancel", "--signal=USR1", "--batch", f"{jobs[0]}_2"], check=True)
    wait_for(lambda: sweep_dir.state(points[2])["status"] == "preempted", "task 2 recorded preempted", logs)
    wait_for(lambda: job_states(jobs[0]).get(2) == "PENDING", "the requeued task 2", logs)
    subprocess.run(["scontrol", "update", f"JobId={jobs[0]}_2", "StartTime=now+5"], check=True)
    wait_sweep(sweep, jobs[0])
    states = job_states(jobs[0])
    task_log = [logs / f"{sweep.name}-{jobs[0]}_{i}.out" for i in range(3)]
    assert states == {0: "COMPLETED", 1: "COMPLETED", 2: "COMPLETED"}, "".join(read_log(p)[-2000:] for p in task_log)
    assert [task_starts(task_log[i], i) for i in range(3)] == [1, 1, 2]
    assert [sweep_dir.state(p)["attempts"] for p in points] == [1, 1, 2]
    assert f"requeueing task {jobs[0]}_2 " in read_log(task_log[2])


FAILING_RELEASE = """#!/bin/bash
# scontrol, except that `release` fails as it did for a request the partition could not satisfy
if [ "$1" = release ]; then
    echo "scontrol: error: Requested partition configuration not available now" >&2
    exit 1
fi
exec {scontrol} "$@"
"""


@needs_slurm
def test_a_failure_after_sbatch_leaves_nothing_in_the_queue(recipe, tmp_path, capsys, monkeypatch):
    """`scontrol release` fails (a fake scontrol first on PATH; every other call goes to the real one): the arrays
    and the comparison job submitted so far are cancelled, and no point stays recorded `queued`."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "scontrol").write_text(FAILING_RELEASE.format(scontrol=shutil.which("scontrol")))
    (fake / "scontrol").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    spec = write_sweep(recipe, tmp_path / "spec", {"seed": [0, 1]})
    sweep = tmp_path / "sweep"
    assert main(["sweep", "run", str(spec), "--out", str(sweep), "--compare"]) == 2
    err = capsys.readouterr().err
    assert "release job" in err and "Requested partition configuration not available now" in err
    found = jobs_of(tmp_path)
    assert sorted(Path(script).name for script, _ in found) == ["sweep-compare.sbatch", "sweep.sbatch"]
    assert {state for _, state in found} == {"CANCELLED"}
    assert not any((sweep / "points").glob("*.json"))  # records put back: nothing queued


@needs_slurm
def test_sweep_cancel_cancels_its_own_tasks_and_the_comparison_job_waits_for_the_arrays(recipe, tmp_path, jobs, capsys):
    """The points wait (a site directive: --begin=now+1hour), the comparison job depends on their array; `sweep
    cancel` cancels exactly those jobs, the points are `cancelled`, and a later run would resume them."""
    spec = write_sweep(recipe, tmp_path / "spec", {"seed": [0, 1]}, slurm={"directives": ["--begin=now+1hour"]})
    sweep = tmp_path / "sweep"
    other = subprocess.run(
        ["sbatch", "--parsable", "--begin=now+1hour", "--wrap", "true", "-o", "/dev/null"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    jobs.append(other)  # not the sweep's: must survive its cancel
    assert main(["sweep", "run", str(spec), "--out", str(sweep), "--compare"]) == 0
    printed = capsys.readouterr()
    jobs.extend(submitted(printed))
    array, compare = jobs[1:]
    shown = subprocess.run(["scontrol", "show", "job", compare], capture_output=True, text=True, check=True).stdout
    assert f"Dependency=afterany:{array}_*" in shown, shown
    assert "compare" in (sweep / "slurm" / "sweep-compare.tasks").read_text()
    assert main(["sweep", "cancel", str(sweep)]) == 0
    assert "2 point(s) cancelled" in capsys.readouterr().out
    sweep_dir = SweepDir(sweep)
    assert {sweep_dir.state(entry["id"])["status"] for entry in sweep_dir.points()} == {"cancelled"}
    states = queue_states([f"{array}_0", f"{array}_1", f"{compare}_0", other])
    assert {states[f"{array}_{i}"] for i in range(2)} == {"CANCELLED"} and states[f"{compare}_0"] == "CANCELLED"
    assert states[other] == "PENDING"
    rows = status(sweep, capsys)
    assert {row["status"] for row in rows.values()} == {"cancelled"}
    assert main(["sweep", "run", str(spec), "--out", str(sweep), "--dry-run"]) == 0
    assert capsys.readouterr().out.count(": start") == 2  # cancelled points run again on the next sweep run
