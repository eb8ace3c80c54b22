"""`prevsteer select-layer`: steer generation on the evaluation questions with +a * v[l] for several
layers and coefficients, judge the answers, and pick the layer where steering moves the trait most
(docs/method.md, "Choosing the layer"). Writes a CSV and markdown table, a plot, and a copy of the vector with the
choice in its metadata into the output folder; the input vector file is never rewritten."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from train.console import say
from train.errors import PrevsteerError
from train.files import now, refuse_overwrite, write_atomic, write_csv, write_json, write_jsonl
from train.judges.base import Judge, mean_scored, score_answers
from train.models.generation import generate_answers
from train.persona.persona_settings import SelectLayerSettings
from train.persona.traits import TraitArtifact
from train.steering.hooks import SteeringSpec, steer
from train.steering.vectors import PersonaVector


def sweep(
    model,
    tokenizer,
    trait: TraitArtifact,
    vector: PersonaVector,
    judge: Judge,
    layers: Sequence[int],
    coefficients: Sequence[float],
    max_new_tokens: int = 48,
    batch_size: int = 16,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per (layer, coefficient): mean trait score and coherence over the evaluation questions; plus every answer."""
    prompts = [[{"role": "user", "content": q}] for q in trait.evaluation_questions]
    cells = [(None, 0.0)] + [(layer, c) for layer in layers for c in coefficients]  # (None, 0): unsteered baseline
    table, answers = [], []
    for layer, coefficient in cells:
        say(f"select-layer: generating at layer {layer}, coefficient {coefficient:g}")
        if layer is None:
            texts = generate_answers(model, tokenizer, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size)
        else:
            spec = SteeringSpec("add", [vector], layers=[layer], coefficient=coefficient, when="always")
            with steer(model, spec):
                texts = generate_answers(
                    model, tokenizer, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size
                )
        rows: list[dict[str, Any]] = [
            {"layer": layer, "coefficient": coefficient, "question": q, "answer": a}
            for q, a in zip(trait.evaluation_questions, texts, strict=True)
        ]
        rows, trait_report, _ = score_answers(judge, trait.judge_rubric, rows)
        answers += rows
        table.append(
            {
                "layer": layer,
                "coefficient": coefficient,
                "trait_score": mean_scored([r["trait_score"] for r in rows]),
                "coherence": mean_scored([r["coherence"] for r in rows]),
                "unscored": trait_report.failed,
            }
        )
    return table, answers


def choose_layer(table: list[dict[str, Any]]) -> int:
    """The layer whose largest coefficient raises the mean trait score most above the unsteered baseline."""
    baseline = next(row["trait_score"] for row in table if row["layer"] is None) or 0.0
    top = max(row["coefficient"] for row in table if row["layer"] is not None)
    candidates = [
        r for r in table if r["layer"] is not None and r["coefficient"] == top and r["trait_score"] is not None
    ]
    if not candidates:
        raise PrevsteerError("select-layer: no steered answers were scored; check the judge report")
    return max(candidates, key=lambda r: r["trait_score"] - baseline)["layer"]


def write_outputs(out: Path, table: list[dict[str, Any]], answers: list[dict[str, Any]], chosen: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "table.csv", list(table[0]), [list(row.values()) for row in table])
    fmt = lambda v: "n/a" if v is None else f"{v:.1f}"  # noqa: E731
    lines = ["| layer | coefficient | trait score | coherence | unscored |", "|---|---|---|---|---|"]
    lines += [
        f"| {'none' if r['layer'] is None else r['layer']} | {r['coefficient']:g} | {fmt(r['trait_score'])} | "
        f"{fmt(r['coherence'])} | {r['unscored']} |"
        for r in table
    ]
    write_atomic(out / "table.md", "\n".join([*lines, "", f"Chosen layer: {chosen}", ""]))
    write_jsonl(out / "answers.jsonl", answers)
    import matplotlib

    matplotlib.use("Agg")  # no display on clusters
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    baseline = next(r["trait_score"] for r in table if r["layer"] is None)
    for layer in sorted({r["layer"] for r in table if r["layer"] is not None}):
        rows = [r for r in table if r["layer"] == layer]
        axis.plot(
            [r["coefficient"] for r in rows], [r["trait_score"] for r in rows], marker="o", label=f"layer {layer}"
        )
    if baseline is not None:
        axis.axhline(baseline, color="grey", linestyle="--", label="unsteered")
    axis.set_xlabel("steering coefficient (raw)")
    axis.set_ylabel("mean trait score (judge, 0-100)")
    axis.legend()
    figure.tight_layout()
    figure.savefig(out / "trait_by_layer.png", dpi=120)
    plt.close(figure)


VECTOR_COPY = "vector.safetensors"  # the input vector with the choice in its metadata, in the output folder


def save_with_choice(path: Path, vector: PersonaVector, chosen: int, table: list[dict[str, Any]]) -> None:
    """A copy of the artifact with the chosen layer in its metadata (the tensor is unchanged)."""
    metadata = {k: v for k, v in vector.metadata.items() if k != "source"}
    metadata["selected_layer"] = chosen
    metadata["layer_selection"] = {"created": now(), "table": table}
    PersonaVector(vector.vector, metadata).save(path)


def run_select_layer(settings: SelectLayerSettings) -> int:
    """Load the model, check the vector and the layers against it, sweep, choose and write; the chosen layer."""
    from train.judges.factory import judge_for_trait
    from train.models.loading import load_model_and_tokenizer
    from train.persona.traits import load_trait
    from train.steering.layers import check_layer_range, find_decoder_layers, hidden_size_of

    out = settings.out
    refuse_overwrite(out, settings.force, folder=True)
    copy = out / VECTOR_COPY
    if copy.resolve() == settings.vector.resolve():
        raise PrevsteerError(f"out: {out} would hold the copy of the vector at the input's own path; choose another")
    trait = load_trait(settings.trait)
    model, tokenizer = load_model_and_tokenizer(settings.model)
    num_layers = len(find_decoder_layers(model))
    vector = PersonaVector.load(settings.vector)
    vector.check_compatible(num_layers, hidden_size_of(model), "vector")
    check_layer_range(settings.layers, num_layers, "layers")
    judge = judge_for_trait(settings.judge, trait.name, settings.judge_base_url, settings.cache)
    table, answers = sweep(
        model, tokenizer, trait, vector, judge, settings.layers, settings.coefficients, settings.max_new_tokens
    )
    chosen = choose_layer(table)
    write_outputs(out, table, answers, chosen)
    save_with_choice(copy, vector, chosen, table)
    summary = {"chosen_layer": chosen, "vector": str(settings.vector), "vector_with_choice": str(copy), "table": table}
    write_json(out / "summary.json", summary)
    return chosen
