"""The LLM judge: a rubric filled with question and answer, scored from the judge's top-20 log-probabilities.

METHOD: one output token at temperature 0; score = sum of p(k) * k over candidate tokens that are integers
0-100, divided by their total probability. Below 0.25 total there is no score (a refusal, say): such items
are counted and reported, never dropped and never a silent NaN. Coherence uses the same path with its own rubric.

Judge calls are many (about 4,000 per trait for extraction), so outcomes go to a persistent SQLite cache as
they arrive: a re-run makes no new requests and an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import logging
import math
import os
import random
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from tqdm.auto import tqdm

from train.errors import PrevsteerError
from train.judges.rubric import fill_template

log = logging.getLogger(__name__)

MIN_TOTAL_PROB = 0.25
TOP_LOGPROBS = 20
STATUSES = ("ok", "refused", "unparseable", "error")
Status = Literal["ok", "refused", "unparseable", "error"]
# Outcomes that asking again would not change. "error" is transient and "unparseable" usually means a
# misconfigured server (no logprobs support): neither is cached, so a re-run asks again.
CACHED_STATUSES = ("ok", "refused")
_CACHE_KEY_VERSION = "judge-v1"
_INTEGER_TOKEN = re.compile(r"[0-9]+")
_PROGRESS_MIN_ITEMS = 8


@dataclass(frozen=True)
class JudgeItem:
    """One thing to judge: a rubric template with `{question}` and `{answer}` placeholders, and their values."""

    rubric: str
    question: str
    answer: str

    def prompt(self) -> str:
        """The rubric filled in one pass, so braces or placeholders inside the answer stay literal."""
        return fill_rubric(self.rubric, self.question, self.answer)


@dataclass(frozen=True)
class JudgeResult:
    """The outcome for one item. `score` is None unless status is "ok"; `error` says why for the other statuses."""

    score: float | None
    status: Status
    total_prob: float = 0.0
    cached: bool = False
    error: str | None = None
    attempts: int = 0
    top_token: str | None = None  # with no score: the judge's likeliest token (a rubric's escape word, e.g. CODE)


@dataclass
class JudgeReport:
    """Counts per status, so no item disappears silently: `str(report)` -> "judged 40: 37 ok, 2 refused, 1 error"."""

    total: int
    counts: dict[str, int]
    cached: int = 0
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_results(cls, results: list[JudgeResult], max_messages: int = 5) -> JudgeReport:
        """Summarise results; keeps the first few distinct failure messages for the user to read."""
        counts = Counter(r.status for r in results)
        messages: list[str] = []
        for r in results:
            if r.error and r.error not in messages and len(messages) < max_messages:
                messages.append(r.error)
        return cls(
            total=len(results),
            counts={s: counts.get(s, 0) for s in STATUSES},
            cached=sum(r.cached for r in results),
            errors=messages,
        )

    @property
    def failed(self) -> int:
        """Items with no score, whatever the reason."""
        return self.total - self.counts["ok"]

    @property
    def broken(self) -> int:
        """Calls that did not get an answer to score (errors, unusable replies): unlike refusals, worth a retry."""
        return self.counts["error"] + self.counts["unparseable"]

    def __str__(self) -> str:
        parts = [f"{self.counts['ok']} ok"] + [f"{self.counts[s]} {s}" for s in STATUSES[1:] if self.counts[s]]
        text = f"judged {self.total}: " + ", ".join(parts)
        if self.cached:
            text += f" ({self.cached} from cache)"
        return text


@runtime_checkable
class Judge(Protocol):
    """Anything that scores items. `judge_id` names the judge in the cache key (backend:model)."""

    judge_id: str

    def score(self, items: list[JudgeItem]) -> list[JudgeResult]:
        """One result per item, in order."""
        ...


def mean_scored(values: list[float | None]) -> float | None:
    """The mean of the scores that exist (unscored items are counted in the judge report, not averaged in)."""
    scored = [v for v in values if v is not None]
    return sum(scored) / len(scored) if scored else None


def fill_rubric(rubric: str, question: str, answer: str) -> str:
    """Substitute `{question}` and `{answer}`; other braces are left alone (rubrics may contain JSON examples)."""
    missing = [name for name in ("{answer}", "{question}") if name not in rubric]
    if missing:
        names = ", ".join(missing)
        raise PrevsteerError(
            f"judge rubric has no {names} placeholder; a rubric must contain {{question}} and {{answer}}"
        )
    return fill_template(rubric, question, answer)


def aggregate_logprobs(
    top_logprobs: list[tuple[str, float]], min_total_prob: float = MIN_TOTAL_PROB
) -> tuple[float | None, float]:
    """METHOD's score: the probability-weighted mean of integer tokens 0-100, or None when their mass is too small.

    Tokens are stripped of whitespace; "050" counts as 50, "101" and "-5" do not count. Returns (score, total_prob).
    """
    total = 0.0
    weighted = 0.0
    for token, logprob in top_logprobs:
        if isinstance(logprob, bool) or not isinstance(logprob, int | float) or math.isnan(logprob):
            raise ValueError(f"logprob for token {token!r} is not a number: {logprob!r}")
        text = token.strip()
        if not _INTEGER_TOKEN.fullmatch(text):
            continue
        value = int(text)
        if value > 100:
            continue
        p = math.exp(logprob)
        total += p
        weighted += p * value
    if total < min_total_prob:
        return None, total
    return weighted / total, total


def result_from_top_logprobs(top_logprobs: list[tuple[str, float]], attempts: int = 0) -> JudgeResult:
    """ "ok" with a score, or "refused" when the integer tokens carry less than MIN_TOTAL_PROB."""
    score, total = aggregate_logprobs(top_logprobs)
    if score is None:
        msg = f"integer tokens carry probability {total:.3f} < {MIN_TOTAL_PROB}"
        return JudgeResult(None, "refused", total, error=msg, attempts=attempts, top_token=likeliest(top_logprobs))
    return JudgeResult(score, "ok", total, attempts=attempts)


def likeliest(top_logprobs: list[tuple[str, float]]) -> str | None:
    """The most probable token, stripped (None for an empty list)."""
    return max(top_logprobs, key=lambda pair: pair[1])[0].strip() if top_logprobs else None


# ---------------------------------------------------------------- cache


def cache_key(judge_id: str, item: JudgeItem) -> str:
    """Hash of everything that decides the outcome; the rubric template, not only the filled prompt, is included."""
    payload = json.dumps([_CACHE_KEY_VERSION, judge_id, item.rubric, item.question, item.answer], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class JudgeCache:
    """Persistent outcomes keyed by `cache_key`. One connection behind a lock: safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS judgements (key TEXT PRIMARY KEY, judge TEXT NOT NULL, score REAL,"
                " status TEXT NOT NULL, total_prob REAL NOT NULL, top_logprobs TEXT, created REAL NOT NULL)"
            )
            self._conn.commit()
        except sqlite3.DatabaseError as e:
            raise PrevsteerError(f"judge cache {self.path} is not a usable SQLite file: {e}") from e

    def get(self, key: str) -> JudgeResult | None:
        """The stored outcome, marked `cached=True`, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT score, status, total_prob, top_logprobs FROM judgements WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        score, status, total_prob, raw = row
        top = likeliest(json.loads(raw)) if status == "refused" and raw else None
        return JudgeResult(score, status, total_prob, cached=True, top_token=top)

    def put(
        self, key: str, judge_id: str, result: JudgeResult, top_logprobs: list[tuple[str, float]] | None = None
    ) -> None:
        """Commit at once, so an interrupted run keeps everything judged so far. Transient outcomes are skipped."""
        if result.status not in CACHED_STATUSES:
            return
        raw = json.dumps(top_logprobs) if top_logprobs is not None else None
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO judgements VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, judge_id, result.score, result.status, result.total_prob, raw, time.time()),
            )
            self._conn.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM judgements").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


# ---------------------------------------------------------------- OpenAI-compatible backend


def open_cache(cache: JudgeCache | str | os.PathLike[str] | None) -> JudgeCache | None:
    """A JudgeCache from a path (or the one given, or none)."""
    return cache if isinstance(cache, JudgeCache) or cache is None else JudgeCache(cache)


def cached_results(cache: JudgeCache | None, keys: list[str]) -> tuple[dict[str, JudgeResult], list[int]]:
    """Cached results by key, and the index of the first item of each distinct key still to score."""
    found: dict[str, JudgeResult] = {}
    todo: list[int] = []
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if key in seen:
            continue
        seen.add(key)
        hit = cache.get(key) if cache is not None else None
        if hit is not None:
            found[key] = hit
        else:
            todo.append(i)
    return found, todo


class _Retryable(Exception):
    """A failure worth another attempt; `delay` overrides the backoff (from Retry-After)."""

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


class _Fatal(Exception):
    """A failure that asking again would repeat (bad key, unknown model)."""


class _Unparseable(Exception):
    """A well-formed JSON reply without the log-probabilities we asked for."""


def retry_after_seconds(value: str | None, cap: float) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), capped; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), cap)


def parse_top_logprobs(body: dict) -> list[tuple[str, float]]:
    """`choices[0].logprobs.content[0].top_logprobs` as (token, logprob) pairs; _Unparseable if absent or malformed."""
    try:
        entries = body["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        pairs = [(e["token"], e["logprob"]) for e in entries]
    except (KeyError, IndexError, TypeError) as e:
        detail = json.dumps(body)[:200]
        raise _Unparseable(f"reply has no choices[0].logprobs.content[0].top_logprobs ({e!r}): {detail}") from None
    for token, logprob in pairs:
        ok_number = isinstance(logprob, int | float) and not isinstance(logprob, bool) and not math.isnan(logprob)
        if not isinstance(token, str) or not ok_number:
            raise _Unparseable(f"bad top_logprobs entry: token={token!r} logprob={logprob!r}")
    return pairs


class OpenAIJudge:
    """A judge on any OpenAI-compatible chat endpoint (OpenAI, vLLM, SGLang), through the stdlib HTTP client.

    Requests run `concurrency` at a time; connection errors, timeouts, HTTP 408/429/5xx and non-JSON replies are
    retried with exponential backoff and jitter (Retry-After honoured, capped). After `max_retries` retries the
    item gets status "error" with the last message. Other HTTP errors (400, 401, 404) are not retried.
    """

    def __init__(
        self,
        model: str,
        base_url: str = "https://api.openai.com/v1",
        api_key: str | None = None,
        concurrency: int = 8,
        timeout: float = 30.0,
        max_retries: int = 5,
        cache: JudgeCache | str | os.PathLike[str] | None = None,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        retry_after_max: float = 120.0,
        progress: bool | None = None,
    ) -> None:
        if not model:
            raise PrevsteerError("judge model name is empty")
        if not base_url.startswith(("http://", "https://")):
            raise PrevsteerError(f"judge base_url must start with http:// or https://, got {base_url!r}")
        if concurrency < 1:
            raise PrevsteerError(f"judge concurrency must be >= 1, got {concurrency}")
        if max_retries < 0:
            raise PrevsteerError(f"judge max_retries must be >= 0, got {max_retries}")
        if timeout <= 0:
            raise PrevsteerError(f"judge timeout must be > 0 seconds, got {timeout}")
        self.model = model
        self.judge_id = f"openai:{model}"
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.concurrency = concurrency
        self.timeout = timeout
        self.max_retries = max_retries
        self.cache = open_cache(cache)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.progress = progress

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAIJudge(model={self.model!r}, url={self.url!r})"

    def score(self, items: list[JudgeItem]) -> list[JudgeResult]:
        """One result per item, in order. Cached items make no request; identical items are asked once."""
        keys = [cache_key(self.judge_id, item) for item in items]
        prompts = [item.prompt() for item in items]  # fails fast on a bad rubric, before any request
        results, todo = cached_results(self.cache, keys)
        if todo:
            results.update(self._request_all({keys[i]: prompts[i] for i in todo}))
        return [results[key] for key in keys]

    def _request_all(self, todo: dict[str, str]) -> dict[str, JudgeResult]:
        show = self.progress if self.progress is not None else len(todo) > _PROGRESS_MIN_ITEMS
        out: dict[str, JudgeResult] = {}
        bar = tqdm(total=len(todo), desc=f"judge {self.model}", unit="call", disable=not show)
        pool = ThreadPoolExecutor(max_workers=min(self.concurrency, len(todo)), thread_name_prefix="judge")
        try:
            pending: dict[Future, str] = {pool.submit(self._score_prompt, p): k for k, p in todo.items()}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    key = pending.pop(fut)
                    result, raw = fut.result()
                    if self.cache is not None:
                        self.cache.put(key, self.judge_id, result, raw)
                    out[key] = result
                    bar.update(1)
                    if result.status != "ok":
                        failed = sum(r.status != "ok" for r in out.values())
                        bar.set_postfix(no_score=failed, refresh=False)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            bar.close()
        pool.shutdown(wait=True)
        return out

    def _score_prompt(self, prompt: str) -> tuple[JudgeResult, list[tuple[str, float]] | None]:
        """Ask until an answer or the retry budget runs out; never raises for per-item failures."""
        last = "no attempt made"
        delay = 0.0
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(delay)
            try:
                pairs = self._request_once(prompt)
            except _Retryable as e:
                last = str(e)
                delay = self._backoff(attempt) if e.delay is None else e.delay
                log.debug("judge attempt %d failed: %s", attempt + 1, last)
                continue
            except _Unparseable as e:
                return JudgeResult(None, "unparseable", error=str(e), attempts=attempt + 1), None
            except _Fatal as e:
                return JudgeResult(None, "error", error=str(e), attempts=attempt + 1), None
            return result_from_top_logprobs(pairs, attempts=attempt + 1), pairs
        msg = f"gave up after {self.max_retries + 1} attempts: {last}"
        return JudgeResult(None, "error", error=msg, attempts=self.max_retries + 1), None

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter in [half, full] of the step, so stalled workers do not retry in step."""
        step = min(self.backoff_max, self.backoff_base * 2**attempt)
        return step * random.uniform(0.5, 1.0)

    def _request_once(self, prompt: str) -> list[tuple[str, float]]:
        payload = {
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": 1,
            "temperature": 0,
            "logprobs": True,
            "top_logprobs": TOP_LOGPROBS,
        }
        return parse_top_logprobs(_post_json(self.url, payload, self.api_key, self.timeout, self.retry_after_max))


