"""The settings of `prevsteer sweep run` and `prevsteer compare`; each default is declared here once."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from train.schema import Strict


class SweepRunSettings(Strict):
    """Expand a sweep spec and run the points not yet completed."""

    spec: Path = Field(description="sweep spec YAML", json_schema_extra={"input": "file", "positional": True})
    out: Path | None = Field(None, description="sweep directory (default runs/sweeps/<name>)")
    launcher: Literal["local", "slurm"] | None = Field(None, description="where the points run (default: the spec's)")
    dry_run: bool = Field(False, description="list the points and what would run; write nothing")
    rerun_failed: bool = Field(False, description="retry the points that failed")
    merge: bool = Field(False, description="the spec's points changed while some still run: keep those beside the new")
    template: Path | None = Field(
        None, description="a site's own copy of slurm/prevsteer.sbatch", json_schema_extra={"input": "file"}
    )
    compare: bool = Field(
        False, description="slurm: also submit `prevsteer compare` into SWEEP_DIR/compare, run once the points end"
    )
    overrides: list[str] = Field(
        default_factory=list,
        description="override every recipe",
        json_schema_extra={"flag": "--set", "repeat": True, "metavar": "KEY=VALUE"},
    )


class CompareSettings(Strict):
    """One table, report and figure set over the runs of one or more sweeps."""

    sweep_dirs: list[Path] = Field(
        description="sweep directories", json_schema_extra={"input": "folder", "positional": True}
    )
    out: Path = Field(description="folder for results.csv, report.md and the figures")
    coherence_threshold: float = Field(50.0, description="flag final models below it")
    force: bool = Field(False, description="replace an existing --out")
