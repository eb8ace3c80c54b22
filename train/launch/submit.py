"""`prevsteer launch`: one recipe trained on SLURM through the same job-array path as a sweep (an array of one)."""

from __future__ import annotations

from pathlib import Path

from train.launch.launch_settings import LaunchSettings
from train.launch.slurm import check_satisfiable, render_array, submit
from train.rundir import RunDir
from train.training.resume import check_run_dir
from train.training.run import default_output_dir, preflight


def launch_folder(run_dir: Path) -> Path:
    """Where a launched run's script, tasks file and logs go: beside the run folder (which must start empty)."""
    return run_dir.with_name(run_dir.name + ".slurm")


def launch_run(settings: LaunchSettings) -> tuple[Path, str | None]:
    """Check the recipe and (when submitting) the request against the cluster's partitions, render its batch
    script (from `template`, a site's own copy, if given) and submit it (not with `dry_run`); the script and job
    id."""
    recipe = settings.load()
    preflight(recipe)
    run_dir = Path(settings.output_dir or default_output_dir(recipe)).resolve()
    check_run_dir(RunDir(run_dir), resume=False)
    if not settings.dry_run:
        check_satisfiable(settings.slurm, "--")
    argv = ["train", str(settings.recipe.resolve()), "--output-dir", str(run_dir)]
    argv += [f"--set={assignment}" for assignment in settings.overrides]
    folder = launch_folder(run_dir)
    (script,) = render_array([argv], settings.slurm, folder, recipe.name, template=settings.template)
    return script, None if settings.dry_run else submit(script)
