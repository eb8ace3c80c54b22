"""The settings of the persona-vector stages: extraction, layer selection, projection (monitoring), and vectors
made from given answers or imported from the study's code. Each default is declared here once; the command line
is built from these fields (`train.cli.flags`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic.json_schema import JsonDict

from train.judges.judge_settings import JudgeChoice
from train.models.sampling import Sampling
from train.schema import Strict

_TRAIT: JsonDict = {"input": "trait"}
_FILE: JsonDict = {"input": "file"}
_MODEL: JsonDict = {"input": "model"}
_TRAIT_HELP = "a trait name in data/traits or a trait JSON file"


class ExtractionSettings(JudgeChoice):
    """The study's protocol by default: 10 answers per question and instruction pair, sampled at temperature 1
    with top-p 1 (`sampling`), up to 1000 new tokens."""

    trait: str = Field(description=_TRAIT_HELP, json_schema_extra=_TRAIT)
    model: str = Field(
        description="the model whose answers are sampled (a name, hub id or local folder)", json_schema_extra=_MODEL
    )
    out: Path = Field(description="the extraction's folder")
    n_per_question: int = Field(10, description="answers per question and instruction pair")
    max_new_tokens: int = Field(1000, description="length of the sampled answers, in tokens")
    sampling: Sampling = Field(default_factory=Sampling)
    seed: int = Field(0, description="sampling seed")
    batch_size: int = Field(16, description="answers generated per batch")
    trait_threshold: float = Field(50.0, description="pos answers score at least this for the trait, neg below it")
    coherence_threshold: float = Field(50.0, description="coherence every kept answer needs")
    min_kept: int = Field(5, description="answers needed per side after filtering")
    force: bool = Field(
        False,
        description="write into an --out holding a finished extraction or other files (an interrupted extraction "
        "with the same sampling settings resumes without it; answers journaled under the same settings are reused)",
    )


class SelectLayerSettings(JudgeChoice):
    """Steer generation at each candidate layer and coefficient, judge the answers, pick the layer that moves the
    trait most."""

    vector: Path = Field(description="persona vector (never rewritten)", json_schema_extra=_FILE)
    trait: str = Field(description=_TRAIT_HELP, json_schema_extra=_TRAIT)
    model: str = Field(description="the model steered (a name, hub id or local folder)", json_schema_extra=_MODEL)
    layers: list[int] = Field(description="candidate decoder blocks, e.g. 10,15,20")
    coefficients: list[float] = Field([1.0, 2.0, 4.0], description="steering coefficients, e.g. 1,2,4")
    max_new_tokens: int = Field(48, description="length of the steered answers, in tokens")
    out: Path = Field(description="folder for the table, the plot and the vector with the choice")
    force: bool = Field(False, description="write into a non-empty --out")


class ProjectionSettings(Strict):
    """Project prompts (their last token) and answers (their mean) on a persona vector: the monitoring measure."""

    vector: Path = Field(description="persona vector (.safetensors or .pt)", json_schema_extra=_FILE)
    layer: int = Field(description="decoder block whose output is projected")
    model: str = Field(
        description="the model, or a finished run directory (a name, hub id or local folder)", json_schema_extra=_MODEL
    )
    input: Path = Field(description="JSONL chat rows; answers are optional", json_schema_extra=_FILE)
    base_model: str | None = Field(
        None, description="also report the shift against this model", json_schema_extra=_MODEL
    )
    batch_size: int = Field(8, description="rows per forward pass")
    out: Path = Field(description="folder for projections.csv and summary.json")
    force: bool = Field(False, description="replace projections.csv and summary.json in --out")


class ContrastSettings(Strict):
    """A vector as the difference of answer-token means of two sets of given answers, teacher-forced."""

    model: str = Field(
        description="the model whose activations are averaged (a name, hub id or local folder)",
        json_schema_extra=_MODEL,
    )
    pos: Path = Field(description="JSONL of answers showing the trait", json_schema_extra=_FILE)
    neg: Path = Field(description="JSONL of answers without it", json_schema_extra=_FILE)
    trait: str = Field(description="the trait's name, recorded in the vector")
    out: Path = Field(description="the vector file (.safetensors)")
    force: bool = Field(False, description="replace an existing --out")


class ImportSettings(Strict):
    """An original research-code .pt file ([L+1, d], row 0 the embeddings) as a prevsteer vector."""

    source: Path = Field(description="the .pt file", json_schema_extra={"input": "file", "positional": True})
    out: Path = Field(description="the vector file (.safetensors)")
    model: str = Field(description="the model the vector was extracted from")
    trait: str = Field(description="the trait's name")
    force: bool = Field(False, description="replace an existing --out")


class JudgeFileSettings(JudgeChoice):
    """Score a file of saved answers for a trait and for coherence."""

    trait: str = Field(description=_TRAIT_HELP, json_schema_extra=_TRAIT)
    input: Path = Field(description="JSONL rows with 'question' and 'answer'", json_schema_extra=_FILE)
    out: Path = Field(description="the scored rows (JSONL)")
    force: bool = Field(False, description="replace an existing --out")
