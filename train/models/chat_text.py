"""Wrappers that external chat data and reasoning models put around text: a `<think>...</think>` block before
an answer, and chat-template markers (`<|im_start|>user`, `[INST]`, ...) left inside message contents.

Datasets exported from reasoning models carry the block (often empty) in every assistant turn, and some
exports keep the template's special tokens in the prompts. Either changes what a model is taught or measured
on, so the callers make the choice to strip or keep explicit; these functions only find and remove.
"""

from __future__ import annotations

import re

_REASONING_RE = re.compile(r"^\s*<think>(.*?)</think>\s*", re.DOTALL)
# Special-token markers of the common chat templates, with the role word that follows a header marker.
_ROLE = r"(?:system|user|assistant|tool)"
_TEMPLATE_MARKER_RE = re.compile(
    rf"<\|im_start\|>{_ROLE}?\n?"  # ChatML (Qwen, SmolLM)
    rf"|<\|start_header_id\|>{_ROLE}?<\|end_header_id\|>\n*"  # Llama 3
    r"|<\|[a-z_]{1,30}\|>"  # other <|...|> special tokens: <|im_end|>, <|eot_id|>, <|user|>, <|endoftext|>
    r"|\[/?INST\]|<</?SYS>>\n*|</?s>"  # Llama 2 / Mistral
)


def split_reasoning(text: str) -> tuple[str | None, str]:
    """(the reasoning inside a leading `<think>...</think>` block or None without one, the answer after it)."""
    match = _REASONING_RE.match(text)
    if match is None:
        return None, text
    return match.group(1).strip(), text[match.end() :]


def find_template_markers(text: str) -> list[str]:
    """The template markers in a text, in order."""
    return _TEMPLATE_MARKER_RE.findall(text)


def strip_template_markers(text: str) -> str:
    """The text without its template markers (and without the whitespace they leave at either end)."""
    return _TEMPLATE_MARKER_RE.sub("", text).strip()
