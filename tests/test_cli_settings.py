"""The command line is built from the stages' settings models: every flag's default is the field's, every field
has its flag, and a library refusal names its argument while the command line names the flag."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from train.cli import build_parser, main
from train.cli.evaluate import eval_section
from train.cli.flags import settings_from
from train.dataprep.data_settings import ScreenSettings
from train.errors import OutputExists, PrevsteerError
from train.evaluation.eval_settings import EvalSettings, MMLUSettings, TraitEvalSettings
from train.files import refuse_overwrite
from train.launch.launch_settings import LaunchSettings
from train.models.sampling import Sampling
from train.persona.persona_settings import (
    ContrastSettings,
    ExtractionSettings,
    ImportSettings,
    JudgeFileSettings,
    ProjectionSettings,
    SelectLayerSettings,
)
from train.sweeps.sweep_settings import CompareSettings, SweepRunSettings
from train.training.recipe import RecipeChoice, TrainSettings, validate_eval


def _inputs(tmp_path: Path) -> dict[str, str]:
    names = {"vector": "v.safetensors", "data": "d.jsonl", "recipe": "r.yaml", "spec": "s.yaml", "pt": "v.pt"}
    for path in names.values():
        (tmp_path / path).write_text("x")
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "sweep.json").write_text("{}")
    return {key: str(tmp_path / path) for key, path in names.items()} | {"sweep": str(tmp_path / "sweep")}


def _commands(f: dict[str, str], out: str) -> list[tuple[type[BaseModel], list[str]]]:
    """Each command with a settings model, given only what it requires."""
    judged = ["--judge", "offline"]
    return [
        (ExtractionSettings, ["extract", "--trait", "impolite", "--model", "m", *judged, "--out", out]),
        (
            SelectLayerSettings,
            [
                "select-layer",
                "--vector",
                f["vector"],
                "--trait",
                "impolite",
                "--model",
                "m",
                *judged,
                "--layers",
                "1",
                "--out",
                out,
            ],
        ),
        (
            ProjectionSettings,
            ["project", "--vector", f["vector"], "--layer", "1", "--model", "m", "--input", f["data"], "--out", out],
        ),
        (ScreenSettings, ["screen", f["data"], "--vector", f["vector"], "--layer", "1"]),
        (JudgeFileSettings, ["judge", "--trait", "impolite", "--input", f["data"], *judged, "--out", out]),
        (
            ContrastSettings,
            [
                "vector",
                "contrast",
                "--model",
                "m",
                "--pos",
                f["data"],
                "--neg",
                f["data"],
                "--trait",
                "t",
                "--out",
                out,
            ],
        ),
        (ImportSettings, ["vector", "import", f["pt"], "--out", out, "--model", "m", "--trait", "t"]),
        (TrainSettings, ["train", f["recipe"]]),
        (RecipeChoice, ["check", f["recipe"]]),
        (RecipeChoice, ["data", "prepare", f["recipe"]]),
        (LaunchSettings, ["launch", f["recipe"]]),
        (SweepRunSettings, ["sweep", "run", f["spec"]]),
        (CompareSettings, ["compare", f["sweep"], "--out", out]),
    ]


def _flat_fields(model: type[BaseModel]) -> dict[str, object]:
    """Every field of `model` with its default (nested models' fields in their place); required ones left out."""
    fields: dict[str, object] = {}
    for name, field in model.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            fields |= _flat_fields(type(default))
        elif not field.is_required():
            fields[name] = default
    return fields


def test_every_cli_default_is_its_settings_default_and_every_field_has_a_flag(tmp_path):
    files = _inputs(tmp_path)
    for model, argv in _commands(files, str(tmp_path / "out")):
        args = build_parser().parse_args(argv)
        settings = settings_from(args, model)
        dumped = settings.model_dump()
        flat = {**dumped, **{k: v for nested in dumped.values() if isinstance(nested, dict) for k, v in nested.items()}}
        defaults = _flat_fields(model)
        assert {name: flat[name] for name in defaults} == {
            name: value.model_dump() if isinstance(value, BaseModel) else value for name, value in defaults.items()
        }, argv[0]
        assert set(defaults) <= set(vars(args)), f"{argv[0]}: fields without a flag"


def test_help_shows_the_settings_defaults():
    sub = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    helps = {action.dest: action.help for action in sub["extract"]._actions}
    assert "(default 10)" in helps["n_per_question"] and "(default 1000)" in helps["max_new_tokens"]
    assert "(default 50)" in helps["coherence_threshold"] and "(default 1)" in helps["temperature"]
    helps = {action.dest: action.help for action in sub["select-layer"]._actions}
    assert "(default 1,2,4)" in helps["coefficients"] and "(default 48)" in helps["max_new_tokens"]
    helps = {action.dest: action.help for action in sub["launch"]._actions}
    assert "(default 8)" in helps["cpus_per_node"] and "(default 24:00:00)" in helps["time"]


def test_eval_flags_leave_the_eval_sections_defaults(tmp_path):
    args = build_parser().parse_args(
        ["eval", "--model", "m", "--out", str(tmp_path / "o"), "--trait", "impolite", "--mmlu"]
    )
    settings = validate_eval(eval_section(args))
    trait = settings.traits[0]
    defaults = TraitEvalSettings(name="impolite")
    assert (trait.samples, trait.max_new_tokens, trait.seed) == (
        defaults.samples,
        defaults.max_new_tokens,
        defaults.seed,
    )
    assert trait.sampling_fields() == Sampling().model_dump()
    assert settings.mmlu == MMLUSettings()
    assert settings.judge == EvalSettings().judge
    args = build_parser().parse_args(
        ["eval", "--model", "m", "--out", "o", "--trait", "impolite", "--mmlu", "--mmlu-per-subject", "all"]
    )
    assert validate_eval(eval_section(args)).mmlu.per_subject is None  # type: ignore[union-attr]


def test_a_bad_flag_value_is_one_line_naming_the_flag(tmp_path, capsys):
    files = _inputs(tmp_path)
    assert main(["launch", files["recipe"], "--nodes", "0"]) == 2
    assert capsys.readouterr().err.startswith("prevsteer: error: --nodes: ")
    assert (
        main(["extract", "--trait", "impolite", "--model", "m", "--judge", "offline", "--out", "o", "--top-p", "2"])
        == 2
    )
    assert capsys.readouterr().err.startswith("prevsteer: error: --top-p: ")


def test_refusing_to_overwrite_names_the_argument_in_the_library_and_the_flag_on_the_command_line(tmp_path, capsys):
    file, folder = tmp_path / "a.jsonl", tmp_path / "folder"
    file.write_text("{}\n")
    with pytest.raises(OutputExists) as refused:
        refuse_overwrite(file, force=False)
    assert str(refused.value) == f"{file} exists; pass force=True to replace it" and "--" not in str(refused.value)
    refuse_overwrite(file, force=True)
    folder.mkdir()
    refuse_overwrite(folder, force=False, folder=True)  # an empty folder is not an output yet
    (folder / "x").write_text("1")
    with pytest.raises(OutputExists):
        refuse_overwrite(folder, force=False, folder=True)
    with pytest.raises(PrevsteerError, match="is a file, not a folder"):
        refuse_overwrite(file, force=True, folder=True)
    sweep = _inputs(tmp_path)["sweep"]
    assert main(["compare", sweep, "--out", str(folder)]) == 2
    assert capsys.readouterr().err.strip() == f"prevsteer: error: {folder} is not empty; pass --force to write into it"
    assert (folder / "x").read_text() == "1"
