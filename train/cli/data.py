"""`prevsteer data build|load|prepare` and `screen`: training datasets in and out, and screening them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from train.cli.flags import add_field, add_flags, settings_from
from train.cli.inputs import INPUTS, command_group
from train.cli.stage_command import StageCommand
from train.console import result
from train.dataprep.data_settings import BuildSettings, ScreenSettings, TraitDataSettings
from train.files import refuse_overwrite
from train.training.recipe import RecipeChoice

if TYPE_CHECKING:
    from train.dataprep.screen import ScreenReport


def cmd_data_prepare(args: argparse.Namespace) -> int:
    from train.dataprep.prepare import prepare_data

    recipe = settings_from(args, RecipeChoice).load()
    prepared = prepare_data(recipe.data, recipe.model.name)
    result(f"{prepared.path}: {prepared.manifest.get('rows', '?')} rows, sha256 {prepared.sha256[:12]}")
    return 0


def cmd_data_build(args: argparse.Namespace) -> int:
    from train.dataprep.builders import (
        TRAIT_OPTIONS,
        build_dataset,
        dataset_manifest,
        default_n,
        manifest_path,
        write_dataset,
    )

    refuse_overwrite(args.out, args.force)
    n = default_n(args.name) if args.n is None else args.n
    seed = BuildSettings.model_fields["seed"].default if args.seed is None else args.seed
    options = {key: getattr(args, key) for key in TRAIT_OPTIONS}
    rows = build_dataset(args.name, args.level, n, seed, args.source, args.skip_bad, **options)
    manifest = dataset_manifest(args.name, args.level, n, seed, args.source, args.skip_bad, **options)
    write_dataset(rows, args.out, manifest, force=args.force)
    result(f"{args.out}: {len(rows)} rows of {args.name} level {args.level}; manifest {manifest_path(args.out)}")
    return 0


def cmd_data_load(args: argparse.Namespace) -> int:
    from train.dataprep.builders import file_record, manifest_path, write_dataset
    from train.dataprep.builders.external import load_external, source_file

    refuse_overwrite(args.out, args.force)
    rows, skipped = load_external(args.format, args.path, args.skip_bad, args.level)
    source = file_record("source", source_file(args.format, args.path, args.level))
    manifest = {"format": args.format, "level": args.level, **source, "skipped": skipped}
    write_dataset(rows, args.out, manifest, force=args.force)
    result(f"{args.out}: {len(rows)} rows ({skipped} malformed skipped); {manifest_path(args.out)}")
    return 0


def _screen_lines(settings: ScreenSettings, report: ScreenReport) -> str:
    from train.dataprep.screen import format_report

    return format_report(report) + (f"\nwritten to {settings.out}" if settings.out is not None else "")


SCREEN = StageCommand(
    "screen",
    "score training rows by projection difference against the base model",
    ScreenSettings,
    "train.dataprep.screen:run_screen",
    _screen_lines,
)


def _build(data_sub: argparse._SubParsersAction) -> None:
    from train.dataprep.builders import DEFAULT_N, TRAIT_DEFAULT_N

    build = data_sub.add_parser("build", help="build a dataset at level normal, I or II")
    build.add_argument(
        "name", type=INPUTS["trait"], help="flawed-math, buggy-code, bad-advice, rude-answers, a trait or its JSON"
    )
    build.add_argument("--level", required=True, help="normal, I (subtle flaws) or II (severe flaws)")
    build.add_argument("--out", type=Path, required=True, help="chat JSONL; FILE.manifest.json is written beside it")
    counts = f"rows (default {DEFAULT_N}; {TRAIT_DEFAULT_N} for trait datasets; every row of a study dataset)"
    build.add_argument("--n", type=int, default=None, help=counts)
    add_field(build, BuildSettings, "seed", help="the builder's seed")
    add_field(
        build,
        BuildSettings,
        "source",
        type=INPUTS["dataset_source"],
        help="flawed-math: a GSM8K JSONL, hub or procedural",
    )
    build.add_argument("--skip-bad", action="store_true", help="skip malformed --source lines instead of failing")
    add_flags(build, TraitDataSettings, help_prefix="trait datasets: ")
    build.add_argument("--force", action="store_true")
    build.set_defaults(func=cmd_data_build)


def register(sub: argparse._SubParsersAction) -> None:
    data_sub = command_group(sub, "data", "build, convert or prepare training datasets (chat JSONL + manifest)")
    _build(data_sub)
    prepare = data_sub.add_parser("prepare", help="build and filter a recipe's training data into the cache")
    add_flags(prepare, RecipeChoice)
    prepare.set_defaults(func=cmd_data_prepare)
    load = data_sub.add_parser("load", help="convert an external dataset into chat JSONL")
    load.add_argument("format", help="chat, insecure-code or study")
    load.add_argument("path", type=INPUTS["any"], help="a JSONL file; for study the folder <archive>/<name>")
    load.add_argument("--out", type=Path, required=True)
    load.add_argument("--level", default=None, help="study: normal, I or II")
    load.add_argument("--skip-bad", action="store_true", help="skip malformed lines and count them")
    load.add_argument("--force", action="store_true")
    load.set_defaults(func=cmd_data_load)

    SCREEN.register(sub)
