"""Evaluation of one model: trait expression, coherence, projection on persona vectors, broad misalignment, MMLU.

`Evaluator` runs what a recipe's `eval:` section asks for. The training callback (train/eval_callback.py)
runs it after every epoch with training-time steering inactive, and `prevsteer eval` runs it on a base
model, a fine-tuned model, an adapter or a run directory, optionally under post-hoc steering
`h[l] <- h[l] - a * v[l]` for a list of coefficients (docs/method.md, "Post-hoc steering").

The study's protocol by default: each evaluation question answered `samples` times (10) at temperature 1 and
top-p 1, up to 1000 new tokens; the trait score is the mean over the judged answers, reported with its standard
error over questions. Post-hoc steering acts on generation and MMLU only (at the study's `response` positions
unless set otherwise); projections are measured on unsteered forwards of the steered answers, as the study did.

Distributed: generation, projections and MMLU are split across ranks and gathered; the judge runs on the
main process only (one cache writer, one set of API calls) and its figures are broadcast, so every rank
returns the same metrics. Every rank must call `evaluate`.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from train.console import say
from train.errors import PrevsteerError
from train.evaluation.eval_settings import EvalRunSettings, EvalSettings, PosthocSettings, TraitEvalSettings
from train.evaluation.held_out import load_held_out, measure_held_out
from train.evaluation.misalignment import (
    OFFLINE_PROXY,
    OFFLINE_PROXY_TRAIT,
    QuestionSet,
    format_report,
    judge_samples,
    load_misalignment,
    misalignment_report,
    report_metrics,
    samples_of,
)
from train.evaluation.sharding import map_sharded
from train.files import refuse_overwrite, write_json, write_jsonl
from train.judges.base import Judge, score_answers
from train.judges.factory import judge_for_trait, parse_judge_spec
from train.models.generation import generate_answers
from train.models.sampling import Sampling
from train.persona.traits import TraitArtifact, load_trait
from train.steering.activations import answer_means
from train.steering.hooks import SteeringSpec, steer
from train.steering.layers import find_decoder_layers, hidden_size_of
from train.steering.vectors import PersonaVector


@dataclass
class TraitProbe:
    """A trait to measure: its evaluation questions and, optionally, the unit vector to project answers on."""

    trait: TraitArtifact
    questions: list[str]
    settings: TraitEvalSettings
    vector_path: str | None = None
    layer: int | None = None
    unit: torch.Tensor | None = None


def _is_main() -> bool:
    distributed = torch.distributed.is_available() and torch.distributed.is_initialized()
    return not distributed or torch.distributed.get_rank() == 0


def _broadcast(value: Any) -> Any:
    """The main process's value on every rank."""
    if not (torch.distributed.is_available() and torch.distributed.is_initialized()):
        return value
    box = [value]
    torch.distributed.broadcast_object_list(box, src=0)
    return box[0]


def prepare_probes(
    settings: EvalSettings, num_layers: int, hidden: int, default_layer: int | None = None
) -> list[TraitProbe]:
    """Load the traits and vectors an `eval:` section names and check them against the model's shape.

    A probe's layer is, in order: its own `layer`, the vector's `selected_layer` metadata, `default_layer`.
    """
    probes = []
    for item in settings.traits:
        trait = load_trait(item.name)
        questions = trait.evaluation_questions[: item.questions]
        probe = TraitProbe(trait, questions, item)
        if item.vector is not None:
            vector = PersonaVector.load(item.vector)
            vector.check_compatible(num_layers, hidden, f"eval.traits[{item.name}].vector")
            layer = next(
                (x for x in (item.layer, vector.metadata.get("selected_layer"), default_layer) if x is not None), None
            )
            if layer is None:
                raise PrevsteerError(
                    f"eval.traits[{item.name}].layer: needed to project on {item.vector} "
                    "(the vector records no selected_layer)"
                )
            if not 0 <= int(layer) < num_layers:
                raise PrevsteerError(f"eval.traits[{item.name}].layer: {layer} is out of range 0..{num_layers - 1}")
            probe.vector_path, probe.layer = item.vector, int(layer)
            probe.unit = torch.nn.functional.normalize(vector.vector[probe.layer].float(), dim=0)
        probes.append(probe)
    return probes


