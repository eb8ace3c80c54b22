"""Trait artifacts: the shipped files validate, bad files fail with the field named, originals import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from train.errors import PrevsteerError
from train.judges.rubric import COHERENCE_RUBRIC, fill_template
from train.persona.traits import TRAITS_DIR, TraitArtifact, import_original, list_traits, load_trait, save_trait

SHIPPED = ["apathetic", "evil", "hallucinating", "humorous", "impolite", "optimistic", "sycophantic"]


def _valid() -> dict:
    """A minimal valid artifact as plain data, for tests to break one field at a time."""
    return {
        "name": "testy",
        "description": "A trait for tests.",
        "instructions": [{"pos": f"Be testy {i}.", "neg": f"Be calm {i}."} for i in range(5)],
        "extraction_questions": [f"Extraction question {i}?" for i in range(20)],
        "evaluation_questions": [f"Evaluation question {i}?" for i in range(20)],
        "judge_rubric": "Q: {question}\nA: {answer}\nScore 0-100, or REFUSAL. Output only the number.",
        "version": 1,
        "source": "written for tests",
    }


def _write(tmp_path: Path, data: dict, name: str = "testy.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_exactly_the_seven_traits_ship():
    assert list_traits() == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_artifact_validates(name):
    trait = load_trait(name)
    assert trait.name == name
    assert len(trait.instructions) == 5
    assert len(trait.extraction_questions) == len(trait.evaluation_questions) == 20
    extraction = {q.strip().casefold() for q in trait.extraction_questions}
    evaluation = {q.strip().casefold() for q in trait.evaluation_questions}
    assert len(extraction) == len(evaluation) == 20
    assert not extraction & evaluation
    assert trait.source == "written for prevsteer"
    assert "REFUSAL" in trait.judge_rubric and "100" in trait.judge_rubric
    for pair in trait.instructions:
        assert pair.pos.strip() != pair.neg.strip()
    # By path, too, and the same artifact.
    assert load_trait(TRAITS_DIR / f"{name}.json") == trait


def test_shipped_rubrics_fill_correctly():
    for name in SHIPPED:
        filled = load_trait(name).fill_rubric("Why {x}?", "Because {answer} braces.")
        assert "{question}" not in filled
        assert "Why {x}?" in filled
        # One pass: the answer text's own "{answer}" survives literally.
        assert "Because {answer} braces." in filled


def test_all_40_questions_of_a_trait_are_distinct():
    for name in SHIPPED:
        trait = load_trait(name)
        qs = [q.casefold() for q in trait.extraction_questions + trait.evaluation_questions]
        assert len(set(qs)) == 40


def test_coherence_rubric():
    assert "{question}" in COHERENCE_RUBRIC and "{answer}" in COHERENCE_RUBRIC
    filled = fill_template(COHERENCE_RUBRIC, "Q?", "A.")
    assert "Q?" in filled and "A." in filled and "{" not in filled
    assert "just the number" in COHERENCE_RUBRIC


def test_fill_uses_replace_not_format():
    trait = TraitArtifact.model_validate({**_valid(), "judge_rubric": 'JSON {"score": n}\n{question} -> {answer}'})
    assert trait.fill_rubric("q", "a") == 'JSON {"score": n}\nq -> a'


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["instructions"].pop(), "testy.json: instructions: expected 5 instruction pairs, got 4"),
        (lambda d: d["evaluation_questions"].pop(), "testy.json: evaluation_questions: expected 20 questions, got 19"),
        (
            lambda d: d["evaluation_questions"].__setitem__(3, "EXTRACTION question 7?"),
            "testy.json: evaluation_questions: question 3 also appears in extraction_questions",
        ),
        (
            lambda d: d["extraction_questions"].__setitem__(1, "Extraction question 0?"),
            "testy.json: extraction_questions: question 1 is a duplicate",
        ),
        (lambda d: d.__setitem__("judge_rubric", "Q: {question} only"), "testy.json: judge_rubric: "),
        (lambda d: d.__setitem__("colour", "red"), "testy.json: colour: unknown key; allowed: name, description"),
        (lambda d: d["instructions"][2].__setitem__("pos", "  "), "testy.json: instructions.2.pos: "),
        (lambda d: d["extraction_questions"].__setitem__(0, ""), "testy.json: extraction_questions: question 0 must"),
        (lambda d: d.pop("source"), "testy.json: source: missing required key"),
    ],
)
def test_validator_errors_name_the_file_and_field(tmp_path, change, expected):
    data = _valid()
    change(data)
    with pytest.raises(PrevsteerError) as info:
        load_trait(_write(tmp_path, data))
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_rubric_missing_answer_placeholder_is_named(tmp_path):
    data = {**_valid(), "judge_rubric": "Q: {question}. Score 0-100."}
    with pytest.raises(PrevsteerError, match=r"judge_rubric: .*\{answer\}"):
        load_trait(_write(tmp_path, data))


def test_unknown_trait_name_lists_the_allowed_ones():
    with pytest.raises(PrevsteerError, match="unknown trait 'grumpy'; allowed: apathetic, evil"):
        load_trait("grumpy")


def test_bad_json_and_missing_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(PrevsteerError, match=r"bad\.json: invalid JSON"):
        load_trait(bad)
    with pytest.raises(PrevsteerError, match=r"nope\.json: file not found"):
        load_trait(tmp_path / "nope.json")
    with pytest.raises(PrevsteerError, match="expected a JSON object"):
        load_trait(_write(tmp_path, [1, 2], name="list.json"))  # type: ignore[arg-type]


def _original(n_questions: int) -> dict:
    return {
        "instruction": [{"pos": f"Be evil {i}.", "neg": f"Be good {i}."} for i in range(5)],
        "questions": [f"Question number {i}?" for i in range(n_questions)],
        "eval_prompt": 'Judge {question} / {answer}. Output {"only"} a number or REFUSAL.',
    }


def test_import_original_splits_first_20_and_next_20(tmp_path):
    trait = import_original(_write(tmp_path, _original(40), name="evil.json"))
    assert trait.name == "evil"
    assert trait.extraction_questions == [f"Question number {i}?" for i in range(20)]
    assert trait.evaluation_questions == [f"Question number {i}?" for i in range(20, 40)]
    assert trait.judge_rubric == _original(40)["eval_prompt"]
    assert trait.instructions[4].neg == "Be good 4."
    assert trait.fill_rubric("Q", "A") == 'Judge Q / A. Output {"only"} a number or REFUSAL.'


def test_import_original_with_too_few_questions_fails_clearly(tmp_path):
    with pytest.raises(PrevsteerError, match=r"evil.json: questions: expected at least 40 questions .* got 39"):
        import_original(_write(tmp_path, _original(39), name="evil.json"))


def test_import_original_missing_key(tmp_path):
    data = _original(40)
    del data["eval_prompt"]
    with pytest.raises(PrevsteerError, match=r"missing key.*eval_prompt"):
        import_original(_write(tmp_path, data, name="evil.json"))


def test_save_load_round_trip(tmp_path):
    trait = import_original(_write(tmp_path, _original(45), name="sycophantic.json"))
    out = save_trait(trait, tmp_path / "out" / "sycophantic.json")
    assert load_trait(out) == trait
    assert out.read_text(encoding="utf-8").startswith('{\n  "name": "sycophantic"')
    assert [p.name for p in out.parent.iterdir()] == ["sycophantic.json"]  # no temp file left behind
    shipped = load_trait("humorous")
    assert load_trait(save_trait(shipped, tmp_path / "humorous.json")) == shipped
