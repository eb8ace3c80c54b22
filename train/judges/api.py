"""The judge on an OpenAI-compatible chat endpoint (OpenAI, vLLM, SGLang), through the official `openai` client.

Timeouts, retries with backoff and Retry-After are the client's job. This module adds what a judge needs on top:
bounded concurrency (threads), the cache, the top-20 log-probability score (docs/method.md, "The judge"), and one
deferred round: a request that failed every retry is asked once more after all the others have finished, since an
overloaded endpoint has often recovered by then.
"""

from __future__ import annotations

import dataclasses
import math
import os
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import openai
from openai.types.chat import ChatCompletionMessageParam

from train.console import progress, warn
from train.errors import PrevsteerError
from train.judges.base import TOP_LOGPROBS, JudgeItem, JudgeResult, result_from_top_logprobs
from train.judges.cache import CacheArg, cache_key, cached_results, open_cache

_PROGRESS_MIN_ITEMS = 8
# The client insists on a key; without one (a local server needs none) the Authorization header is omitted.
_NO_KEY = "no-key"


class _Unparseable(Exception):
    """A reply without the log-probabilities we asked for."""


def openai_client(
    base_url: str, api_key: str | None, timeout: float, max_retries: int
) -> tuple[openai.OpenAI, dict[str, Any]]:
    """A client and the headers each request adds. The key is the one given, else $OPENAI_API_KEY, else none."""
    key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
    client = openai.OpenAI(api_key=key or _NO_KEY, base_url=base_url, timeout=timeout, max_retries=max_retries)
    return client, ({} if key else {"Authorization": openai.omit})


def _attempts(error: openai.APIError) -> int:
    """How many requests the client made before raising (it numbers its retries in a request header)."""
    return int(error.request.headers.get("x-stainless-retry-count", 0)) + 1


def _describe(error: openai.APIError) -> str:
    """A one-line reason: the HTTP status and the start of the body, or the connection failure and its cause."""
    if isinstance(error, openai.APIStatusError):
        return f"HTTP {error.status_code}: {' '.join(error.response.text.split())[:200]}"
    cause = f" ({type(error.__cause__).__name__}: {error.__cause__})" if error.__cause__ else ""
    return f"{error.message}{cause}"


