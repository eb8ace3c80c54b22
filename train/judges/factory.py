"""From a `--judge` string to a judge: `openai:MODEL`, `hf:MODEL_OR_PATH` or `offline`.

Each backend module is imported only when asked for (the local ones import torch and transformers).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

from train.errors import PrevsteerError
from train.judges.base import Judge
from train.judges.cache import CacheArg

JUDGE_SPEC_FORMS = "openai:MODEL, hf:MODEL_OR_PATH, offline"


@dataclass(frozen=True)
class JudgeSpec:
    """A parsed `--judge` string: backend is "openai", "hf" or "offline"; model is empty for offline."""

    backend: Literal["openai", "hf", "offline"]
    model: str = ""


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
    spec: str | JudgeSpec, base_url: str | None = None, cache: CacheArg = None, trait: str | None = None, **kw: Any
) -> Judge:
    """Build the judge a spec names. base_url defaults to $OPENAI_BASE_URL, then the OpenAI API.

    `trait` is used only by the offline backend, which is a per-trait classifier.
    """
    parsed = parse_judge_spec(spec) if isinstance(spec, str) else spec
    if parsed.backend == "openai":
        from train.judges.api import OpenAIJudge

        return OpenAIJudge(parsed.model, resolve_base_url(base_url), cache=cache, **kw)
    if parsed.backend == "hf":
        from train.judges.hf import HFJudge

        return HFJudge(parsed.model, cache=cache, **kw)
    if trait is None:
        raise PrevsteerError("the offline judge scores one trait; pass trait=NAME (it is a per-trait classifier)")
    from train.judges.offline import OfflineJudge

    return OfflineJudge.for_trait(trait, cache=cache, **kw)


def judge_for_trait(
    spec: str, trait: str, base_url: str | None = None, cache: str | os.PathLike[str] | None = None
) -> Judge:
    """The judge a CLI command asks for: the default cache in the prevsteer cache dir, the trait for `offline`."""
    from train.files import cache_dir

    return make_judge(spec, base_url=base_url, cache=cache or cache_dir() / "judge.sqlite", trait=trait)
