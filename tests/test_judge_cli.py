"""`prevsteer judge` against a real OpenAI-compatible server on 127.0.0.1 (the one in test_judge.py).

The fake server reads `dist=` and `fault=` markers from the prompt; the answers carry them, and the
trait and coherence rubrics embed the answer, so both calls get the same served distribution.
"""

from __future__ import annotations

import json

import pytest
from test_judge import EXPECTED, MODEL, server  # noqa: F401  (server is a fixture)

from train.cli import main


def write_rows(path, dists_faults):
    rows = [
        {"question": f"question {i}", "answer": f"an answer dist={dist} fault={fault}", "id": i}
        for i, (dist, fault) in enumerate(dists_faults)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def judge_args(judge_server, tmp_path, out) -> list[str]:
    """`prevsteer judge` on tmp_path/answers.jsonl against the test server, caching in tmp_path."""
    return [
        "judge",
        "--trait",
        "impolite",
        "--input",
        str(tmp_path / "answers.jsonl"),
        "--judge",
        f"openai:{MODEL}",
        "--judge-base-url",
        judge_server.base_url,
        "--cache",
        str(tmp_path / "c.sqlite"),
        "--out",
        str(out),
    ]


def test_judge_scores_rows_and_a_rerun_makes_no_requests(server, tmp_path, capsys):  # noqa: F811
    write_rows(tmp_path / "answers.jsonl", [("high", "none"), ("mid", "e500"), ("refuse", "none")])
    args = judge_args(server, tmp_path, tmp_path / "o.jsonl")
    assert main(args) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "trait impolite: judged 3: 2 ok, 1 refused" in err
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == [0, 1, 2]
    assert rows[0]["trait_score"] == pytest.approx(EXPECTED["high"][0])
    assert rows[1]["coherence"] == pytest.approx(EXPECTED["mid"][0])
    assert rows[2]["trait_score"] is None and rows[2]["trait_status"] == "refused"
    requests = sum(server.requests.values())
    assert requests == 8  # 6 prompts; the two for the e500 answer failed once each and were retried

    assert main([*args, "--force"]) == 0
    assert sum(server.requests.values()) == requests  # everything came from the cache


def test_judge_failures_exit_2_and_write_nothing(server, tmp_path, capsys):  # noqa: F811
    write_rows(tmp_path / "answers.jsonl", [("high", "none"), ("high", "auth")])
    out = tmp_path / "o.jsonl"
    code = main(judge_args(server, tmp_path, out))
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines()[-1].startswith("prevsteer: error: judge: 2 of 4 calls failed")
    assert not out.exists()


def test_rows_without_question_or_answer_are_named(tmp_path, capsys):
    (tmp_path / "a.jsonl").write_text('{"question": "q"}\n')
    code = main(
        [
            "judge",
            "--trait",
            "impolite",
            "--input",
            str(tmp_path / "a.jsonl"),
            "--judge",
            "openai:m",
            "--judge-base-url",
            "http://127.0.0.1:9/v1",
            "--cache",
            str(tmp_path / "c.db"),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    assert "row 1: needs string fields 'question' and 'answer'" in capsys.readouterr().err
