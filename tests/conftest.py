"""Shared fixtures. Tiny random-init models are built once per session: tests stay offline and fast."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from train.tiny import build_tiny_model


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Callable[..., Path]:
    """`tiny_model_dir(arch, **kwargs)` -> a saved tiny model folder, built once per (arch, kwargs).

    Tests must not write into the returned folder: other tests share it.
    """
    built: dict[tuple, Path] = {}

    def get(arch: str, **kwargs) -> Path:
        key = (arch, *sorted(kwargs.items()))
        if key not in built:
            built[key] = build_tiny_model(arch, tmp_path_factory.mktemp(f"tiny-{arch}"), **kwargs)
        return built[key]

    return get


@pytest.fixture(scope="session")
def tiny_llama(tiny_model_dir) -> Path:
    """A 2-layer, hidden-32 llama with the tiny ChatML tokenizer."""
    return tiny_model_dir("llama")


def cpu_sft_config(output_dir, **overrides):
    """An SFTConfig for short CPU runs in tests: no saving, no reporting, loss on completions only."""
    from trl import SFTConfig

    args = {
        "output_dir": str(output_dir),
        "max_steps": 3,
        "per_device_train_batch_size": 2,
        "learning_rate": 1e-2,
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": "none",
        "use_cpu": True,
        "bf16": False,
        "gradient_checkpointing": False,
        "completion_only_loss": True,
        "seed": 0,
        "max_length": 64,
        **overrides,
    }
    return SFTConfig(**args)
