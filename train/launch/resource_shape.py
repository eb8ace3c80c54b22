"""The resources one run (one array task) asks SLURM for."""

from __future__ import annotations

import re

from pydantic import Field, ValidationError, field_validator

from train.errors import PrevsteerError
from train.schema import Strict

# SLURM's --time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
_TIME = re.compile(r"^(\d+-)?\d+(:\d{1,2}){0,2}$")


class ResourceShape(Strict):
    """Nodes x processes per node for one run, and what each node gives it."""

    nodes: int = Field(1, ge=1)
    gpus_per_node: int = Field(0, ge=0)
    processes_per_node: int | None = Field(None, ge=1, description="default: one per GPU, or 1 without GPUs")
    cpus_per_node: int = Field(8, ge=1)
    time: str = "24:00:00"
    partition: str | None = None
    account: str | None = None
    mem: str | None = Field(None, description="--mem per node, e.g. 64G; 0 = all of it")
    signal_seconds: int = Field(300, ge=1, description="USR1 this long before the time limit: time to checkpoint")
    max_requeues: int = Field(5, ge=0, description="requeues after preemptions before a run is left stopped")
    setup: list[str] = Field(default_factory=list, description="shell lines run first in the job (module load, ...)")
    directives: list[str] = Field(default_factory=list, description="extra #SBATCH options, e.g. --qos=high")

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


def resource_shape(**values) -> ResourceShape:
    """A shape from command-line values (None = the default), with one-line errors naming the option."""
    try:
        return ResourceShape(**{key: value for key, value in values.items() if value is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        option = "--" + str(err["loc"][0]).replace("_", "-") if err["loc"] else "resources"
        raise PrevsteerError(f"{option}: {err['msg']}") from None
