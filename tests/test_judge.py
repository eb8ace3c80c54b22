"""The judge against a real local HTTP server that misbehaves on purpose: no mocks of the client.

The server reads `dist=NAME` and `fault=NAME` from the prompt, so its behaviour is a deterministic function of the
request: `dist` picks the served top-logprobs, `fault` how the first (or every) attempt goes wrong. Its error
replies carry a 1 ms Retry-After, which the client honours, so retries cost no waiting.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from train.errors import PrevsteerError
from train.judges.api import OpenAIJudge
from train.judges.base import Judge, JudgeItem, JudgeReport, JudgeResult, aggregate_logprobs, score_answers
from train.judges.cache import JudgeCache
from train.judges.factory import JudgeSpec, make_judge, parse_judge_spec
from train.judges.rubric import fill_rubric

RUBRIC = "Rate the answer 0-100.\nQuestion: {question}\nAnswer: {answer}\nReply with a number only."
MODEL = "judge-test-model"
CLIENT_TIMEOUT = 0.5
STALL_S = 1.0
RETRY_NOW = {"Retry-After-Ms": "1"}

# Probabilities served for each `dist`; expected scores worked out by hand from docs/method.md's formula ("The judge").
DISTS = {
    "high": [("85", 0.6), ("90", 0.3), ("Sure", 0.1)],  # (0.6*85 + 0.3*90) / 0.9
    "mid": [(" 50", 0.5), ("40 ", 0.3), ("abc", 0.2)],  # (0.5*50 + 0.3*40) / 0.8
    "refuse": [("I", 0.8), ("Sorry", 0.15), ("0", 0.05)],  # integer mass 0.05 < 0.25
    "edge": [("100", 0.7), ("101", 0.2), ("0", 0.1)],  # "101" ignored: (0.7*100 + 0.1*0) / 0.8
}
EXPECTED = {"high": (78 / 0.9, 0.9), "mid": (46.25, 0.8), "refuse": (None, 0.05), "edge": (87.5, 0.8)}


class FakeJudgeServer(ThreadingHTTPServer):
    """An OpenAI-compatible /v1/chat/completions that counts every request per prompt."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.auth: set[str | None] = set()
        self.delay = 0.0
        self.down = False  # fault=down: 503 while True
        self.inflight = 0
        self.max_inflight = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.max_inflight = 0


class _Handler(BaseHTTPRequestHandler):
    server: FakeJudgeServer

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
            pass

    def do_POST(self) -> None:
        srv = self.server
        if self.path != "/v1/chat/completions":
            return self._send(404, b'{"error": "not found"}')
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = payload["messages"][0]["content"]
        expected = {"model": MODEL, "max_tokens": 1, "temperature": 0, "logprobs": True, "top_logprobs": 20}
        if {k: payload.get(k) for k in expected} != expected:
            return self._send(400, json.dumps({"error": f"bad request {payload}"}).encode())
        with srv.lock:
            srv.requests[prompt] += 1
            attempt = srv.requests[prompt]
            srv.auth.add(self.headers.get("Authorization"))
            srv.inflight += 1
            srv.max_inflight = max(srv.max_inflight, srv.inflight)
        try:
            if srv.delay:
                time.sleep(srv.delay)
            self._answer(prompt, attempt)
        finally:
            with srv.lock:
                srv.inflight -= 1

    def _answer(self, prompt: str, attempt: int) -> None:
        dist = re.search(r"dist=(\w+)", prompt).group(1)
        fault = re.search(r"fault=(\w+)", prompt).group(1)
        if fault == "always" or (fault == "down" and self.server.down) or (fault == "fail2" and attempt <= 2):
            return self._send(503, b'{"error": "overloaded"}', RETRY_NOW)
        if fault == "auth":
            return self._send(401, b'{"error": "invalid api key"}')
        if attempt == 1:
            if fault == "e500":
                return self._send(500, b'{"error": "internal"}', RETRY_NOW)
            if fault == "e429":
                return self._send(429, b'{"error": "slow down"}', {"Retry-After": "0.001"})
            if fault == "stall":
                time.sleep(STALL_S)
            if fault == "garbage":
                return self._send(200, b"<html>upstream exploded")
        if fault == "nologprobs":
            body = {"choices": [{"message": {"content": "85"}, "logprobs": None}]}
            return self._send(200, json.dumps(body).encode())
        top = [{"token": t, "logprob": math.log(p), "bytes": list(t.encode())} for t, p in DISTS[dist]]
        content = [{"token": DISTS[dist][0][0], "logprob": math.log(DISTS[dist][0][1]), "top_logprobs": top}]
        body = {"choices": [{"index": 0, "message": {"content": DISTS[dist][0][0]}, "logprobs": {"content": content}}]}
        self._send(200, json.dumps(body).encode())


