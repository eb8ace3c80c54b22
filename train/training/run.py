"""One training run from a recipe: load, steer, train with TRL, write the run directory."""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from accelerate import PartialState
from accelerate.utils import set_seed

from train.console import warn
from train.dataprep.chat import load_datasets
from train.dataprep.prepare import PreparedData
from train.errors import PrevsteerError
from train.evaluation.callback import EvaluationCallback
from train.evaluation.evaluator import Evaluator, posthoc_sweep, prepare_probes, write_sweep
from train.files import read_json, write_atomic, write_json
from train.rundir import RunDir
from train.steering.hooks import Steering, SteeringSpec, measure_residual_norms
from train.steering.layers import check_layer_range, find_decoder_layers, hidden_size_of
from train.steering.regularize import ProjectionRegularizer
from train.steering.vectors import PersonaVector
from train.training.distributed import distributed_record
from train.training.metrics_file import MetricsFileCallback
from train.training.preemption import Preempted, PreemptionCallback, restore_steering_calls
from train.training.recipe import Recipe, SteeringSettings, dump_recipe, recipe_files, validate
from train.training.resume import check_run_dir, recipe_differences
from train.training.slurm_job import link_log, slurm_record


def training_defaults() -> dict[str, Any]:
    """Device-dependent defaults, written into the resolved recipe so a run says what it used."""
    cuda = torch.cuda.is_available()
    return {
        "bf16": cuda and torch.cuda.is_bf16_supported(),
        "gradient_checkpointing": cuda,
        "save_strategy": "epoch",
        "save_only_model": False,
    }


def resolve(recipe: Recipe) -> Recipe:
    """Fill device-dependent training defaults in, so recipe.yaml records what the run really used."""
    data = recipe.model_dump(mode="json")
    data["training"] = {**training_defaults(), **data["training"]}
    return validate(data)


def default_output_dir(recipe: Recipe) -> Path:
    return Path("runs") / recipe.name


def sft_config(recipe: Recipe, run_dir: Path):
    """The trainer's arguments, built (and so checked by TRL) once per command: by `train_run` after the model has
    loaded (a live ZeRO-3 config would turn the load into `deepspeed.zero.Init`), or by `prevsteer check`."""
    from trl import SFTConfig

    has_eval = bool(recipe.data.eval or recipe.data.eval_rows)
    strategy = recipe.eval.strategy if has_eval else "no"
    kwargs = {
        "output_dir": str(run_dir),
        "seed": recipe.seed,
        "report_to": recipe.logging.report_to or "none",
        "logging_steps": recipe.logging.steps,
        "run_name": os.environ.get("WANDB_NAME") or recipe.logging.run_name or recipe.name,
        "eval_strategy": strategy,
        "eval_steps": recipe.eval.steps,
        "completion_only_loss": True,
        "use_cpu": not torch.cuda.is_available(),
        **recipe.training,
    }
    try:
        return SFTConfig(**kwargs)
    except (ValueError, TypeError) as exc:
        raise PrevsteerError(f"training: {str(exc).splitlines()[0]}") from None


