"""SLURM launching: the rendered batch scripts, and real jobs on the local one-node cluster
(`bash scripts/slurm_local.sh up`; `.ci/run` starts it). Tests that need SLURM skip where `sbatch` is absent or
no node takes jobs. Every wait is bounded and every job submitted here is cancelled at the end.

The training runs reuse tests/test_distributed.py's tiny recipe and single-process reference (same global batch,
plain SGD, so two runs that should agree do so within its ATOL)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_distributed import ATOL, adapter, check_distributed_run, recipe, reference, train_single

from train.cli import main
from train.errors import PrevsteerError
from train.launch.launch_settings import ResourceShape
from train.launch.slurm import TEMPLATE, job_states, max_array_size, render_array, submit
from train.launch.submit import launch_folder

__all__ = ["recipe", "reference"]  # fixtures shared with test_distributed

# Long enough that a preemption notice sent after the first logged step arrives well before the end.
PREEMPT_STEPS = 200
WAIT_S = 240


def _cluster_up() -> str | None:
    """Why SLURM tests cannot run here, or None."""
    if shutil.which("sbatch") is None:
        return "sbatch not found (SLURM not installed; `bash scripts/slurm_local.sh up` installs it as root)"
    proc = subprocess.run(["sinfo", "--noheader", "--format=%T"], capture_output=True, text=True)
    if proc.returncode != 0 or not any(s.startswith(("idle", "mixed")) for s in proc.stdout.split()):
        return "no SLURM node takes jobs (run `bash scripts/slurm_local.sh up`)"
    return None


needs_slurm = pytest.mark.skipif(_cluster_up() is not None, reason=str(_cluster_up()))


@pytest.fixture
def jobs() -> Iterator[list[str]]:
    """Job ids submitted by a test; all cancelled at its end, whatever happened."""
    submitted: list[str] = []
    yield submitted
    for job in submitted:
        subprocess.run(["scancel", job], capture_output=True)


def read_log(path: Path) -> str:
    """A task log (progress bars of several processes can interleave inside a UTF-8 character)."""
    return path.read_text(errors="replace")


def wait_for(condition: Callable[[], bool], what: str, log: Path | None = None, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = "".join(read_log(p)[-3000:] for p in sorted(log.glob("*.out"))) if log and log.is_dir() else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")
        time.sleep(0.5)


def finished(job: str) -> bool:
    return all(state not in ("PENDING", "RUNNING", "COMPLETING", "REQUEUED") for state in job_states(job).values())


def run_json(run_dir: Path) -> dict:
    path = run_dir / "run.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def launch(recipe: Path, out: Path, capsys, *options: str) -> str:
    """`prevsteer launch` on the local cluster (1 CPU per process unless `options` say more); the job id."""
    argv = ["launch", str(recipe), "--output-dir", str(out), "--time", "10:00", "--cpus-per-node", "1", *options]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "submitted as job " in printed, printed
    return printed.split("submitted as job ")[1].split()[0]


def shape(**values) -> ResourceShape:
    return ResourceShape(processes_per_node=1, cpus_per_node=1, time="10:00", **values)


def test_render_array_splits_below_max_array_size_and_leaves_slurm_variables_to_the_job(tmp_path):
    tricky = 'it\'s $HOME "quoted" `ls`'
    tasks = [["train", "r.yaml", "--output-dir", str(tmp_path / f"run{i}"), f"--set=name={tricky}"] for i in range(5)]
    gpu = ResourceShape(nodes=2, gpus_per_node=4, partition="gpu", time="2-00:00:00")
    scripts = render_array(tasks, gpu, tmp_path / "sweep", "pts", max_parallel=2, max_array_size=2)
    assert [s.name for s in scripts] == ["pts-0.sbatch", "pts-1.sbatch", "pts-2.sbatch"]
    template = TEMPLATE.read_text()
    for script, size in zip(scripts, (2, 2, 1), strict=True):
        text = script.read_text()
        assert f"#SBATCH --array=0-{size - 1}%2\n" in text
        assert "#SBATCH --nodes=2\n" in text and "#SBATCH --gpus-per-node=4\n" in text
        assert "#SBATCH --partition=gpu\n" in text and "#SBATCH --time=2-00:00:00\n" in text
        assert "PROCESSES=4\n" in text and "--requeue" in text and "#SBATCH --signal=B:USR1@300\n" in text
        for variable in ("$SLURM_", "${SLURM_"):  # none expanded (or dropped) when the script was written
            assert text.count(variable) == template.count(variable) > 0
        assert "{{" not in text.replace("{{...}}", "")
    # Each tasks line gives back the run folder and the exact arguments in the job's bash.
    lines = (tmp_path / "sweep" / "pts-1.tasks").read_text().splitlines()
    assert len(lines) == 2
    shell = subprocess.run(
        ["bash", "-c", 'eval "set -- $1"; printf "%s\\n" "$@"', "bash", lines[1]], capture_output=True, text=True
    )
    assert shell.stdout.splitlines() == [str(tmp_path / "run3"), *tasks[3]]

    cpu = render_array(tasks[:1], shape(), tmp_path / "one", "one")[0].read_text()
    assert "--gpus-per-node" not in cpu and "--partition" not in cpu and "#SBATCH --array=0-0\n" in cpu
    with pytest.raises(PrevsteerError, match="no --output-dir"):
        render_array([["train", "r.yaml"]], shape(), tmp_path / "bad", "bad")


def test_launch_dry_run_writes_the_script_and_submits_nothing(recipe, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no sbatch can be called
    out = tmp_path / "run"
    argv = ["launch", str(recipe), "--output-dir", str(out), "--nodes", "2", "--gpus-per-node", "8"]
    assert main([*argv, "--dry-run", "--set", "training.max_steps=2"]) == 0
    script = launch_folder(out) / "dist.sbatch"
    assert "not submitted" in capsys.readouterr().out and script.is_file() and not out.exists()
    line = (launch_folder(out) / "dist.tasks").read_text()
    assert "--set=training.max_steps=2" in line and str(recipe) in line
    assert main(argv) == 2
    assert "`sbatch` not found" in capsys.readouterr().err
    assert main([*argv, "--time", "1 hour", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("prevsteer: error: --time:") and len(err.splitlines()) == 1
    assert main([*argv, "--nodes", "0", "--dry-run"]) == 2
    assert "--nodes:" in capsys.readouterr().err


def wait_job(job: str, log: Path) -> dict[int, str]:
    wait_for(lambda: finished(job), f"job {job} to finish", log)
    return job_states(job)


@needs_slurm
@pytest.mark.slow
def test_two_processes_under_srun_match_one_process(recipe, reference, tmp_path, jobs, capsys):
    out = tmp_path / "ddp"
    jobs.append(launch(recipe, out, capsys, "--processes-per-node", "2", "--cpus-per-node", "2"))
    logs = launch_folder(out) / "logs"
    assert wait_job(jobs[0], logs) == {0: "COMPLETED"}
    check_distributed_run(out, reference)
    record = run_json(out)["slurm"]
    assert record["restart_count"] == 0 and record["array_task_id"] == "0"
    link = out / Path(record["log"]).name
    assert link.is_symlink() and "prevsteer: task 0" in read_log(link)


@needs_slurm
@pytest.mark.slow
def test_preempted_task_checkpoints_requeues_and_resumes(recipe, tmp_path, jobs, capsys):
    overrides = [f"--set=training.max_steps={PREEMPT_STEPS}"]
    whole = train_single(recipe, tmp_path / "whole", *overrides)
    out = tmp_path / "cut"
    jobs.append(launch(recipe, out, capsys, *overrides))
    logs = launch_folder(out) / "logs"
    wait_for(lambda: (out / "metrics.jsonl").is_file(), "the first logged step", logs)
    subprocess.run(["scancel", "--signal=USR1", "--batch", jobs[0]], check=True)
    wait_for(lambda: run_json(out).get("status") == "preempted", "run.json status preempted", logs)
    checkpoint = run_json(out)["checkpoint"]
    wait_for(lambda: job_states(jobs[0]).get(0) == "PENDING", "the requeued task", logs)
    # SLURM 22.05 holds a requeued job back for about two minutes (BeginTime): start it sooner, though not at once.
    # slurmd refuses a start whose credential dates from the same second as the previous start's kill ("Job
    # credential revoked", and the task ends FAILED without running): that was this test's flakiness.
    subprocess.run(["scontrol", "update", f"JobId={jobs[0]}", "StartTime=now+5"], check=True)
    states = wait_job(jobs[0], logs)
    assert states == {0: "COMPLETED"}, "".join(read_log(p)[-4000:] for p in sorted(logs.glob("*.out")))

    info = run_json(out)
    assert info["status"] == "completed" and info["slurm"]["restart_count"] == 1
    assert (out / checkpoint).is_dir() and int(checkpoint.split("-")[1]) < PREEMPT_STEPS
    log = read_log(out / Path(info["slurm"]["log"]).name)  # one log for both starts (--open-mode=append)
    assert "restart 0" in log and "requeueing" in log and "restart 1" in log
    got, want = adapter(out), adapter(whole)
    assert got.keys() == want.keys() and max((got[k] - want[k]).abs().max().item() for k in want) <= ATOL
    steps = [row["step"] for row in map(json.loads, (out / "metrics.jsonl").read_text().splitlines()) if "loss" in row]
    assert steps == list(range(1, PREEMPT_STEPS + 1))


# Imported by every Python process of the job (it is first on PYTHONPATH): rank 0's torch.save sleeps, as a
# checkpoint written to a slow shared filesystem does, so a rank that left at once would have torchrun kill rank 0
# in the middle of writing it.
SLOW_RANK_ZERO_SAVE = """\
import os

