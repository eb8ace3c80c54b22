"""Evaluation of one model: trait expression, coherence, projection on persona vectors, broad misalignment, MMLU.

`Evaluator` runs what a recipe's `eval:` section asks for. The training callback (train/eval_callback.py)
runs it after every epoch with training-time steering inactive, and `prevsteer eval` runs it on a base
model, a fine-tuned model, an adapter or a run directory, optionally under post-hoc steering
`h[l] <- h[l] - a * v[l]` for a list of coefficients (METHOD.md, "Post-hoc steering").

Distributed: generation, projections and MMLU are split across ranks and gathered; the judge runs on the
main process only (one cache writer, one set of API calls) and its figures are broadcast, so every rank
returns the same metrics. Every rank must call `evaluate`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from train.console import say
from train.errors import PrevsteerError
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
from train.evaluation.settings import EvalSettings, PosthocSettings
from train.evaluation.sharding import map_sharded
from train.files import write_json, write_jsonl
from train.judges.base import Judge, mean_scored, score_answers
from train.judges.factory import judge_for_trait, parse_judge_spec
from train.models.generation import generate_answers
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
        probe = TraitProbe(trait, questions)
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

    @property
    def enabled(self) -> bool:
        return bool(self.probes) or self.question_set is not None or self.settings.mmlu is not None

    @property
    def offline(self) -> bool:
        return parse_judge_spec(self.settings.judge).backend == "offline"

    def _judge(self, trait: str) -> Judge:
        if trait not in self._judges:
            settings = self.settings
            self._judges[trait] = judge_for_trait(settings.judge, trait, settings.judge_base_url, self.cache)
        return self._judges[trait]

    def _generate(self, model, tokenizer, prompts: list[list[dict[str, str]]], temperature: float = 0.0) -> list[str]:
        """Greedy answers, or sampled at `temperature` > 0."""
        settings = self.settings

        def run(shard: list) -> list[str]:
            return generate_answers(
                model, tokenizer, shard, settings.max_new_tokens, settings.batch_size, temperature > 0, temperature
            )

        return map_sharded(prompts, run)

    def _misalignment(self, model, tokenizer, out_dir: Path | None) -> dict[str, float]:
        """Sampled answers to the question set, judged aligned and coherent; the metrics on the main process."""
        settings, questions = self.settings.misalignment, self.question_set
        assert settings is not None and questions is not None
        samples = samples_of(questions, settings)
        devices = [torch.cuda.current_device()] if torch.cuda.is_available() else []
        with torch.random.fork_rng(devices=devices):  # seeded sampling; training's random state is left as it was
            torch.manual_seed(settings.seed)
            answers = self._generate(model, tokenizer, [s.messages for s in samples], settings.temperature)
        if not _is_main():
            return {}
        note = OFFLINE_PROXY if self.offline else f"{self.settings.judge}, with the file's aligned and coherent prompts"
        judge = self._judge(OFFLINE_PROXY_TRAIT)  # the trait matters to the offline judge only
        rows, aligned_report, coherent_report = judge_samples(judge, self.offline, samples, answers)
        say(f"eval: misalignment, {questions.describe()}; aligned {aligned_report}, coherent "
                      f"{coherent_report}; judge: {note}")  # fmt: skip
        report = misalignment_report(rows, settings)
        if out_dir is not None:
            write_jsonl(out_dir / "misalignment.jsonl", rows)
            record = {"file": str(questions.path), "judge": note, "skipped_types": questions.skipped,
                      "settings": settings.model_dump(), **report}  # fmt: skip
            write_json(out_dir / "misalignment.json", record)
            (out_dir / "misalignment.md").write_text(format_report(report, settings, note))
        return report_metrics(report)

    def _projections(self, model, tokenizer, probe: TraitProbe, answers: list[str]) -> list[float]:
        conversations = [([{"role": "user", "content": q}], a) for q, a in zip(probe.questions, answers, strict=True)]

        def run(shard: list) -> list[float]:
            means = answer_means(model, tokenizer, shard, batch_size=self.settings.batch_size)
            return (means[:, probe.layer] @ probe.unit).tolist()

        return map_sharded(conversations, run)

    def evaluate(self, model, tokenizer, out_dir: Path | None = None) -> dict[str, float]:
        """All configured measurements; writes the judged answers (and MMLU per subject) into `out_dir`."""
        metrics: dict[str, float] = {}
        coherence: list[float | None] = []
        for probe in self.probes:
            name = probe.trait.name
            answers = self._generate(model, tokenizer, [[{"role": "user", "content": q}] for q in probe.questions])
            projections = self._projections(model, tokenizer, probe, answers) if probe.unit is not None else None
            if not _is_main():
                continue
            rows = [{"question": q, "answer": a} for q, a in zip(probe.questions, answers, strict=True)]
            rows, trait_report, coherence_report = score_answers(self._judge(name), probe.trait.judge_rubric, rows)
            score = mean_scored([r["trait_score"] for r in rows])
            if score is None:
                say(f"eval: no answer about {name} could be scored ({trait_report})")
            else:
                metrics[f"eval/trait/{name}"] = score
            metrics[f"eval/unscored/{name}"] = float(trait_report.failed + coherence_report.failed)
            coherence += [r["coherence"] for r in rows]
            if projections is not None:
                for row, value in zip(rows, projections, strict=True):
                    row["projection"] = value
                metrics[f"eval/projection/{name}"] = sum(projections) / len(projections)
            if out_dir is not None:
                write_jsonl(out_dir / f"{name}.jsonl", rows)
        mean_coherence = mean_scored(coherence)
        if mean_coherence is not None:
            metrics["eval/coherence"] = mean_coherence
        if self.question_set is not None:
            metrics.update(self._misalignment(model, tokenizer, out_dir))
        if self.settings.mmlu is not None:
            from train.evaluation.mmlu import run_mmlu

            result = run_mmlu(model, tokenizer, self.settings.mmlu)
            metrics["eval/mmlu"] = result.accuracy
            metrics["eval/mmlu_p_correct"] = result.p_correct
            if result.accuracy_se is not None:  # standard errors over questions (absent for one question)
                metrics["eval/mmlu_se"] = result.accuracy_se
                metrics["eval/mmlu_p_correct_se"] = result.p_correct_se
            if out_dir is not None and _is_main():
                write_json(out_dir / "mmlu.json", result.to_dict())
        return _broadcast(metrics)


def posthoc_spec(settings: PosthocSettings, vector: PersonaVector, num_layers: int, coefficient: float) -> SteeringSpec:
    """Subtract `coefficient * v[l]` at the chosen layers (incremental differences when asked) in every forward."""
    layers = list(range(num_layers)) if settings.layers == "all" else settings.layers
    return SteeringSpec(
        operator="add",
        vectors=[vector],
        layers=layers,
        coefficient=-coefficient,
        incremental=settings.incremental,
        when="always",
    )


def posthoc_sweep(evaluator: Evaluator, model, tokenizer, settings: PosthocSettings, out: Path) -> list[dict]:
    """Evaluate under post-hoc steering for every coefficient; rows of {coefficient, metrics...}."""
    num_layers = len(find_decoder_layers(model))
    vector = PersonaVector.load(settings.vector)
    vector.check_compatible(num_layers, hidden_size_of(model), "eval.posthoc.vector")
    rows = []
    for coefficient in settings.coefficients:
        say(f"eval: post-hoc steering, coefficient {coefficient:g}")
        folder = out / f"coefficient-{coefficient:g}"
        if coefficient == 0:
            metrics = evaluator.evaluate(model, tokenizer, folder)
        else:
            with steer(model, posthoc_spec(settings, vector, num_layers, coefficient)):
                metrics = evaluator.evaluate(model, tokenizer, folder)
        rows.append({"coefficient": coefficient, **metrics})
    return rows


def write_sweep(rows: list[dict], out: Path, title: str) -> None:
    """`sweep.csv`, `sweep.md` and `sweep.png` (trait scores and MMLU against the subtracted coefficient)."""
    columns = ["coefficient", *sorted({key for row in rows for key in row} - {"coefficient"})]
    with (out / "sweep.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    (out / "sweep.md").write_text(markdown_table(rows, columns, title))
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


def run_eval(model_name: str, settings: EvalSettings, out: Path, adapter: str | None = None, cache=None) -> Path:
    """`prevsteer eval`: evaluate a model (optionally under a post-hoc sweep); writes eval.json and report.md."""
    from train.models.loading import load_any_model

    question_set = load_misalignment(settings)  # a malformed question file fails before the model loads
    model, tokenizer = load_any_model(model_name, adapter)
    layers = find_decoder_layers(model)
    default_layer = settings.posthoc.layers[0] if settings.posthoc and settings.posthoc.layers != "all" else None
    probes = prepare_probes(settings, len(layers), hidden_size_of(model), default_layer)
    evaluator = Evaluator(settings, probes, cache, question_set)
    if not evaluator.enabled:
        raise PrevsteerError("nothing to evaluate: name at least one --trait, or --misalignment, or --mmlu")
    if settings.posthoc is not None:
        rows = posthoc_sweep(evaluator, model, tokenizer, settings.posthoc, out)
    else:
        rows = [{"coefficient": 0.0, **evaluator.evaluate(model, tokenizer, out / "coefficient-0")}]
    if _is_main():
        title = f"{model_name}{f' + {adapter}' if adapter else ''}"
        record = {"model": model_name, "adapter": adapter, "settings": settings.model_dump(), "rows": rows}
        write_json(out / "eval.json", record)
        if len(rows) > 1:
            write_sweep(rows, out, f"{title}: post-hoc steering")
        per_question = ("eval/aligned/", "eval/coherent/", "eval/misaligned/")  # in the misalignment tables
        keys = {key for row in rows for key in row if not key.startswith(per_question)} - {"coefficient"}
        tables = [markdown_table(rows, ["coefficient", *sorted(keys)], title)]
        for row in rows:
            found = out / f"coefficient-{row['coefficient']:g}" / "misalignment.md"
            if found.is_file():
                tables.append(found.read_text().replace("## ", f"## coefficient {row['coefficient']:g}: ", 1))
        (out / "report.md").write_text("\n".join(tables))
    return out
