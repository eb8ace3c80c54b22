"""Trait artifacts: the instruction pairs, questions and judge rubric that define one persona trait.

Each shipped trait lives in `data/traits/NAME.json` (written for this project, CC0). The artifact is
validated strictly so that a typo in a hand-edited file fails loudly, naming the file and the field,
instead of silently skewing an extraction run. `import_original` converts the original research
code's trait JSON (`instruction`, `questions`, `eval_prompt`) into the same shape.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from train.errors import PrevsteerError
from train.files import write_atomic
from train.judges.rubric import fill_template
from train.resources import REPO_ROOT, shipped

TRAITS_DIR = shipped("traits")

N_PAIRS = 5
N_QUESTIONS = 20  # per split: extraction and evaluation
PLACEHOLDERS = ("{question}", "{answer}")
REFUSAL = "REFUSAL"
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _non_empty(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"{what} must be a non-empty string")
    return value


class InstructionPair(_Strict):
    """One system-instruction pair: `pos` elicits the trait, `neg` suppresses it."""

    pos: str
    neg: str

    @field_validator("pos", "neg")
    @classmethod
    def _text(cls, value: str, info: ValidationInfo) -> str:
        return _non_empty(value, info.field_name or "instruction")


class TraitArtifact(_Strict):
    """A validated trait: 5 instruction pairs, 20 + 20 disjoint questions and a judge rubric."""

    name: str
    description: str
    instructions: list[InstructionPair]
    extraction_questions: list[str]
    evaluation_questions: list[str]
    judge_rubric: str
    version: int
    source: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(f"'{value}' is not a trait name; allowed: lowercase letters, digits, '_' and '-'")
        return value

    @field_validator("description", "source")
    @classmethod
    def _one_line(cls, value: str, info: ValidationInfo) -> str:
        _non_empty(value, info.field_name or "text")
        if "\n" in value:
            raise ValueError("must be a single line")
        return value

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"must be >= 1, got {value}")
        return value

    @field_validator("instructions")
    @classmethod
    def _pairs(cls, value: list[InstructionPair]) -> list[InstructionPair]:
        if len(value) != N_PAIRS:
            raise ValueError(f"expected {N_PAIRS} instruction pairs, got {len(value)}")
        return value

    @field_validator("extraction_questions", "evaluation_questions")
    @classmethod
    def _questions(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if len(value) != N_QUESTIONS:
            raise ValueError(f"expected {N_QUESTIONS} questions, got {len(value)}")
        seen: set[str] = set()
        for i, question in enumerate(value):
            _non_empty(question, f"question {i}")
            key = question.strip().casefold()
            if key in seen:
                raise ValueError(f"question {i} is a duplicate: {question!r}")
            seen.add(key)
        # Held-out evaluation must not reuse extraction questions (fields validate in declaration order).
        if info.field_name == "evaluation_questions":
            extraction = {q.strip().casefold() for q in info.data.get("extraction_questions", [])}
            for i, question in enumerate(value):
                if question.strip().casefold() in extraction:
                    raise ValueError(f"question {i} also appears in extraction_questions: {question!r}")
        return value

    @field_validator("judge_rubric")
    @classmethod
    def _rubric(cls, value: str) -> str:
        missing = [p for p in PLACEHOLDERS if p not in value]
        if missing:
            needs = "a rubric needs both {question} and {answer}"
            raise ValueError(f"missing the placeholder(s) {', '.join(missing)}; {needs}")
        return value

    def fill_rubric(self, question: str, answer: str) -> str:
        """The judge prompt for one answer; see `fill_template` for why this is not str.format."""
        return fill_template(self.judge_rubric, question, answer)


def _label(path: Path) -> str:
    """A short name for messages: relative to the repo root when inside it."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def validate_trait(data: Any, label: str) -> TraitArtifact:
    """Validate, turning pydantic's report into one PrevsteerError line naming the file and field."""
    if not isinstance(data, dict):
        raise PrevsteerError(f"{label}: expected a JSON object, got {type(data).__name__}")
    try:
        return TraitArtifact.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(part) for part in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            msg = f"unknown key; allowed: {', '.join(TraitArtifact.model_fields)}"
        elif err["type"] == "missing":
            msg = "missing required key"
        else:
            msg = err["msg"].removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise PrevsteerError(f"{label}: {field}: {msg}{more}") from None


def _read_json(path: Path) -> Any:
    label = _label(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PrevsteerError(f"{label}: file not found; expected a trait .json file") from None
    except OSError as exc:
        raise PrevsteerError(f"{label}: cannot read: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PrevsteerError(f"{label}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def list_traits() -> list[str]:
    """Names of the shipped traits (the stems of `data/traits/*.json`)."""
    return sorted(p.stem for p in TRAITS_DIR.glob("*.json"))


def resolve_trait_path(name_or_path: str | os.PathLike[str]) -> Path:
    """A bare name means `data/traits/NAME.json`; anything with a separator or suffix is a path."""
    text = os.fspath(name_or_path)
    if NAME_RE.match(text) and not text.endswith(".json"):
        path = TRAITS_DIR / f"{text}.json"
        if not path.is_file():
            raise PrevsteerError(
                f"unknown trait '{text}'; allowed: {', '.join(list_traits()) or '(none shipped)'}, "
                "or a path to a trait .json file"
            )
        return path
    return Path(text)


def load_trait(name_or_path: str | os.PathLike[str]) -> TraitArtifact:
    """Load and validate a trait by shipped name (e.g. "evil") or by path."""
    path = resolve_trait_path(name_or_path)
    return validate_trait(_read_json(path), _label(path))


def import_original(path: str | os.PathLike[str]) -> TraitArtifact:
    """Convert the original research code's trait JSON: questions[:20] extract, questions[20:40] evaluate."""
    path = Path(path)
    label = _label(path)
    data = _read_json(path)
    if not isinstance(data, dict):
        raise PrevsteerError(f"{label}: expected a JSON object with keys instruction, questions, eval_prompt")
    missing = [k for k in ("instruction", "questions", "eval_prompt") if k not in data]
    if missing:
        raise PrevsteerError(
            f"{label}: missing key(s) {', '.join(missing)}; the original format has instruction, questions, eval_prompt"
        )
    questions = data["questions"]
    if not isinstance(questions, list):
        raise PrevsteerError(f"{label}: questions: expected a list, got {type(questions).__name__}")
    if len(questions) < 2 * N_QUESTIONS:
        raise PrevsteerError(
            f"{label}: questions: expected at least {2 * N_QUESTIONS} questions "
            f"({N_QUESTIONS} for extraction, then {N_QUESTIONS} for evaluation), got {len(questions)}"
        )
    artifact = {
        "name": path.stem.lower(),
        "description": f"{path.stem} (imported from the original research code's trait data)",
        "instructions": data["instruction"],
        "extraction_questions": questions[:N_QUESTIONS],
        "evaluation_questions": questions[N_QUESTIONS : 2 * N_QUESTIONS],
        "judge_rubric": data["eval_prompt"],
        "version": 1,
        "source": f"imported from original trait data {path.name}",
    }
    return validate_trait(artifact, label)


def save_trait(artifact: TraitArtifact, path: str | os.PathLike[str]) -> Path:
    """Write pretty JSON atomically, so a crash never leaves half a file."""
    return write_atomic(path, json.dumps(artifact.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