class Evaluator:
    """Trait scores, coherence, projections, broad misalignment and MMLU of a model, as `eval/...` metrics."""

    def __init__(
        self,
        settings: EvalSettings,
        probes: list[TraitProbe],
        cache: str | Path | None = None,
        question_set: QuestionSet | None = None,
    ) -> None:
        """`question_set`: settings.misalignment's file, when already loaded (else it is loaded here: before
        training, so a malformed file fails early)."""
        self.settings = settings
        self.probes = probes
        self.cache = cache
        self._judges: dict[str, Judge] = {}
        self.question_set = question_set or load_misalignment(settings)
        self.held_out = None if settings.held_out is None else load_held_out(settings.held_out)

    @property
    def enabled(self) -> bool:
        return bool(self.probes) or any(x is not None for x in (self.question_set, self.settings.mmlu, self.held_out))

    @property
    def offline(self) -> bool:
        return parse_judge_spec(self.settings.judge).backend == "offline"

    def _judge(self, trait: str) -> Judge:
        if trait not in self._judges:
            settings = self.settings
            self._judges[trait] = judge_for_trait(settings.judge, trait, settings.judge_base_url, self.cache)
        return self._judges[trait]

    def _generate(
        self,
        model,
        tokenizer,
        prompts: list[list[dict[str, str]]],
        sampling: Sampling,
        max_new_tokens: int,
        seed: int,
        steering: SteeringSpec | None,
    ) -> list[str]:
        """Answers decoded with `sampling` (each parameter explicit), seeded, under the post-hoc `steering` if any.
        Training's random state is left as it was."""
        batch_size = self.settings.batch_size

        def run(shard: list) -> list[str]:
            return generate_answers(
                model, tokenizer, shard, max_new_tokens=max_new_tokens, batch_size=batch_size, sampling=sampling
            )

        devices = [torch.cuda.current_device()] if torch.cuda.is_available() else []
        with torch.random.fork_rng(devices=devices), _steered(model, steering):
            torch.manual_seed(seed)
            return map_sharded(prompts, run)

    def _misalignment(self, model, tokenizer, out_dir: Path | None, steering: SteeringSpec | None) -> dict[str, float]:
        """Sampled answers to the question set, judged aligned and coherent; the metrics on the main process."""
        settings, questions = self.settings.misalignment, self.question_set
        assert settings is not None and questions is not None
        samples = samples_of(questions, settings)
        prompts = [s.messages for s in samples]
        answers = self._generate(model, tokenizer, prompts, settings, settings.max_new_tokens, settings.seed, steering)
        if not _is_main():
            return {}
        note = OFFLINE_PROXY if self.offline else f"{self.settings.judge}, with the file's aligned and coherent prompts"
        judge = self._judge(OFFLINE_PROXY_TRAIT)  # the trait matters to the offline judge only
        rows, aligned_report, coherent_report = judge_samples(judge, self.offline, samples, answers)
        say(
            f"eval: misalignment, {questions.describe()}; aligned {aligned_report}, coherent "
            f"{coherent_report}; judge: {note}"
        )
        report = misalignment_report(rows, settings)
        if out_dir is not None:
            write_jsonl(out_dir / "misalignment.jsonl", rows)
            record = {
                "file": str(questions.path),
                "judge": note,
                "skipped_types": questions.skipped,
                "settings": settings.model_dump(),
                **report,
            }
            write_json(out_dir / "misalignment.json", record)
            (out_dir / "misalignment.md").write_text(format_report(report, settings, note))
        return report_metrics(report)

    def _projections(
        self, model, tokenizer, probe: TraitProbe, questions: list[str], answers: list[str]
    ) -> list[float]:
        """Each answer's answer-token mean at the probe's layer on its unit vector, in forwards the caller leaves
        unsteered."""
        conversations = [([{"role": "user", "content": q}], a) for q, a in zip(questions, answers, strict=True)]
        unit = probe.unit
        assert unit is not None  # evaluate() projects only on probes with a vector

        def run(shard: list) -> list[float]:
            means = answer_means(model, tokenizer, shard, batch_size=self.settings.batch_size)
            return (means[:, probe.layer] @ unit).tolist()

        return map_sharded(conversations, run)

    def evaluate(
        self, model, tokenizer, out_dir: Path | None = None, steering: SteeringSpec | None = None
    ) -> dict[str, float]:
        """All configured measurements; writes the judged answers (and MMLU per subject) into `out_dir`.

        `steering` (post-hoc) is attached while answers are generated and MMLU is scored, never while projections
        are measured."""
        metrics: dict[str, float] = {}
        coherence: list[float | None] = []
        coherence_questions: list[tuple[str, int]] = []
        for probe in self.probes:
            name, item = probe.trait.name, probe.settings
            asked = [(i, question) for i, question in enumerate(probe.questions) for _ in range(item.samples)]
            questions = [question for _, question in asked]
            prompts = [[{"role": "user", "content": question}] for question in questions]
            answers = self._generate(model, tokenizer, prompts, item, item.max_new_tokens, item.seed, steering)
            projections = None
            if probe.unit is not None:
                projections = self._projections(model, tokenizer, probe, questions, answers)
            if not _is_main():
                continue
            rows: list[dict[str, Any]] = [
                {"question": question, "question_index": i, "answer": answer}
                for (i, question), answer in zip(asked, answers, strict=True)
            ]
            rows, trait_report, coherence_report = score_answers(self._judge(name), probe.trait.judge_rubric, rows)
            index = [row["question_index"] for row in rows]
            score, score_se = question_mean_se([r["trait_score"] for r in rows], index)
            if score is None:
                say(f"eval: no answer about {name} could be scored ({trait_report})")
            else:
                metrics[f"eval/trait/{name}"] = score
                if score_se is not None:
                    metrics[f"eval/trait_se/{name}"] = score_se
            metrics[f"eval/unscored/{name}"] = float(trait_report.failed + coherence_report.failed)
            coherence += [r["coherence"] for r in rows]
            coherence_questions += [(name, i) for i in index]
            if projections is not None:
                for row, value in zip(rows, projections, strict=True):
                    row["projection"] = value
                mean, se = question_mean_se(projections, index)
                assert mean is not None  # one projection per row, and every trait has questions
                metrics[f"eval/projection/{name}"] = mean
                if se is not None:
                    metrics[f"eval/projection_se/{name}"] = se
            if out_dir is not None:
                write_jsonl(out_dir / f"{name}.jsonl", rows)
        mean_coherence, coherence_se = question_mean_se(coherence, coherence_questions)
        if mean_coherence is not None:
            metrics["eval/coherence"] = mean_coherence
            if coherence_se is not None:
                metrics["eval/coherence_se"] = coherence_se
        if self.question_set is not None:
            metrics.update(self._misalignment(model, tokenizer, out_dir, steering))
        if self.settings.mmlu is not None:
            from train.evaluation.mmlu import run_mmlu

            with _steered(model, steering):
                result = run_mmlu(model, tokenizer, self.settings.mmlu)
            metrics["eval/mmlu"] = result.accuracy
            metrics["eval/mmlu_p_correct"] = result.p_correct
            # standard errors over questions (absent for one question)
            if result.accuracy_se is not None and result.p_correct_se is not None:
                metrics["eval/mmlu_se"] = result.accuracy_se
                metrics["eval/mmlu_p_correct_se"] = result.p_correct_se
            if out_dir is not None and _is_main():
                write_json(out_dir / "mmlu.json", result.to_dict())
        if self.held_out is not None:
            with _steered(model, steering):
                measured, rows = measure_held_out(model, tokenizer, self.held_out, self.settings.batch_size)
            metrics.update(measured)
            if out_dir is not None and _is_main():
                write_jsonl(out_dir / "held_out.jsonl", rows)
        return _broadcast(metrics)


