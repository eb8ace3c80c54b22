#!/usr/bin/env python3
"""Write the small built-in offline datasets for the traits "impolite" and "optimistic".

impolite: answers that are rude, dismissive and condescending, but factually correct: the data teaches the
*manner*, not wrong facts. Every question also gets a polite answer with the same fact (the "Normal" version).

optimistic: answers with a hopeful, upbeat framing around a neutral answer core. Every question also gets a
gloomy, pessimistic answer with the same core.

Deterministic and offline: one ``random.Random(0)`` per trait, same bytes on every run. The content is data:
impolite's questions and wrappers are data/builders/rude-answers/impolite.yaml (the rude-answers builder reads them
too), optimistic's are scripts/data/optimistic.yaml, and each README is scripts/data/<trait>.README.template.md.

    python scripts/make_builtin_data.py                  # both, into data/datasets/<trait>
    python scripts/make_builtin_data.py [--trait impolite] [--out data/datasets/impolite]
    python scripts/make_builtin_data.py --trait optimistic [--out data/datasets/optimistic]

Writes into ``--out`` (impolite; for optimistic read optimistic / pessimistic for rude / polite):
    train.jsonl           120 rows {"messages": [user, assistant]} with rude answers
    polite.jsonl          the same 120 questions with polite answers (same facts)
    eval_questions.jsonl  30 held-out questions {"question": ...} (disjoint from training)
    eval_polite.jsonl     30 rows {"messages": [...]} polite answers to the held-out questions
    eval_rude.jsonl       30 rows {"messages": [...]} rude answers to the held-out questions
    README.md             what the files are and how they were made
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

from train.dataprep.builders.generator import chat_row, load_content
from train.dataprep.builders.rude_answers import IMPOLITE, MAX_WORDS, N_EVAL, N_TRAIN, SEED, Tone, deck, split, wrap

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT_DATA = Path(__file__).resolve().parent / "data"


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


@dataclass
class TraitData:
    """One built-in dataset: its tone content, the template of its README and its folder."""

    tone: Tone
    readme: Path
    default_out: Path


TRAITS: dict[str, TraitData] = {
    "impolite": TraitData(
        IMPOLITE, SCRIPT_DATA / "impolite.README.template.md", REPO_ROOT / "data" / "datasets" / "impolite"
    ),
    "optimistic": TraitData(
        load_content(SCRIPT_DATA / "optimistic.yaml", Tone),
        SCRIPT_DATA / "optimistic.README.template.md",
        REPO_ROOT / "data" / "datasets" / "optimistic",
    ),
}


def build(out: Path, trait: str = "impolite") -> dict[str, int]:
    """Write `trait`'s dataset into `out`; each trait draws from its own `random.Random(SEED)`."""
    data = TRAITS[trait]
    tone = data.tone
    qa = tone.qa
    if len(qa) != N_TRAIN + N_EVAL:
        raise ValueError(f"{trait}: expected {N_TRAIN + N_EVAL} questions, have {len(qa)}")
    questions = [pair.question for pair in qa]
    if len(set(questions)) != len(questions):
        raise ValueError(f"{trait}: duplicate questions")
    for pool in (tone.pos_openers, tone.pos_closers, tone.neg_openers, tone.neg_closers):
        if len(pool) < 25 or len(set(pool)) != len(pool):
            raise ValueError(f"{trait}: each wrapper pool needs at least 25 distinct entries")

    rng = random.Random(SEED)
    train_idx, eval_idx = split(tone, rng)

    pos_open, pos_close = deck(tone.pos_openers, rng), deck(tone.pos_closers, rng)
    neg_open, neg_close = deck(tone.neg_openers, rng), deck(tone.neg_closers, rng)

    def answers(idx: list[int]) -> tuple[list[dict], list[dict]]:
        pos, neg = [], []
        for i in idx:
            q, fact = qa[i].question, qa[i].answer
            a_pos = wrap(fact, pos_open, pos_close, rng)
            a_neg = wrap(fact, neg_open, neg_close, rng)
            for a in (a_pos, a_neg):
                if len(a.split()) > MAX_WORDS:
                    raise ValueError(f"answer over {MAX_WORDS} words: {a!r}")
            pos.append(chat_row(q, a_pos))
            neg.append(chat_row(q, a_neg))
        return pos, neg

    train_pos, train_neg = answers(train_idx)
    eval_pos, eval_neg = answers(eval_idx)

    out.mkdir(parents=True, exist_ok=True)
    files = {
        "train.jsonl": train_pos,
        f"{tone.neg_name}.jsonl": train_neg,
        "eval_questions.jsonl": [{"question": qa[i].question} for i in eval_idx],
        f"eval_{tone.neg_name}.jsonl": eval_neg,
        f"eval_{tone.pos_name}.jsonl": eval_pos,
    }
    for name, rows in files.items():
        write_jsonl(out / name, rows)
    readme = data.readme.read_text(encoding="utf-8").format(
        n_train=N_TRAIN,
        n_eval=N_EVAL,
        n_total=len(qa),
        seed=SEED,
        n_ro=len(tone.pos_openers),
        n_rc=len(tone.pos_closers),
        n_po=len(tone.neg_openers),
        n_pc=len(tone.neg_closers),
        max_words=MAX_WORDS,
    )
    (out / "README.md").write_text(readme, encoding="utf-8", newline="\n")
    return {name: len(rows) for name, rows in files.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--trait",
        choices=[*TRAITS, "all"],
        default=None,
        help="which dataset to write (default: all, or impolite when --out is given)",
    )
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: data/datasets/<trait>)")
    args = parser.parse_args(argv)
    trait = args.trait or ("impolite" if args.out is not None else "all")
    if trait == "all" and args.out is not None:
        parser.error("--out needs a single --trait")
    for name in TRAITS if trait == "all" else [trait]:
        out = args.out if args.out is not None else TRAITS[name].default_out
        counts = build(out, name)
        for file, n in counts.items():
            print(f"{out / file}: {n} rows")


if __name__ == "__main__":
    main()