@contextlib.contextmanager
def logger_env(recipe: Recipe, run: RunDir) -> Iterator[None]:
    """wandb and TensorBoard read settings from the environment: point them at this run, then restore.

    A WANDB_MODE or WANDB_PROJECT the user exported wins over the recipe (clusters set WANDB_MODE=offline). The W&B
    run id is the one run.json keeps (`wandb_run_id`), resumed: every attempt of a requeued run logs to one W&B run,
    as every attempt logs to the one `tensorboard/` folder of its run directory. A sweep point's supervisor sets
    the group (the sweep), the job type (the arm) and the name (the point id).
    """
    values = {"TENSORBOARD_LOGGING_DIR": str(run.tensorboard)}
    if "wandb" in recipe.logging.report_to:
        values |= {
            "WANDB_DIR": str(run.path),
            "WANDB_PROJECT": os.environ.get("WANDB_PROJECT", recipe.logging.wandb_project),
            "WANDB_MODE": os.environ.get("WANDB_MODE", recipe.logging.wandb_mode),
            "WANDB_RESUME": "allow",
        }
        if run.record.get("wandb_run_id"):  # rank 0 wrote it; only rank 0 logs to W&B
            values["WANDB_RUN_ID"] = run.record["wandb_run_id"]
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        wandb = sys.modules.get("wandb") if "wandb" in recipe.logging.report_to else None
        if wandb is not None:  # transformers leaves the run open, and wandb's process-wide setup keeps this WANDB_DIR:
            wandb.finish()  # a later run in this process would log into this one, or into this folder
            wandb.teardown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def calibration_batches(tokenizer, dataset, rows: int, batch_size: int = 8):
    """Tokenised prompt+completion conversations of the first rows, for residual-norm measurement."""
    texts = [
        tokenizer.apply_chat_template(row["prompt"] + row["completion"], tokenize=False)
        for row in dataset.select(range(min(rows, len(dataset))))
    ]
    for start in range(0, len(texts), batch_size):
        yield tokenizer(texts[start : start + batch_size], return_tensors="pt", padding=True, add_special_tokens=False)


def expand_layers(settings: SteeringSettings, num_layers: int) -> list[int]:
    """The steered layers as indices ('all' expanded), checked against the model's depth."""
    layers = list(range(num_layers)) if settings.layers == "all" else settings.layers
    check_layer_range(layers, num_layers)
    return layers


def build_hooks(recipe: Recipe, model, tokenizer, train_ds, vectors, saved: dict[str, Any]):
    """Steering (add/ablate) or regulariser for the recipe's mode, plus the record for steering.json."""
    settings = recipe.steering
    layers = expand_layers(settings, len(find_decoder_layers(model, recipe.model.layers_path)))
    record: dict[str, Any] = {"mode": settings.mode, "layers": layers, "vectors": [v.metadata for v in vectors]}
    if settings.mode == "regularize":
        weight = settings.regularize_weight
        return None, ProjectionRegularizer(model, vectors, layers, weight, recipe.model.layers_path), record
    assert settings.mode != "none"  # called only for a steering mode
    norms = saved.get("residual_norms")
    if settings.unit == "relative" and norms is None:
        norms = measure_residual_norms(
            model, calibration_batches(tokenizer, train_ds, settings.calibration_rows), recipe.model.layers_path
        ).tolist()
    spec = SteeringSpec(
        operator=settings.mode,
        vectors=vectors,
        layers=layers,
        coefficient=settings.coefficient,
        unit=settings.unit,
        incremental=settings.incremental,
        scope=settings.scope,
    )
    steering = Steering(model, spec, norms, recipe.model.layers_path)
    record.update(residual_norms=norms, added_norm_per_layer=steering.added_norms())
    return steering, None, record


def build_evaluator(recipe: Recipe, model) -> Evaluator:
    """The per-epoch evaluation of the recipe's `eval:` section; projections default to the steered layer."""
    settings = recipe.steering
    steered = settings.layers if settings.mode != "none" and isinstance(settings.layers, list) else []
    blocks = find_decoder_layers(model, recipe.model.layers_path)
    probes = prepare_probes(recipe.eval, len(blocks), hidden_size_of(model), steered[0] if len(steered) == 1 else None)
    return Evaluator(recipe.eval, probes)


def apply_lora(recipe: Recipe, model):
    if recipe.model.lora is None:
        return model
    from peft import LoraConfig, get_peft_model

    lora = recipe.model.lora
    config = LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,  # type: ignore[arg-type]  # peft annotates it int; a float scales the same
        lora_dropout=lora.dropout,
        use_rslora=lora.use_rslora,
        target_modules=lora.target_modules,
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)


def open_run_dir(recipe: Recipe, output_dir: Path | None, resume: bool) -> RunDir:
    """The run directory a training run will write, checked (`check_run_dir`). Call it before the process group
    forms (before the first `PartialState()`), on every rank."""
    run = RunDir(Path(output_dir or default_output_dir(recipe)).resolve())
    check_run_dir(run, resume)
    return run