@pytest.fixture
def server():
    srv = FakeJudgeServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


def item(dist: str, fault: str = "none", tag: str = "") -> JudgeItem:
    return JudgeItem(RUBRIC, f"question {tag}", f"dist={dist} fault={fault} {tag}")


def make(server: FakeJudgeServer, cache, **kw) -> OpenAIJudge:
    args = {"timeout": CLIENT_TIMEOUT, "max_retries": 3, "concurrency": 4, "api_key": "k-test"}
    return OpenAIJudge(MODEL, server.base_url, cache=cache, **(args | kw))


# ---------------------------------------------------------------- the formula


def test_aggregate_mixed_tokens():
    score, total = aggregate_logprobs([(t, math.log(p)) for t, p in DISTS["high"]])
    assert score == pytest.approx(78 / 0.9)
    assert total == pytest.approx(0.9)


def test_aggregate_strips_spaces_and_counts_100_not_101():
    pairs = [(" 50", math.log(0.5)), ("100\n", math.log(0.2)), ("101", math.log(0.2)), ("-5", math.log(0.1))]
    score, total = aggregate_logprobs(pairs)
    assert total == pytest.approx(0.7)
    assert score == pytest.approx((0.5 * 50 + 0.2 * 100) / 0.7)


def test_aggregate_duplicate_token_forms_add_up():
    score, total = aggregate_logprobs([("70", math.log(0.3)), (" 70", math.log(0.3))])
    assert (score, total) == (pytest.approx(70.0), pytest.approx(0.6))


def test_aggregate_below_quarter_is_no_score():
    score, total = aggregate_logprobs([("I", math.log(0.76)), ("90", math.log(0.24))])
    assert score is None
    assert total == pytest.approx(0.24)
    assert aggregate_logprobs([("x", -0.1)]) == (None, 0.0)
    assert aggregate_logprobs([]) == (None, 0.0)


def test_aggregate_exactly_quarter_scores_and_minus_inf_is_zero():
    score, total = aggregate_logprobs([("40", math.log(0.25)), ("99", float("-inf"))])
    assert (score, total) == (pytest.approx(40.0), pytest.approx(0.25))


def test_aggregate_rejects_nan_instead_of_returning_it():
    with pytest.raises(ValueError, match="not a number"):
        aggregate_logprobs([("50", float("nan"))])


def test_fill_rubric_is_one_pass_and_requires_both_placeholders():
    filled = fill_rubric("Q={question} A={answer} {json}", "{answer}", "has {question} and {}")
    assert filled == "Q={answer} A=has {question} and {} {json}"
    with pytest.raises(PrevsteerError, match=r"\{question\}"):
        fill_rubric("only {answer}", "q", "a")


def test_report_counts_every_status():
    results = [
        JudgeResult(80.0, "ok", 0.9),
        JudgeResult(70.0, "ok", 0.9, cached=True),
        JudgeResult(None, "refused", 0.1, error="low mass"),
        JudgeResult(None, "error", error="gave up"),
    ]
    report = JudgeReport.from_results(results)
    assert str(report) == "judged 4: 2 ok, 1 refused, 1 error (1 from cache)"
    assert report.failed == 2


# ---------------------------------------------------------------- specs and config


def test_parse_judge_spec():
    assert parse_judge_spec("openai:gpt-4.1-mini") == JudgeSpec("openai", "gpt-4.1-mini")
    assert parse_judge_spec("hf:Qwen/Qwen2.5-7B-Instruct") == JudgeSpec("hf", "Qwen/Qwen2.5-7B-Instruct")
    assert parse_judge_spec("offline") == JudgeSpec("offline")
    for bad in ("gpt-4.1-mini", "anthropic:claude", "openai:", ""):
        with pytest.raises(PrevsteerError, match="openai:MODEL, hf:MODEL_OR_PATH, offline"):
            parse_judge_spec(bad)


