"""The run-directory object and the file helpers under it: one atomic write, one JSONL reader, durable appends."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

import pytest

from train.errors import PrevsteerError
from train.files import append_jsonl, read_json, read_numbered_jsonl, write_atomic, write_json
from train.rundir import RunDir


def test_atomic_write_replaces_whole_files_and_leaves_nothing_behind(tmp_path):
    path = tmp_path / "deep" / "a.json"
    write_json(path, {"a": 1})
    write_atomic(path, b"\x00binary")
    assert path.read_bytes() == b"\x00binary"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with pytest.raises(TypeError):
        write_atomic(path, 5)  # fails mid-write: the old file stays whole
    assert path.read_bytes() == b"\x00binary"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.json"]


def test_reader_skips_a_torn_last_line_and_names_any_other_bad_line(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\n{"a": 3, "b": [tr')
    rows, numbers, skipped = read_numbered_jsonl(path)
    assert rows == [{"a": 1}, {"a": 2}] and numbers == [1, 3] and skipped == 1
    path.write_text('{"a": 1}\n{"a": 2, broken\n{"a": 3}')
    with pytest.raises(PrevsteerError, match=r"rows.jsonl:2: malformed JSONL line"):
        read_numbered_jsonl(path)
    assert read_numbered_jsonl(path, skip_bad=True) == ([{"a": 1}, {"a": 3}], [1, 3], 1)
    path.write_text('{"a": 1}\n[1, 2]\n')
    with pytest.raises(PrevsteerError, match=r"rows.jsonl:2: .*expected a JSON object, got list"):
        read_numbered_jsonl(path)


def test_append_after_a_torn_line_starts_a_fresh_line(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_text('{"slot": 0}\n{"slot": 1, "ans')
    append_jsonl(path, [{"slot": 2}, {"slot": 3}])
    assert path.read_text().splitlines()[1:] == ['{"slot": 1, "ans', '{"slot": 2}', '{"slot": 3}']
    assert read_numbered_jsonl(path, skip_bad=True)[0] == [{"slot": 0}, {"slot": 2}, {"slot": 3}]


def test_status_changes_keep_the_record_and_write_it_whole(tmp_path):
    run = RunDir(tmp_path / "run")
    assert run.status is None and not run.is_started() and run.is_empty()
    run.path.mkdir()
    run.notice_file.write_text("12.0\n")  # a preemption notice that came before the run wrote anything
    assert run.is_empty()
    run.start(world_size=2, data={"file": "x.jsonl"})
    assert read_json(run.record_file)["status"] == "running"
    run.record_file.write_text("{}")  # what is on disk is written, never read back and patched
    run.update(train_rows=7)
    run.preempt()
    on_disk = read_json(run.record_file)
    assert on_disk["status"] == "preempted" and on_disk["world_size"] == 2 and on_disk["train_rows"] == 7
    assert "finished" in on_disk and RunDir(run.path).status == "preempted"
    run.start(world_size=2)
    run.fail(RuntimeError("x" * 600))
    assert RunDir(run.path).record["error"] == "x" * 500
    run.start(world_size=1)
    run.complete(final="final")
    assert {k: RunDir(run.path).record[k] for k in ("status", "world_size", "final")} == {
        "status": "completed",
        "world_size": 1,
        "final": "final",
    }


def test_paths_checkpoints_and_eval_folders(tmp_path):
    run = RunDir(tmp_path)
    for step in (10, 9, 100, 200):
        (tmp_path / f"checkpoint-{step}").mkdir()
        (tmp_path / f"checkpoint-{step}" / "model.safetensors").write_text("...")
        if step != 200:  # torn: the job was killed before every rank had written its part
            RunDir.mark_complete(tmp_path / f"checkpoint-{step}", evaluation_put_off=step == 100)
    (tmp_path / "checkpoint-last").mkdir()  # not the trainer's
    assert [p.name for p in run.checkpoints()] == ["checkpoint-9", "checkpoint-10", "checkpoint-100"]
    assert RunDir.checkpoint_info(run.checkpoints()[-1])["evaluation_put_off"] is True
    assert run.eval_dir(12) == tmp_path / "eval" / "step-12"
    assert run.vector_copy(1, "/x/v.safetensors") == tmp_path / "vectors" / "1-v.safetensors"
    assert not run.is_finished()
    run.recipe.write_text("name: x\n")
    run.final.mkdir()
    assert run.is_started() and run.is_finished()


def test_metrics_past_a_step_are_dropped_once_a_resume_starts_there(tmp_path):
    run = RunDir(tmp_path)
    assert run.metrics() == []
    for step in (1, 2, 3, 4):
        run.append_metrics({"step": step, "loss": 1.0 / step})
    with run.metrics_file.open("a") as handle:
        handle.write('{"step": 5, "lo')  # the crash
    assert [row["step"] for row in run.metrics()] == [1, 2, 3, 4]
    run.drop_metrics_after(2)
    assert [json.loads(line)["step"] for line in run.metrics_file.read_text().splitlines()] == [1, 2]


def test_run_dir_and_cache_dir_load_no_torch() -> None:
    """Judges, data preparation and screening find paths through the base layer without importing torch."""
    code = "import sys, train.rundir, train.files; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
