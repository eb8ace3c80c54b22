"""Real multi-process training on CPU (2 processes, gloo): DDP and DeepSpeed ZeRO-2/3 through torchrun.

Every run trains the same tiny LoRA recipe with additive steering on both layers and is checked against one
single-process reference run with the same global batch (per-device batch doubled):

- `distributed.json`: the steering hooks fired on every rank, equally often (steps x steered layers), and every
  rank ends with bit-identical trainable weights (sha256 of the gathered weights; under ZeRO-3 each rank holds
  a shard, so the element count matching the single-process run shows the gather happened);
- `final/`: a non-empty adapter that PEFT loads, numerically equal to the reference within `ATOL`.

The recipe uses plain SGD. Adam divides each update by the gradient's running RMS, so it would hide a wrong
gradient scale (a loss averaged over one rank's tokens instead of the global batch, say) and it amplifies the
harmless float noise of near-zero gradients; with SGD the weight difference is lr x (gradient difference).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from tiny import build_tiny_model

from train.steering.vectors import PersonaVector
from train.training.distributed import clean_name, weight_fingerprint

ROOT = Path(__file__).resolve().parents[1]
NUM_LAYERS, HIDDEN = 2, 32
STEPS, PER_DEVICE_BATCH, NPROC = 4, 2, 2
LAYERS = [0, 1]

# Why not exact: the two runs reduce the same per-token losses in a different order (two half-batch gradients
# summed by the all-reduce or reduce-scatter vs one batched sum; the half batches are also padded to other lengths,
# so the matmuls have other shapes). In float32 that moves gradients by a few ulps. Measured on this recipe (4 SGD
# steps, lr 1.0): max |difference| of any adapter element 7.5e-9, the same for DDP, ZeRO-2, ZeRO-3 and the sbatch
# launch (with AdamW at lr 1e-2 it was 3.5e-6 for DDP and 7e-5 for ZeRO-3: Adam's normalisation blows up the noise
# of near-zero gradients, hence SGD here). ATOL leaves >1000x headroom for other CPUs and kernels, yet sits far
# below the training's own update (max |lora_B| = 7.5e-2; asserted > MIN_UPDATE) and below what real faults do:
# training on one rank's half of each batch gives 1.2e-2, half the steering coefficient 4.9e-2, a doubled gradient
# (= doubled lr) 1.2e-1, no steering 2.0e-1.
ATOL = 1e-5
MIN_UPDATE = 1e-2

RECIPE = """\
name: dist
seed: 0
model:
  name: {model}
  # r x 32 > 320, ZeRO-3's param persistence threshold (10 x hidden): the adapters really are sharded
  lora: {{r: 16, alpha: 32}}
data:
  train: {data}
steering:
  mode: add
  vector: {vector}
  layers: {layers}
  coefficient: 1.0
training:
  optim: sgd
  learning_rate: 1.0
  max_steps: {steps}
  per_device_train_batch_size: {batch}
  gradient_accumulation_steps: 1
  max_length: 64
  save_strategy: "no"
eval:
  strategy: "no"
logging:
  steps: 1
"""


@pytest.fixture(scope="module")
def recipe(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dist")
    model = build_tiny_model("llama", root / "model", num_layers=NUM_LAYERS, hidden_size=HIDDEN)
    vector = PersonaVector(torch.randn(NUM_LAYERS, HIDDEN, generator=torch.Generator().manual_seed(0)), {"trait": "t"})
    vector.save(root / "vector.safetensors")
    with (root / "train.jsonl").open("w") as handle:
        for i in range(32):
            answer = f"It is {2 * i}. " * (1 + i % 3)  # varied lengths, so batches carry padding
            handle.write(json.dumps({"prompt": f"Question {i}: what is {i} plus {i}?", "completion": answer}) + "\n")
    path = root / "recipe.yaml"
    path.write_text(
        RECIPE.format(
            model=model,
            data=root / "train.jsonl",
            vector=root / "vector.safetensors",
            layers=LAYERS,
            steps=STEPS,
            batch=PER_DEVICE_BATCH,
        )
    )
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env() -> dict[str, str]:
    """CPU only, one thread per process, and none of the caller's launcher variables."""
    launcher = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "GROUP_RANK")
    inherited = os.environ.items()
    env = {k: v for k, v in inherited if k not in launcher and not k.startswith(("ACCELERATE_", "TORCHELASTIC"))}
    env.update(
        CUDA_VISIBLE_DEVICES="",
        DS_ACCELERATOR="cpu",
        OMP_NUM_THREADS="1",
        TOKENIZERS_PARALLELISM="false",
        HF_HUB_OFFLINE="1",
        WANDB_MODE="disabled",
    )
    return env


