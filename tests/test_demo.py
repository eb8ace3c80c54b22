"""The demo's job lanes (real `prevsteer` subprocesses) and the arithmetic of its report."""

from __future__ import annotations

import json

import pytest

from train.demo import _posthoc_line, _run_jobs
from train.errors import PrevsteerError
from train.sweeps.local import Job
from train.sweeps.stats import prevented_share


def build_job(name: str, out, n: int = 4) -> Job:
    args = ["data", "build", "rude-answers", "--level", "II", "--n", str(n), "--out", str(out)]
    return Job(name, args, finished=out.is_file)


def test_lanes_run_jobs_in_order_reuse_finished_ones_and_report_a_failure(tmp_path):
    first_out, second_out, after_broken_out = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "d.jsonl"
    first, second = build_job("first", first_out), build_job("second", second_out, n=6)
    broken = build_job("broken", tmp_path / "c")
    broken.args[2] = "no-such-dataset"
    after_broken = build_job("after-broken", after_broken_out)
    with pytest.raises(PrevsteerError) as error:
        _run_jobs([[first, second], [broken, after_broken]], tmp_path / "logs")
    message = str(error.value)
    assert message.startswith("broken failed (exit 2; log ") and "no-such-dataset" in message
    assert len(message.splitlines()) == 1
    # the healthy lane finished; the failed lane stopped at its failure
    assert [len(p.read_text().splitlines()) for p in (first_out, second_out)] == [4, 6]
    assert json.loads(first_out.read_text().splitlines()[0])["messages"][-1]["role"] == "assistant"
    assert not after_broken_out.exists()
    log = (tmp_path / "logs" / "broken.log").read_text()
    assert "prevsteer data build no-such-dataset" in log and "Traceback" not in log

    # finished jobs are not run again (their outputs are left as they are); the rest run
    before = first_out.stat().st_mtime_ns
    seconds = _run_jobs([[first, second], [after_broken]], tmp_path / "logs")
    assert set(seconds) == {"after-broken"} and seconds["after-broken"] > 0
    assert first_out.stat().st_mtime_ns == before
    assert after_broken_out.is_file()
    assert (tmp_path / "logs" / "broken.log").read_text() == log  # earlier logs are appended to, never replaced


def test_prevented_share():
    assert prevented_share(base=60.0, plain=80.0, steered=70.0) == pytest.approx(0.5)
    assert prevented_share(base=60.0, plain=80.0, steered=50.0) == pytest.approx(1.5)  # below the base model
    assert prevented_share(base=60.0, plain=60.0, steered=70.0) is None  # plain moved nothing: no share to speak of


def test_posthoc_line_names_the_scores_and_a_non_monotone_sweep():
    rows = [
        {"coefficient": a, "eval/trait/impolite": t, "eval/mmlu_p_correct": 0.25}
        for a, t in ((0.5, 60.0), (1, 45.0), (2, 47.0))
    ]
    preventative = {0: {"final": {"eval/trait/impolite": 40.0}}, 1: {"final": {"eval/trait/impolite": 44.0}}}
    line = _posthoc_line({"eval/trait/impolite": 76.0}, rows, preventative)
    assert "60 / 45 / 47 at a = 0.5 / 1 / 2" in line
    assert "rises again at a=2" in line
    assert "42 ± 2" in line
    rows[2]["eval/trait/impolite"] = 30.0
    assert "(monotone)" in _posthoc_line({"eval/trait/impolite": 76.0}, rows, preventative)