def train_run(recipe: Recipe, prepared: PreparedData, run: RunDir, resume: bool = False) -> Path:
    """Train a resolved recipe on its prepared data (the data stage ran before) into a run directory from
    `open_run_dir`; returns its path. A preemption notice (SIGUSR1, or the run folder's notice file) that arrives
    from here on, even while the model loads, stops training at a complete checkpoint (`Preempted`)."""
    with PreemptionCallback(run=run) as preemption:
        return _train_run(recipe, prepared, run, resume, preemption)


def _train_run(
    recipe: Recipe, prepared: PreparedData, run: RunDir, resume: bool, preemption: PreemptionCallback
) -> Path:
    from train.models.loading import load_model_and_tokenizer
    from train.training.trainer import PreventativeSFTTrainer

    state = PartialState()
    saved_steering: dict[str, Any] = {}
    checkpoint = None
    if resume:
        changed = recipe_differences(run.stored_recipe(), recipe.model_dump(mode="json"))
        if changed:
            raise PrevsteerError(f"resume: the recipe differs from {run.recipe} in {', '.join(changed[:5])}")
        used = run.record.get("data", {}).get("sha256")
        if used is not None and used != prepared.sha256:
            msg = f"resume: the prepared training data {prepared.path} is not the file the run started with"
            raise PrevsteerError(f"{msg} (sha256 {prepared.sha256[:12]}, recorded {used[:12]})")
        checkpoints = run.checkpoints()
        checkpoint = str(checkpoints[-1]) if checkpoints else None
        if checkpoint is None:
            raise PrevsteerError(f"resume: no complete checkpoint-* folder in {run.path} to resume from")
        saved_steering = read_json(run.steering_file)
    state.wait_for_everyone()

    vector_files = [Path(p) for p in recipe.steering.vector_paths] if recipe.steering.mode != "none" else []
    if resume:  # the exact vectors the run started with
        vector_files = [run.vector_copy(i, p) for i, p in enumerate(vector_files)]
    vectors = [PersonaVector.load(p) for p in vector_files]

    # Seed before the LoRA adapters are initialised: their init is random, and every rank must start from the same
    # weights (ZeRO-3 keeps each rank's own partition; DDP would hide a mismatch by broadcasting rank 0's).
    set_seed(recipe.seed)
    model, tokenizer = load_model_and_tokenizer(recipe.model.name, recipe.model.dtype, recipe.model.layers_path)
    train_ds, eval_ds, counts = load_datasets(recipe.data.model_copy(update={"train": str(prepared.path)}), recipe.seed)
    model = apply_lora(recipe, model)
    steering, regularizer, steering_record = (None, None, {"mode": "none"})
    if recipe.steering.mode != "none":
        hooks = build_hooks(recipe, model, tokenizer, train_ds, vectors, saved_steering)
        steering, regularizer, steering_record = hooks

    args = sft_config(recipe, run.path)
    if state.is_main_process:
        if not resume:
            write_atomic(run.recipe, dump_recipe(recipe))
            for i, path in enumerate(vector_files):
                write_atomic(run.vector_copy(i, path), path.read_bytes())
            write_json(run.steering_file, steering_record)
        screening = prepared.manifest.get("screening")
        if screening is not None:
            write_atomic(run.screening_file, (Path(screening) / "summary.json").read_bytes())
        slurm = slurm_record()
        link_log(run.path, slurm)
        info = run_info(world_size=state.num_processes, data=prepared.record(), **counts)
        if "wandb" in recipe.logging.report_to:  # one W&B run across every attempt (requeues, resumes)
            info["wandb_run_id"] = (run.record.get("wandb_run_id") if resume else None) or uuid.uuid4().hex[:8]
        run.start(**info, **({"slurm": slurm} if slurm else {}))
    state.wait_for_everyone()

    evaluator = build_evaluator(recipe, model)
    with logger_env(recipe, run):
        trainer = PreventativeSFTTrainer(
            model=model,
            args=args,
            train_dataset=train_ds,
            eval_dataset=eval_ds,
            processing_class=tokenizer,
            callbacks=[MetricsFileCallback(run)],
            steering=steering,
            regularizer=regularizer,
        )
        if evaluator.enabled:
            put_off = checkpoint is not None and RunDir.checkpoint_info(Path(checkpoint)).get("evaluation_put_off")
            callback = EvaluationCallback(evaluator, run, steering or regularizer, preemption, bool(put_off))
            callback.trainer = trainer
            trainer.add_callback(callback)
        preemption.hooks = steering or regularizer
        trainer.add_callback(preemption)  # after the evaluation: a signal during it is honoured right after it
        if checkpoint is not None:
            restore_steering_calls(steering or regularizer, Path(checkpoint))
        try:
            trainer.train(resume_from_checkpoint=checkpoint)
        except Preempted:  # run.json already says so (written before any rank left)
            raise
        except BaseException as exc:
            if state.is_main_process:
                run.fail(exc)
            raise
    hook_calls = getattr(steering or regularizer, "calls", 0)
    # Collective (ZeRO-3 gathers shards), so every rank calls it; rank 0 writes it below.
    assert trainer.model is not None  # the Trainer was given the model
    record = distributed_record(trainer.model, hook_calls, trainer.model_wrapped, trainer.accelerator)
    trainer.save_model(str(run.final))  # every rank: ZeRO-3 gathers the weights collectively
    if recipe.eval.posthoc is not None:
        rows = posthoc_sweep(evaluator, trainer.model, tokenizer, recipe.eval.posthoc, run.posthoc)
        if state.is_main_process:
            write_sweep(rows, run.posthoc, f"{recipe.name}: post-hoc steering of the final model", recipe.eval)
    if state.is_main_process:
        tokenizer.save_pretrained(run.final)
        write_json(run.distributed_file, record)
        run.complete(final=run.final.name)
    state.wait_for_everyone()
    return run.path


