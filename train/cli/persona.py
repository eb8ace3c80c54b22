"""`prevsteer vector`, `extract`, `select-layer`, `project`, `judge` and `traits`: persona vectors and traits."""

from __future__ import annotations

import argparse
from pathlib import Path

from train.cli.flags import add_flags, settings_from
from train.cli.inputs import InputPath, Parser
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


def cmd_vector_import(args: argparse.Namespace) -> int:
    from train.steering.vectors import PersonaVector

    settings = settings_from(args, ImportSettings)
    refuse_overwrite(settings.out, settings.force)
    vector = PersonaVector.from_original_pt(settings.source, trait=settings.trait, model=settings.model)
    vector.save(settings.out)
    result(f"{settings.out}: {vector.num_layers} layers x {vector.hidden_size} (row l = output of block l)")
    return 0


def cmd_vector_contrast(args: argparse.Namespace) -> int:
    from train.persona.contrast import run_contrast

    settings = settings_from(args, ContrastSettings)
    vector = run_contrast(settings)
    counts = f"{vector.metadata['extraction']['n_pos']} vs {vector.metadata['extraction']['n_neg']}"
    result(f"{settings.out}: {vector.num_layers} layers x {vector.hidden_size}, from {counts} answers")
    return 0


def cmd_judge(args: argparse.Namespace) -> int:
    from train.persona.judge_answers import judge_file

    settings = settings_from(args, JudgeFileSettings)
    scored = judge_file(settings)
    result(f"{settings.out}: {len(scored)} rows scored")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from train.persona.extract import run_extraction

    settings = settings_from(args, ExtractionSettings)
    summary = run_extraction(settings)
    result(
        f"{settings.out}: kept {summary['kept']['pos']} pos / {summary['kept']['neg']} neg answers; vectors "
        f"{', '.join(summary['vectors'].values())}"
    )
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    from train.persona.monitor import run_project

    out = run_project(settings_from(args, ProjectionSettings))
    result(f"{out / 'projections.csv'}, {out / 'summary.json'}: written")
    return 0


def cmd_select_layer(args: argparse.Namespace) -> int:
    from train.persona.select_layer import run_select_layer

    settings = settings_from(args, SelectLayerSettings)
    chosen = run_select_layer(settings)
    result(f"chosen layer {chosen}: table, plot and the vector with the choice in {settings.out}")
    return 0


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
    traits = sub.add_parser("traits", help="trait artifacts")
    traits_sub = traits.add_subparsers(dest="traits_command", required=True, parser_class=Parser)
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
    vector = sub.add_parser("vector", help="persona-vector artifacts")
    vector_sub = vector.add_subparsers(dest="vector_command", required=True, parser_class=Parser)
    imp = vector_sub.add_parser("import", help="import an original research-code .pt ([L+1, d]) file")
    add_flags(imp, ImportSettings)
    imp.set_defaults(func=cmd_vector_import)
    contrast = vector_sub.add_parser("contrast", help="difference of means of two sets of given answers")
    add_flags(contrast, ContrastSettings)
    contrast.set_defaults(func=cmd_vector_contrast)

    commands = (
        ("judge", JudgeFileSettings, cmd_judge, "score saved answers for a trait and for coherence"),
        ("extract", ExtractionSettings, cmd_extract, "extract a persona vector from the model's own judged answers"),
        ("project", ProjectionSettings, cmd_project, "project prompts and answers on a persona vector (monitoring)"),
        (
            "select-layer",
            SelectLayerSettings,
            cmd_select_layer,
            "steer generation per layer and coefficient, judge, pick a layer",
        ),
    )
    for name, settings, func, help in commands:
        parser = sub.add_parser(name, help=help)
        add_flags(parser, settings)
        parser.set_defaults(func=func)
    _traits(sub)