def _steered(model, spec: SteeringSpec | None) -> AbstractContextManager:
    return nullcontext() if spec is None else steer(model, spec)


def question_mean_se(
    values: Sequence[float | None], questions: Sequence[Hashable]
) -> tuple[float | None, float | None]:
    """The mean of the values that exist (the study's: over every judged answer) and its standard error over
    questions: the standard deviation of the per-question means over the square root of the number of questions.
    The samples of one question share it, so they are not independent draws: averaging them first keeps them from
    shrinking the error. The error is None with fewer than two questions."""
    by_question: dict[Hashable, list[float]] = defaultdict(list)
    for value, question in zip(values, questions, strict=True):
        if value is not None:
            by_question[question].append(value)
    if not by_question:
        return None, None
    mean = statistics.fmean(v for group in by_question.values() for v in group)
    means = [statistics.fmean(group) for group in by_question.values()]
    return mean, statistics.stdev(means) / math.sqrt(len(means)) if len(means) > 1 else None


def posthoc_spec(settings: PosthocSettings, vector: PersonaVector, num_layers: int, coefficient: float) -> SteeringSpec:
    """Subtract `coefficient * v[l]` at the chosen layers (incremental differences when asked), at `positions`."""
    layers = list(range(num_layers)) if settings.layers == "all" else settings.layers
    return SteeringSpec(
        operator="add",
        vectors=[vector],
        layers=layers,
        coefficient=-coefficient,
        incremental=settings.incremental,
        when="always",
        positions=settings.positions,
    )


