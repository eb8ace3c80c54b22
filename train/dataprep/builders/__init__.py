"""Dataset builders behind `prevsteer data build NAME --level normal|I|II` (docs/method.md, "The study's datasets").

Each builder module (`flawed_math`, `buggy_code`, `bad_advice`, `rude_answers`) has a `BUILDER`, a `DatasetBuilder`
(`builder.py`) declaring its name, the trait files it reads and whether it reads a source file, whose `build` gives
chat rows `{"messages": [user, assistant]}`, deterministic given seed; `BUILDERS` maps names to them. Its text is
data, `data/builders/NAME/*.yaml` (`content_files`).
A trait name (data/traits/NAME.json) or a trait JSON file builds a trait dataset from the model's own judged
answers (`trait_data`). `study:NAME` reads the study's released dataset NAME as it is (`external.build_study`: the
folder $PREVSTEER_STUDY_DATA, or `source`). Every dataset written gets a manifest beside it, `FILE.manifest.json`,
with what rebuilds it (name, level, n, seed, source, options) and checksums of its source and of the file written,
so a recipe can say where its data came from.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from train.dataprep.builders import bad_advice, buggy_code, flawed_math, rude_answers
from train.dataprep.builders.builder import DatasetBuilder
from train.dataprep.builders.external import STUDY_DATA, STUDY_PREFIX, build_study, study_dataset_file
from train.dataprep.data_settings import LEVELS, TraitDataSettings
from train.errors import PrevsteerError
from train.files import now, refuse_overwrite, sha256_file, write_json, write_jsonl
from train.persona.traits import list_traits, resolve_trait_path
from train.resources import shipped

BUILDERS: dict[str, DatasetBuilder] = {
    builder.name: builder
    for builder in (flawed_math.BUILDER, buggy_code.BUILDER, bad_advice.BUILDER, rude_answers.BUILDER)
}
DEFAULT_N = 1000
TRAIT_DEFAULT_N = 200  # each row costs generation and two judge calls
TRAIT_OPTIONS = tuple(TraitDataSettings.model_fields)  # the options of trait datasets only


def is_study(name: str) -> bool:
    """Whether NAME means one of the study's released datasets, `study:<name>`."""
    return name.startswith(STUDY_PREFIX) and len(name) > len(STUDY_PREFIX)


def is_trait(name: str) -> bool:
    """Whether NAME means a trait dataset: a shipped trait's name or a path to a trait .json file."""
    return name not in BUILDERS and not is_study(name) and (name in list_traits() or name.endswith(".json"))


def allowed_names() -> str:
    return (
        f"{', '.join(BUILDERS)}, a trait ({', '.join(list_traits())}), a trait .json file, or {STUDY_PREFIX}NAME "
        f"(the study's released dataset NAME, from ${STUDY_DATA})"
    )


def default_n(name: str) -> int | None:
    """Rows built when n is not given; None for the study's datasets: every released row."""
    return None if is_study(name) else TRAIT_DEFAULT_N if is_trait(name) else DEFAULT_N


def content_files(name: str) -> list[Path]:
    """The data files dataset NAME is made from besides code: a builder's content (data/builders/NAME/*.yaml) and
    the trait files it consults, or a trait dataset's trait file."""
    if is_trait(name):
        path = resolve_trait_path(name)
        return [path] if path.is_file() else []
    if name not in BUILDERS:
        return []
    files = sorted(shipped("builders", name).rglob("*.yaml"))
    return files + [resolve_trait_path(trait) for trait in BUILDERS[name].traits_read]


def build_dataset(
    name: str,
    level: str,
    n: int | None = None,
    seed: int = 0,
    source: str | None = None,
    skip_bad: bool = False,
    **trait_options: Any,
) -> list[dict]:
    """Rows of dataset NAME at one level (n defaults per builder); trait options set to None take their defaults."""
    if level not in LEVELS:
        raise PrevsteerError(f"level {level!r}; allowed: {', '.join(LEVELS)}")
    n = default_n(name) if n is None else n
    if n is not None and n < 1:
        raise PrevsteerError(f"n must be >= 1, got {n}")
    unknown = sorted(set(trait_options) - set(TRAIT_OPTIONS))
    if unknown:
        raise TypeError(f"unknown trait option(s) {unknown}; allowed: {TRAIT_OPTIONS}")
    given = {key: value for key, value in trait_options.items() if value is not None}
    if is_study(name):
        if given:
            raise PrevsteerError(f"{', '.join(sorted(given))}: only for trait datasets, not {name}")
        return build_study(name, level, n, seed, source, skip_bad)
    if is_trait(name):
        if skip_bad:
            raise PrevsteerError("skip_bad applies to builders that read a source file, not to trait datasets")
        from train.dataprep.builders import trait_data

        assert n is not None  # default_n gives trait datasets a count
        return trait_data.build(level, n, seed, source, trait=name, options=TraitDataSettings(**given))
    if name not in BUILDERS:
        raise PrevsteerError(f"unknown dataset {name!r}; allowed: {allowed_names()}")
    if given:
        raise PrevsteerError(f"{', '.join(sorted(given))}: only for trait datasets, not {name}")
    builder = BUILDERS[name]
    if skip_bad and not builder.reads_source:
        raise PrevsteerError(f"skip_bad: the {name} builder reads no source lines to skip")
    assert n is not None  # default_n gives builders a count
    return builder.build(level, n, seed, source, skip_bad)


def file_record(key: str, path: str | os.PathLike[str] | None) -> dict[str, str | None]:
    """{key: path, key_sha256: digest} when path is a file, {key: value} otherwise (e.g. "procedural")."""
    if path is None:
        return {key: None}
    record: dict[str, str | None] = {key: str(path)}
    if Path(path).is_file():
        record[f"{key}_sha256"] = sha256_file(path)
    return record


def dataset_manifest(
    name: str, level: str, n: int | None, seed: int, source: str | None = None, skip_bad: bool = False, **options: Any
) -> dict[str, Any]:
    """What rebuilds a dataset: the arguments of `build_dataset` (trait options with their defaults filled in),
    with checksums of the files they name."""
    if is_study(name):  # the released file read, by path and content
        source = str(study_dataset_file(name, level, source))
    manifest: dict[str, Any] = {"name": name, "level": level, "n": n, "seed": seed, **file_record("source", source)}
    given = {key: value for key, value in options.items() if value is not None}
    if is_trait(name):
        manifest.update(file_record("trait_file", resolve_trait_path(name)))
        given = TraitDataSettings(**given).model_dump()
    kept = {key: str(value) if isinstance(value, Path) else value for key, value in given.items() if key != "cache"}
    if skip_bad:
        kept["skip_bad"] = True
    if kept:
        manifest["options"] = kept
    return manifest


def manifest_path(out: str | os.PathLike[str]) -> Path:
    out = Path(out)
    return out.with_name(out.name + ".manifest.json")


def _prevsteer_version() -> str:
    try:
        return version("prevsteer")
    except PackageNotFoundError:
        return "unknown (not installed)"


def write_dataset(rows: list[dict], out: str | os.PathLike[str], manifest: dict, force: bool = False) -> Path:
    """Write chat JSONL atomically and its manifest beside it (rows, sha256, version, time added); never overwrites
    an existing file unless `force`."""
    out = Path(out)
    refuse_overwrite(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(out, rows)
    record = {
        **manifest,
        "rows": len(rows),
        "sha256": sha256_file(out),
        "prevsteer_version": _prevsteer_version(),
        "created": now(),
    }
    write_json(manifest_path(out), record)
    return out