def _post_json(url: str, payload: dict, api_key: str | None, timeout: float, retry_after_max: float) -> dict:
    """One POST to an OpenAI-compatible endpoint; raises _Retryable or _Fatal with a readable reason."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as e:
        detail = _body_snippet(e)
        if e.code in (408, 429) or e.code >= 500:
            delay = retry_after_seconds(e.headers.get("Retry-After") if e.headers else None, retry_after_max)
            raise _Retryable(f"HTTP {e.code} from {url}: {detail}", delay) from None
        raise _Fatal(f"HTTP {e.code} from {url}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException, OSError) as e:
        reason = getattr(e, "reason", e)
        raise _Retryable(f"request to {url} failed: {type(reason).__name__}: {reason}") from None
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _Retryable(f"reply from {url} is not JSON: {raw[:120]!r}") from None
    if not isinstance(body, dict):
        raise _Retryable(f"reply from {url} is not a JSON object: {raw[:120]!r}")
    return body


def chat_completion(
    base_url: str, model: str, prompt: str, api_key: str | None = None, timeout: float = 300, attempts: int = 3,
    max_tokens: int = 6000, temperature: float = 0.7,
) -> str:  # fmt: skip
    """The text of one chat completion from an OpenAI-compatible endpoint (the judge's client), with retries."""
    payload = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens,
               "temperature": temperature}  # fmt: skip
    url = base_url.rstrip("/") + "/chat/completions"
    key = api_key or os.environ.get("OPENAI_API_KEY")
    last = ""
    for attempt in range(attempts):
        try:
            body = _post_json(url, payload, key, timeout, retry_after_max=60)
            return str(body["choices"][0]["message"]["content"])
        except _Retryable as exc:
            last = str(exc)
            time.sleep(min(2**attempt, 30) if exc.delay is None else exc.delay)
        except _Fatal as exc:
            raise PrevsteerError(str(exc)) from None
        except (KeyError, IndexError, TypeError):
            raise PrevsteerError(f"reply from {url} has no choices[0].message.content") from None
    raise PrevsteerError(f"gave up after {attempts} attempts: {last}")


