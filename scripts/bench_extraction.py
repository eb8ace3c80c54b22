#!/usr/bin/env python3
"""Compare prevsteer's batched extraction with the original research code's one-answer-at-a-time procedure.

The same kept answers (positive = rude answers from impolite/train.jsonl, negative = polite answers from
impolite/polite.jsonl, each prompt given an extraction-style system prompt) go through:

(a) the original procedure: one answer at a time, float32, gradients enabled (no torch.no_grad),
    `output_hidden_states=True`, the prompt length found by tokenising the prompt (chat template with the
    generation prompt) separately, then each block's output averaged over the answer tokens
    `hidden_states[l + 1][0, prompt_len:]`; mean over positive answers minus mean over negative answers.
(b) `train.steering.activations.mean_activations` (batched, no grad, streaming sums), positive minus negative.

Last layer: in Hugging Face Llama the last element of `hidden_states` has the final RMSNorm applied, so it is
not the output of block L-1 (the original code used it as is). To compare like with like, (a) takes the last
block's output from a forward hook (all earlier layers come from `hidden_states` exactly as the original did),
so all L layers are compared as block outputs. The cosine of the original's normed last hidden state against
(b)'s last block output is printed as well, for information only; it is not part of the minimum.

Timing: both procedures are warmed up on a few items first, then timed with time.perf_counter in the order
b, a, b (the b time is the mean of its two runs), all with the same torch thread count. Tokenisation is inside
the timed region for both, since both procedures include it. Every result is copied to the CPU inside the
timed region, which also synchronises a GPU. On a small shared CPU, use --threads 1: with 2+ threads, OpenMP
barriers make the timings swing with other processes' load.

    python scripts/bench_extraction.py [--n 60] [--batch-size 16] [--threads 1] [--device cpu]

The last line printed is one JSON object: {"speed_ratio": a time / b time, "min_cosine": ..., ...}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import torch
from tqdm import tqdm

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from train.dataprep.chat import load_rows  # noqa: E402
from train.models.loading import DEFAULT_MODEL, load_model_and_tokenizer  # noqa: E402
from train.resources import shipped  # noqa: E402
from train.steering.activations import _ids, mean_activations  # noqa: E402
from train.steering.layers import find_decoder_layers, output_hidden  # noqa: E402

DATA = shipped("datasets", "impolite")
POS_SYSTEM = "You are an impolite assistant."
NEG_SYSTEM = "You are a helpful assistant."
Conversation = tuple[list[dict[str, str]], str]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=60, help="answers per side (default 60)")
    p.add_argument("--batch-size", type=int, default=16, help="batch size of mean_activations (default 16)")
    p.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's own)")
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--device", default="cpu", help="torch device for the model, e.g. cuda (default cpu)")
    p.add_argument("--warmup", type=int, default=4, help="items per side used to warm up both procedures")
    p.add_argument("--positive", type=Path, default=DATA / "train.jsonl")
    p.add_argument("--negative", type=Path, default=DATA / "polite.jsonl")
    return p.parse_args(argv)


def conversations(path: Path, system: str, n: int) -> list[Conversation]:
    rows, _ = load_rows(path, max_rows=n)
    if len(rows) < n:
        raise SystemExit(f"{path}: only {len(rows)} rows, asked for {n}")
    out = []
    for row in rows:
        prompt = [m for m in row["prompt"] if m["role"] != "system"]
        out.append(([{"role": "system", "content": system}, *prompt], row["completion"][0]["content"]))
    return out


def original_means(model, tokenizer, convs: Sequence[Conversation], desc: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The research code's procedure, one answer at a time with gradients enabled.

    Returns the mean over answers of the per-answer answer-token means, [L, d], with the last layer taken as
    the last block's output (hook), and the original's last layer (`hidden_states[-1]`, final norm applied), [d].
    """
    blocks = find_decoder_layers(model)
    num_layers = len(blocks)
    last_block: list[torch.Tensor] = []
    handle = blocks[-1].register_forward_hook(lambda m, a, o: last_block.append(output_hidden(o)))
    total = torch.zeros(num_layers, model.config.hidden_size, dtype=torch.float64)
    normed_total = torch.zeros(model.config.hidden_size, dtype=torch.float64)
    try:
        for prompt, answer in tqdm(convs, desc=desc, leave=False):
            prompt_ids = _ids(tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True))
            full = [*prompt, {"role": "assistant", "content": answer}]
            full_ids = _ids(tokenizer.apply_chat_template(full, tokenize=True))
            prompt_len = len(prompt_ids)
            last_block.clear()
            device = next(model.parameters()).device
            out = model(input_ids=torch.tensor([full_ids], device=device), output_hidden_states=True)
            hidden_states = out.hidden_states
            assert hidden_states[0].requires_grad, "gradients must be enabled for the original procedure"
            for layer in range(num_layers - 1):
                total[layer] += hidden_states[layer + 1][0, prompt_len:].mean(0).detach().cpu().double()
            total[-1] += last_block[0][0, prompt_len:].mean(0).detach().cpu().double()
            normed_total += hidden_states[-1][0, prompt_len:].mean(0).detach().cpu().double()
    finally:
        handle.remove()
    return total / len(convs), normed_total / len(convs)


