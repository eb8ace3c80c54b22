"""`prevsteer launch`: one recipe trained on SLURM through the same job-array path as a sweep (an array of one)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from train.launch.resource_shape import ResourceShape
from train.launch.slurm import check_satisfiable, render_array, submit
from train.rundir import RunDir
from train.training.recipe import load_recipe
from train.training.resume import check_run_dir
from train.training.run import default_output_dir, preflight


def launch_folder(run_dir: Path) -> Path:
    """Where a launched run's script, tasks file and logs go: beside the run folder (which must start empty)."""
    return run_dir.with_name(run_dir.name + ".slurm")


def launch_run(
    recipe_path: Path,
    overrides: Sequence[str],
    output_dir: Path | None,
    shape: ResourceShape,
    dry_run: bool = False,
    template: Path | None = None,
) -> tuple[Path, str | None]:
    """Check the recipe and (when submitting) the request against the cluster's partitions, render its batch
    script (from `template`, a site's own copy, if given) and submit it (not with `dry_run`); the script and job
    id."""
    recipe = load_recipe(recipe_path, overrides)
    preflight(recipe)
    run_dir = Path(output_dir or default_output_dir(recipe)).resolve()
    check_run_dir(RunDir(run_dir), resume=False)
    if not dry_run:
        check_satisfiable(shape, "--")
    argv = ["train", str(recipe_path.resolve()), "--output-dir", str(run_dir)]
    argv += [f"--set={assignment}" for assignment in overrides]
    (script,) = render_array([argv], shape, launch_folder(run_dir), recipe.name, template=template)
    return script, None if dry_run else submit(script)
