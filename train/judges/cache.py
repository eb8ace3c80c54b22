"""The judges' persistent SQLite cache: about 4,000 judge calls per trait for extraction are paid for once.

Outcomes are stored as they arrive, so a re-run makes no new requests and an interrupted run resumes where it
stopped. Only outcomes that asking again would not change are stored ("ok", "refused"): "error" is transient
and "unparseable" usually means a misconfigured server (no logprobs support), so a re-run asks again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

from train.errors import PrevsteerError
from train.judges.base import JudgeItem, JudgeResult, likeliest

CACHED_STATUSES = ("ok", "refused")
_CACHE_KEY_VERSION = "judge-v1"


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


CacheArg = JudgeCache | str | os.PathLike[str] | None


def open_cache(cache: CacheArg) -> JudgeCache | None:
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