def preflight(recipe: Recipe) -> None:
    """Check a resolved recipe against the model's shape (layers, hidden size) without loading its weights."""
    from train.dataprep.builders import BUILDERS, allowed_names, is_study, is_trait
    from train.dataprep.builders.external import study_dataset_file
    from train.models.loading import model_shape

    num_layers, hidden = model_shape(recipe.model.name)
    build, data_filter, evaluation = recipe.data.build, recipe.data.filter, recipe.eval
    if build is not None and is_study(build.name):
        study_dataset_file(build.name, build.level, build.source)  # the released file is there (one line if not)
    elif build is not None and build.name not in BUILDERS and not is_trait(build.name):
        raise PrevsteerError(f"data.build.name: unknown dataset {build.name!r}; allowed: {allowed_names()}")
    for field, path in recipe_files(recipe):
        unused = field.startswith("steering.") and recipe.steering.mode == "none"
        if field.split("[")[0].endswith(".vector") and not unused:
            vector = PersonaVector.load(path)
            vector.check_compatible(num_layers, hidden, f"{field} {path}")
            made = vector.other_model(recipe.model.name)
            if made is not None:  # same shape, other model (a base vs instruct model, another fine-tune)
                warn(
                    f"{field} {path} was extracted from {made}, but the recipe trains {recipe.model.name}: "
                    "a persona vector is a direction of the model it was measured in"
                )
    layers = [("data.filter.layer", [data_filter.layer])] if data_filter and data_filter.layer is not None else []
    layers += [(f"eval.traits[{t.name}].layer", [t.layer]) for t in evaluation.traits if t.layer is not None]
    if evaluation.posthoc and evaluation.posthoc.layers != "all":
        layers.append(("eval.posthoc.layers", evaluation.posthoc.layers))
    for field, indices in layers:
        check_layer_range(indices, num_layers, field)
    if recipe.steering.mode != "none":
        expand_layers(recipe.steering, num_layers)


def run_info(**extra: Any) -> dict[str, Any]:
    """What `run.json` records about the software besides the run's own fields."""
    import peft
    import torch
    import transformers
    import trl

    versions = {m.__name__: m.__version__ for m in (torch, transformers, trl, peft)}
    return {"command": " ".join(sys.argv), "versions": versions, **extra}