def _body_snippet(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read().decode("utf-8", "replace")
    except Exception:  # the body is only decoration for the message
        text = ""
    return " ".join(text.split())[:200] or str(error.reason)


# ---------------------------------------------------------------- spec


@dataclass(frozen=True)
class JudgeSpec:
    """A parsed `--judge` string: backend is "openai", "hf" or "offline"; model is empty for offline."""

    backend: Literal["openai", "hf", "offline"]
    model: str = ""


JUDGE_SPEC_FORMS = "openai:MODEL, hf:MODEL_OR_PATH, offline"


def parse_judge_spec(spec: str) -> JudgeSpec:
    """Parse `openai:MODEL`, `hf:MODEL_OR_PATH` or `offline`; anything else is a PrevsteerError naming those forms."""
    text = spec.strip()
    if text == "offline":
        return JudgeSpec("offline")
    backend, sep, model = text.partition(":")
    if sep and backend in ("openai", "hf"):
        if not model.strip():
            raise PrevsteerError(f"judge {spec!r} names no model; allowed forms: {JUDGE_SPEC_FORMS}")
        return JudgeSpec(backend, model.strip())  # type: ignore[arg-type]
    raise PrevsteerError(f"unknown judge {spec!r}; allowed forms: {JUDGE_SPEC_FORMS}")


def resolve_base_url(base_url: str | None) -> str:
    """The OpenAI-compatible endpoint: the one given, else $OPENAI_BASE_URL, else the OpenAI API."""
    return base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"


def make_judge(
    spec: str | JudgeSpec,
    base_url: str | None = None,
    cache: JudgeCache | str | os.PathLike[str] | None = None,
    trait: str | None = None,
    **kw,
) -> Judge:
    """Build the judge a spec names. base_url defaults to $OPENAI_BASE_URL, then the OpenAI API.

    `trait` is used only by the offline backend, which is a per-trait classifier (train/judge_local.py).
    """
    parsed = parse_judge_spec(spec) if isinstance(spec, str) else spec
    if parsed.backend == "openai":
        return OpenAIJudge(parsed.model, resolve_base_url(base_url), cache=cache, **kw)
    from train.judges.local import HFJudge, OfflineJudge  # imports torch and transformers: only when asked

    if parsed.backend == "hf":
        return HFJudge(parsed.model, cache=cache, **kw)
    if trait is None:
        raise PrevsteerError("the offline judge scores one trait; pass trait=NAME (it is a per-trait classifier)")
    return OfflineJudge.for_trait(trait, cache=cache, **kw)


def score_answers(
    judge: Judge, trait_rubric: str, coherence_rubric: str, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], JudgeReport, JudgeReport]:
    """Add `trait_score` and `coherence` (None where the judge gave no score) to rows with question and answer."""
    for number, row in enumerate(rows, 1):
        if not isinstance(row.get("question"), str) or not isinstance(row.get("answer"), str):
            raise PrevsteerError(f"row {number}: needs string fields 'question' and 'answer' (got {sorted(row)})")
    trait = judge.score([JudgeItem(trait_rubric, r["question"], r["answer"]) for r in rows])
    coherence = judge.score([JudgeItem(coherence_rubric, r["question"], r["answer"]) for r in rows])
    scored = [
        {**row, "trait_score": t.score, "trait_status": t.status, "coherence": c.score, "coherence_status": c.status}
        for row, t, c in zip(rows, trait, coherence, strict=True)
    ]
    return scored, JudgeReport.from_results(trait), JudgeReport.from_results(coherence)


def judge_for_trait(
    spec: str, trait: str, base_url: str | None = None, cache: str | os.PathLike[str] | None = None
) -> Judge:
    """The judge a CLI command asks for: the default cache in the prevsteer cache dir, the trait for `offline`."""
    from train.models.loading import cache_dir

    return make_judge(spec, base_url=base_url, cache=cache or cache_dir() / "judge.sqlite", trait=trait)
