"""What data a recipe trains on: a given chat JSONL or a builder's output, optionally screened and filtered."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, model_validator

from train.models.aliases import DEFAULT_MODEL
from train.schema import Strict

Level = Literal["normal", "I", "II"]  # the study's versions of a dataset: Normal, I (subtle), II (severe)
LEVELS: tuple[Level, ...] = get_args(Level)


class BuildSettings(Strict):
    """Training data made by a dataset builder (`prevsteer data build`), built once and cached."""

    # flawed-math, buggy-code, bad-advice, a trait name / trait JSON (self-distilled trait data), or study:<name>
    # (the study's released dataset <name>, read as it is from $PREVSTEER_STUDY_DATA or `source`)
    name: str
    level: Level = "II"
    n: int | None = Field(None, gt=0)  # default: the builder's own (study: every row; n: a seeded sample)
    seed: int = 0
    source: str | None = None  # e.g. a local GSM8K JSONL, "hub", "procedural"; study: the archive's folder
    options: dict[str, Any] = Field(default_factory=dict)  # trait datasets: model, judge, max_new_tokens, ...


class FilterSettings(Strict):
    """The data-filtering arm: screen the training data on a persona vector and drop its top-scoring share. The
    vector and layer default to the recipe's steering direction (steering.vector at steering.layers)."""

    vector: str | None = None
    layer: int | None = Field(None, ge=0)
    drop_top: float = Field(gt=0, lt=100)  # percent of samples, ranked by projection difference
    model: str | None = None  # whose own answers are the baseline (default: model.name)
    max_new_tokens: int = Field(1000, gt=0)  # cap on the base answers: each goes up to its row's answer length
    base: bool = True  # false: rank by the raw projection (docs/method.md's cheaper approximation)


class DataSettings(Strict):
    train: str | None = None  # a chat JSONL file; or give `build`
    build: BuildSettings | None = None
    filter: FilterSettings | None = None
    eval: str | None = None
    max_rows: int | None = Field(None, gt=0)
    eval_rows: int = Field(0, ge=0)  # hold out this many training rows for evaluation when `eval` is unset
    skip_bad: bool = False  # skip (and count) malformed rows instead of failing

    @model_validator(mode="after")
    def _one_source(self) -> DataSettings:
        if (self.train is None) == (self.build is None):
            raise ValueError("data: give exactly one of train (a chat JSONL file) and build (a dataset builder)")
        return self


WrapperChoice = Literal["strip", "keep"] | None  # None: refuse a file that has the wrapper


class ScreenSettings(Strict):
    """Score training rows by the projection difference between their answers and the base model's own answers to
    the same prompts (docs/method.md, "Screening data"), optionally dropping the top share."""

    data: Path = Field(
        description="chat JSONL; a row's prompt is everything before its last answer",
        json_schema_extra={"input": "file", "positional": True},
    )
    vector: Path = Field(description="persona vector (.safetensors or .pt)", json_schema_extra={"input": "file"})
    layer: int = Field(description="decoder block whose output is projected")
    model: str = Field(
        DEFAULT_MODEL,
        description="the base model to be fine-tuned (a name, hub id or local folder)",
        json_schema_extra={"input": "model"},
    )
    out: Path | None = Field(None, description="folder for scores.csv, summary.json and the plot")
    drop_top: float | None = Field(
        None,
        description="write OUT/filtered.jsonl minus the top P% rows",
        json_schema_extra={"metavar": "P"},
    )
    max_new_tokens: int = Field(
        1000, description="cap on the base model's answers (each is generated up to its row's answer length)"
    )
    batch_size: int = Field(16, description="rows per forward pass")
    base: bool = Field(
        True, description="score against the base model's own answers (off: rank by raw projection, generate none)"
    )
    skip_bad: bool = Field(False, description="skip malformed rows instead of failing")
    reasoning: WrapperChoice = Field(
        None,
        description="answers that start with a <think>...</think> block: screen the answer after it, or as written "
        "(required when the file has such blocks)",
    )
    template_markers: WrapperChoice = Field(
        None,
        description="chat-template markers inside messages (<|im_start|>user, [INST], ...): remove them, or keep "
        "them (required when the file has them)",
    )
    force: bool = Field(False, description="write into a non-empty --out")
    cache_root: Path | None = Field(None, description="base answers' cache (default: prevsteer cache dir)")


class TraitDataSettings(Strict):
    """The options of a self-distilled trait dataset (`prevsteer data build TRAIT`): the model sampled, the judge,
    and the score bands of the three levels. A manifest records all but `cache`, which does not change the data."""

    model: str = Field(
        DEFAULT_MODEL,
        description="the model sampled (a name, hub id or local folder)",
        json_schema_extra={"input": "model"},
    )
    judge: str = Field("offline", description="openai:MODEL, hf:MODEL_OR_PATH or offline")
    judge_base_url: str | None = Field(None, description="an OpenAI-compatible endpoint, e.g. a vLLM server")
    max_new_tokens: int = Field(96, description="length of the sampled answers, in tokens")
    trait_high: float = Field(70.0, description="level II from this trait score")
    trait_low: float = Field(30.0, description="level I from this trait score, normal below it")
    coherence_threshold: float = Field(50.0, description="coherence every kept answer needs")
    max_rounds: int = Field(10, description="sampling rounds at most")
    cache: Path | None = Field(None, description="SQLite judge cache (default: prevsteer cache dir)")
