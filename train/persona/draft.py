"""`prevsteer traits new`: an LLM drafts a trait artifact from a one-line description (as in the study),
through the judge's OpenAI-compatible client; the draft is validated, and repaired once if invalid."""

from __future__ import annotations

import json
import re

from train.errors import PrevsteerError
from train.judges.api import chat_completion
from train.persona.traits import TraitArtifact, validate_trait
from train.resources import shipped

# Prompts are content: data/prompts/ (str.format fields: {name}, {description}; {error}).
PROMPT = shipped("prompts", "draft-trait.txt").read_text(encoding="utf-8")
REPAIR = shipped("prompts", "draft-trait-repair.txt").read_text(encoding="utf-8").rstrip("\n")


def _parse(text: str) -> object:
    """The JSON object in a reply, tolerating markdown code fences around it."""
    fenced = re.search(r"```(?:json)?\s*(\{.*\})\s*```", text, re.DOTALL)
    candidate = fenced.group(1) if fenced else text[text.find("{") : text.rfind("}") + 1]
    try:
        return json.loads(candidate)
    except json.JSONDecodeError as exc:
        raise PrevsteerError(f"the drafted trait is not valid JSON ({exc.msg} at line {exc.lineno})") from None


def draft_trait(name: str, description: str, model: str, base_url: str, api_key: str | None = None) -> TraitArtifact:
    """Ask the model for an artifact; if it fails validation, send the error back once for a repair."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
        raise PrevsteerError(f"trait name {name!r}: use lowercase letters, digits, '-' or '_'")
    prompt = PROMPT.format(name=name, description=description)
    reply = chat_completion(base_url, model, prompt, api_key)
    try:
        return validate_trait(_parse(reply), f"draft of {name}")
    except PrevsteerError as first:
        repaired = chat_completion(base_url, model, f"{prompt}\n\n{reply}\n\n{REPAIR.format(error=first)}", api_key)
        return validate_trait(_parse(repaired), f"draft of {name} (after one repair)")
