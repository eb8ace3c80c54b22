"""Recipes: readable YAML validated by pydantic, with `extends:` inheritance and `--set` overrides.

Defaults live here, in the models below. Paths inside a YAML file are resolved against that file's
folder; paths given with `--set` against the current directory. The resolved recipe (absolute paths,
every default filled in) is what a run directory stores as `recipe.yaml`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from train.dataprep.data_settings import DataSettings
from train.errors import PrevsteerError
from train.evaluation.eval_settings import EvalSettings
from train.files import read_yaml
from train.schema import Strict, allowed_keys, describe_error, validated

DTYPES = ("float32", "bfloat16", "float16", "auto")


class LoraSettings(Strict):
    """The study's recipe: r=32, alpha=64, rsLoRA, dropout 0, all attention and MLP projections."""

    r: int = Field(32, gt=0)
    alpha: float = Field(64, gt=0)
    dropout: float = Field(0.0, ge=0, lt=1)
    use_rslora: bool = True
    target_modules: str | list[str] = "all-linear"


class ModelSettings(Strict):
    name: str = "smollm2-135m-instruct"
    dtype: Literal["float32", "bfloat16", "float16", "auto"] = "float32"
    layers_path: str | None = None
    lora: LoraSettings | None = Field(default_factory=LoraSettings)  # null: full fine-tuning


class SteeringSettings(Strict):
    mode: Literal["none", "add", "ablate", "regularize"] = "none"
    vector: str | list[str] | None = None
    layers: list[int] | Literal["all"] = Field(default_factory=list)
    incremental: bool = False  # all-layer variant: v[l] - v[l-1], so steering does not compound
    coefficient: float = 1.0
    unit: Literal["raw", "relative"] = "raw"
    scope: Literal["all", "prompt", "answer"] = "all"
    regularize_weight: float = Field(1.0, ge=0)
    calibration_rows: int = Field(32, gt=0)  # rows used to measure residual norms for unit 'relative'

    @model_validator(mode="after")
    def _needs_vector(self) -> SteeringSettings:
        if self.mode != "none":
            if not self.vector:
                raise ValueError(f"mode '{self.mode}' needs steering.vector (a .safetensors or original .pt file)")
            if not self.layers:
                raise ValueError(f"mode '{self.mode}' needs steering.layers (a list of layer indices, or 'all')")
        if self.mode == "ablate" and (self.incremental or self.unit != "raw"):
            raise ValueError("mode 'ablate' takes a raw strength: set incremental false and unit raw")
        if isinstance(self.layers, list) and any(layer < 0 for layer in self.layers):
            raise ValueError(f"layers must be >= 0, got {self.layers}")
        return self

    @property
    def vector_paths(self) -> list[str]:
        if self.vector is None:
            return []
        return [self.vector] if isinstance(self.vector, str) else list(self.vector)


class LoggingSettings(Strict):
    report_to: list[Literal["wandb", "tensorboard"]] = Field(default_factory=list)
    steps: int = Field(5, gt=0)
    wandb_project: str = "prevsteer"
    wandb_mode: Literal["online", "offline", "disabled"] = "offline"
    run_name: str | None = None


# SFTConfig fields that other recipe sections own.
OWNED_ELSEWHERE = {
    "report_to": "logging.report_to",
    "logging_steps": "logging.steps",
    "run_name": "logging.run_name",
    "eval_strategy": "eval.strategy",
    "eval_steps": "eval.steps",
    "seed": "seed",
    "output_dir": "--output-dir",
}
POSITIVE = ("learning_rate", "num_train_epochs", "per_device_train_batch_size", "gradient_accumulation_steps")


@functools.cache
def _sft_config_model() -> type[BaseModel]:
    """A pydantic model mirroring TRL's SFTConfig, so `training:` keys and types are checked up front."""
    from trl import SFTConfig

    hints = typing.get_type_hints(SFTConfig)
    fields: dict[str, Any] = {f.name: (hints[f.name] | None, None) for f in dataclasses.fields(SFTConfig) if f.init}
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    return create_model("TrainingSettings", __config__=config, **fields)


