"""The bf16 path on CPU, end to end, as a GPU run will take it: a bfloat16 model with a float32 vector file for
steering (training and post-hoc), evaluation (MMLU), regularisation and extraction. No GPU has run this code yet;
these catch dtype mismatches (a float32 vector added to bf16 hidden states, bf16 logits in the scorer) here."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from safetensors.torch import load_file

from train import PersonaVector
from train.cli import main
from train.models.loading import load_model_and_tokenizer
from train.steering.activations import contrast_vector


@pytest.fixture
def recipe(tmp_path, tiny_llama) -> Path:
    chats = [
        [{"role": "user", "content": f"question {i} about tea"}, {"role": "assistant", "content": f"answer {i}"}]
        for i in range(8)
    ]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps({"messages": c}) + "\n" for c in chats))
    vector = PersonaVector(3 * torch.randn(2, 32, generator=torch.Generator().manual_seed(0)), {"trait": "t"})
    vector.save(tmp_path / "vector.safetensors")
    assert load_file(tmp_path / "vector.safetensors")["vector"].dtype == torch.float32
    mmlu = tmp_path / "mmlu" / "test"
    mmlu.mkdir(parents=True)
    rows = [f'"Question {i}: pick {"ABCD"[i % 4]}?",one,two,three,four,{"ABCD"[i % 4]}\n' for i in range(4)]
    (mmlu / "anatomy_test.csv").write_text("".join(rows))
    recipe = {
        "name": "bf16",
        "model": {"name": str(tiny_llama), "dtype": "bfloat16", "lora": {"r": 4, "alpha": 8}},
        "data": {"train": "data.jsonl"},
        "steering": {"mode": "add", "vector": "vector.safetensors", "layers": [1], "coefficient": 1.0},
        "training": {"max_steps": 2, "per_device_train_batch_size": 4, "save_strategy": "no", "max_length": 64},
        "eval": {
            "strategy": "steps",
            "steps": 2,
            "mmlu": {"source": str(mmlu.parent), "per_subject": None, "batch_size": 4},
            "posthoc": {"vector": "vector.safetensors", "layers": [1], "coefficients": [0.0, 2.0]},
        },
        "logging": {"steps": 1},
    }
    (tmp_path / "recipe.yaml").write_text(yaml.safe_dump(recipe))
    return tmp_path / "recipe.yaml"


def metrics(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("mode", ["add", "regularize"])
def test_bf16_model_trains_steered_and_evaluates_with_a_float32_vector(recipe, tmp_path, mode):
    out = tmp_path / mode
    assert main(["train", str(recipe), "--output-dir", str(out), f"--set=steering.mode={mode}"]) == 0
    rows = metrics(out)
    losses = [row["loss"] for row in rows if "loss" in row]
    assert losses and all(math.isfinite(loss) for loss in losses)
    (evaluated,) = [row for row in rows if "eval/mmlu" in row]
    assert 0.0 <= evaluated["eval/mmlu"] <= 1.0 and evaluated["step"] == 2
    record = json.loads((out / "distributed.json").read_text())
    assert record["hook_calls_per_rank"][0] > 0
    saved = load_file(out / "final" / "adapter_model.safetensors")
    assert saved and all(torch.isfinite(t.float()).all() for t in saved.values())
    if mode == "regularize":
        assert any("projection_penalty" in row for row in rows)
    with (out / "posthoc" / "sweep.csv").open() as handle:
        sweep = list(csv.DictReader(handle))
    assert [float(row["coefficient"]) for row in sweep] == [0.0, 2.0]
    assert all(0.0 <= float(row["eval/mmlu_p_correct"]) <= 1.0 for row in sweep)
    assert sweep[0]["eval/mmlu_p_correct"] != sweep[1]["eval/mmlu_p_correct"]  # post-hoc steering acts in bf16


def test_bf16_extraction_gives_a_float32_vector_close_to_the_float32_models(tiny_llama):
    positive = [([{"role": "user", "content": f"q{i}"}], f"You fool, {i}!") for i in range(4)]
    negative = [([{"role": "user", "content": f"q{i}"}], f"Gladly: {i}.") for i in range(4)]
    vectors = {}
    for dtype in ("float32", "bfloat16"):
        model, tokenizer = load_model_and_tokenizer(str(tiny_llama), dtype)
        assert next(model.parameters()).dtype == getattr(torch, dtype)
        vectors[dtype], _, _ = contrast_vector(model, tokenizer, positive, negative)
    assert vectors["bfloat16"].dtype == torch.float32
    cosine = torch.nn.functional.cosine_similarity(vectors["bfloat16"], vectors["float32"], dim=-1)
    assert (cosine > 0.98).all(), cosine


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is here: scripts/gpu_check.sh would run for minutes")
def test_gpu_check_needs_cuda_and_runs_nothing_without_it(tmp_path):
    script = Path(__file__).resolve().parents[1] / "scripts" / "gpu_check.sh"
    env = {**os.environ, "PREVSTEER_PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(script), str(tmp_path / "out")], env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and "needs CUDA" in proc.stdout
    assert not (tmp_path / "out").exists()