if os.environ.get("RANK") == "0" and os.environ.get("SLOW_SAVE_S"):
    import time

    import torch

    _save = torch.save

    def slow_save(*args, **kwargs):
        time.sleep(float(os.environ["SLOW_SAVE_S"]))
        return _save(*args, **kwargs)

    torch.save = slow_save
"""


def loss_steps(run_dir: Path) -> list[int]:
    path = run_dir / "metrics.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.is_file() else []
    return [row["step"] for row in rows if "loss" in row]


@needs_slurm
@pytest.mark.slow
def test_two_ranks_preempted_again_and_again_always_requeue_resume_and_complete(
    recipe, tmp_path, jobs, capsys, monkeypatch
):
    """A 2-process full fine-tune under srun + torchrun, preempted three times in a row. Every rank waits until
    rank 0 has written the checkpoint (slowed here: see SLOW_RANK_ZERO_SAVE) and run.json, so each notice gives a
    complete checkpoint, a `preempted` run and a requeue; the run then completes with every step logged once.
    Before, rank 1 exited 75 at once and torchrun killed rank 0 mid-write: a torn checkpoint, run.json `running`,
    and no requeue."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW_RANK_ZERO_SAVE)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("SLOW_SAVE_S", "1")
    overrides = [f"--set=training.max_steps={PREEMPT_STEPS}", "--set=model.lora=null"]  # full fine-tune
    out = tmp_path / "full"
    jobs.append(launch(recipe, out, capsys, "--processes-per-node", "2", "--cpus-per-node", "2", *overrides))
    logs = launch_folder(out) / "logs"
    checkpoints = []
    for restart in range(3):
        after = int(checkpoints[-1].split("-")[1]) if checkpoints else 0
        wait_for(lambda: any(step > after for step in loss_steps(out)), f"a step after {after} (start {restart})", logs)  # noqa: B023
        subprocess.run(["scancel", "--signal=USR1", "--batch", jobs[0]], check=True)

        def preempted(restart: int = restart) -> bool:
            info = run_json(out)
            return info.get("status") == "preempted" and info.get("slurm", {}).get("restart_count") == restart

        wait_for(preempted, f"run.json preempted (start {restart})", logs)
        checkpoints.append(run_json(out)["checkpoint"])
        folder = out / checkpoints[-1]
        assert (folder / "checkpoint_complete.json").is_file() and (folder / "trainer_state.json").is_file()
        assert (folder / "optimizer.pt").is_file() and (folder / "rng_state_1.pth").is_file()
        wait_for(lambda: job_states(jobs[0]).get(0) == "PENDING", f"the requeued task (start {restart})", logs)
        subprocess.run(["scontrol", "update", f"JobId={jobs[0]}", "StartTime=now+5"], check=True)
    states = wait_job(jobs[0], logs)
    log = "".join(read_log(p) for p in sorted(logs.glob("*.out")))
    assert states == {0: "COMPLETED"}, log[-4000:]
    info = run_json(out)
    assert info["status"] == "completed" and info["slurm"]["restart_count"] == 3 and info["world_size"] == 2
    assert info["slurm"]["cpus_per_task"] == "2"
    assert log.count("requeueing task") == 3 and f"requeueing task {jobs[0]}_0 " in log
    steps = [int(c.split("-")[1]) for c in checkpoints]
    assert steps == sorted(set(steps)) and steps[-1] < PREEMPT_STEPS
    assert loss_steps(out) == list(range(1, PREEMPT_STEPS + 1))
    assert (out / "final" / "model.safetensors").is_file()


