"""Judge prompts: the coherence rubric every judge shares, and filling `{question}` and `{answer}` into a rubric."""

from __future__ import annotations

import re

from train.errors import PrevsteerError
from train.resources import shipped

_PLACEHOLDER_RE = re.compile(r"\{question\}|\{answer\}")

# Written for this project (data/judge/coherence.txt): coherence only, independent of tone and morality.
COHERENCE_RUBRIC = shipped("judge", "coherence.txt").read_text(encoding="utf-8").rstrip("\n")


def fill_template(template: str, question: str, answer: str) -> str:
    """Substitute `{question}` and `{answer}` in one pass.

    Not str.format: rubrics may contain other braces. One pass, so a question that itself contains
    the text "{answer}" is not substituted a second time.
    """
    values = {"{question}": question, "{answer}": answer}
    return _PLACEHOLDER_RE.sub(lambda m: values[m.group(0)], template)


def fill_rubric(rubric: str, question: str, answer: str) -> str:
    """`fill_template` for a judge rubric, which must contain both placeholders (other braces are left alone)."""
    missing = [name for name in ("{answer}", "{question}") if name not in rubric]
    if missing:
        names = ", ".join(missing)
        raise PrevsteerError(
            f"judge rubric has no {names} placeholder; a rubric must contain {{question}} and {{answer}}"
        )
    return fill_template(rubric, question, answer)
