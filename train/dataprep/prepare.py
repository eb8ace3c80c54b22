"""The training file a recipe asks for: a given chat JSONL, or one made by a dataset builder; optionally
screened on a persona vector with its top-scoring share dropped (the data-filtering arm).

Built and filtered files live in the prevsteer cache, keyed by everything that determines their bytes (the
build settings, the builder's code and content files; the data, vector, model and filter settings), so a rerun,
a resumed run or another arm of the same study reuses them. A lock makes concurrent ranks or jobs build once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

from train.dataprep.settings import BuildSettings, DataSettings, FilterSettings


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _builder_source_digest(name: str) -> str:
    """Hash of the builder's code (its module, and the generator the built-in builders share) and of the data files
    it reads (`content_files`): a changed builder or content file must not reuse a stale cached file."""
    from train.dataprep.builders import BUILDERS, content_files, sha256_file

    modules = ["train.dataprep.builders.trait_data"]
    if name in BUILDERS:
        modules = [BUILDERS[name], "train.dataprep.builders.generator"]
    parts = []
    for module in modules:
        spec = importlib.util.find_spec(module)
        origin = Path(spec.origin) if spec and spec.origin else None
        parts.append(hashlib.sha256(origin.read_bytes()).hexdigest() if origin and origin.is_file() else "unknown")
    parts += [f"{path.name}:{sha256_file(path)}" for path in content_files(name)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def built_file(settings: BuildSettings) -> Path:
    """The builder's output for these settings, built now unless the cache has it."""
    from train.dataprep.builders import build_dataset, dataset_manifest, write_dataset
    from train.models.loading import cache_dir, file_lock

    spec = settings.model_dump(mode="json")
    folder = cache_dir() / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{settings.name}-{settings.level}-{_key(spec, _builder_source_digest(settings.name))}.jsonl"
    with file_lock(folder / f".{path.name}.lock"):
        if not path.is_file():
            args = (settings.name, settings.level, settings.n, settings.seed, settings.source)
            rows = build_dataset(*args, **settings.options)
            write_dataset(rows, path, dataset_manifest(*args, **settings.options))
    return path


def filtered_file(data: Path, settings: FilterSettings, model: str) -> tuple[Path, Path]:
    """`data` without its top `drop_top` percent by projection difference; also the screening folder."""
    from train.dataprep.builders import sha256_file
    from train.dataprep.screen import run_screen
    from train.models.loading import cache_dir, file_lock

    spec = settings.model_dump(mode="json") | {"model": model}
    folder = cache_dir() / "screened" / _key(sha256_file(data), sha256_file(settings.vector), spec)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(folder.parent / f".{folder.name}.lock"):
        if not (folder / "filtered.jsonl").is_file():
            run_screen(
                data, settings.vector, settings.layer, model, out_dir=folder, drop_top=settings.drop_top,
                max_new_tokens=settings.max_new_tokens, base=settings.base, force=True,
            )  # fmt: skip
    return folder / "filtered.jsonl", folder


def training_file(settings: DataSettings, model: str) -> tuple[Path, dict[str, Any]]:
    """The file to train on, and what the run directory records about where it came from."""
    from train.dataprep.builders import sha256_file

    record: dict[str, Any] = {}
    path = Path(settings.train) if settings.train else built_file(settings.build)
    if settings.build is not None:
        record["built"] = str(path)
    if settings.filter is not None:
        path, screening = filtered_file(path, settings.filter, settings.filter.model or model)
        record["screening"] = str(screening)
    return path, {**record, "file": str(path), "sha256": sha256_file(path)}