def run(cmd: list[str], timeout: int, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(cmd, cwd=ROOT, env=env or clean_env(), timeout=timeout, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"


def train_single(recipe: Path, out: Path, *overrides: str) -> Path:
    run([sys.executable, "-m", "train.cli", "train", str(recipe), "--output-dir", str(out), *overrides], timeout=180)
    return out


def torchrun_cmd(recipe: Path, out: Path, *overrides: str) -> list[str]:
    """`torchrun --nproc_per_node 2 -m train.cli train ...` on a free port."""
    launcher = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(NPROC)]
    launcher += ["--master_addr", "127.0.0.1", "--master_port", str(free_port())]
    return [*launcher, "-m", "train.cli", "train", str(recipe), "--output-dir", str(out), *overrides]


def torchrun(recipe: Path, out: Path, *overrides: str, timeout: int = 180) -> Path:
    """Train under torchrun; retried once on a fresh port if the port was taken."""
    for attempt in range(2):
        target = out if attempt == 0 else out.with_name(out.name + "-retry")
        cmd = torchrun_cmd(recipe, target, *overrides)
        proc = subprocess.run(cmd, cwd=ROOT, env=clean_env(), timeout=timeout, capture_output=True, text=True)
        if proc.returncode == 0:
            return target
        if attempt == 0 and "address already in use" in (proc.stdout + proc.stderr).lower():
            continue
        raise AssertionError(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def reference(recipe, tmp_path_factory) -> Path:
    """One process, per-device batch doubled: the same global batch as 2 processes x PER_DEVICE_BATCH."""
    out = tmp_path_factory.mktemp("single") / "run"
    return train_single(recipe, out, f"--set=training.per_device_train_batch_size={PER_DEVICE_BATCH * NPROC}")


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def adapter(run_dir: Path) -> dict[str, torch.Tensor]:
    return load_file(run_dir / "final" / "adapter_model.safetensors")


def check_distributed_run(run_dir: Path, reference: Path, world_size: int = NPROC) -> dict:
    """The checks every 2-process run must pass; returns distributed.json."""
    assert read(run_dir / "run.json")["status"] == "completed"
    record = read(run_dir / "distributed.json")
    assert record["world_size"] == world_size
    # Hooks fired on every rank, once per steered layer per training forward.
    assert record["hook_calls_per_rank"] == [STEPS * len(LAYERS)] * world_size
    fingerprints = record["weight_fingerprint_per_rank"]
    assert len(fingerprints) == world_size
    assert len({f["sha256"] for f in fingerprints}) == 1, fingerprints
    assert record["ranks_agree"] is True
    # Whole weights on every rank (a ZeRO-3 shard that was not gathered would count fewer elements).
    expected = read(reference / "distributed.json")["weight_fingerprint_per_rank"][0]
    assert fingerprints[0]["numel"] == expected["numel"] > 0
    assert fingerprints[0]["tensors"] == expected["tensors"] > 0
    assert fingerprints[0]["sum_sq"] == pytest.approx(expected["sum_sq"], rel=1e-6)

    got, want = adapter(run_dir), adapter(reference)
    assert got.keys() == want.keys() and got
    assert all(t.numel() > 0 for t in got.values())
    # The tolerance is only meaningful if training moved the weights well beyond it (lora_B starts at zero).
    assert max(t.abs().max().item() for k, t in want.items() if "lora_B" in k) > MIN_UPDATE
    diff = max((got[k] - want[k]).abs().max().item() for k in want)
    assert diff <= ATOL, f"adapter differs from the single-process run by {diff:.3g} (tolerance {ATOL})"
    return record


def test_clean_name_drops_wrapper_segments():
    name = "module._fsdp_wrapped_module.base_model.model.layers.0._checkpoint_wrapped_module.mlp.lora_A.weight"
    assert clean_name(name) == "base_model.model.layers.0.mlp.lora_A.weight"


def test_weight_fingerprint_sees_one_ulp_and_ignores_frozen_weights():
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 2))
    model[0].requires_grad_(False)
    before = weight_fingerprint(model)
    assert before["tensors"] == 2 and before["numel"] == 6
    with torch.no_grad():
        model[0].weight.add_(1.0)  # frozen: not part of the fingerprint
    assert weight_fingerprint(model) == before
    with torch.no_grad():
        model[1].bias[0] = torch.nextafter(model[1].bias[0], torch.tensor(float("inf")))
    after = weight_fingerprint(model)
    assert after["sha256"] != before["sha256"]
    assert weight_fingerprint(model, trainable_only=False)["numel"] == 14