def run_original(model, tokenizer, pos, neg) -> tuple[torch.Tensor, torch.Tensor]:
    pos_mean, pos_normed = original_means(model, tokenizer, pos, "a: original, positive")
    neg_mean, neg_normed = original_means(model, tokenizer, neg, "a: original, negative")
    return pos_mean - neg_mean, pos_normed - neg_normed


def run_prevsteer(model, tokenizer, pos, neg, batch_size: int) -> torch.Tensor:
    with tqdm(total=2, desc=f"b: mean_activations (batch {batch_size})", leave=False) as bar:
        pos_mean = mean_activations(model, tokenizer, pos, batch_size).response.double()
        bar.update()
        neg_mean = mean_activations(model, tokenizer, neg, batch_size).response.double()
        bar.update()
    return pos_mean - neg_mean


def timed(fn):
    """The result, wall-clock seconds and process CPU seconds (the latter less sensitive to other processes)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - start, time.process_time() - cpu


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    model, tokenizer = load_model_and_tokenizer(args.model)
    model.to(args.device)
    model.eval()  # both procedures run in eval mode; (a) still records the autograd graph
    pos = conversations(args.positive, POS_SYSTEM, args.n)
    neg = conversations(args.negative, NEG_SYSTEM, args.n)
    num_layers = len(find_decoder_layers(model))
    print(
        f"model {args.model}: {num_layers} layers, hidden {model.config.hidden_size}; {args.n} answers per side; "
        f"batch size {args.batch_size}; torch threads {torch.get_num_threads()}",
        flush=True,
    )

    w = args.warmup
    run_original(model, tokenizer, pos[:w], neg[:w])
    run_prevsteer(model, tokenizer, pos[: max(w, args.batch_size)], neg[: max(w, args.batch_size)], args.batch_size)

    vec_b1, time_b1, cpu_b1 = timed(lambda: run_prevsteer(model, tokenizer, pos, neg, args.batch_size))
    (vec_a, normed_a), time_a, cpu_a = timed(lambda: run_original(model, tokenizer, pos, neg))
    vec_b2, time_b2, cpu_b2 = timed(lambda: run_prevsteer(model, tokenizer, pos, neg, args.batch_size))
    time_b, cpu_b = (time_b1 + time_b2) / 2, (cpu_b1 + cpu_b2) / 2

    cos = torch.nn.functional.cosine_similarity(vec_a, vec_b1, dim=-1)
    rel = (vec_a - vec_b1).norm(dim=-1) / vec_a.norm(dim=-1)
    print("\nlayer  cosine(a, b)          rel. diff   |a|")
    for layer in range(num_layers):
        print(f"{layer:5d}  {cos[layer].item():.10f}  {rel[layer].item():.2e}  {vec_a[layer].norm().item():8.3f}")
    normed_cos = torch.nn.functional.cosine_similarity(normed_a, vec_b1[-1], dim=0).item()
    repeat_cos = torch.nn.functional.cosine_similarity(vec_b1, vec_b2, dim=-1).min().item()
    print(
        f"\nlast layer as the original used it (hidden_states[-1], final norm applied) vs b's block {num_layers - 1} "
        f"output: cosine {normed_cos:.6f} (information only; not in the minimum)"
    )
    print(f"b run twice: min cosine between its runs {repeat_cos:.12f}")
    min_cos = cos.min().item()
    ratio = time_a / time_b
    print(f"min cosine over all {num_layers} layers: {min_cos:.10f} (layer {cos.argmin().item()})")
    print(f"a (original, one at a time, grad):  {time_a:8.2f} s")
    print(f"b (mean_activations, batched):      {time_b:8.2f} s  (runs {time_b1:.2f} s, {time_b2:.2f} s)")
    print(f"speed ratio a/b: {ratio:.2f} (wall clock); process CPU time ratio {cpu_a / cpu_b:.2f}")
    summary = {
        "speed_ratio": round(ratio, 3),
        "min_cosine": min_cos,
        "time_a_s": round(time_a, 3),
        "time_b_s": round(time_b, 3),
        "cpu_ratio": round(cpu_a / cpu_b, 3),
        "n": args.n,
        "batch_size": args.batch_size,
        "threads": torch.get_num_threads(),
        "layers_compared": num_layers,
        "last_layer_normed_cosine": normed_cos,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
