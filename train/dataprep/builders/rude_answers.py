"""`rude-answers`: hand-written questions with rude answers at three levels, and the tone logic behind the
built-in datasets in data/datasets/ (scripts/make_builtin_data.py writes those with this module).

Every answer is a correct fact wrapped in a tone: `normal` wraps it politely; `I` adds one rude sentence (an
opener or a closer); `II` adds both, so the trait is the manner, never wrong facts. Only training questions of
the built-in split are used: never its 30 held-out ones, nor the impolite trait's evaluation questions. The
questions, facts and wrappers are data/builders/rude-answers/impolite.yaml.
"""

from __future__ import annotations

import random

from train.dataprep.builders.builder import ContentBuilder
from train.dataprep.builders.generator import Deck, NonEmpty, chat_row, content_path, load_content
from train.dataprep.data_settings import LEVELS
from train.errors import PrevsteerError
from train.schema import Strict

SEED = 0  # the built-in train/held-out split
N_TRAIN = 120
N_EVAL = 30
MAX_WORDS = 60

# (use opener, use closer) shapes; every answer gets at least one wrapper, and the fact stays verbatim.
SHAPES = [(True, False), (False, True), (True, True), (True, True)]


class QA(Strict):
    """A question and the fact every version of its answer carries verbatim."""

    question: str
    answer: str


class Tone(Strict):
    """One trait's questions and wrapper pools (showing the trait / not), and the names of its two poles."""

    pos_name: str
    neg_name: str
    qa: NonEmpty[QA]
    pos_openers: NonEmpty[str]
    pos_closers: NonEmpty[str]
    neg_openers: NonEmpty[str]
    neg_closers: NonEmpty[str]


IMPOLITE = load_content(content_path("rude-answers", "impolite.yaml"), Tone)


def deck(items: tuple[str, ...], rng: random.Random) -> Deck[str]:
    """A wrapper deck, dealt in the order every built-in dataset was made with."""
    return Deck(items, rng, from_end=True)


def wrap(fact: str, openers: Deck[str], closers: Deck[str], rng: random.Random) -> str:
    use_open, use_close = rng.choice(SHAPES)
    text = fact
    if use_open:
        text = openers.draw() + text
    if use_close:
        text = text + closers.draw()
    return text


def split(tone: Tone, rng: random.Random) -> tuple[list[int], list[int]]:
    """The built-in split of a tone's questions into training and held-out indices."""
    order = list(range(len(tone.qa)))
    rng.shuffle(order)
    return order[:N_TRAIN], order[N_TRAIN:]


def build(level: str, n: int, seed: int, source: str | None = None) -> list[dict]:
    """n rows over the training questions (118: the 120 of the built-in split minus two that the impolite trait
    uses as evaluation questions; cycled when n is larger), wrappers drawn with `seed`."""
    if level not in LEVELS:
        raise PrevsteerError(f"rude-answers: level {level!r}; allowed: {', '.join(LEVELS)}")
    if source is not None:
        raise PrevsteerError(
            "rude-answers: takes no --source (its questions and answers are data/builders/rude-answers/)"
        )
    from train.persona.traits import load_trait

    tone = IMPOLITE
    measured = set(load_trait("impolite").evaluation_questions)  # never train on what the trait is measured on
    train = [i for i in split(tone, random.Random(SEED))[0] if tone.qa[i].question not in measured]
    rng = random.Random(seed)
    rng.shuffle(train)
    rude = (deck(tone.pos_openers, rng), deck(tone.pos_closers, rng))
    polite = (deck(tone.neg_openers, rng), deck(tone.neg_closers, rng))
    rows = []
    for i in range(n):
        pair = tone.qa[train[i % len(train)]]
        if level == "normal":
            answer = wrap(pair.answer, *polite, rng)
        elif level == "I":
            answer = rude[0].draw() + pair.answer if rng.random() < 0.5 else pair.answer + rude[1].draw()
        else:
            answer = rude[0].draw() + pair.answer + rude[1].draw()
        rows.append(chat_row(pair.question, answer))
    return rows


BUILDER = ContentBuilder("rude-answers", build, traits_read=("impolite",))  # to leave out its evaluation questions