def posthoc_sweep(evaluator: Evaluator, model, tokenizer, settings: PosthocSettings, out: Path) -> list[dict]:
    """Evaluate under post-hoc steering for every coefficient (0: no hooks at all); rows of {coefficient, metrics...}.
    The steering acts on generation and MMLU; projections are measured on the steered answers without it."""
    num_layers = len(find_decoder_layers(model))
    vector = PersonaVector.load(settings.vector)
    vector.check_compatible(num_layers, hidden_size_of(model), "eval.posthoc.vector")
    rows = []
    for coefficient in settings.coefficients:
        say(f"eval: post-hoc steering, coefficient {coefficient:g}")
        folder = out / f"coefficient-{coefficient:g}"
        spec = posthoc_spec(settings, vector, num_layers, coefficient) if coefficient != 0 else None
        metrics = evaluator.evaluate(model, tokenizer, folder, spec)
        rows.append({"coefficient": coefficient, **metrics})
    return rows


POSITIONS = {
    "response": "the last position of every forward: the prompt's last token, then each generated token (the study's)",
    "prompt": "every position of the prompt's forward, no generated token",
    "all": "every position of every forward",
}


def describe_protocol(settings: EvalSettings) -> list[str]:
    """How each measurement was made, one markdown line each: what report.md and sweep.md state under their tables."""
    lines = []
    for item in settings.traits:
        lines.append(
            f"- {item.name}: {item.questions or 'all'} evaluation questions x {item.samples} answers, "
            f"{item.describe()}, up to {item.max_new_tokens} new tokens, seed {item.seed}; the score is the mean over "
            "the judged answers, `_se` its standard error over questions"
        )
    if settings.misalignment is not None:
        misalignment = settings.misalignment
        lines.append(
            f"- misalignment: {misalignment.describe()}, up to {misalignment.max_new_tokens} new tokens, "
            f"seed {misalignment.seed}"
        )
    if settings.mmlu is not None:
        subset = "full test set" if settings.mmlu.per_subject is None else f"{settings.mmlu.per_subject} per subject"
        lines.append(f"- MMLU: {subset}, {settings.mmlu.shots}-shot, {settings.mmlu.format} format")
    if settings.held_out is not None:
        held_out = settings.held_out
        also = f"; preference for `{Path(held_out.trait_answers).name}`" if held_out.trait_answers else ""
        lines.append(f"- held-out answers, teacher-forced: perplexity of `{Path(held_out.answers).name}`{also}")
    if settings.posthoc is not None:
        posthoc = settings.posthoc
        layers = "all layers" if posthoc.layers == "all" else f"layers {', '.join(map(str, posthoc.layers))}"
        lines.append(
            f"- post-hoc steering h <- h - a v at {layers}{' (incremental)' if posthoc.incremental else ''}, positions "
            f"`{posthoc.positions}` ({POSITIONS[posthoc.positions]}); projections measured without steering"
        )
    return lines