class Recipe(Strict):
    name: str
    description: str = ""
    seed: int = 0
    model: ModelSettings = Field(default_factory=ModelSettings)
    data: DataSettings
    steering: SteeringSettings = Field(default_factory=SteeringSettings)
    training: dict[str, Any] = Field(default_factory=dict)  # passed through to trl.SFTConfig
    eval: EvalSettings = Field(default_factory=EvalSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    @model_validator(mode="after")
    def _check_training(self) -> Recipe:
        for key, owner in OWNED_ELSEWHERE.items():
            if key in self.training:
                raise ValueError(f"training.{key}: set it as {owner} instead")
        try:
            _sft_config_model()(**self.training)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ValueError(f"training.{describe_error(err, _training_keys())}") from None
        for key in POSITIVE:
            value = self.training.get(key)
            if value is not None and float(value) <= 0:
                raise ValueError(f"training.{key}: must be > 0 (got {value})")
        return self

    @model_validator(mode="after")
    def _filter_on_the_steering_direction(self) -> Recipe:
        """The data-filtering arm screens on the recipe's steering direction unless data.filter names its own."""
        screen, steering = self.data.filter, self.steering
        if screen is None:
            return self
        if screen.vector is None:
            if len(steering.vector_paths) != 1:
                raise ValueError("data.filter.vector: the vector to screen on (default: steering.vector, one file)")
            screen.vector = steering.vector_paths[0]
        if screen.layer is None:
            if not isinstance(steering.layers, list) or len(steering.layers) != 1:
                raise ValueError("data.filter.layer: the layer to screen at (default: steering.layers, one layer)")
            screen.layer = steering.layers[0]
        return self


@functools.cache
def _training_keys() -> tuple[str, ...]:
    return tuple(_sft_config_model().model_fields)


# ---- YAML as in 1.2: floats written as 1e-5 are floats (PyYAML alone reads them as strings), and only
# true/false are booleans, so `strategy: no` stays the string "no" that the trainer's settings expect.
class _Loader(yaml.SafeLoader):
    pass


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)$|^[-+]?\d+\.\d*$|^[-+]?\.\d+$"),
    list("-+0123456789."),
)