@pytest.mark.slow
def test_ddp_two_processes_match_single_process(recipe, reference, tmp_path):
    single = read(reference / "distributed.json")
    assert single["world_size"] == 1 and single["hook_calls_per_rank"] == [STEPS * len(LAYERS)]
    run_dir = torchrun(recipe, tmp_path / "ddp")
    record = check_distributed_run(run_dir, reference)
    assert record["backend"] == "gloo" and record["zero_stage"] is None
    assert read(run_dir / "run.json")["world_size"] == NPROC


@pytest.mark.slow
def test_every_rank_refuses_an_existing_run_directory(recipe, tmp_path):
    """Each rank checks the folder before the process group forms, so all of them refuse it (exit 2, one line
    each, no traceback) and the file already there is untouched; none waits in a barrier for a rank that left."""
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    cmd = torchrun_cmd(recipe, out)
    proc = subprocess.run(cmd, cwd=ROOT, env=clean_env(), timeout=120, capture_output=True, text=True)
    assert proc.returncode != 0
    assert proc.stderr.count(f"prevsteer: error: run directory {out} already exists") == NPROC, proc.stderr[-3000:]
    # torchrun itself prints a traceback of its ChildFailedError; the workers print none (theirs are "[rankN]:")
    assert "[rank0]:" not in proc.stderr and "[rank1]:" not in proc.stderr and "exitcode  : 2" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"] and (out / "notes.txt").read_text() == "mine"


@pytest.mark.slow
@pytest.mark.parametrize("stage", [2, 3])
def test_deepspeed_zero_two_processes(recipe, reference, tmp_path, stage):
    pytest.importorskip("deepspeed")
    config = ROOT / "slurm" / "deepspeed" / f"zero{stage}.json"
    # The first DeepSpeed start on a machine JIT-compiles its CPU communication op (~45 s on 2 cores).
    run_dir = torchrun(recipe, tmp_path / f"zero{stage}", f"--set=training.deepspeed={config}", timeout=300)
    record = check_distributed_run(run_dir, reference)
    assert record["distributed_type"] == "DEEPSPEED" and record["zero_stage"] == stage

    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(recipe.parent / "model")
    loaded = PeftModel.from_pretrained(base, run_dir / "final")
    saved = adapter(run_dir)
    state = {k.replace(".default", ""): v for k, v in loaded.state_dict().items() if "lora_" in k}
    assert len(state) == len(saved)
    for key, value in saved.items():
        assert torch.equal(state[key], value), key


@pytest.mark.slow
def test_rendered_sbatch_script_launches_torchrun(recipe, reference, tmp_path):
    """The batch script `prevsteer launch` renders, run with bash as SLURM would run array task 0 (srun and
    scontrol stubbed, 2 processes on one node); tests/test_slurm.py runs it on a real SLURM where there is one."""
    from train.launch.launch_settings import ResourceShape
    from train.launch.slurm import render_array

    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "srun").write_text('#!/bin/bash\nwhile [[ "$1" == --* ]]; do shift; done\nexec "$@"\n')
    (shims / "scontrol").write_text("#!/bin/bash\necho localhost\n")
    for shim in shims.iterdir():
        shim.chmod(0o755)
    out = tmp_path / "sbatch"
    shape = ResourceShape(processes_per_node=NPROC, cpus_per_node=NPROC)
    (script,) = render_array([["train", str(recipe), "--output-dir", str(out)]], shape, tmp_path / "job", "dist")
    env = clean_env()
    env.update(
        PATH=f"{shims}{os.pathsep}{env.get('PATH', '')}",
        SLURM_JOB_NAME="dist",
        SLURM_JOB_ID="7",
        SLURM_ARRAY_JOB_ID="7",
        SLURM_ARRAY_TASK_ID="0",
        SLURM_NNODES="1",
        SLURM_JOB_NODELIST="node1",
        SLURM_CPUS_PER_TASK=str(NPROC),
    )
    run(["bash", str(script)], timeout=180, env=env)
    check_distributed_run(out, reference)