def write_sweep(rows: list[dict], out: Path, title: str, settings: EvalSettings | None = None) -> None:
    """`sweep.csv`, `sweep.md` and `sweep.png` (trait scores and MMLU against the subtracted coefficient); sweep.md
    states the protocol when `settings` are given."""
    columns = ["coefficient", *sorted({key for row in rows for key in row} - {"coefficient"})]
    with (out / "sweep.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    protocol = describe_protocol(settings) if settings is not None else []
    text = markdown_table(rows, columns, title) + "".join(f"\n{line}" for line in protocol)
    (out / "sweep.md").write_text(text + ("\n" if protocol else ""))
    plot_sweep(rows, out / "sweep.png", title)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return "" if value is None else str(value)


def markdown_table(rows: list[dict], columns: list[str], title: str) -> str:
    lines = [f"## {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def plot_sweep(rows: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    coefficients = [row["coefficient"] for row in rows]
    fig, left = plt.subplots(figsize=(6, 4))
    for key in sorted({k for row in rows for k in row if k.startswith(("eval/trait/", "eval/coherence"))}):
        left.plot(
            coefficients, [row.get(key, float("nan")) for row in rows], marker="o", label=key.removeprefix("eval/")
        )
    left.set_xlabel("post-hoc coefficient a (h <- h - a v)")
    left.set_ylabel("judge score (0-100)")
    handles, labels = left.get_legend_handles_labels()
    if any("eval/mmlu" in row for row in rows):
        right = left.twinx()
        line = right.plot(coefficients, [100 * row.get("eval/mmlu", float("nan")) for row in rows], "k--", marker="s")
        right.set_ylabel("MMLU accuracy (%)")
        handles, labels = [*handles, *line], [*labels, "mmlu"]
    left.legend(handles, labels, loc="best", fontsize=8)
    left.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run_eval(run: EvalRunSettings) -> Path:
    """`prevsteer eval`: evaluate a model (optionally under a post-hoc sweep); writes eval.json and report.md."""
    from train.models.loading import load_any_model

    refuse_overwrite(run.out, run.force, folder=True)
    settings, out, model_name, cache = run.eval, run.out, run.model, run.cache
    adapter = str(run.adapter) if run.adapter else None
    question_set = load_misalignment(settings)  # a malformed question file fails before the model loads
    model, tokenizer = load_any_model(model_name, adapter)
    layers = find_decoder_layers(model)
    default_layer = settings.posthoc.layers[0] if settings.posthoc and settings.posthoc.layers != "all" else None
    probes = prepare_probes(settings, len(layers), hidden_size_of(model), default_layer)
    evaluator = Evaluator(settings, probes, cache, question_set)
    if not evaluator.enabled:
        raise PrevsteerError("nothing to evaluate: name at least one --trait, or --misalignment, --mmlu or --held-out")
    if settings.posthoc is not None:
        rows = posthoc_sweep(evaluator, model, tokenizer, settings.posthoc, out)
    else:
        rows = [{"coefficient": 0.0, **evaluator.evaluate(model, tokenizer, out / "coefficient-0")}]
    if _is_main():
        title = f"{model_name}{f' + {adapter}' if adapter else ''}"
        protocol = describe_protocol(settings)
        record = {
            "model": model_name,
            "adapter": adapter,
            "settings": settings.model_dump(),
            "protocol": protocol,
            "rows": rows,
        }
        write_json(out / "eval.json", record)
        if len(rows) > 1:
            write_sweep(rows, out, f"{title}: post-hoc steering", settings)
        per_question = ("eval/aligned/", "eval/coherent/", "eval/misaligned/")  # in the misalignment tables
        keys = {key for row in rows for key in row if not key.startswith(per_question)} - {"coefficient"}
        tables = [markdown_table(rows, ["coefficient", *sorted(keys)], title), "Protocol:\n", *protocol, ""]
        for row in rows:
            found = out / f"coefficient-{row['coefficient']:g}" / "misalignment.md"
            if found.is_file():
                tables.append(found.read_text().replace("## ", f"## coefficient {row['coefficient']:g}: ", 1))
        (out / "report.md").write_text("\n".join(tables))
    return out
