"""The base of every config: unknown keys are errors, so a typo in a recipe never passes silently."""

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