@needs_slurm
@pytest.mark.slow
def test_a_failing_point_is_reported_and_the_others_finish(recipe, tmp_path, jobs):
    good, bad = tmp_path / "good", tmp_path / "bad"
    tasks = [
        ["train", str(recipe), "--output-dir", str(bad), "--set=training.learning_rate=fast"],
        ["train", str(recipe), "--output-dir", str(good)],
    ]
    (script,) = render_array(tasks, shape(), tmp_path / "sweep", "points", max_parallel=2)
    jobs.append(submit(script))
    assert wait_job(jobs[0], tmp_path / "sweep" / "logs") == {0: "FAILED", 1: "COMPLETED"}
    assert run_json(good)["status"] == "completed" and not bad.exists()
    log = read_log(tmp_path / "sweep" / "logs" / f"points-{jobs[0]}_0.out")
    assert "prevsteer: error: " in log and "training.learning_rate" in log and "exited with code" in log


@needs_slurm
@pytest.mark.slow
def test_a_job_that_cannot_requeue_ends_failed_not_hung(recipe, tmp_path, jobs):
    out = tmp_path / "run"
    tasks = [["train", str(recipe), "--output-dir", str(out), f"--set=training.max_steps={PREEMPT_STEPS}"]]
    (script,) = render_array(tasks, shape(), tmp_path / "one", "norequeue")
    jobs.append(submit(script, "--no-requeue"))
    logs = tmp_path / "one" / "logs"
    log = logs / f"norequeue-{jobs[0]}_0.out"
    # The notice comes as soon as the script runs, before training (the model is still loading): the script
    # repeats it until the training processes honour it.
    wait_for(lambda: log.is_file() and "prevsteer: run " in read_log(log), "the task to start", logs)
    subprocess.run(["scancel", "--signal=USR1", "--batch", jobs[0]], check=True)
    assert wait_job(jobs[0], logs) == {0: "FAILED"}
    assert run_json(out)["status"] == "preempted"
    assert int(run_json(out)["checkpoint"].split("-")[1]) < PREEMPT_STEPS
    assert "cannot be requeued" in read_log(log)


@needs_slurm
def test_max_array_size_is_read_from_the_cluster():
    config = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, check=True).stdout
    line = next(line for line in config.splitlines() if line.startswith("MaxArraySize"))
    assert max_array_size() == int(line.split("=")[1]) > 1
