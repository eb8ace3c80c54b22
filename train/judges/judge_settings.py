"""Which judge a stage uses: the same three settings on every stage that judges."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from train.schema import Strict


class JudgeChoice(Strict):
    """The judge of every stage that judges: a spec, its endpoint and its cache."""

    judge: str = Field(description="openai:MODEL, hf:MODEL_OR_PATH or offline")
    judge_base_url: str | None = Field(None, description="an OpenAI-compatible endpoint, e.g. a vLLM server")
    cache: Path | None = Field(None, description="SQLite judge cache (default: prevsteer cache dir)")
