#!/usr/bin/env bash
# The first run of prevsteer on a GPU, in one go (under 8 minutes on one recent GPU):
#   1. a steered and a plain bf16 smoke run (recipes/smoke.yaml, model.dtype bfloat16) on one GPU: steering must
#      change the first loss, and the saved adapter must be clean (LoRA tensors only, finite, loads in plain peft);
#   2. a 2-process NCCL DDP run of the same recipe when two GPUs exist (ranks end with identical weights);
#   3. scripts/bench_steering_overhead.py, bench_extraction.py and bench_mmlu.py with --device cuda.
# The last line printed is one JSON object with every result; the runs and logs stay in OUT.
#
#   bash scripts/gpu_check.sh [OUT]        # OUT defaults to runs/gpu-check-<time>
#
# Without CUDA it says so and exits 0 without running anything.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PREVSTEER_PYTHON:-.venv/bin/python}

if ! "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    echo "gpu_check: needs CUDA (torch.cuda.is_available() is false here); nothing was run"
    exit 0
fi
OUT=${1:-runs/gpu-check-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs"
GPUS=$("$PY" -c 'import torch; print(torch.cuda.device_count())')
STARTED=$SECONDS
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false WANDB_MODE=disabled

step() {  # step NAME TIMEOUT COMMAND...: run with a time bound, log to OUT/logs/NAME.log, print its status
    local name=$1 limit=$2
    shift 2
    local begin=$SECONDS
    timeout "$limit" "$@" >"$OUT/logs/$name.log" 2>&1
    local code=$?
    echo "gpu_check: $name exited $code after $(( SECONDS - begin )) s (log $OUT/logs/$name.log)" >&2
    echo "$code" >"$OUT/logs/$name.code"
}

BF16=(--set model.dtype=bfloat16)
step steered 150 "$PY" -m train.cli train recipes/smoke.yaml --output-dir "$OUT/steered" "${BF16[@]}"
step plain 150 "$PY" -m train.cli train recipes/smoke.yaml --output-dir "$OUT/plain" "${BF16[@]}" \
    --set steering.mode=none
if [ "$GPUS" -ge 2 ]; then
    step ddp 180 "$PY" -m torch.distributed.run --nproc_per_node 2 -m train.cli train recipes/smoke.yaml \
        --output-dir "$OUT/ddp" "${BF16[@]}"
fi
step steering_overhead 120 "$PY" scripts/bench_steering_overhead.py --device cuda --threads 0 --max-seconds 80
step extraction 90 "$PY" scripts/bench_extraction.py --device cuda
step mmlu 240 "$PY" scripts/bench_mmlu.py --device cuda --threads 0

"$PY" - "$OUT" "$GPUS" "$(( SECONDS - STARTED ))" <<'EOF'
"""Read what the steps left behind and print one JSON line."""
import json
import math
import sys
from pathlib import Path

import torch

out, gpus, seconds = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
logs = out / "logs"


def code(name):
    path = logs / f"{name}.code"
    return int(path.read_text()) if path.is_file() else None


def last_json(name):
    for line in reversed((logs / f"{name}.log").read_text(errors="replace").splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                break
    return {"error": f"exit {code(name)}, no JSON line; see {logs / (name + '.log')}"}


def first_loss(run):
    path = out / run / "metrics.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []
    return next((row["loss"] for row in rows if "loss" in row), None)


def adapter_clean(run):
    """LoRA tensors only (no steering vector or hook state saved), all finite, and plain peft loads it."""
    final = out / run / "final"
    if not (final / "adapter_model.safetensors").is_file():
        return False
    from peft import PeftConfig
    from safetensors.torch import load_file

    tensors = load_file(final / "adapter_model.safetensors")
    lora_only = bool(tensors) and all(".lora_A." in k or ".lora_B." in k for k in tensors)
    finite = all(torch.isfinite(t.float()).all() for t in tensors.values())
    return lora_only and finite and PeftConfig.from_pretrained(str(final)).peft_type == "LORA"


steered, plain = first_loss("steered"), first_loss("plain")
result = {
    "gpu": torch.cuda.get_device_name(0),
    "gpus": gpus,
    "torch": torch.__version__,
    "cuda": torch.version.cuda,
    "steered_first_loss": steered,
    "plain_first_loss": plain,
    "steering_changes_first_loss": steered is not None and plain is not None and not math.isclose(steered, plain),
    "steered_adapter_clean": adapter_clean("steered"),
    "bf16": json.loads((out / "steered" / "run.json").read_text()).get("status") == "completed"
    and "bf16: true" in (out / "steered" / "recipe.yaml").read_text(),
}
if gpus >= 2:
    record_path = out / "ddp" / "distributed.json"
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    result["ddp"] = {
        "exit": code("ddp"),
        "backend": record.get("backend"),
        "ranks_agree": record.get("ranks_agree"),
        "hook_calls_per_rank": record.get("hook_calls_per_rank"),
    }
else:
    result["ddp"] = "skipped: one GPU"
for name in ("steering_overhead", "extraction", "mmlu"):
    result[name] = last_json(name)
result["ok"] = bool(
    result["steering_changes_first_loss"]
    and result["steered_adapter_clean"]
    and result["bf16"]
    and (gpus < 2 or result["ddp"]["ranks_agree"])
    and all(code(name) == 0 for name in ("steered", "plain", "steering_overhead", "extraction", "mmlu"))
)
result["seconds"] = seconds
print(json.dumps(result))
EOF
