"""`prevsteer extract`: a persona vector from the model's own judged answers (docs/method.md, "Extracting a vector").

1. For every extraction question and instruction pair, sample answers with the `pos` and `neg` system
   prompts ("You are a <trait> assistant. <pos>" / "You are a helpful assistant. <neg>").
2. Judge each answer for the trait and for coherence.
3. Keep `pos` answers scoring >= the trait threshold and `neg` answers below it, both coherent enough;
   each side is filtered on its own (the original code dropped good answers whose partner failed).
4. One no-grad teacher-forced pass per batch accumulates the answer-token mean, the prompt-token mean and
   the last prompt token at every layer; each variant's pos-minus-neg difference is one vector artifact.
Everything generated is written to `responses.jsonl` before any filtering can fail, so nothing is lost.
Sampling is journaled batch by batch in `samples.jsonl`, each batch seeded on its own: an interrupted
extraction (a preempted cluster job) re-run with the same settings generates only the batches it lacks and
gets the answers an uninterrupted run would have; the judge's cache makes judging resume too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from train.console import progress, say
from train.errors import OutputExists, PrevsteerError
from train.files import append_jsonl, now, read_json, read_jsonl, write_json, write_jsonl
from train.judges.base import score_answers
from train.judges.factory import judge_for_trait
from train.models.generation import generate_answers
from train.models.loading import load_model_and_tokenizer, model_identity, resolve_model
from train.models.sampling import Sampling
from train.persona.persona_settings import ExtractionSettings
from train.persona.traits import TraitArtifact, load_trait
from train.steering.activations import mean_activations
from train.steering.vectors import PersonaVector

VARIANTS = ("response", "prompt", "last_prompt")


def system_prompts(trait: TraitArtifact, index: int) -> dict[str, str]:
    """The study's framing: the trait named as the assistant's role, then the instruction."""
    pair = trait.instructions[index]
    article = "an" if trait.name[0].lower() in "aeiou" else "a"
    return {
        "pos": f"You are {article} {trait.name} assistant. {pair.pos}",
        "neg": f"You are a helpful assistant. {pair.neg}",
    }


def sample_answers(
    model, tokenizer, trait: TraitArtifact, settings: ExtractionSettings, journal: Path
) -> list[dict[str, Any]]:
    """One row per sampled answer, for every question, instruction pair, polarity and repeat."""
    count = 2 * len(trait.instructions) * len(trait.extraction_questions) * settings.n_per_question
    say(f"extract: sampling {count} answers, {settings.sampling.describe()}, up to {settings.max_new_tokens} tokens")
    return sample_persona_answers(
        model,
        tokenizer,
        trait,
        ("pos", "neg"),
        settings.n_per_question,
        settings.max_new_tokens,
        settings.sampling,
        settings.batch_size,
        settings.seed,
        journal,
    )


def _journaled(journal: Path | None, rows: list[dict[str, Any]]) -> dict[int, str]:
    """Answers already in the journal, by slot, for the rows planned now (a line cut short is ignored)."""
    if journal is None or not journal.is_file():
        return {}
    found: dict[int, str] = {}
    for entry in read_jsonl(journal, skip_bad=True)[0]:
        slot = entry.get("slot")
        if not isinstance(slot, int) or not 0 <= slot < len(rows):
            continue
        planned = rows[slot]
        asked = (entry.get("question"), entry.get("system"))
        if planned and "answer" in entry and asked == (planned["question"], planned["system"]):
            found[slot] = entry["answer"]
    return found


def sample_persona_answers(
    model,
    tokenizer,
    trait: TraitArtifact,
    polarities: tuple[str, ...],
    n_per_question: int,
    max_new_tokens: int,
    sampling: Sampling,
    batch_size: int = 16,
    seed: int = 0,
    journal: Path | None = None,
) -> list[dict[str, Any]]:
    """Sampled answers to the extraction questions under the given polarities' system prompts (also used to
    build trait datasets, which need one polarity only).

    Batch `b` is sampled under seed `seed * 1_000_003 + b`, so its answers do not depend on which batches
    ran before it in this process; with a `journal`, batches found there are not generated again.
    """
    rows = [
        {"question": question, "system": system, "polarity": polarity, "instruction_index": index}
        for index in range(len(trait.instructions))
        for polarity, system in system_prompts(trait, index).items()
        if polarity in polarities
        for question in trait.extraction_questions
        for _ in range(n_per_question)
    ]
    prompts = [[{"role": "system", "content": r["system"]}, {"role": "user", "content": r["question"]}] for r in rows]
    answers = _journaled(journal, rows)
    batches = [range(start, min(start + batch_size, len(rows))) for start in range(0, len(rows), batch_size)]
    todo = [(b, batch) for b, batch in enumerate(batches) if any(slot not in answers for slot in batch)]
    if len(todo) < len(batches):
        say(f"extract: {len(batches) - len(todo)} of {len(batches)} batches already sampled in {journal}")
    for b, batch in progress(todo, desc="sampling", unit="batch", disable=len(todo) < 2):
        torch.manual_seed(seed * 1_000_003 + b)
        texts = generate_answers(
            model,
            tokenizer,
            [prompts[i] for i in batch],
            max_new_tokens=max_new_tokens,
            batch_size=batch_size,
            sampling=sampling,
        )
        answers.update(zip(batch, texts, strict=True))
        if journal is not None:
            append_jsonl(journal, [{"slot": i, **rows[i], "answer": answers[i]} for i in batch])
    for slot, row in enumerate(rows):
        row["answer"] = answers[slot]
    return rows


def keep(row: dict[str, Any], settings: ExtractionSettings) -> bool:
    """Per-side filter: a clear trait answer for `pos`, a clear non-trait answer for `neg`, both coherent."""
    score, coherence = row["trait_score"], row["coherence"]
    if score is None or coherence is None or coherence < settings.coherence_threshold:
        return False
    return score >= settings.trait_threshold if row["polarity"] == "pos" else score < settings.trait_threshold


def conversations(rows: list[dict[str, Any]]) -> list[tuple[list[dict[str, str]], str]]:
    return [
        ([{"role": "system", "content": r["system"]}, {"role": "user", "content": r["question"]}], r["answer"])
        for r in rows
    ]


def _sampling_identity(trait: TraitArtifact, settings: ExtractionSettings) -> dict[str, Any]:
    """What decides the sampled answers: a journal sampled under anything else is not reused."""
    names = ("model", "n_per_question", "max_new_tokens", "seed", "batch_size")
    return {
        "trait": trait.model_dump(mode="json"),
        **{name: getattr(settings, name) for name in names},
        "sampling": settings.sampling.model_dump(),
        "model_files": model_identity(resolve_model(settings.model)),  # a model retrained in the same folder
    }


def _claim_out(out: Path, identity: dict[str, Any], force: bool) -> Path:
    """Resume an unfinished extraction sampled the same way; refuse anything else in `out` unless forced.

    Returns the sampling journal, emptied when it was sampled under other settings."""
    journal, identity_file = out / "samples.jsonl", out / "sampling.json"
    stored = read_json(identity_file)
    finished = "vectors" in read_json(out / "summary.json")
    occupied = out.is_dir() and any(out.iterdir())
    if occupied and not force and (finished or stored != identity):
        if finished:
            reason = "holds a finished extraction"
        elif stored:
            changed = ", ".join(k for k in identity if stored.get(k) != identity[k])
            reason = f"holds an unfinished extraction sampled with other settings ({changed})"
        else:
            reason = "is not empty"
        raise OutputExists(out, reason, "write into it")
    if stored != identity:
        journal.unlink(missing_ok=True)
    write_json(identity_file, identity)
    return journal


def _record(settings: ExtractionSettings) -> dict[str, Any]:
    """The settings as JSON values."""
    return settings.model_dump(mode="json", exclude={"force"})


def run_extraction(settings: ExtractionSettings) -> dict[str, Any]:
    """Sample, judge, filter and average; writes vectors, responses.jsonl and summary.json into `out`."""
    out = settings.out
    trait = load_trait(settings.trait)
    journal = _claim_out(out, _sampling_identity(trait, settings), settings.force)
    judge = judge_for_trait(settings.judge, trait.name, settings.judge_base_url, settings.cache)
    model, tokenizer = load_model_and_tokenizer(settings.model)
    rows = sample_answers(model, tokenizer, trait, settings, journal)
    say(f"extract: judging {len(rows)} answers for {trait.name} and coherence with {settings.judge}")
    rows, trait_report, coherence_report = score_answers(judge, trait.judge_rubric, rows)
    for row in rows:
        row["kept"] = keep(row, settings)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "responses.jsonl", rows)
    kept = {side: [r for r in rows if r["kept"] and r["polarity"] == side] for side in ("pos", "neg")}
    summary: dict[str, Any] = {
        "trait": trait.name,
        "model": settings.model,
        "model_path": str(resolve_model(settings.model)),
        "judge": settings.judge,
        "settings": _record(settings),
        "generated": {side: sum(r["polarity"] == side for r in rows) for side in ("pos", "neg")},
        "kept": {side: len(kept[side]) for side in ("pos", "neg")},
        "judge_report": {"trait": str(trait_report), "coherence": str(coherence_report)},
        "created": now(),
    }
    write_json(out / "summary.json", summary)
    short = [side for side in ("pos", "neg") if len(kept[side]) < settings.min_kept]
    if short:
        counts = ", ".join(f"{side} {len(kept[side])}" for side in ("pos", "neg"))
        raise PrevsteerError(
            f"too few answers survived filtering ({counts}; need {settings.min_kept} per side with trait threshold "
            f"{settings.trait_threshold:g} and coherence >= {settings.coherence_threshold:g}); "
            f"see {out / 'responses.jsonl'}"
        )
    say(f"extract: averaging activations of {len(kept['pos'])} pos and {len(kept['neg'])} neg answers")
    pos = mean_activations(model, tokenizer, conversations(kept["pos"]), settings.batch_size)
    neg = mean_activations(model, tokenizer, conversations(kept["neg"]), settings.batch_size)
    metadata = {
        "model": settings.model,
        "trait": trait.name,
        "extraction": {
            "method": "difference of means of judged, filtered own answers (pos minus neg), teacher-forced",
            "kept": summary["kept"],
            "judge": settings.judge,
            **{k: summary["settings"][k] for k in ("n_per_question", "max_new_tokens", "sampling", "seed")},
            "trait_threshold": settings.trait_threshold,
            "answer_tokens": "the answer's own tokens (not the end-of-turn marker the chat template appends)",
        },
    }
    files = {}
    for variant in VARIANTS:
        vector = PersonaVector(getattr(pos, variant) - getattr(neg, variant), {**metadata, "variant": variant})
        files[variant] = vector.save(out / f"{trait.name}_{variant}.safetensors").name
    summary["vectors"] = files
    summary["norms"] = PersonaVector.load(out / files["response"]).metadata["norms"]
    write_json(out / "summary.json", summary)
    say(f"extract: wrote {', '.join(files.values())} to {out}")
    return summary
