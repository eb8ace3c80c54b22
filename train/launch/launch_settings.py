"""The resources one run (one array task) asks SLURM for, and the settings of `prevsteer launch`."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, field_validator

from train.schema import Strict
from train.training.recipe import RunChoice

# SLURM's --time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
_TIME = re.compile(r"^(\d+-)?\d+(:\d{1,2}){0,2}$")


class ResourceShape(Strict):
    """Nodes x processes per node for one run, and what each node gives it."""

    nodes: int = Field(1, ge=1, description="nodes")
    gpus_per_node: int = Field(0, ge=0, description="GPUs per node")
    processes_per_node: int | None = Field(
        None, ge=1, description="training processes per node (default: one per GPU, or 1 without GPUs)"
    )
    cpus_per_node: int = Field(8, ge=1, description="CPUs per node")
    time: str = Field("24:00:00", description="time limit, e.g. 24:00:00 or 2-00:00:00")
    partition: str | None = Field(None, description="the SLURM partition")
    account: str | None = Field(None, description="the SLURM account")
    mem: str | None = Field(None, description="memory per node, e.g. 64G (0: all of it)")
    signal_seconds: int = Field(
        300, ge=1, description="preemption notice (USR1) this long before the time limit: time to checkpoint"
    )
    max_requeues: int = Field(5, ge=0, description="requeues after preemptions before a run is left stopped")
    setup: list[str] = Field(
        default_factory=list,
        description="a shell line run first in the job, e.g. 'module load cuda'",
        json_schema_extra={"repeat": True, "metavar": "LINE"},
    )
    directives: list[str] = Field(
        default_factory=list,
        description="an extra #SBATCH option, e.g. --qos=high",
        json_schema_extra={"flag": "--directive", "repeat": True, "metavar": "OPTION"},
    )

    @field_validator("time")
    @classmethod
    def _slurm_time(cls, value: str) -> str:
        if not _TIME.match(value):
            raise ValueError(f"{value!r} is not a SLURM time; allowed: MM, HH:MM:SS, D-HH:MM:SS")
        return value

    @field_validator("setup", "directives", mode="before")
    @classmethod
    def _lines(cls, value: object) -> object:
        return value.splitlines() if isinstance(value, str) else value

    @field_validator("directives")
    @classmethod
    def _sbatch_options(cls, value: list[str]) -> list[str]:
        options = [line.strip().removeprefix("#SBATCH").strip() for line in value if line.strip()]
        for option in options:
            if not option.startswith("-") or "\n" in option:
                raise ValueError(f"{option!r} is not an sbatch option; give options such as --qos=high or --exclusive")
        return options

    @property
    def processes(self) -> int:
        return self.processes_per_node or max(self.gpus_per_node, 1)


class LaunchSettings(RunChoice):
    """One recipe trained on SLURM: its run directory, the resources it asks for, and the site's script template."""

    slurm: ResourceShape = Field(default_factory=ResourceShape)
    template: Path | None = Field(
        None, description="a site's own copy of slurm/prevsteer.sbatch", json_schema_extra={"input": "file"}
    )
    dry_run: bool = Field(False, description="write the script, submit nothing")
