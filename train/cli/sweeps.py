"""`prevsteer sweep run|point|cancel|status`, `compare` and `demo`: many runs as one resumable sweep, and their
comparison."""

from __future__ import annotations

import argparse
from pathlib import Path

from train.cli.flags import add_flags, settings_from
from train.cli.inputs import INPUTS, command_group
from train.cli.stage_command import StageCommand
from train.cli.training import site_lines
from train.console import result
from train.sweeps.sweep_settings import CompareSettings, SweepRunSettings


def cmd_sweep_run(args: argparse.Namespace) -> int:
    from train.sweeps.runner import run_sweep
    from train.sweeps.spec import load_spec
    from train.sweeps.status import status_rows, status_table

    settings = settings_from(args, SweepRunSettings)
    sweep, todo, scripts = run_sweep(settings)
    if settings.dry_run:
        done = "sweep.json and the batch scripts written, nothing submitted" if scripts else "nothing written"
        result(f"{sweep.root}: {len(todo)} points (dry run, {done})")
        result("\n".join(f"  {line}" for line in todo))
        if scripts:
            result("\n".join(f"  {script}: written, not submitted" for script in scripts))
            shape = load_spec(settings.spec).launcher.slurm
            if shape.setup or shape.directives:
                result(site_lines(shape))
        return 0
    result(status_table(sweep.root))
    failed = [row["point"] for row in status_rows(sweep.root) if row["status"] in ("failed", "preempted")]
    if failed:
        result(f"{len(failed)} point(s) did not complete: {', '.join(failed)}; `prevsteer sweep status {sweep.root}`")
    return 1 if failed else 0


def cmd_sweep_point(args: argparse.Namespace) -> int:
    from train.sweeps.runner import run_point
    from train.training.preemption import PREEMPTED_EXIT

    outcome = run_point(args.sweep_dir, args.point, args.rerun_failed)
    result(f"{args.point}: {outcome}")
    if outcome == "preempted" or outcome.startswith("retry"):  # the same command continues it: a batch script
        return PREEMPTED_EXIT  # requeues the task
    return 0 if outcome in ("completed", "cancelled") or outcome.startswith("skipped") else 1


def cmd_sweep_cancel(args: argparse.Namespace) -> int:
    from train.sweeps.cancel import cancel_sweep

    cancelled = cancel_sweep(args.sweep_dir)
    result(
        f"{args.sweep_dir}: {len(cancelled)} point(s) cancelled" + (f": {', '.join(cancelled)}" if cancelled else "")
    )
    return 0


def cmd_sweep_status(args: argparse.Namespace) -> int:
    from train.sweeps.status import status_table

    result(status_table(args.sweep_dir))
    return 0


COMPARE = StageCommand(
    "compare",
    "results.csv, report.md and figures over the runs of sweeps",
    CompareSettings,
    "train.sweeps.compare:compare",
    lambda settings, report: f"report: {report}",
)


def cmd_demo(args: argparse.Namespace) -> int:
    from train.demo import run_demo

    run_demo(Path(args.out), fresh=args.fresh, seed=args.seed)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    sweep_sub = command_group(sub, "sweep", "run many recipes and grids of them as one resumable sweep")
    sweep_run = sweep_sub.add_parser("run", help="expand a sweep spec and run the points not yet completed")
    add_flags(sweep_run, SweepRunSettings)
    sweep_run.set_defaults(func=cmd_sweep_run)
    sweep_point = sweep_sub.add_parser("point", help="run one point of a written sweep (what launchers call)")
    sweep_point.add_argument("sweep_dir", type=INPUTS["folder"])
    sweep_point.add_argument("point", help="the point's id in sweep.json")
    sweep_point.add_argument("--rerun-failed", action="store_true")
    sweep_point.set_defaults(func=cmd_sweep_point)
    sweep_cancel = sweep_sub.add_parser(
        "cancel", help="cancel the sweep's own SLURM jobs; their points become cancelled"
    )
    sweep_cancel.add_argument("sweep_dir", type=INPUTS["folder"])
    sweep_cancel.set_defaults(func=cmd_sweep_cancel)
    sweep_status = sweep_sub.add_parser("status", help="one table of the points: status, attempts, job, elapsed")
    sweep_status.add_argument("sweep_dir", type=INPUTS["folder"])
    sweep_status.set_defaults(func=cmd_sweep_status)

    COMPARE.register(sub)

    demo = sub.add_parser("demo", help="the end-to-end demo on the offline default model")
    demo.add_argument("--out", default="runs/demo", help="the demo's folder (default runs/demo)")
    demo.add_argument("--fresh", action="store_true", help="delete a previous demo's runs first")
    demo.add_argument("--seed", type=int, help="training and sampling seed of every run (default: the spec's, 0)")
    demo.set_defaults(func=cmd_demo)