def parse_value(text: str) -> Any:
    """A `--set` value: YAML scalars/lists/maps, so `2e-5`, `true`, `[17, 18]` mean what they look like."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError:
        return text


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise PrevsteerError(f"recipe not found: {path}")
    data = read_yaml(path, _Loader) or {}
    if not isinstance(data, dict):
        raise PrevsteerError(f"{path}: a recipe is a YAML mapping, got {type(data).__name__}")
    return data


# Every recipe field that holds a file path: the dotted key (`*` stands for every item of a list) and whether it
# must name an existing file (model.name, eval.mmlu.source and data.build.source may also be names, not paths).
# Paths are resolved against the folder of the file (or cwd for --set) that set them.
PATH_KEYS = {
    "data.train": True,
    "data.eval": True,
    "data.build.source": False,
    "data.filter.vector": True,
    "steering.vector": True,
    "training.deepspeed": True,
    "model.name": False,
    "eval.traits.*.vector": True,
    "eval.posthoc.vector": True,
    "eval.mmlu.source": False,
    "eval.misalignment": True,  # the path alone, or
    "eval.misalignment.path": True,
    "eval.held_out.answers": True,
    "eval.held_out.trait_answers": True,
}


def _parents(node: Any, parts: list[str]) -> list[dict[str, Any]]:
    if not parts:
        return [node] if isinstance(node, dict) else []
    head, rest = parts[0], parts[1:]
    if head == "*":
        return [found for item in node for found in _parents(item, rest)] if isinstance(node, list) else []
    return _parents(node.get(head), rest) if isinstance(node, dict) else []


def _resolve_paths(data: dict[str, Any], base: Path) -> None:
    for dotted, must_exist in PATH_KEYS.items():
        *parents, leaf = dotted.split(".")
        for node in _parents(data, parents):
            if node.get(leaf) is not None:
                node[leaf] = _resolve_one(node[leaf], base, must_exist)


def recipe_files(recipe: Recipe) -> list[tuple[str, str]]:
    """(field, path) of every path field of the recipe that must name an existing file, list items numbered."""
    found = []
    for dotted, must_exist in PATH_KEYS.items():
        *parents, leaf = dotted.split(".")
        nodes = _parents(recipe.model_dump(mode="json"), parents)
        for index, node in enumerate(nodes):
            value = node.get(leaf) if must_exist else None
            values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
            field = dotted.replace("*", str(index)) if "*" in dotted else dotted
            found += [(f"{field}[{i}]" if isinstance(value, list) else field, v) for i, v in enumerate(values)]
    return found


def _resolve_one(value: Any, base: Path, must_exist: bool) -> Any:
    if isinstance(value, list):
        return [_resolve_one(v, base, must_exist) for v in value]
    if not isinstance(value, str) or value.startswith(("builtin:", "hf:")) or Path(value).is_absolute():
        return value
    candidate = (base / value).resolve()
    if must_exist or candidate.exists():
        return str(candidate)
    return value  # a hub id or alias, not a local path


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_tree(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A recipe file as a dict, its `extends:` chain merged in and its paths resolved, not yet validated."""
    path = path.resolve()
    if path in seen:
        raise PrevsteerError(f"{path}: 'extends' forms a cycle ({' -> '.join(p.name for p in (*seen, path))})")
    data = _read_yaml(path)
    _resolve_paths(data, path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise PrevsteerError(f"{path}: extends must be a recipe path, got {parent!r}")
    return _merge(load_tree(path.parent / parent, (*seen, path)), data)


def apply_override(data: dict[str, Any], assignment: str, cwd: Path | None = None) -> None:
    """Apply one `--set key.sub=value` in place."""
    if "=" not in assignment:
        raise PrevsteerError(f"--set {assignment!r}: expected key=value, e.g. training.learning_rate=2e-5")
    dotted, text = assignment.split("=", 1)
    set_key(data, dotted.strip(), parse_value(text), cwd or Path.cwd(), f"--set {dotted.strip()}")


def set_key(data: dict[str, Any], dotted: str, value: Any, base: Path, source: str) -> None:
    """Set one dotted key in place; paths inside `value` are resolved against `base`."""
    parts = dotted.split(".")
    if not all(parts):
        raise PrevsteerError(f"{source}: empty key part in {dotted!r}")
    node = data
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise PrevsteerError(f"{source}: {part} is not a section")
        node = child
    wrapper: dict[str, Any] = {}  # the value at its place, so any path keys inside it are resolved too
    leaf = wrapper
    for part in parts[:-1]:
        leaf = leaf.setdefault(part, {})
    leaf[parts[-1]] = value
    _resolve_paths(wrapper, base)
    node[parts[-1]] = leaf[parts[-1]]


def check_key(dotted: str, source: str) -> None:
    """Refuse a dotted key that names no recipe field (`training.X`: an SFTConfig field), with a did-you-mean."""
    parts = tuple(dotted.split("."))
    for depth in range(1, len(parts) + 1):
        loc = parts[:depth]
        allowed = list(_training_keys()) if loc[:-1] == ("training",) else allowed_keys(Recipe, loc[:-1])
        if not allowed and depth > 1:  # inside a free-form mapping such as data.build.options: not checked here
            return
        if loc[-1] not in allowed:
            raise PrevsteerError(f"{source}: {describe_error({'loc': loc, 'type': 'extra_forbidden'}, allowed)}")


def validate(data: dict[str, Any], source: str = "recipe") -> Recipe:
    return validated(Recipe, data, source)


def validate_eval(data: dict[str, Any], source: str = "eval") -> EvalSettings:
    """An `eval:` section on its own (for `prevsteer eval`), with the recipe's one-line errors."""
    return validate({"name": "eval", "data": {"train": "-"}, "eval": data}, source).eval


def load_recipe(path: str | Path, overrides: typing.Sequence[str] = ()) -> Recipe:
    """Read, inherit, override and validate a recipe. Raises PrevsteerError with the offending field."""
    path = Path(path)
    data = load_tree(path)
    for assignment in overrides:
        apply_override(data, assignment)
    recipe = validate(data, source=str(path))
    check_files(recipe, str(path))
    return recipe


def check_files(recipe: Recipe, source: str) -> None:
    """Every file the recipe names exists (one line naming the field otherwise)."""
    for field, file_path in recipe_files(recipe):
        if not Path(file_path).is_file():
            raise PrevsteerError(f"{source}: {field}: file not found: {file_path}")


def dump_recipe(recipe: Recipe) -> str:
    return yaml.safe_dump(recipe.model_dump(mode="json"), sort_keys=False)


class RecipeChoice(Strict):
    """A recipe file and the field overrides applied on top of it: how every command that runs a recipe names it."""

    recipe: Path = Field(description="recipe YAML file", json_schema_extra={"input": "file", "positional": True})
    overrides: list[str] = Field(
        default_factory=list,
        description="override a recipe field",
        json_schema_extra={"flag": "--set", "repeat": True, "metavar": "KEY=VALUE"},
    )

    def load(self) -> Recipe:
        return load_recipe(self.recipe, self.overrides)


class RunChoice(RecipeChoice):
    """A recipe and the run directory it trains into."""

    output_dir: Path | None = Field(None, description="run directory (default runs/<recipe name>)")


class TrainSettings(RunChoice):
    """`prevsteer train`: train a recipe here (under torchrun: on every rank)."""

    resume: bool = Field(False, description="continue --output-dir from its last checkpoint")