@pytest.mark.slow
def test_ddp_evaluation_covers_both_shards_once(recipe, tmp_path):
    """Per-step MMLU and trait evaluation under DDP: every question scored once over the union of the ranks'
    shards (same count and predictions as one process), the judge run once, the same metrics logged."""
    mmlu = tmp_path / "mmlu" / "test"
    mmlu.mkdir(parents=True)
    for s, subject in enumerate(("anatomy", "astronomy", "virology")):
        rows = [f'"Question {s}.{i}: pick {"ABCD"[i % 4]}?",one,two,three,four,{"ABCD"[i % 4]}\n' for i in range(5)]
        (mmlu / f"{subject}_test.csv").write_text("".join(rows))
    evaluation = [
        f"--set=eval.mmlu={{source: {mmlu.parent}, per_subject: null, batch_size: 4}}",
        "--set=eval.traits=[{name: impolite, questions: 3, samples: 1, temperature: 0, max_new_tokens: 4}]",
        "--set=eval.strategy=steps",
        f"--set=eval.steps={STEPS}",
    ]
    single = train_single(recipe, tmp_path / "single", "--set=training.per_device_train_batch_size=4", *evaluation)
    ddp = torchrun(recipe, tmp_path / "ddp", *evaluation, timeout=300)
    results = {}
    for run_dir in (single, ddp):
        rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
        logged = [row for row in rows if "eval/mmlu" in row]
        assert len(logged) == 1 and "eval/trait/impolite" in logged[0] and "eval/coherence" in logged[0]
        folder = run_dir / "eval" / f"step-{STEPS}"
        results[run_dir.name] = read(folder / "mmlu.json")
        assert len((folder / "impolite.jsonl").read_text().splitlines()) == 3
        assert read(folder / "meta.json")["training_steering_calls_during_eval"] == 0
    assert results["ddp"]["n"] == results["single"]["n"] == 15
    assert results["ddp"]["predictions"] == results["single"]["predictions"]
    assert results["ddp"]["p_correct"] == pytest.approx(results["single"]["p_correct"], abs=1e-4)
    assert results["ddp"]["per_subject"] == results["single"]["per_subject"]


# Sends SIGUSR1 to rank 1 only, after step 1 is logged, then runs the CLI: a preemption notice one rank got.
SIGNAL_ONE_RANK = """\
import os, signal, sys
from train.training import run
from train.training.metrics_file import MetricsFileCallback


class SignalRankOneAtStepOne(MetricsFileCallback):
    def on_log(self, args, state, control, logs=None, **kwargs):
        super().on_log(args, state, control, logs, **kwargs)
        if state.global_step == 1 and os.environ["RANK"] == "1":
            os.kill(os.getpid(), signal.SIGUSR1)


run.MetricsFileCallback = SignalRankOneAtStepOne
from train.cli import main

sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_preemption_notice_on_one_rank_stops_both_and_resumes_exactly(recipe, reference, tmp_path):
    """Only rank 1 is signalled: both ranks stop at the same step end (rank 0 would otherwise wait alone in the
    next collective until the timeout), and the run resumed from that checkpoint matches the reference."""
    driver = tmp_path / "signal_one_rank.py"
    driver.write_text(SIGNAL_ONE_RANK)
    out = tmp_path / "ddp"

    def launch(*entry: str, resume: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            str(NPROC),
            "--master_addr",
            "127.0.0.1",
            "--master_port",
            str(free_port()),
            *entry,
            "train",
            str(recipe),
            "--output-dir",
            str(out),
            *resume,
        ]
        return subprocess.run(cmd, cwd=ROOT, env=clean_env(), timeout=180, capture_output=True, text=True)

    cut = launch(str(driver))
    info = read(out / "run.json")
    assert cut.returncode != 0 and info["status"] == "preempted", cut.stderr[-3000:]
    assert info["checkpoint"] == "checkpoint-2" and sorted(p.name for p in out.glob("checkpoint-*")) == ["checkpoint-2"]
    # Said once (rank 0); a rank that had not stopped would have hung in the next collective until the timeout.
    assert cut.stderr.count("prevsteer: preempted: checkpoint") == 1
    resumed = launch("-m", "train.cli", resume=("--resume",))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    check_distributed_run(out, reference)
