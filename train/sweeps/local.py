"""The local launcher: lanes of `prevsteer` processes side by side on this machine.

Jobs wait in one queue and each lane takes the next one as soon as it is free, so jobs of different lengths
still keep every lane busy. On a CPU the threads are split between the lanes (on a small CPU two
single-thread processes get more done than one process with two threads); on GPUs each lane gets its own
devices through `CUDA_VISIBLE_DEVICES` and its own rendezvous port (`MASTER_PORT`), so multi-GPU lanes can
launch distributed runs without colliding.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from train.console import live, say
from train.errors import PrevsteerError


@dataclass
class Job:
    """One `prevsteer` command; skipped when `finished()` says its work is already there."""

    name: str
    args: list[str]
    finished: Callable[[], bool]


def visible_gpus() -> list[str]:
    """The GPUs this process may use, as `CUDA_VISIBLE_DEVICES` entries."""
    listed = os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        return [entry for entry in listed.split(",") if entry.strip()]
    import torch

    return [str(i) for i in range(torch.cuda.device_count())]


def lane_envs(lanes: int, gpus_per_lane: int | None = None, port: int = 29500) -> list[dict[str, str]]:
    """Each lane's environment: its share of the CPU threads, its GPUs (none on a CPU) and its rendezvous port."""
    gpus = visible_gpus() if gpus_per_lane != 0 else []
    per_lane = len(gpus) // lanes if gpus_per_lane is None else gpus_per_lane
    if gpus and per_lane == 0:
        raise PrevsteerError(f"launcher.lanes: {lanes} lanes but {len(gpus)} GPU(s); use at most {len(gpus)} lanes")
    if per_lane * lanes > len(gpus):
        raise PrevsteerError(
            f"launcher.gpus_per_lane: {lanes} lanes x {per_lane} GPUs needs {per_lane * lanes}, {len(gpus)} visible"
        )
    threads = str(max(1, (os.cpu_count() or 1) // lanes))
    envs = []
    for lane in range(lanes):
        env = {**os.environ, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "TOKENIZERS_PARALLELISM": "false"}
        env["MASTER_PORT"] = str(port + lane)
        if gpus or gpus_per_lane == 0:
            env["CUDA_VISIBLE_DEVICES"] = ",".join(gpus[lane * per_lane : (lane + 1) * per_lane])
        envs.append(env)
    return envs


def _table(title: str, states: dict[str, str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("job")
    table.add_column("status")
    for name, state in states.items():
        table.add_row(name, state)
    return table


def _last_line(log: Path) -> str:
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    return lines[-1] if lines else "(empty log)"


def run_lanes(jobs: list[Job], logs: Path, envs: list[dict[str, str]], title: str = "jobs") -> None:
    """Run the unfinished jobs side by side, one lane per environment in `envs`, each lane taking the next job from
    the queue when it is free; every job's output is appended to `logs/<job>.log`. A failed job is shown as
    failed and the others go on."""
    states = {job.name: "reused" if job.finished() else "waiting" for job in jobs}
    queue = [job for job in jobs if not job.finished()]
    running: dict[int, tuple[Job, subprocess.Popen, float, Any]] = {}
    logs.mkdir(parents=True, exist_ok=True)

    def start_next(lane: int) -> None:
        if queue:
            job = queue.pop(0)
            log = (logs / f"{job.name}.log").open("a")
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} prevsteer {' '.join(job.args)}\n")
            log.flush()
            command = [sys.executable, "-m", "train.cli", *job.args]
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=envs[lane])
            running[lane] = (job, process, time.monotonic(), log)
            say(f"{title}: started {job.name} (log {logs / job.name}.log)")

    threads = envs[0].get("OMP_NUM_THREADS", "?")
    lanes = min(len(envs), len(queue))
    say(f"{title}: {len(queue)} jobs in {lanes} parallel lanes, {threads} thread(s) each")
    try:
        with live(_table(title, states), refresh_per_second=1) as display:
            for lane in range(lanes):
                start_next(lane)
            while running:
                for lane, (job, process, started, log) in list(running.items()):
                    elapsed = time.monotonic() - started
                    code = process.poll()
                    if code is None:
                        states[job.name] = f"running {elapsed / 60:.1f} min"
                        continue
                    log.close()
                    del running[lane]
                    if code == 0 and job.finished():
                        states[job.name] = f"done in {elapsed / 60:.1f} min"
                        say(f"{title}: {job.name} done in {elapsed / 60:.1f} min")
                    else:
                        states[job.name] = "failed"
                        say(
                            f"{title}: {job.name} failed (exit {code}; log {logs / job.name}.log): "
                            f"{_last_line(logs / f'{job.name}.log')}"
                        )
                    start_next(lane)
                display.update(_table(title, states))
                time.sleep(0.5)
    finally:
        for _, process, _, log in running.values():
            process.terminate()
            process.wait()
            log.close()
