#!/usr/bin/env python3
"""Measure what the steering hooks cost per training step on the default model.

For each training mode (LoRA r=8 on all linear layers, and full fine-tuning) the script times paired,
interleaved training steps on the same batch: one with no hooks at all (what an unsteered run does) and one
with the steering hooks attached (what `PreventativeSFTTrainer` does for the whole run), alternating which
goes first. A step is what the trainer does per batch: `set_batch` (steered arm only), forward with labels
(loss on the answer tokens), backward, a fused AdamW step (the trainer's default optimizer) and zero_grad.
The learning rate is 0, so every arm of every pair sees the same weights while still paying for the full
optimizer update. Hooks are attached and removed outside the timed region: the trainer attaches them once.

Besides the layer-17 steering of the study, an all-layer incremental steering arm (layers 0..L-1) is timed
in the same groups (by default for LoRA only, to keep the run near 5 minutes), as extra information.

Whole steps take seconds on a CPU and anything else running on the machine moves them by several percent,
so two cheaper, steadier numbers come with the ratios: the process CPU time ratio (insensitive to being
descheduled) and the hooks' own cost, timed in isolation on identity blocks with the real vector, mask and
activation shape (forward + backward, median of many repetitions), as an estimated ratio
1 + hook cost / median unsteered step.

    python scripts/bench_steering_overhead.py [--pairs 20] [--modes lora,full] [--threads 1] [--max-seconds 280]

The last line printed is one JSON object: {"lora_ratio": ..., "full_ratio": ..., ...}, each ratio being the
median over pairs of steered / unsteered wall-clock step time (1.0 = no overhead).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from train.dataprep.chat import load_rows  # noqa: E402
from train.models.loading import DEFAULT_MODEL, load_model_and_tokenizer  # noqa: E402
from train.resources import shipped  # noqa: E402
from train.steering.hooks import IGNORE_INDEX, Steering, SteeringSpec  # noqa: E402
from train.steering.layers import find_decoder_layers, hidden_size_of, unwrap_model  # noqa: E402
from train.steering.vectors import PersonaVector  # noqa: E402

DEFAULT_VECTOR = shipped("vectors", DEFAULT_MODEL, "impolite.safetensors")
DEFAULT_DATA = shipped("datasets", "impolite", "train.jsonl")
MODES = ("lora", "full")
OFF, LAYER, ALL = "off", "layer", "all_layers"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pairs", type=int, default=20, help="timed pairs (groups) per mode, at most (default 20)")
    p.add_argument("--warmup", type=int, default=1, help="untimed groups per mode before timing (default 1)")
    p.add_argument(
        "--max-seconds",
        type=float,
        default=280,
        help="time budget for the whole run: a mode stops before --pairs when its share is spent, but never "
        "below --min-pairs; 0 = no budget (default 280)",
    )
    p.add_argument("--min-pairs", type=int, default=8, help="timed pairs per mode whatever the budget (default 8)")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--seq-len", type=int, default=512, help="cap on tokens per row (default 512)")
    p.add_argument("--modes", default="lora,full", help="comma-separated subset of: lora, full")
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch intra-op threads (default 1: on a small shared CPU, OpenMP barriers make 2+ threads' step "
        "times swing by several x whenever another process runs; 0 = torch's choice)",
    )
    p.add_argument("--layer", type=int, default=17, help="the steered layer (default 17)")
    p.add_argument("--coefficient", type=float, default=1.0)
    p.add_argument(
        "--all-layers",
        default="lora",
        help="modes that also time all-layer incremental steering, comma-separated, or 'none' (default: lora)",
    )
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--vector", type=Path, default=DEFAULT_VECTOR)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="torch device for the model and batches, e.g. cuda (default cpu)")
    args = p.parse_args(argv)
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    args.all_layers = [] if args.all_layers == "none" else [m.strip() for m in args.all_layers.split(",")]
    bad = [m for m in args.modes + args.all_layers if m not in MODES]
    if bad or not args.modes:
        p.error(f"--modes/--all-layers: unknown {bad or 'empty list'}; allowed: {', '.join(MODES)}")
    if args.pairs < 1 or args.min_pairs < 1 or args.warmup < 0 or args.batch_size < 1 or args.seq_len < 2:
        p.error("--pairs, --min-pairs, --batch-size and --seq-len must be positive, --warmup not negative")
    return args


# ---------------------------------------------------------------------------------------------- data


def tokenize_rows(tokenizer, rows: list[dict], seq_len: int) -> list[tuple[list[int], list[int]]]:
    """(input_ids, labels) per row: the chat template applied, labels only on the answer (as TRL's
    completion-only loss): the prompt text ends with the generation prompt, the rest is the completion."""
    out = []
    for row in rows:
        prompt = tokenizer.apply_chat_template(row["prompt"], tokenize=False, add_generation_prompt=True)
        full = tokenizer.apply_chat_template(row["prompt"] + row["completion"], tokenize=False)
        if not full.startswith(prompt):
            raise SystemExit("the chat template does not render the prompt as a prefix of the conversation")
        prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        answer_ids = tokenizer(full[len(prompt) :], add_special_tokens=False)["input_ids"]
        ids = (prompt_ids + answer_ids)[:seq_len]
        labels = ([IGNORE_INDEX] * len(prompt_ids) + answer_ids)[:seq_len]
        out.append((ids, labels))
    return out


def make_batches(tokenizer, rows: list[dict], batch_size: int, seq_len: int, seed: int) -> list[dict]:
    """Right-padded batches; padding has attention 0 and label -100."""
    examples = tokenize_rows(tokenizer, rows, seq_len)
    random.Random(seed).shuffle(examples)
    batches = []
    for start in range(0, len(examples) - batch_size + 1, batch_size):
        chunk = examples[start : start + batch_size]
        width = max(len(ids) for ids, _ in chunk)
        input_ids = torch.full((batch_size, width), tokenizer.pad_token_id, dtype=torch.long)
        attention = torch.zeros((batch_size, width), dtype=torch.long)
        labels = torch.full((batch_size, width), IGNORE_INDEX, dtype=torch.long)
        for i, (ids, lab) in enumerate(chunk):
            input_ids[i, : len(ids)] = torch.tensor(ids)
            attention[i, : len(ids)] = 1
            labels[i, : len(lab)] = torch.tensor(lab)
        batches.append({"input_ids": input_ids, "attention_mask": attention, "labels": labels})
    if not batches:
        raise SystemExit(f"fewer than --batch-size {batch_size} rows in the data")
    return batches


# ---------------------------------------------------------------------------------------------- steps


def synchronize(device: str) -> None:
    """Wait for queued GPU work, so a timer read after it measures the work (a no-op on the CPU)."""
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def build_model(args: argparse.Namespace, mode: str):
    model, _ = load_model_and_tokenizer(args.model)
    model.to(args.device)
    if mode == "lora":
        from peft import LoraConfig, get_peft_model

        config = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
        model = get_peft_model(model, config)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    try:  # the trainer's default optimizer (adamw_torch_fused); lr 0 keeps the weights identical across arms
        optimizer = torch.optim.AdamW(params, lr=0.0, weight_decay=0.0, fused=True)
    except (RuntimeError, ValueError):
        optimizer = torch.optim.AdamW(params, lr=0.0, weight_decay=0.0)
    return model, optimizer, sum(p.numel() for p in params)


def make_arms(model, vector: PersonaVector, args: argparse.Namespace, all_layers: bool) -> dict[str, Steering | None]:
    arms: dict[str, Steering | None] = {OFF: None}
    spec = SteeringSpec("add", [vector], layers=[args.layer], coefficient=args.coefficient, scope="answer")
    arms[LAYER] = Steering(model, spec)
    if all_layers:
        layers = list(range(len(find_decoder_layers(model))))
        spec = SteeringSpec("add", [vector], layers, coefficient=args.coefficient, incremental=True, scope="answer")
        arms[ALL] = Steering(model, spec)
    return arms


def train_step(model, optimizer, batch: dict, steering: Steering | None) -> float:
    if steering is not None:  # as PreventativeSFTTrainer.compute_loss does per batch
        steering.set_batch(batch["attention_mask"], batch["labels"])
    loss = model(**batch).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return float(loss.detach())  # copies to the host after the optimizer's work: synchronises a GPU too


def timed_step(model, optimizer, batch: dict, steering: Steering | None) -> tuple[float, float, float]:
    """(wall seconds, process CPU seconds, loss) of one step; hook registration and removal stay outside
    the timed region."""
    gc.collect()
    if steering is not None:
        steering.attach()
    try:
        start, cpu_start = time.perf_counter(), time.process_time()
        loss = train_step(model, optimizer, batch, steering)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    finally:
        if steering is not None:
            steering.detach()
    return elapsed, cpu, loss


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def paired(steered: list[float], unsteered: list[float]) -> list[float]:
    return [s / o for s, o in zip(steered, unsteered, strict=True)]


def bench_mode(
    args: argparse.Namespace, mode: str, vector: PersonaVector, batches: list[dict], deadline: float | None
) -> dict:
    """Time the arms of one mode in groups (one step per arm on the same batch, order cycling through all
    permutations); stop at --pairs, or earlier once `deadline` would be passed and --min-pairs are done."""
    model, optimizer, trainable = build_model(args, mode)
    batches = [{key: value.to(args.device) for key, value in batch.items()} for batch in batches]
    arms = make_arms(model, vector, args, mode in args.all_layers)
    orders = list(itertools.permutations(arms))
    times: dict[str, list[float]] = {name: [] for name in arms}
    cpu_times: dict[str, list[float]] = {name: [] for name in arms}
    losses: dict[str, list[float]] = {name: [] for name in arms}
    total = args.warmup + args.pairs
    groups_run = 0
    gc.disable()  # collected explicitly between steps, never inside a timed one
    try:
        bar = tqdm(range(total), desc=f"{mode} (trainable {trainable / 1e6:.1f}M)", unit="pair", file=sys.stderr)
        for group in bar:
            group_start = time.perf_counter()
            batch = batches[group % len(batches)]
            for name in orders[group % len(orders)]:
                elapsed, cpu, loss = timed_step(model, optimizer, batch, arms[name])
                if group >= args.warmup:
                    times[name].append(elapsed)
                    cpu_times[name].append(cpu)
                    losses[name].append(loss)
            groups_run += 1
            if times[OFF]:
                ratio = statistics.median(paired(times[LAYER], times[OFF]))
                bar.set_postfix(step_s=f"{statistics.median(times[OFF]):.2f}", ratio=f"{ratio:.3f}")
            now = time.perf_counter()
            if deadline is not None and len(times[OFF]) >= args.min_pairs and now + (now - group_start) > deadline:
                bar.write(f"{mode}: time budget spent, stopping after {len(times[OFF])} pairs", file=sys.stderr)
                break
        bar.close()
    finally:
        gc.enable()
    # Sanity: the hooks really fired, and changed the loss (same weights: lr is 0).
    if arms[LAYER].calls != groups_run:
        raise SystemExit(f"{mode}: layer hook fired {arms[LAYER].calls} times for {groups_run} steered steps")
    loss_shift = statistics.median(abs(a - b) for a, b in zip(losses[LAYER], losses[OFF], strict=True))
    if loss_shift == 0:
        raise SystemExit(f"{mode}: steering did not change the loss; the hooks did not act")
    result: dict = {"median_step_s": statistics.median(times[OFF]), "loss_shift": loss_shift, "pairs": len(times[OFF])}
    for name in arms:
        if name == OFF:
            continue
        ratios = paired(times[name], times[OFF])
        result[name] = {
            "ratio": statistics.median(ratios),
            "p25": quantile(ratios, 0.25),
            "p75": quantile(ratios, 0.75),
            "cpu_ratio": statistics.median(paired(cpu_times[name], cpu_times[OFF])),
        }
    del model, optimizer, arms
    gc.collect()
    return result


# ------------------------------------------------------------------------------------ hooks in isolation


class _IdentityStack(nn.Module):
    """The model's config over identity blocks: running it times the hooks (and nn.Module's hook dispatch)
    and nothing else."""

    def __init__(self, config, num_layers: int) -> None:
        super().__init__()
        self.config = config
        self.layers = nn.ModuleList(nn.Identity() for _ in range(num_layers))

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        for block in self.layers:
            hidden = block(hidden)
        return hidden


def hook_cost_ms(
    args: argparse.Namespace, vector: PersonaVector, batches: list[dict], reps: int = 200
) -> dict[str, float]:
    """Median extra milliseconds per training step (forward + backward) that each steering arm's hooks
    add, from interleaved repetitions on a [batch, width, hidden] residual stream that requires grad."""
    model, _ = load_model_and_tokenizer(args.model)
    stack = _IdentityStack(unwrap_model(model).config, len(find_decoder_layers(model)))
    hidden_size = hidden_size_of(model)
    del model
    batch = max(batches, key=lambda b: b["input_ids"].shape[1])  # the widest: an upper bound
    shape = (*batch["input_ids"].shape, hidden_size)
    arms = make_arms(stack, vector, args, all_layers=True)
    batch = {key: value.to(args.device) for key, value in batch.items()}
    x = torch.randn(shape, device=args.device, requires_grad=True)
    upstream = torch.randn(shape, device=args.device)
    samples: dict[str, list[float]] = {name: [] for name in arms}
    for rep in range(reps + 10):
        for name in list(arms) if rep % 2 else list(reversed(arms)):
            steering = arms[name]
            if steering is not None:
                steering.attach()
            synchronize(args.device)
            start = time.perf_counter()
            if steering is not None:
                steering.set_batch(batch["attention_mask"], batch["labels"])
            (stack(x) * upstream).sum().backward()
            synchronize(args.device)
            elapsed = time.perf_counter() - start
            x.grad = None
            if steering is not None:
                steering.detach()
            if rep >= 10:
                samples[name].append(elapsed)
    base = statistics.median(samples[OFF])
    return {name: max(0.0, 1000 * (statistics.median(v) - base)) for name, v in samples.items() if name != OFF}


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)  # transformers/peft deprecation chatter
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    _, tokenizer = load_model_and_tokenizer(args.model)
    rows, _ = load_rows(args.data)
    batches = make_batches(tokenizer, rows, args.batch_size, args.seq_len, args.seed)
    vector = PersonaVector.load(args.vector)
    widths = [b["input_ids"].shape[1] for b in batches]
    answer = statistics.mean(float((b["labels"] != IGNORE_INDEX).sum()) for b in batches)
    print(
        f"model {args.model}, {len(batches)} batches of {args.batch_size} (width {min(widths)}-{max(widths)}, "
        f"{answer:.0f} answer tokens/batch), torch threads {torch.get_num_threads()}, "
        f"up to {args.pairs} pairs + {args.warmup} warm-up per mode",
        flush=True,
    )
    hooks_ms = hook_cost_ms(args, vector, batches)
    print(
        f"hooks alone (fwd+bwd per step): layer {args.layer} {hooks_ms[LAYER]:.3f} ms, "
        f"all layers incremental {hooks_ms[ALL]:.3f} ms",
        flush=True,
    )
    results = {}
    for index, mode in enumerate(args.modes):
        deadline = None
        if args.max_seconds > 0:  # the time left, shared among the modes left
            left = started + args.max_seconds - time.perf_counter()
            deadline = time.perf_counter() + left / (len(args.modes) - index)
        results[mode] = bench_mode(args, mode, vector, batches, deadline)

    summary: dict[str, object] = {}
    for mode, res in results.items():
        step = res["median_step_s"]
        line = f"{mode:>4}: {res['pairs']} pairs, unsteered {step:.3f} s/step, |loss shift| {res['loss_shift']:.4f}"
        for name, label in ((LAYER, f"layer {args.layer}"), (ALL, "all layers incremental")):
            if name in res:
                r = res[name]
                line += (
                    f"\n      {label}: ratio {r['ratio']:.4f} (p25 {r['p25']:.4f}, p75 {r['p75']:.4f}), "
                    f"CPU-time ratio {r['cpu_ratio']:.4f}, hooks-alone estimate {1 + hooks_ms[name] / 1000 / step:.5f}"
                )
        print(line)
        summary[f"{mode}_ratio"] = round(res[LAYER]["ratio"], 4)
        if ALL in res:
            summary[f"{mode}_all_layer_ratio"] = round(res[ALL]["ratio"], 4)
        summary[f"{mode}_cpu_ratio"] = round(res[LAYER]["cpu_ratio"], 4)
        summary[f"{mode}_hook_estimate"] = round(1 + hooks_ms[LAYER] / 1000 / step, 5)
        summary[f"{mode}_all_layer_hook_estimate"] = round(1 + hooks_ms[ALL] / 1000 / step, 5)
        summary[f"{mode}_median_step_s"] = round(step, 4)
        summary[f"{mode}_pairs"] = res["pairs"]
    summary["hook_ms_layer"] = round(hooks_ms[LAYER], 4)
    summary["hook_ms_all_layers"] = round(hooks_ms[ALL], 4)
    summary["threads"] = torch.get_num_threads()
    summary["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
