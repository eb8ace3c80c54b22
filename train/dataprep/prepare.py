"""Data preparation, the stage before training: the file a recipe trains on, with its manifest.

The file is a given chat JSONL, or one made by a dataset builder; optionally screened on a persona vector with
its top-scoring share dropped (the data-filtering arm). Built and filtered files live in the prevsteer cache,
keyed by everything that determines their bytes (the build settings, the builder's code and the content of the
files it reads; the input's content, the vector, model and filter settings), so a rerun, a resumed run or
another arm of the same study reuses them, and a changed input is made again. A lock makes concurrent ranks
or jobs prepare once. Training only reads the prepared file: it never builds, generates or screens.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from train.dataprep.data_settings import BuildSettings, DataSettings, FilterSettings
from train.files import lock_for, read_json, sha256_file, write_json


@dataclass(frozen=True)
class PreparedData:
    """The file to train on and its manifest (what made it, its rows and sha256)."""

    path: Path
    manifest: dict[str, Any]

    @property
    def sha256(self) -> str:
        return self.manifest["sha256"]

    def record(self) -> dict[str, Any]:
        """What a run directory records about its data."""
        return {"file": str(self.path), "sha256": self.sha256, "manifest": self.manifest}


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _builder_source_digest(name: str) -> str:
    """Hash of the builder's code (its module, and the generator the built-in builders share) and of the data files
    it reads (`content_files`): a changed builder or content file must not reuse a stale cached file."""
    from train.dataprep.builders import BUILDERS, content_files, is_study

    modules = ["train.dataprep.builders.trait_data"]
    if name in BUILDERS:
        modules = [BUILDERS[name].module, "train.dataprep.builders.generator"]
    elif is_study(name):
        modules = ["train.dataprep.builders.external"]
    parts = []
    for module in modules:
        spec = importlib.util.find_spec(module)
        origin = Path(spec.origin) if spec and spec.origin else None
        parts.append(hashlib.sha256(origin.read_bytes()).hexdigest() if origin and origin.is_file() else "unknown")
    parts += [f"{path.name}:{sha256_file(path)}" for path in content_files(name)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _count_rows(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


def _build_arguments(settings: BuildSettings) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return (settings.name, settings.level, settings.n, settings.seed, settings.source), settings.options


def built_path(settings: BuildSettings) -> Path:
    """Where the cache keeps the builder's output for these settings. The key holds the builder's manifest,
    which has the sha256 of the `source` file and of the trait JSON behind a trait dataset, so editing either
    makes a new file."""
    from train.dataprep.builders import dataset_manifest
    from train.files import cache_dir

    args, options = _build_arguments(settings)
    key = _key(settings.model_dump(mode="json"), dataset_manifest(*args, **options), _builder_source_digest(args[0]))
    return cache_dir() / "datasets" / f"{settings.name}-{settings.level}-{key}.jsonl"


def built_file(settings: BuildSettings) -> Path:
    """The builder's output for these settings, built now unless the cache has it."""
    from train.dataprep.builders import build_dataset, dataset_manifest, manifest_path, write_dataset

    path = built_path(settings)
    with lock_for(path):
        if not manifest_path(path).is_file():  # the manifest is written last
            args, options = _build_arguments(settings)
            rows = build_dataset(*args, **options)
            write_dataset(rows, path, dataset_manifest(*args, **options), force=True)
    return path


def filtered_file(data: Path, settings: FilterSettings, model: str) -> Path:
    """`data` without its top `drop_top` percent by projection difference, with a manifest naming its input and
    the screening folder (scores, summary) beside it."""
    from train.dataprep.builders import file_record, manifest_path
    from train.dataprep.data_settings import ScreenSettings
    from train.dataprep.screen import run_screen
    from train.files import cache_dir

    assert settings.vector is not None and settings.layer is not None  # the recipe fills both in (Recipe)
    spec = settings.model_dump(mode="json") | {"model": model}
    folder = cache_dir() / "screened" / _key(sha256_file(data), sha256_file(settings.vector), spec)
    path = folder / "filtered.jsonl"
    with lock_for(folder):
        if not manifest_path(path).is_file():
            run_screen(
                ScreenSettings(
                    data=data,
                    vector=settings.vector,
                    layer=settings.layer,
                    model=model,
                    out=folder,
                    drop_top=settings.drop_top,
                    max_new_tokens=settings.max_new_tokens,
                    base=settings.base,
                    force=True,
                )
            )
            manifest = {"filter": spec, **file_record("vector", settings.vector), "screening": str(folder)}
            manifest["input"] = {**file_record("file", data), "manifest": read_json(manifest_path(data))}
            write_json(manifest_path(path), {**manifest, "rows": _count_rows(path), "sha256": sha256_file(path)})
    return path


def prepare_data(settings: DataSettings, model: str) -> PreparedData:
    """Build and filter what the recipe's `data:` asks for (each step cached) and say what came out."""
    from train.dataprep.builders import manifest_path

    if settings.train:
        path = Path(settings.train)
    else:
        assert settings.build is not None  # DataSettings holds train or build
        path = built_file(settings.build)
    if settings.filter is not None:
        path = filtered_file(path, settings.filter, settings.filter.model or model)
    manifest = read_json(manifest_path(path))  # a given file may have one from `prevsteer data build|load`
    return PreparedData(path, {**manifest, "rows": _count_rows(path), "sha256": sha256_file(path)})
