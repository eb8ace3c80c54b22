"""Sweep specs: YAML validated like recipes, expanded into points that are each a fully resolved recipe.

A spec names one or more recipes (`recipes:`), or one base recipe (`base:`) plus a `grid` of dotted recipe
keys to value lists; every recipe is crossed with every grid combination. A `grid` may also be a list of such
mappings: the points of each, joined (so one arm sweeps coefficients while another does not). The grid keys
`direction` and `arm` take recipe files that each say only what they change (a steering direction: its vector and
layers; an arm: its mode, coefficient, ...): each is merged over the recipe as if it extended it (its paths
relative to itself), the direction first and then the arm, so an arm's own layers (`all`) win; the point's name
becomes `<recipe name>-<direction file stem>-<arm file stem>`. So one arm file serves every dataset's spec, and a
dataset can be crossed with the directions that steer it. `overrides` sets dotted keys in every point (like
`--set`, which comes after it), over the fragments. `include` adds points (each a
mapping of dotted keys to values), `exclude` drops the points whose values match one of its mappings.
A point's id is readable (the recipe name when there are several, then the varied values) and ends in a
short hash of its resolved recipe, so a changed recipe is a new point and an unchanged one is found again.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from train.errors import PrevsteerError
from train.evaluation.eval_settings import PosthocSettings
from train.files import read_yaml
from train.launch.launch_settings import ResourceShape
from train.schema import Strict, validated
from train.training.recipe import (
    Recipe,
    _Loader,
    _merge,
    apply_override,
    check_files,
    check_key,
    load_tree,
    set_key,
    validate,
)

HASH_CHARS = 8
ARM = "arm"  # the grid key whose values are arm recipe files merged over the point's recipe
FRAGMENTS = ("direction", ARM)  # grid keys whose values are recipe fragments, merged over the recipe in this order


class ShapeRule(Strict):
    """Other resources for the points whose recipe matches `when` (dotted recipe keys to values, as in exclude)."""

    when: dict[str, Any] = Field(min_length=1)
    slurm: dict[str, Any] = Field(min_length=1)  # the fields of launcher.slurm these points ask for instead


class LauncherSettings(Strict):
    """Where the points run: `local` lanes of processes on this machine, or a `slurm` job array."""

    kind: Literal["local", "slurm"] = "local"
    lanes: int = Field(1, gt=0)  # local: points run side by side in this many lanes
    gpus_per_lane: int | None = Field(None, ge=0)  # local: unset: the visible GPUs split between lanes; 0: CPU
    port: int = Field(29500, gt=0, lt=65536)  # local: lane i's rendezvous port is port + i
    slurm: ResourceShape = Field(default_factory=ResourceShape)  # slurm: what each point's array task asks for
    max_parallel: int | None = Field(None, gt=0)  # slurm: at most this many points of the array run at once
    shapes: list[ShapeRule] = Field(default_factory=list)  # slurm: the first rule a point matches changes its shape

    @model_validator(mode="after")
    def _check_shapes(self) -> LauncherSettings:
        for i, rule in enumerate(self.shapes):
            try:
                self._shape(rule)
            except ValidationError as exc:
                err = exc.errors()[0]
                raise ValueError(f"shapes[{i}].slurm.{'.'.join(map(str, err['loc']))}: {err['msg']}") from None
        return self

    def _shape(self, rule: ShapeRule) -> ResourceShape:
        return ResourceShape.model_validate({**self.slurm.model_dump(exclude_unset=True), **rule.slurm})

    def shape_for(self, recipe: dict[str, Any]) -> ResourceShape:
        """The resources a point with this (resolved) recipe asks for: those of the first rule it matches."""
        rule = next((rule for rule in self.shapes if matches(recipe, rule.when)), None)
        return self.slurm if rule is None else self._shape(rule)


class SweepSpec(Strict):
    name: str | None = None  # default: the spec file's name
    recipes: list[str] = Field(default_factory=list)
    base: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)  # dotted recipe keys set in every point, like --set
    grid: dict[str, list[Any]] | list[dict[str, list[Any]]] | None = None  # a list: the points of each, joined
    include: list[dict[str, Any]] = Field(default_factory=list)
    exclude: list[dict[str, Any]] = Field(default_factory=list)
    posthoc: PosthocSettings | None = None  # evaluated on every plain point's final model
    launcher: LauncherSettings = Field(default_factory=LauncherSettings)

    @model_validator(mode="after")
    def _check(self) -> SweepSpec:
        if bool(self.recipes) == (self.base is not None):
            raise ValueError("give exactly one of recipes (a list of recipe files) and base (one recipe file)")
        if self.grid is not None and not (self.grids and all(self.grids)):
            raise ValueError("grid: empty; give dotted recipe keys with value lists, e.g. steering.coefficient: [1, 2]")
        if self.base is not None and not self.grid:
            raise ValueError("base: give a grid of dotted recipe keys to value lists to sweep it over")
        for where, grid in self.named_grids():
            for key, values in grid.items():
                if not values:
                    raise ValueError(f"{where}.{key}: empty list; give at least one value")
                if key in FRAGMENTS and not all(isinstance(value, str) for value in values):
                    raise ValueError(f"{where}.{key}: give {key} recipe files (paths relative to the spec)")
        return self

    @property
    def grids(self) -> list[dict[str, list[Any]]]:
        """The grid as a list of mappings (one mapping when the spec gives one)."""
        return [self.grid] if isinstance(self.grid, dict) else list(self.grid or [])

    def named_grids(self) -> list[tuple[str, dict[str, list[Any]]]]:
        """Each grid with the name errors give it: `grid`, or `grid[i]` in a list."""
        if isinstance(self.grid, dict):
            return [("grid", self.grid)]
        return [(f"grid[{i}]", grid) for i, grid in enumerate(self.grids)]


@dataclass
class Point:
    """One run of the sweep: a resolved recipe, where it came from and what was varied."""

    id: str
    hash: str
    recipe: Recipe
    source: str
    varied: dict[str, Any]

    @property
    def plain(self) -> bool:
        """Plain fine-tuning (no steering, no filtering): what the post-hoc sweep is applied to."""
        return self.recipe.steering.mode == "none" and self.recipe.data.filter is None

    def record(self) -> dict[str, Any]:
        return {"id": self.id, "hash": self.hash, "source": self.source, "varied": self.varied, "plain": self.plain}


def load_spec(path: Path) -> SweepSpec:
    if not path.is_file():
        raise PrevsteerError(f"sweep spec not found: {path}")
    data = read_yaml(path, _Loader) or {}
    if not isinstance(data, dict):
        raise PrevsteerError(f"{path}: a sweep spec is a YAML mapping, got {type(data).__name__}")
    spec = validated(SweepSpec, data, str(path))
    for key in spec.overrides:
        check_key(key, f"{path}: overrides")
    for where, grid in spec.named_grids():
        for key in grid:
            if key not in FRAGMENTS:
                check_key(key, f"{path}: {where}")
    for section in ("include", "exclude"):
        for i, rule in enumerate(getattr(spec, section)):
            for key in rule:
                if key not in FRAGMENTS:
                    check_key(key, f"{path}: {section}[{i}]")
    for i, rule in enumerate(spec.launcher.shapes):
        for key in rule.when:
            check_key(key, f"{path}: launcher.shapes[{i}].when")
    return spec


def recipe_hash(recipe: Recipe) -> str:
    text = json.dumps(recipe.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_CHARS]


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _label(value: Any) -> str:
    if isinstance(value, list):
        return "+".join(map(_label, value))
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return Path(str(value)).stem if "/" in str(value) else str(value)


def _short_names(keys: list[str]) -> dict[str, str]:
    """The last part of each dotted key, or the whole key where two would share their last part."""
    last = [key.rsplit(".", 1)[-1] for key in keys]
    return {key: name if last.count(name) == 1 else key for key, name in zip(keys, last, strict=True)}


def point_id(recipe_name: str | None, varied: dict[str, Any], digest: str) -> str:
    names = _short_names(list(varied))
    parts = ([recipe_name] if recipe_name else []) + [f"{names[k]}={_label(v)}" for k, v in varied.items()]
    readable = re.sub(r"[^A-Za-z0-9._=+-]", "_", "-".join(parts)) or "point"
    return f"{readable}-{digest}"


def _assignments(spec: SweepSpec) -> list[dict[str, Any]]:
    combos = [
        dict(zip(grid, values, strict=True)) for grid in spec.grids for values in itertools.product(*grid.values())
    ]
    return [*combos, *spec.include] if combos or spec.include else [{}]


def _with_fragment(tree: dict[str, Any], key: str, fragment: str, folder: Path, source: str) -> dict[str, Any]:
    """The recipe tree with a fragment file (an arm, a direction) merged over it, named `<recipe name>-<file stem>`."""
    path = (folder / fragment).resolve()
    if not path.is_file():
        raise PrevsteerError(f"{source}: {key}: {key} recipe not found: {path}")
    merged = _merge(tree, load_tree(path))
    merged["name"] = f"{tree.get('name')}-{path.stem}"
    return merged


def matches(data: dict[str, Any], rule: dict[str, Any], fragments: dict[str, Any] | None = None) -> bool:
    """Every dotted key of `rule` has its value in the recipe `data`; `fragments` are the point's fragment files
    (`arm`, `direction`) as the spec names them."""
    fragments = fragments or {}
    return all((fragments.get(key) if key in FRAGMENTS else _lookup(data, key)) == value for key, value in rule.items())


def _excluded(data: dict[str, Any], values: dict[str, Any], rules: list[dict[str, Any]]) -> bool:
    return any(matches(data, rule, values) for rule in rules)


def expand(spec: SweepSpec, spec_path: Path, overrides: Sequence[str] = ()) -> list[Point]:
    """Every point of the spec as a validated recipe whose files exist; the first bad one raises, naming its field."""
    folder = spec_path.resolve().parent
    files = [spec.base] if spec.base is not None else spec.recipes
    field = "base" if spec.base is not None else "recipes"
    points: dict[str, Point] = {}
    for i, name in enumerate(files):
        where = field if spec.base is not None else f"{field}[{i}]"
        recipe_path = (folder / name).resolve()
        if not recipe_path.is_file():
            raise PrevsteerError(f"{spec_path}: {where}: recipe not found: {recipe_path}")
        tree = load_tree(recipe_path)
        for values in _assignments(spec):
            data = copy.deepcopy(tree)
            for key in FRAGMENTS:
                if key in values:
                    data = _with_fragment(data, key, values[key], folder, str(spec_path))
            for key, value in spec.overrides.items():
                set_key(data, key, value, folder, f"{spec_path}: overrides.{key}")
            for assignment in overrides:
                apply_override(data, assignment)
            for key, value in values.items():
                if key not in FRAGMENTS:
                    set_key(data, key, value, folder, f"{spec_path}: {key}")
            if _excluded(data, values, spec.exclude):
                continue
            label = ", ".join(f"{k}={_label(v)}" for k, v in values.items())
            source = f"{spec_path}: {where} {recipe_path.name}" + (f" at {label}" if label else "")
            recipe = validate(data, source)
            check_files(recipe, source)
            digest = recipe_hash(recipe)
            dumped = recipe.model_dump(mode="json")
            varied = {key: value if key in FRAGMENTS else _lookup(dumped, key) for key, value in values.items()}
            if recipe.steering.mode == "none":  # a plain run has no coefficient or layers: its id names none
                varied = {k: v for k, v in varied.items() if not k.startswith("steering.") or k == "steering.mode"}
            prefix = recipe.name if len(files) > 1 or not varied else None
            point = Point(point_id(prefix, varied, digest), digest, recipe, str(recipe_path), varied)
            points.setdefault(point.id, point)
    if not points:
        raise PrevsteerError(f"{spec_path}: exclude: every point is excluded; nothing to run")
    return list(points.values())
