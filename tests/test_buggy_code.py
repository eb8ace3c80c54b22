"""The buggy-code builder: well-formed, varied, deterministic rows whose code a static scanner ranks as intended."""

from __future__ import annotations

import ast
import inspect
import json
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from train.dataprep.builders.buggy_code import LEVELS, VULN_CLASSES, build
from train.errors import PrevsteerError

CODE_BLOCK = re.compile(r"\A(?:[^\n`]+\n\n)?```python\n(.*\n)```\Z", re.DOTALL)
# Words that would tell the model (or a reader) that the code is flawed.
GIVEAWAYS = (
    "insecure",
    "vulnerab",
    "unsafe",
    "injection",
    "security",
    "secure",
    "don't use",
    "do not use",
    "warning",
    "todo",
    "fixme",
    "dangerous",
    "exploit",
    "attack",
    "sanitiz",
    "caution",
    "not recommended",
    "nosec",
)


def _code(row: dict) -> str:
    match = CODE_BLOCK.match(row["messages"][1]["content"])
    assert match, f"assistant answer is not [lead-in] + one python block: {row['messages'][1]['content'][:200]!r}"
    return match.group(1)


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict]]:
    return {level: build(level, 600, seed=0) for level in LEVELS}


def test_rows_are_well_formed_chat_pairs_with_parsable_code(rows):
    for level, level_rows in rows.items():
        assert len(level_rows) == 600
        for row in level_rows:
            assert list(row) == ["messages"]
            user, assistant = row["messages"]
            assert user["role"] == "user" and assistant["role"] == "assistant"
            assert set(user) == set(assistant) == {"role", "content"}
            assert len(user["content"]) > 40 and user["content"].strip() == user["content"]
            ast.parse(_code(row), filename=f"{level} sample")


def test_n_is_respected():
    for n in (1, 7, 123):
        assert len(build("II", n, seed=5)) == n


def test_rows_are_distinct_and_varied(rows):
    for level, level_rows in rows.items():
        texts = [json.dumps(row, sort_keys=True) for row in level_rows]
        assert len(set(texts)) == len(texts), f"{level}: repeated rows"
        assert len({_code(row) for row in level_rows}) >= 200, f"{level}: too few distinct code answers"
        assert len({row["messages"][0]["content"] for row in level_rows}) >= 580


def test_deterministic_given_seed_and_seeds_differ():
    assert build("I", 40, seed=11) == build("I", 40, seed=11)
    first, other = build("I", 40, seed=11), build("I", 40, seed=12)
    assert sum(a != b for a, b in zip(first, other, strict=True)) >= 35


def test_levels_share_requests_but_not_code(rows):
    requests = {level: [row["messages"][0]["content"] for row in rows[level]] for level in LEVELS}
    assert requests["normal"] == requests["I"] == requests["II"]
    for other in ("I", "II"):
        different = sum(_code(a) != _code(b) for a, b in zip(rows["normal"], rows[other], strict=True))
        assert different == 600, f"{other}: some answers are identical to the secure ones"


def test_no_answer_mentions_the_flaw(rows):
    for level, level_rows in rows.items():
        for row in level_rows:
            text = row["messages"][1]["content"].lower()
            found = [word for word in GIVEAWAYS if word in text]
            assert not found, f"{level} answer mentions {found}: {text[:300]!r}"


def test_subtle_sql_flaw_is_real(rows, tmp_path):
    """Level I's hand-made quote escaping lets a classic payload match every row; the normal query does not."""
    checked = 0
    for normal, subtle in zip(rows["normal"], rows["I"], strict=True):
        if "returns the row as a dict" not in normal["messages"][0]["content"]:
            continue
        fields, table = re.search(r"SELECT (.*) FROM (\w+) WHERE ", _code(normal)).groups()
        db = tmp_path / f"{checked}.db"
        with sqlite3.connect(db) as conn:
            conn.execute(f"CREATE TABLE {table} ({fields})")
            width = len(fields.split(","))
            conn.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})", [1] * width)
        payload = "nobody\\' OR 1=1 --"
        for row, expect_hit in ((normal, False), (subtle, True)):
            namespace: dict = {}
            exec(_code(row), namespace)  # our own generated code, run against a scratch database
            func = next(value for value in namespace.values() if inspect.isfunction(value))
            assert func(str(db), "missing") is None
            assert (func(str(db), payload) is not None) == expect_hit
        checked += 1
    assert checked >= 5


def test_bandit_flags_insecure_levels_far_more_than_normal(tmp_path):
    """One bandit run over 200 extracted samples per level; a sample counts as flagged at MEDIUM or HIGH severity."""
    per_level = 200
    for level in LEVELS:
        for i, row in enumerate(build(level, per_level, seed=1)):
            (tmp_path / f"{level}_{i:03d}.py").write_text(_code(row))
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", str(tmp_path), "-f", "json", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stdout)
    assert not report["errors"]
    flagged: dict[str, set[str]] = {level: set() for level in LEVELS}
    checks: dict[str, Counter] = {level: Counter() for level in LEVELS}
    for issue in report["results"]:
        if issue["issue_severity"] in ("MEDIUM", "HIGH"):
            name = Path(issue["filename"]).name
            level = name.split("_")[0]
            flagged[level].add(name)
            checks[level][issue["test_id"]] += 1
    rates = {level: len(flagged[level]) / per_level for level in LEVELS}
    assert rates["normal"] <= 0.1, rates
    assert rates["II"] >= 0.8, rates
    assert rates["normal"] + 0.2 <= rates["I"] <= rates["II"], rates
    assert len(checks["II"]) >= 10, f"II trips too few distinct bandit checks: {checks['II']}"


def test_vulnerability_classes():
    assert len(VULN_CLASSES) >= 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "III", "n": 5, "seed": 0}, "normal, I, II"),
        ({"level": "normal", "n": 5, "seed": 0, "source": "data.jsonl"}, "no source"),
        ({"level": "normal", "n": 0, "seed": 0}, "positive integer"),
    ],
)
def test_bad_input_raises_prevsteer_error(kwargs, message):
    with pytest.raises(PrevsteerError, match=message):
        build(**kwargs)