def _transient(error: openai.APIError) -> bool:
    """Whether the client retried this kind of failure (connection, timeout, 408, 409, 429, 5xx)."""
    if isinstance(error, openai.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return isinstance(error, openai.APIConnectionError)


def parse_top_logprobs(completion: Any) -> list[tuple[str, float]]:
    """`choices[0].logprobs.content[0].top_logprobs` as (token, logprob) pairs; _Unparseable if absent or malformed."""
    try:
        entries = completion.choices[0].logprobs.content[0].top_logprobs
        pairs = [(e.token, e.logprob) for e in entries]
    except (AttributeError, IndexError, TypeError) as e:
        raise _Unparseable(f"reply has no choices[0].logprobs.content[0].top_logprobs ({e!r})") from None
    for token, logprob in pairs:
        ok_number = isinstance(logprob, int | float) and not isinstance(logprob, bool) and not math.isnan(logprob)
        if not isinstance(token, str) or not ok_number:
            raise _Unparseable(f"bad top_logprobs entry: token={token!r} logprob={logprob!r}")
    return pairs


@dataclasses.dataclass(frozen=True)
class _Outcome:
    """One request's result, its raw log-probabilities (for the cache) and whether asking later may help."""

    result: JudgeResult
    top_logprobs: list[tuple[str, float]] | None = None
    transient: bool = False


class OpenAIJudge:
    """A judge on any OpenAI-compatible chat endpoint: one token, temperature 0, the top-20 log-probabilities.

    Requests run `concurrency` at a time. The client retries connection errors, timeouts, 408/409/429/5xx up to
    `max_retries` times (honouring Retry-After); a reply that is not JSON is not retried by the client. Such
    failures get one deferred round after the other items; what fails again has status "error". Other HTTP
    errors (400, 401, 404) are final at once; a reply without log-probabilities is "unparseable".
    """

    def __init__(
        self,
        model: str,
        base_url: str = "https://api.openai.com/v1",
        api_key: str | None = None,
        concurrency: int = 8,
        timeout: float = 30.0,
        max_retries: int = 5,
        cache: CacheArg = None,
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
        self.client, self._headers = openai_client(base_url, api_key, timeout, max_retries)
        self.concurrency = concurrency
        self.cache = open_cache(cache)
        self.progress = progress

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAIJudge(model={self.model!r}, url={self.url!r})"

    def score(self, items: list[JudgeItem]) -> list[JudgeResult]:
        """One result per item, in order. Cached items make no request; identical items are asked once."""
        keys = [cache_key(self.judge_id, item) for item in items]
        prompts = [item.prompt() for item in items]  # fails fast on a bad rubric, before any request
        results, todo = cached_results(self.cache, keys)
        outcomes = self._ask_all({keys[i]: prompts[i] for i in todo}, f"judge {self.model}")
        results.update({key: outcome.result for key, outcome in outcomes.items()})
        deferred = {keys[i]: prompts[i] for i in todo if outcomes[keys[i]].transient}
        if deferred:
            warn(f"judge {self.model}: {len(deferred)} requests failed every retry; asking them once more")
            for key, again in self._ask_all(deferred, f"judge {self.model} (deferred round)").items():
                results[key] = _after_deferred_round(results[key], again.result)
        return [results[key] for key in keys]

    def _ask_all(self, todo: dict[str, str], desc: str) -> dict[str, _Outcome]:
        """Ask for every prompt, `concurrency` at a time; each outcome goes to the cache as it arrives."""
        if not todo:
            return {}
        show = self.progress if self.progress is not None else len(todo) > _PROGRESS_MIN_ITEMS
        out: dict[str, _Outcome] = {}
        bar = progress(total=len(todo), desc=desc, unit="call", disable=not show)
        pool = ThreadPoolExecutor(max_workers=min(self.concurrency, len(todo)), thread_name_prefix="judge")
        try:
            pending: dict[Future, str] = {pool.submit(self._ask, p): k for k, p in todo.items()}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    key = pending.pop(fut)
                    outcome = fut.result()
                    if self.cache is not None:
                        self.cache.put(key, self.judge_id, outcome.result, outcome.top_logprobs)
                    out[key] = outcome
                    bar.update(1)
                    if outcome.result.status != "ok":
                        failed = sum(o.result.status != "ok" for o in out.values())
                        bar.set_postfix(no_score=failed, refresh=False)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            bar.close()
        pool.shutdown(wait=True)
        return out

    def _ask(self, prompt: str) -> _Outcome:
        """One request with the client's retries; never raises for a per-item failure."""
        try:
            raw = self.client.chat.completions.with_raw_response.create(
                model=self.model,
                messages=[{"role": "user", "content": prompt}],
                max_tokens=1,
                temperature=0,
                logprobs=True,
                top_logprobs=TOP_LOGPROBS,
                extra_headers=self._headers,
            )
        except openai.APIError as e:
            attempts = _attempts(e)
            result = JudgeResult(None, "error", error=f"{self.url}: {_describe(e)}", attempts=attempts)
            return _Outcome(result, transient=_transient(e))
        attempts = raw.retries_taken + 1
        try:
            completion = raw.parse()
        except ValueError:  # not JSON: a proxy's error page, a truncated body
            msg = f"reply from {self.url} is not JSON: {raw.text[:120]!r}"
            return _Outcome(JudgeResult(None, "error", error=msg, attempts=attempts), transient=True)
        try:
            pairs = parse_top_logprobs(completion)
        except _Unparseable as e:
            return _Outcome(JudgeResult(None, "unparseable", error=str(e), attempts=attempts))
        return _Outcome(result_from_top_logprobs(pairs, attempts=attempts), pairs)


def _after_deferred_round(first: JudgeResult, again: JudgeResult) -> JudgeResult:
    """The deferred round's result, counting the attempts of both rounds; a repeated failure says it gave up."""
    attempts = first.attempts + again.attempts
    if again.status != "error":
        return dataclasses.replace(again, attempts=attempts)
    return dataclasses.replace(again, attempts=attempts, error=f"gave up after {attempts} attempts: {again.error}")


def chat_completion(
    base_url: str,
    model: str,
    prompt: str,
    api_key: str | None = None,
    timeout: float = 300,
    attempts: int = 3,
    max_tokens: int = 6000,
    temperature: float = 0.7,
) -> str:
    """The text of one chat completion from an OpenAI-compatible endpoint (the judge's client and its retries)."""
    client, headers = openai_client(base_url, api_key, timeout, max_retries=attempts - 1)
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": prompt}]
    try:
        completion = client.chat.completions.create(
            model=model, messages=messages, max_tokens=max_tokens, temperature=temperature, extra_headers=headers
        )
    except openai.APIError as e:
        raise PrevsteerError(f"{base_url}: gave up after {_attempts(e)} attempts: {_describe(e)}") from None
    except ValueError:
        raise PrevsteerError(f"reply from {base_url} is not JSON") from None
    try:
        content = completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        content = None
    if not isinstance(content, str):
        raise PrevsteerError(f"reply from {base_url} has no choices[0].message.content")
    return content
