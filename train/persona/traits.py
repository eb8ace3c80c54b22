"""Trait artifacts: the instruction pairs, questions and judge rubric that define one persona trait.

Each shipped trait lives in `data/traits/NAME.json` (written for this project, CC0). The artifact is
validated strictly so that a typo in a hand-edited file fails loudly, naming the file and the field,
instead of silently skewing an extraction run. The persona-vectors study's trait data (`instruction`,
`questions`, `eval_prompt`) imports as released: `import_released` takes its two files per trait
(`trait_data_extract/NAME.json`, `trait_data_eval/NAME.json`, 20 questions each), `import_released_folder`
every trait of a folder holding both, and `import_original` the single-file form with 40 questions.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from train.errors import PrevsteerError
from train.files import write_atomic
from train.judges.rubric import fill_template
from train.resources import shipped, shipped_label
from train.schema import validated

TRAITS_DIR = shipped("traits")

N_PAIRS = 5
N_QUESTIONS = 20  # per split: extraction and evaluation
PLACEHOLDERS = ("{question}", "{answer}")
REFUSAL = "REFUSAL"
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
RELEASED_KEYS = ("instruction", "questions", "eval_prompt")
EXTRACT_DIR, EVAL_DIR = "trait_data_extract", "trait_data_eval"  # the study's released layout
RELEASED_HINT = (
    f"the study's released layout is {EXTRACT_DIR}/NAME.json + {EVAL_DIR}/NAME.json: pass both files "
    "(extract first) or the folder holding both folders"
)


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


def validate_trait(data: Any, label: str) -> TraitArtifact:
    """Validate, turning pydantic's report into one PrevsteerError line naming the file and field."""
    if not isinstance(data, dict):
        raise PrevsteerError(f"{label}: expected a JSON object, got {type(data).__name__}")
    return validated(TraitArtifact, data, label)


def _read_json(path: Path) -> Any:
    label = shipped_label(path)
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
    return validate_trait(_read_json(path), shipped_label(path))


def _read_released(path: Path) -> dict[str, Any]:
    """One file of the original trait data, with its keys and their types checked."""
    label = shipped_label(path)
    data = _read_json(path)
    if not isinstance(data, dict):
        raise PrevsteerError(f"{label}: expected a JSON object with keys {', '.join(RELEASED_KEYS)}")
    missing = [k for k in RELEASED_KEYS if k not in data]
    if missing:
        raise PrevsteerError(
            f"{label}: missing key(s) {', '.join(missing)}; the original format has {', '.join(RELEASED_KEYS)}"
        )
    for key, kind in (("instruction", list), ("questions", list), ("eval_prompt", str)):
        if not isinstance(data[key], kind):
            raise PrevsteerError(f"{label}: {key}: expected a {kind.__name__}, got {type(data[key]).__name__}")
    return data


def _imported(
    name: str, instructions: Any, extraction: list, evaluation: list, rubric: Any, source: str, label: str
) -> TraitArtifact:
    """The artifact for imported parts, validated (errors name `label`, the file or files read)."""
    artifact = {
        "name": name,
        "description": f"{name}, imported from the persona-vectors study's trait data",
        "instructions": instructions,
        "extraction_questions": extraction,
        "evaluation_questions": evaluation,
        "judge_rubric": rubric,
        "version": 1,
        "source": source,
    }
    return validate_trait(artifact, label)


def import_original(path: str | os.PathLike[str], notes: list[str] | None = None) -> TraitArtifact:
    """Convert the single-file form of the original trait JSON: questions[:20] extract, questions[20:40] evaluate.
    What the user should know about the import is appended to `notes`."""
    path = Path(path)
    label = shipped_label(path)
    data = _read_released(path)
    questions = data["questions"]
    if len(questions) < 2 * N_QUESTIONS:
        raise PrevsteerError(
            f"{label}: questions: expected at least {2 * N_QUESTIONS} questions "
            f"({N_QUESTIONS} for extraction, then {N_QUESTIONS} for evaluation), got {len(questions)}; {RELEASED_HINT}"
        )
    extraction, evaluation = questions[:N_QUESTIONS], questions[N_QUESTIONS : 2 * N_QUESTIONS]
    source = f"imported from original trait data {path.name}"
    rubric = _single_braces(data["eval_prompt"], notes if notes is not None else [])
    return _imported(path.stem.lower(), data["instruction"], extraction, evaluation, rubric, source, label)


@dataclass
class ImportedTrait:
    """An imported trait, and what the user should know about the import: where the released two files
    disagree, a rubric's placeholders rewritten (empty when there is nothing to say)."""

    artifact: TraitArtifact
    notes: list[str] = field(default_factory=list)


def _single_braces(rubric: str, notes: list[str]) -> str:
    """`{{question}}` and `{{answer}}` (some generated trait files double the braces) read as the placeholders."""
    if "{{question}}" in rubric or "{{answer}}" in rubric:
        notes.append("eval_prompt writes {{question}}/{{answer}}; imported as {question}/{answer}")
        return rubric.replace("{{question}}", "{question}").replace("{{answer}}", "{answer}")
    return rubric


