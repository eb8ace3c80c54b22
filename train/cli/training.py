"""`prevsteer train`, `check` and `launch`: one recipe, trained here or on SLURM."""

from __future__ import annotations

import argparse
import sys

from train.cli.flags import add_flags, settings_from
from train.console import result, say
from train.launch.launch_settings import LaunchSettings, ResourceShape
from train.training.recipe import RecipeChoice, TrainSettings


def cmd_check(args: argparse.Namespace) -> int:
    from train.training.recipe import dump_recipe
    from train.training.run import default_output_dir, preflight, resolve, sft_config

    recipe = resolve(settings_from(args, RecipeChoice).load())
    preflight(recipe)
    sft_config(recipe, default_output_dir(recipe))  # TRL's own checks of the training arguments
    sys.stdout.write(dump_recipe(recipe))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    import torch
    from accelerate import PartialState

    from train.dataprep.prepare import prepare_data
    from train.training.preemption import PREEMPTED_EXIT, Preempted
    from train.training.run import open_run_dir, preflight, resolve, train_run

    settings = settings_from(args, TrainSettings)
    recipe = resolve(settings.load())
    preflight(recipe)
    run = open_run_dir(recipe, settings.output_dir, settings.resume)  # on every rank, before the process group forms
    with PartialState().main_process_first():  # the data stage: the main process prepares, the others reuse it
        prepared = prepare_data(recipe.data, recipe.model.name)
    try:
        run_dir = train_run(recipe, prepared, run, resume=settings.resume)
    except Preempted as stop:
        say(f"prevsteer: {stop}")
        return PREEMPTED_EXIT
    finally:  # a rank that exits with its process group alive can abort in gloo's/NCCL's teardown
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
    result(f"run directory: {run_dir}")
    return 0


def site_lines(shape: ResourceShape) -> str:
    """The site's own lines a script got (launcher.slurm.setup and directives), as a dry run shows them."""
    lines = [f"  #SBATCH {option}" for option in shape.directives] + [f"  {line}" for line in shape.setup]
    return "site setup and directives:\n" + "\n".join(lines)


def cmd_launch(args: argparse.Namespace) -> int:
    from train.launch.submit import launch_run

    settings = settings_from(args, LaunchSettings)
    script, job = launch_run(settings)
    result(f"{script}: written" + (f"; submitted as job {job}" if job else " (--dry-run: not submitted)"))
    if settings.dry_run and (settings.slurm.setup or settings.slurm.directives):
        result(site_lines(settings.slurm))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    train = sub.add_parser("train", help="fine-tune from a recipe")
    add_flags(train, TrainSettings)
    train.set_defaults(func=cmd_train)

    launch = sub.add_parser("launch", help="train a recipe on SLURM: render the batch script and submit it")
    add_flags(launch, LaunchSettings)
    launch.set_defaults(func=cmd_launch)

    check = sub.add_parser("check", help="validate a recipe and print it resolved, without running")
    add_flags(check, RecipeChoice)
    check.set_defaults(func=cmd_check)
