"""Point claims: an flock on `points/<id>.lock`, held by the process running the point (and its trainer).

The kernel drops an flock when every process holding it ends, so a killed run leaves no claim on one machine. On
shared filesystems that is not always so: a node that died can leave its lock held on the server for a while, and
some mounts have no flock at all (Lustre without `-o flock`: ENOSYS). So the lock file also names its holder (job
id, host, pid, attempt): a claim whose holder is known to be gone (its SLURM job no longer live in squeue, or its
process no longer alive on this host) is taken over by replacing the lock file; a claim whose holder cannot be told
is left, and a SLURM task retries later (exit 75) instead of leaving the point to no one. Probes (`sweep status`,
a re-run deciding what to submit) open the lock read-only and take a shared lock, so they work without write
access to the sweep folder.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from train.errors import PrevsteerError
from train.files import now
from train.launch import slurm
from train.training.slurm_job import attempt

# What a filesystem without (working) flock answers: Lustre mounted without flock, NFS without its lock daemon.
_NO_FLOCK = (errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOLCK)
_RETRIES, _RETRY_S = 5, 0.2  # a probe holds its shared lock for an instant: try again before calling it claimed


def _flock(fd: int, operation: int, path: Path) -> None:
    """flock, with one clear error where the filesystem has none."""
    try:
        fcntl.flock(fd, operation)
    except BlockingIOError:
        raise
    except OSError as exc:
        if exc.errno in _NO_FLOCK:
            raise PrevsteerError(
                f"{path.parent}: this filesystem does not support flock ({os.strerror(exc.errno)}), which point claims "
                "need; put the sweep folder (--out) on a filesystem with flock (Lustre: mounted with -o flock; NFS: "
                "with its lock daemon), e.g. the cluster's home or project filesystem"
            ) from None
        raise


def check_flock(folder: Path) -> None:
    """Fail early (at `sweep run`, not in a task) where the sweep folder's filesystem has no flock."""
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / "sweep.lock"
    fd = os.open(probe, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _flock(fd, fcntl.LOCK_SH, probe)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def whoami(job: str) -> dict[str, Any]:
    """What a claim records about its holder."""
    return {"job_id": job, "attempt": attempt(), "host": socket.gethostname(), "pid": os.getpid(), "since": now()}


def _write_holder(fd: int, holder: dict[str, Any]) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)


@contextlib.contextmanager
def claim(path: Path, holder: dict[str, Any]) -> Iterator[int | None]:
    """An exclusive, non-blocking flock on `path`, which then names `holder`: yields its file descriptor, or None
    when another process holds it (tried a few times over a second: a probe's shared lock is brief)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        for tries in range(_RETRIES):
            try:
                _flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, path)
                break
            except BlockingIOError:
                if tries == _RETRIES - 1:
                    yield None
                    return
                time.sleep(_RETRY_S)
        _write_holder(fd, holder)
        yield fd
    finally:
        os.close(fd)


@contextlib.contextmanager
def take_over(path: Path, holder: dict[str, Any]) -> Iterator[int]:
    """Claim `path` in place of a holder that is gone: a new lock file, locked, then renamed over the old one (whose
    stale lock, held for a dead node, no longer matters)."""
    fresh = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(fresh, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        _flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, fresh)
        _write_holder(fd, holder)
        os.replace(fresh, path)
        yield fd
    finally:
        os.close(fd)
        fresh.unlink(missing_ok=True)


def holder_of(path: Path) -> dict[str, Any] | None:
    """Who holds the claim on `path` (what its lock file names; {} when it names nobody), or None when nobody holds
    it. Read-only and shared: a collaborator without write access can ask."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            _flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, path)
        except BlockingIOError:
            try:
                return json.loads(os.pread(fd, 4096, 0) or b"{}")
            except ValueError:
                return {}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def holder_gone(holder: dict[str, Any], me: dict[str, Any]) -> bool | None:
    """Whether the holder of a claim is known to be gone (True), known to be alive (False), or cannot be told (None).
    On this host its process tells; elsewhere its SLURM job: an earlier attempt of this very task (requeued onto
    another node) is gone, and so is a job squeue no longer lists as waiting or running."""
    if not holder:
        return None
    if holder.get("host") == me["host"] and isinstance(holder.get("pid"), int):
        return not _alive(holder["pid"])
    job = str(holder.get("job_id") or "")
    if not job or job.startswith("local:"):
        return None
    if job == me["job_id"] and holder.get("attempt") != me["attempt"]:
        return True
    if shutil.which("squeue") is None:
        return None
    try:
        state = slurm.queue_states([job]).get(job)
    except PrevsteerError:
        return None
    return state not in slurm.LIVE_STATES


def describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "another invocation"
    return f"job {holder.get('job_id')} (host {holder.get('host')}, pid {holder.get('pid')})"
