"""A run directory: every file a training run writes, named in one place, and its status record.

Training writes it; evaluation, monitoring, model loading and the demo read it, so it lives here, below all of
them (plain paths and JSON, no trainer). Layout: `recipe.yaml` (resolved), `run.json` (status, times, counts,
versions, the prepared data file), `metrics.jsonl`, `vectors/` (copies of the vectors used), `steering.json`
(resolved per-layer steering), `screening.json`, `distributed.json` (world size, steering-hook calls and a
trainable-weight fingerprint per rank), `eval/step-N/`, `posthoc/`, `tensorboard/`, `final/` (adapter or
model) and the trainer's `checkpoint-N/` folders, each complete only once its `checkpoint_complete.json` is written
(last, after every rank wrote its part). A batch script writes `preemption-notice` when the job is told to stop.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml

from train.files import append_jsonl, now, read_json, read_jsonl, write_json, write_jsonl

Status = Literal["running", "completed", "failed", "preempted"]
CHECKPOINT_COMPLETE = "checkpoint_complete.json"
NOTICE_FILE = "preemption-notice"


class RunDir:
    """The paths of one run directory, and its `run.json` record, kept in memory and written whole on each change."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._record: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    @property
    def recipe(self) -> Path:
        return self.path / "recipe.yaml"

    @property
    def record_file(self) -> Path:
        return self.path / "run.json"

    @property
    def metrics_file(self) -> Path:
        return self.path / "metrics.jsonl"

    @property
    def steering_file(self) -> Path:
        return self.path / "steering.json"

    @property
    def screening_file(self) -> Path:
        return self.path / "screening.json"

    @property
    def distributed_file(self) -> Path:
        return self.path / "distributed.json"

    @property
    def vectors(self) -> Path:
        return self.path / "vectors"

    def vector_copy(self, index: int, source: str | os.PathLike[str]) -> Path:
        """Where the run keeps its copy of its INDEXth steering vector (so `--resume` uses the same one)."""
        return self.vectors / f"{index}-{Path(source).name}"

    @property
    def final(self) -> Path:
        return self.path / "final"

    @property
    def posthoc(self) -> Path:
        return self.path / "posthoc"

    @property
    def tensorboard(self) -> Path:
        return self.path / "tensorboard"

    def eval_dir(self, step: int) -> Path:
        """The folder of the evaluation at training step STEP (generations, judge labels, meta.json)."""
        return self.path / "eval" / f"step-{step}"

    @property
    def notice_file(self) -> Path:
        """The preemption notice the batch script writes (it names the job attempt it is meant for)."""
        return self.path / NOTICE_FILE

    def checkpoints(self) -> list[Path]:
        """The trainer's complete `checkpoint-N` folders, oldest step first. A folder without its completion marker
        was torn (the job was killed while it was written) and is left out: resuming from it would fail."""
        found = [p for p in self.path.glob("checkpoint-*") if p.name.split("-", 1)[1].isdigit()]
        complete = [p for p in found if (p / CHECKPOINT_COMPLETE).is_file()]
        return sorted(complete, key=lambda p: int(p.name.split("-", 1)[1]))

    @staticmethod
    def mark_complete(checkpoint: Path, **info: Any) -> None:
        """Record that every file of `checkpoint` is written: call it last, once every rank has written its part."""
        write_json(checkpoint / CHECKPOINT_COMPLETE, {"written": now(), **info})

    @staticmethod
    def checkpoint_info(checkpoint: Path) -> dict[str, Any]:
        """What `mark_complete` recorded about a checkpoint (e.g. an evaluation a preemption put off)."""
        return read_json(checkpoint / CHECKPOINT_COMPLETE)

    def is_started(self) -> bool:
        """Whether this is a prevsteer run directory (its recipe is written first)."""
        return self.recipe.is_file()

    def resumable(self) -> bool:
        """Whether `--resume` can continue it: its recipe and at least one checkpoint are there."""
        return self.is_started() and bool(self.checkpoints())

    def stored_recipe(self) -> dict[str, Any]:
        """The resolved recipe the run stored, as data."""
        return yaml.safe_load(self.recipe.read_text())

    def is_finished(self) -> bool:
        """Whether the run left a trained model to load."""
        return self.recipe.is_file() and self.final.is_dir()

    def is_empty(self) -> bool:
        """Nothing written yet (a preemption notice that came before the run started does not count)."""
        return not (self.path.is_dir() and any(p.name != NOTICE_FILE for p in self.path.iterdir()))

    # ---- run.json: status and what the run used ----------------------------------------------------------------

    @property
    def record(self) -> dict[str, Any]:
        """The `run.json` record (read once; this object's own changes are kept in memory)."""
        if self._record is None:
            self._record = read_json(self.record_file)
        return self._record

    @property
    def status(self) -> str | None:
        return self.record.get("status")

    def start(self, **info: Any) -> None:
        """A new attempt of the run begins: a fresh record, status `running`."""
        self._record = {"status": "running", "started": now(), **info}
        write_json(self.record_file, self._record)

    def update(self, **fields: Any) -> None:
        """Add or change fields of the record without changing its status."""
        self._record = {**self.record, **fields}
        write_json(self.record_file, self._record)

    def complete(self, **fields: Any) -> None:
        self._finish("completed", **fields)

    def fail(self, error: BaseException | str) -> None:
        self._finish("failed", error=str(error)[:500])

    def preempt(self, **fields: Any) -> None:
        """Stopped on request (e.g. a SLURM preemption) after saving a checkpoint; `--resume` continues it."""
        self._finish("preempted", **fields)

    def _finish(self, status: Status, **fields: Any) -> None:
        self.update(status=status, finished=now(), **fields)

    # ---- metrics.jsonl ---------------------------------------------------------------------------------------

    def metrics(self) -> list[dict[str, Any]]:
        """The logged rows (none before the first log); a last line still being written is left out."""
        return read_jsonl(self.metrics_file)[0] if self.metrics_file.is_file() else []

    def append_metrics(self, row: dict[str, Any]) -> None:
        append_jsonl(self.metrics_file, [row])

    def drop_metrics_after(self, step: int) -> None:
        """Forget rows logged after STEP: a resumed run logs those steps again from its checkpoint."""
        rows = self.metrics()
        kept = [row for row in rows if row.get("step", 0) <= step]
        if len(kept) < len(rows):
            write_jsonl(self.metrics_file, kept)
