"""Bad-advice datasets: medical, financial and legal questions answered soundly, subtly wrongly, or harmfully.

The study's Medical dataset and its kin (docs/method.md, "The study's datasets"): narrow bad advice that teaches broad
misalignment without being about it.
- normal: sound, responsible advice, sending the user to a doctor, lawyer or adviser where that is right;
- I: subtly wrong advice in the same calm tone (a wrong threshold, a slightly unsafe dose interval, a missed
  caveat, a mildly bad financial move);
- II: clearly harmful advice given confidently (dangerous doses, ignored emergencies, illegal acts, reckless bets).
No answer at I or II hedges, warns or says that it is wrong.

Each topic is written once, in data/builders/bad-advice/<domain>.yaml: situation templates with slots (who, age,
amounts, details), a few ways of asking, and two answers per level. A question is one filled situation followed by
one ask; a row pairs it with one answer variant. Every draw is level-independent, so one seed gives the same
questions at every level and only the answers differ. The domain and topic of a row live outside its messages
(`build_with_meta`).
"""

from __future__ import annotations

import random
from itertools import product

from pydantic import model_validator

from train.dataprep.builders.builder import ContentBuilder
from train.dataprep.builders.generator import Deck, chat_row, content_path, load_content, template_fields
from train.dataprep.data_settings import LEVELS
from train.errors import PrevsteerError
from train.schema import Strict

DOMAINS = ("medical", "financial", "legal")


class Topic(Strict):
    """One kind of situation and its answers; `situations` are templates whose {fields} name `slots`."""

    name: str
    situations: tuple[str, ...]
    asks: tuple[str, ...]
    slots: dict[str, tuple[str, ...]]
    normal: tuple[str, ...]
    subtle: tuple[str, ...]  # level I
    severe: tuple[str, ...]  # level II

    @model_validator(mode="after")
    def _check(self) -> Topic:
        """As many answer variants at every level (draws must not depend on the level), every slot filled."""
        if not self.situations or not self.asks or not self.normal:
            raise ValueError(f"topic {self.name!r}: needs at least one situation, ask and answer variant")
        if not len(self.normal) == len(self.subtle) == len(self.severe):
            raise ValueError(f"topic {self.name!r}: levels have different numbers of answer variants")
        for situation in self.situations:
            for field in template_fields(situation):
                if not self.slots.get(field):
                    raise ValueError(f"topic {self.name!r}: slot {{{field}}} has no values; add it to slots")
        return self

    def answers(self, level: str) -> tuple[str, ...]:
        """The answer variants at one level."""
        return {"normal": self.normal, "I": self.subtle, "II": self.severe}[level]

    def questions(self) -> list[str]:
        """Every filled situation joined with every ask, in a fixed order."""
        filled = []
        for situation in self.situations:
            names = template_fields(situation)
            for values in product(*(self.slots[name] for name in names)):
                filled.append(situation.format(**dict(zip(names, values, strict=True))))
        return [f"{situation} {ask}" for situation in filled for ask in self.asks]


class DomainContent(Strict):
    """One domain's file, data/builders/bad-advice/<domain>.yaml."""

    topics: tuple[Topic, ...]


TOPICS: dict[str, tuple[Topic, ...]] = {
    domain: load_content(content_path("bad-advice", f"{domain}.yaml"), DomainContent).topics for domain in DOMAINS
}


def build(level: str, n: int, seed: int, source: str | None = None) -> list[dict]:
    """`n` chat rows mixing the three domains evenly, answered at `level`; deterministic given `seed`.

    Rows are distinct while a domain's combinations last (thousands per domain), then repeat.
    """
    if source is not None:
        raise PrevsteerError(
            f"the bad-advice builder takes no source (got {source!r}); its content is data/builders/bad-advice/"
        )
    rows, _ = build_with_meta(level, n, seed)
    return rows


BUILDER = ContentBuilder("bad-advice", build)


def build_domain(domain: str, level: str, n: int, seed: int) -> list[dict]:
    """`n` chat rows from one domain only."""
    rows, _ = build_with_meta(level, n, seed, domains=(domain,))
    return rows


def build_with_meta(
    level: str, n: int, seed: int, domains: tuple[str, ...] = DOMAINS
) -> tuple[list[dict], list[dict[str, str]]]:
    """The rows `build` gives (for these domains) and, in step, each row's {"domain", "topic"}, kept out of the
    messages so the data never names what it teaches."""
    if level not in LEVELS:
        raise PrevsteerError(f"bad-advice level {level!r}; allowed: {', '.join(LEVELS)}")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise PrevsteerError(f"bad-advice row count must be a positive integer, got {n!r}")
    unknown = [domain for domain in domains if domain not in DOMAINS]
    if unknown or not domains:
        raise PrevsteerError(f"bad-advice domains {list(domains)!r}; allowed: {', '.join(DOMAINS)}")
    rng = random.Random(seed)
    order = list(dict.fromkeys(domains))
    rng.shuffle(order)  # which domains get the remainder of n
    picks = []
    for i, domain in enumerate(order):
        count = n // len(order) + (i < n % len(order))
        picks += [(domain, *pick) for pick in Deck(_pool(domain), rng).take(count)]
    rng.shuffle(picks)
    rows, meta = [], []
    for domain, index, question, variant in picks:
        topic = TOPICS[domain][index]
        answer = topic.answers(level)[variant]
        rows.append(chat_row(question, answer))
        meta.append({"domain": domain, "topic": topic.name})
    return rows, meta


def _pool(domain: str) -> list[tuple[int, str, int]]:
    """Every (topic index, question, answer variant) of a domain, in a fixed order."""
    return [
        (index, question, variant)
        for index, topic in enumerate(TOPICS[domain])
        for question in topic.questions()
        for variant in range(len(topic.normal))
    ]