def _differences(extract: dict[str, Any], evaluation: dict[str, Any]) -> list[str]:
    """Where the two files' instruction lists and rubrics disagree; the extract file's are the ones kept."""
    found = []
    pairs_x, pairs_e = extract["instruction"], evaluation["instruction"]
    if len(pairs_x) != len(pairs_e):
        found.append(f"instruction: {len(pairs_x)} pairs in the extract file, {len(pairs_e)} in the eval file")
    else:
        changed = [str(i) for i, (a, b) in enumerate(zip(pairs_x, pairs_e, strict=True)) if a != b]
        if changed:
            found.append(f"instruction pair(s) {', '.join(changed)} differ")
    if extract["eval_prompt"] != evaluation["eval_prompt"]:
        found.append("eval_prompt differs")
    kept = "; the extract file's instructions and rubric are kept"
    return [f"the extract and eval files disagree: {difference}{kept}" for difference in found]


def import_released(extract_path: str | os.PathLike[str], eval_path: str | os.PathLike[str]) -> ImportedTrait:
    """One trait from the study's released pair of files: extraction questions from the extract file, evaluation
    questions from the eval file; instructions and rubric from the extract file, differences reported."""
    extract_path, eval_path = Path(extract_path), Path(eval_path)
    pair = f"{shipped_label(extract_path)} and {shipped_label(eval_path)}"
    if (extract_path.parent.name, eval_path.parent.name) == (EVAL_DIR, EXTRACT_DIR):
        raise PrevsteerError(f"{pair} are swapped; {RELEASED_HINT}")
    if extract_path.stem.lower() != eval_path.stem.lower():
        raise PrevsteerError(f"{pair} name different traits; {RELEASED_HINT}")
    extract, evaluation = _read_released(extract_path), _read_released(eval_path)
    for path, data in ((extract_path, extract), (eval_path, evaluation)):
        if len(data["questions"]) != N_QUESTIONS:
            raise PrevsteerError(
                f"{shipped_label(path)}: questions: expected {N_QUESTIONS} (one split of the released layout), "
                f"got {len(data['questions'])}; a single file with {2 * N_QUESTIONS} is imported on its own"
            )
    name = extract_path.stem.lower()
    source = f"imported from the study's {EXTRACT_DIR}/{extract_path.name} and {EVAL_DIR}/{eval_path.name}"
    label = f"{shipped_label(extract_path)} + {shipped_label(eval_path)}"
    notes = _differences(extract, evaluation)
    rubric = _single_braces(extract["eval_prompt"], notes)
    artifact = _imported(
        name, extract["instruction"], extract["questions"], evaluation["questions"], rubric, source, label
    )
    return ImportedTrait(artifact, notes)


def released_root(folder: Path) -> Path:
    """The folder holding trait_data_extract/ and trait_data_eval/: FOLDER itself or FOLDER/data_generation
    (the study's repository root)."""
    for root in (folder, folder / "data_generation"):
        if (root / EXTRACT_DIR).is_dir() and (root / EVAL_DIR).is_dir():
            return root
    missing = [d for d in (EXTRACT_DIR, EVAL_DIR) if not (folder / d).is_dir()]
    raise PrevsteerError(f"{shipped_label(folder)}: no {' or '.join(missing)} folder; {RELEASED_HINT}")


def import_released_folder(folder: str | os.PathLike[str]) -> list[ImportedTrait]:
    """Every trait of a released folder; a trait with only one of its two files is an error naming it."""
    root = released_root(Path(folder))
    extract = {p.stem: p for p in (root / EXTRACT_DIR).glob("*.json")}
    evaluation = {p.stem: p for p in (root / EVAL_DIR).glob("*.json")}
    only_extract, only_eval = sorted(set(extract) - set(evaluation)), sorted(set(evaluation) - set(extract))
    for lone, present, absent in ((only_extract, EXTRACT_DIR, EVAL_DIR), (only_eval, EVAL_DIR, EXTRACT_DIR)):
        if lone:
            raise PrevsteerError(
                f"{shipped_label(root)}: {', '.join(f'{n}.json' for n in lone)} in {present}/ but not in {absent}/; "
                "each trait needs both files"
            )
    if not extract:
        raise PrevsteerError(f"{shipped_label(root)}: {EXTRACT_DIR}/ holds no .json trait files")
    return [import_released(extract[name], evaluation[name]) for name in sorted(extract)]


def import_trait_files(paths: list[Path]) -> list[ImportedTrait]:
    """What `prevsteer traits import` accepts: a released folder, a released pair (extract, eval), or one file
    of the single-file form."""
    if len(paths) == 2:
        return [import_released(*paths)]
    if len(paths) != 1:
        raise PrevsteerError(f"expected 1 or 2 paths, got {len(paths)}; {RELEASED_HINT}, or one 40-question file")
    path = paths[0]
    if path.is_dir():
        return import_released_folder(path)
    notes: list[str] = []
    return [ImportedTrait(import_original(path, notes), notes)]


def save_trait(artifact: TraitArtifact, path: str | os.PathLike[str]) -> Path:
    """Write pretty JSON atomically, so a crash never leaves half a file."""
    return write_atomic(path, json.dumps(artifact.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
