"""`prevsteer vector`, `extract`, `select-layer`, `project`, `judge` and `traits`: persona vectors and traits."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from train.cli.inputs import InputPath, command_group
from train.cli.stage_command import StageCommand
from train.console import result, say
from train.files import refuse_overwrite
from train.persona.persona_settings import (
    ContrastSettings,
    ExtractionSettings,
    ImportSettings,
    JudgeFileSettings,
    ProjectionSettings,
    SelectLayerSettings,
)

if TYPE_CHECKING:
    from train.steering.vectors import PersonaVector


def _imported_line(settings: ImportSettings, vector: PersonaVector) -> str:
    return f"{settings.out}: {vector.num_layers} layers x {vector.hidden_size} (row l = output of block l)"


def _contrast_line(settings: ContrastSettings, vector: PersonaVector) -> str:
    counts = f"{vector.metadata['extraction']['n_pos']} vs {vector.metadata['extraction']['n_neg']}"
    return f"{settings.out}: {vector.num_layers} layers x {vector.hidden_size}, from {counts} answers"


def _extraction_line(settings: ExtractionSettings, summary: dict[str, Any]) -> str:
    kept, vectors = summary["kept"], ", ".join(summary["vectors"].values())
    return f"{settings.out}: kept {kept['pos']} pos / {kept['neg']} neg answers; vectors {vectors}"


STAGES = (
    StageCommand(
        "judge",
        "score saved answers for a trait and for coherence",
        JudgeFileSettings,
        "train.persona.judge_answers:judge_file",
        lambda settings, scored: f"{settings.out}: {len(scored)} rows scored",
    ),
    StageCommand(
        "extract",
        "extract a persona vector from the model's own judged answers",
        ExtractionSettings,
        "train.persona.extract:run_extraction",
        _extraction_line,
    ),
    StageCommand(
        "project",
        "project prompts and answers on a persona vector (monitoring)",
        ProjectionSettings,
        "train.persona.monitor:run_project",
        lambda settings, out: f"{out / 'projections.csv'}, {out / 'summary.json'}: written",
    ),
    StageCommand(
        "select-layer",
        "steer generation per layer and coefficient, judge, pick a layer",
        SelectLayerSettings,
        "train.persona.select_layer:run_select_layer",
        lambda settings, chosen: f"chosen layer {chosen}: table, plot and the vector with the choice in {settings.out}",
    ),
)
VECTOR_STAGES = (
    StageCommand(
        "import",
        "import an original research-code .pt ([L+1, d]) file",
        ImportSettings,
        "train.persona.vector_import:run_import",
        _imported_line,
    ),
    StageCommand(
        "contrast",
        "difference of means of two sets of given answers",
        ContrastSettings,
        "train.persona.contrast:run_contrast",
        _contrast_line,
    ),
)


def cmd_traits_new(args: argparse.Namespace) -> int:
    from train.judges.factory import resolve_base_url
    from train.persona.draft import draft_trait
    from train.persona.traits import TRAITS_DIR, save_trait

    out = args.out or TRAITS_DIR / f"{args.name}.json"
    refuse_overwrite(out, args.force)
    artifact = draft_trait(args.name, args.description, args.model, resolve_base_url(args.base_url))
    save_trait(artifact, out)
    result(f"{out}: drafted and validated (5 instruction pairs, 20 + 20 questions, a judge rubric); review it")
    return 0


def cmd_traits_import(args: argparse.Namespace) -> int:
    from train.persona.traits import TRAITS_DIR, import_trait_files, save_trait

    imported = import_trait_files(args.paths)
    out_dir = args.out or TRAITS_DIR
    targets = [out_dir / f"{item.artifact.name}.json" for item in imported]
    for path in targets:
        refuse_overwrite(path, args.force)
    for item, path in zip(imported, targets, strict=True):
        for note in item.notes:
            say(f"{item.artifact.name}: {note}")
        save_trait(item.artifact, path)
        result(f"{path}: {item.artifact.name} imported and validated ({item.artifact.source})")
    return 0


def _traits(sub: argparse._SubParsersAction) -> None:
    traits_sub = command_group(sub, "traits", "trait artifacts")
    new = traits_sub.add_parser("new", help="draft a trait artifact with an LLM from a one-line description")
    new.add_argument("name")
    new.add_argument("--description", required=True)
    new.add_argument("--model", required=True, help="a chat model at an OpenAI-compatible endpoint")
    new.add_argument("--base-url", default=None, help="default: $OPENAI_BASE_URL, then the OpenAI API")
    new.add_argument("--out", type=Path, default=None, help="default: data/traits/NAME.json")
    new.add_argument("--force", action="store_true")
    new.set_defaults(func=cmd_traits_new)
    imported = traits_sub.add_parser(
        "import", help="import the persona-vectors study's trait data: its released layout or the 40-question file"
    )
    imported.add_argument(
        "paths",
        type=InputPath("any"),
        nargs="+",
        help="trait_data_extract/NAME.json and trait_data_eval/NAME.json, or the folder holding both folders (every "
        "trait), or one file with 40 questions (20 extraction, then 20 evaluation)",
    )
    imported.add_argument("--out", type=Path, default=None, help="folder for NAME.json (default data/traits)")
    imported.add_argument("--force", action="store_true", help="replace existing NAME.json files")
    imported.set_defaults(func=cmd_traits_import)


def register(sub: argparse._SubParsersAction) -> None:
    vector_sub = command_group(sub, "vector", "persona-vector artifacts")
    for stage in VECTOR_STAGES:
        stage.register(vector_sub)
    for stage in STAGES:
        stage.register(sub)
    _traits(sub)