def test_make_judge(tmp_path):
    judge = make_judge("openai:m", base_url="http://127.0.0.1:1/v1", cache=tmp_path / "c.sqlite")
    assert isinstance(judge, Judge)
    assert judge.judge_id == "openai:m"
    with pytest.raises(PrevsteerError, match="trait"):
        make_judge("offline")  # a per-trait classifier
    with pytest.raises(PrevsteerError, match="no labelled answers"):
        make_judge("offline", trait="no-such-trait")


def test_bad_config_and_bad_cache_file(tmp_path):
    with pytest.raises(PrevsteerError, match="concurrency"):
        OpenAIJudge("m", "http://x/v1", concurrency=0)
    with pytest.raises(PrevsteerError, match="base_url"):
        OpenAIJudge("m", "localhost:8000/v1")
    bad = tmp_path / "notdb.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(PrevsteerError, match="not a usable SQLite"):
        JudgeCache(bad)


# ---------------------------------------------------------------- against the server


def test_scores_retries_failures_and_cache(server, tmp_path):
    items = [
        item("high", tag="0"),
        item("mid", "e500", "1"),
        item("refuse", "e429", "2"),
        item("edge", "stall", "3"),
        item("high", "garbage", "4"),
        item("mid", "always", "5"),
        item("high", "nologprobs", "6"),
        item("high", "auth", "7"),
        item("mid", tag="8"),
        item("high", tag="0"),  # a duplicate of the first: asked once
    ]
    cache_path = tmp_path / "judge.sqlite"
    results = make(server, cache_path).score(items)

    for i in (0, 1, 3, 4, 8, 9):
        dist = items[i].answer.split()[0].removeprefix("dist=")
        assert results[i].status == "ok", (i, results[i])
        assert results[i].score == pytest.approx(EXPECTED[dist][0])
        assert results[i].total_prob == pytest.approx(EXPECTED[dist][1])
        assert not results[i].cached
    assert [results[i].attempts for i in (0, 1, 3, 4)] == [1, 2, 2, 2]
    assert results[2].status == "refused" and results[2].score is None
    assert results[2].total_prob == pytest.approx(0.05) and results[2].attempts == 2
    # 4 attempts (3 client retries), then 4 more in the deferred round after the others; "garbage" (not JSON, not
    # retried by the client) succeeded in that round.
    assert results[5].status == "error" and results[5].score is None and results[5].attempts == 8
    assert "gave up after 8 attempts" in results[5].error and "503" in results[5].error
    assert results[6].status == "unparseable" and results[6].score is None
    assert results[7].status == "error" and results[7].attempts == 1 and "401" in results[7].error

    report = JudgeReport.from_results(results)
    assert str(report) == "judged 10: 6 ok, 1 refused, 1 unparseable, 2 error"
    assert report.counts == {"ok": 6, "refused": 1, "unparseable": 1, "error": 2}
    prompts = [it.prompt() for it in items]
    assert server.requests == Counter(dict(zip(prompts[:9], [1, 2, 2, 2, 2, 8, 1, 1, 1], strict=True)))
    assert server.auth == {"Bearer k-test"}

    # A second run on the same cache: ok and refused come from the cache; only the rest is asked again.
    server.reset()
    again = make(server, JudgeCache(cache_path)).score(items)
    assert set(server.requests) == {prompts[5], prompts[6], prompts[7]}
    assert server.requests[prompts[5]] == 8
    for i in (0, 1, 2, 3, 4, 8, 9):
        assert again[i].cached
        assert again[i].status == results[i].status
        assert again[i].score == results[i].score
    assert [again[i].status for i in (5, 6, 7)] == ["error", "unparseable", "error"]
    assert str(JudgeReport.from_results(again)) == "judged 10: 6 ok, 1 refused, 1 unparseable, 2 error (7 from cache)"
    with sqlite3.connect(cache_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM judgements").fetchone()[0] == 6


def test_resume_after_interruption_and_bounded_concurrency(server, tmp_path):
    items = [item(["high", "mid", "refuse", "edge"][i % 4], tag=f"r{i}") for i in range(10)]
    prompts = [it.prompt() for it in items]
    cache_path = tmp_path / "judge.sqlite"
    server.delay = 0.05
    first = make(server, cache_path, concurrency=2).score(items[:5])
    assert server.max_inflight <= 2
    assert set(server.requests) == set(prompts[:5])

    server.reset()
    resumed = make(server, cache_path, concurrency=2).score(items)
    assert server.requests == Counter(prompts[5:])
    assert [r.cached for r in resumed] == [True] * 5 + [False] * 5
    assert [(r.score, r.status) for r in resumed[:5]] == [(r.score, r.status) for r in first]
    for it, r in zip(items, resumed, strict=True):
        dist = it.answer.split()[0].removeprefix("dist=")
        assert r.score == (None if EXPECTED[dist][0] is None else pytest.approx(EXPECTED[dist][0]))


def test_no_key_means_no_authorization_header(server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    judge = make(server, None, api_key=None)
    assert "k-test" not in repr(judge)
    [result] = judge.score([item("high", tag="nokey")])
    assert result.status == "ok"
    assert server.auth == {None}


def test_unreachable_server_is_an_error_not_an_exception():
    judge = OpenAIJudge(MODEL, "http://127.0.0.1:9/v1", timeout=0.5, max_retries=1)
    [result] = judge.score([item("high", tag="down")])
    assert result.status == "error" and result.score is None
    assert "gave up after 4 attempts" in result.error and "Connection" in result.error  # 2 per round


def test_deferred_round_then_the_command_fails_and_a_rerun_asks_only_for_the_missing(server, tmp_path):
    """fail2 fails both attempts of the first round (max_retries=1) and succeeds in the deferred round; down fails
    both rounds, so score_answers gives up naming the count; the re-run, with the server back, asks only for it."""
    rows = [
        {"question": "q0", "answer": "dist=high fault=none d0"},
        {"question": "q1", "answer": "dist=mid fault=fail2 d1"},
        {"question": "q2", "answer": "dist=edge fault=down d2"},
    ]
    trait_prompts = [fill_rubric(RUBRIC, r["question"], r["answer"]) for r in rows]
    coherence_prompts = [JudgeItem.coherence(r["question"], r["answer"]).prompt() for r in rows]
    cache_path = tmp_path / "judge.sqlite"
    server.down = True
    with pytest.raises(PrevsteerError, match=r"^judge: 2 of 6 calls failed \(gave up after 4 attempts: .*HTTP 503"):
        score_answers(make(server, cache_path, max_retries=1), RUBRIC, rows)
    expected = {0: 1, 1: 3, 2: 4}  # requests per prompt: one; two failed + one deferred; two rounds of two
    assert server.requests == Counter(
        {p: expected[i] for prompts in (trait_prompts, coherence_prompts) for i, p in enumerate(prompts)}
    )
    with sqlite3.connect(cache_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM judgements WHERE status = 'ok'").fetchone()[0] == 4

    server.down = False
    server.reset()
    scored, trait_report, coherence_report = score_answers(make(server, cache_path, max_retries=1), RUBRIC, rows)
    assert server.requests == Counter({trait_prompts[2]: 1, coherence_prompts[2]: 1})
    assert (trait_report.cached, coherence_report.cached) == (2, 2)
    assert [r["trait_score"] for r in scored] == pytest.approx([78 / 0.9, 46.25, 87.5])
    assert [r["coherence_status"] for r in scored] == ["ok"] * 3


def test_coherence_is_an_explicit_kind():
    coherence = JudgeItem.coherence("q", "a")
    assert coherence.kind == "coherence" and JudgeItem(RUBRIC, "q", "a").kind == "trait"
    assert JudgeItem(coherence.rubric, "q", "a").kind == "trait"  # the rubric's text does not decide the kind
    with pytest.raises(PrevsteerError, match="allowed: trait, coherence, custom"):
        JudgeItem(RUBRIC, "q", "a", "misalignment")  # type: ignore[arg-type]
