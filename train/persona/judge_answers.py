"""`prevsteer judge`: score a file of saved answers for a trait and for coherence."""

from __future__ import annotations

from typing import Any

from train.console import say
from train.errors import PrevsteerError
from train.files import read_jsonl, refuse_overwrite, write_jsonl
from train.judges.base import check_answer_rows, score_answers
from train.judges.factory import judge_for_trait
from train.persona.persona_settings import JudgeFileSettings
from train.persona.traits import load_trait


def judge_file(settings: JudgeFileSettings) -> list[dict[str, Any]]:
    """Write the scored rows to `out` and return them; the two score reports go to the console."""
    refuse_overwrite(settings.out, settings.force)
    trait = load_trait(settings.trait)
    rows, _ = read_jsonl(settings.input)
    try:
        check_answer_rows(rows)
    except PrevsteerError as exc:
        raise PrevsteerError(f"{settings.input}: {exc}") from None
    judge = judge_for_trait(settings.judge, trait.name, settings.judge_base_url, settings.cache)
    scored, trait_report, coherence_report = score_answers(judge, trait.judge_rubric, rows)
    say(f"trait {trait.name}: {trait_report}")
    say(f"coherence: {coherence_report}")
    write_jsonl(settings.out, scored)
    return scored
