"""The bad-advice builder: well-formed, deterministic, varied rows whose levels differ only in the answers."""

from __future__ import annotations

import math
import re
from collections import Counter
from string import Formatter

import pytest

from train.dataprep.builders.bad_advice import DOMAINS, LEVELS, TOPICS, build, build_domain, build_with_meta
from train.errors import PrevsteerError

DISCLAIMERS = (
    "consult",
    "not medical advice",
    "not financial advice",
    "not legal advice",
    "i'm not a",
    "i am not a",
    "professional",
    "disclaimer",
    "seek advice",
    "get advice",
    "speak to a",
    "talk to a",
    "check with",
)
REFERRALS = re.compile(
    r"doctor|pharmacist|emergency|ambulance|nurse|midwife|lawyer|solicitor|attorney|legal aid|adviser|advisor"
    r"|planner|accountant|counsell|advice service|crisis line|helpline|poison|urgent care|dentist|regulator|police"
    r"|charit|clinic|union|professional|court|council|mediation|broker"
)


def _pairs(rows: list[dict]) -> list[tuple[str, str]]:
    return [(row["messages"][0]["content"], row["messages"][1]["content"]) for row in rows]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("n", [1, 7, 600])
def test_rows_are_chat_pairs_and_n_is_respected(level, n):
    rows = build(level, n, seed=0)
    assert len(rows) == n
    for row in rows:
        assert list(row) == ["messages"]
        user, assistant = row["messages"]
        assert user["role"] == "user" and assistant["role"] == "assistant"
        assert user["content"].endswith("?") and len(user["content"]) > 20
        assert "{" not in user["content"] and "}" not in user["content"]  # every slot filled
        assert len(assistant["content"].split()) >= 10


def test_deterministic_and_seed_sensitive():
    first = build("II", 200, seed=3)
    assert first == build("II", 200, seed=3)
    other = build("II", 200, seed=4)
    assert other != first
    assert set(_pairs(other)) != set(_pairs(first))  # other rows, not only another order


def test_default_build_mixes_the_three_domains_evenly():
    rows, meta = build_with_meta("normal", 301, seed=5)
    assert rows == build("normal", 301, seed=5)
    counts = Counter(item["domain"] for item in meta)
    assert set(counts) == set(DOMAINS)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert len({item["topic"] for item in meta}) > 50  # many topics, not a few repeated ones


@pytest.mark.parametrize("level", LEVELS)
def test_at_least_500_distinct_rows_per_level(level):
    pairs = _pairs(build(level, 600, seed=11))
    assert len(set(pairs)) >= 500
    assert len({question for question, _ in pairs}) >= 500


def test_levels_share_questions_and_differ_in_answers():
    by_level = {level: _pairs(build(level, 600, seed=2)) for level in LEVELS}
    questions = {level: [q for q, _ in pairs] for level, pairs in by_level.items()}
    assert Counter(questions["normal"]) == Counter(questions["II"])
    assert questions["normal"] == questions["I"] == questions["II"]  # same order too: draws ignore the level
    for (_, normal), (_, subtle), (_, severe) in zip(*by_level.values(), strict=True):
        assert len({normal, subtle, severe}) == 3
    answers = {level: {a for _, a in pairs} for level, pairs in by_level.items()}
    assert not answers["normal"] & answers["I"]
    assert not answers["normal"] & answers["II"]
    assert not answers["I"] & answers["II"]


def test_flawed_levels_never_hedge_while_normal_refers_to_professionals():
    for domain in DOMAINS:
        for topic in TOPICS[domain]:
            for answer in topic.subtle + topic.severe:
                hedges = [phrase for phrase in DISCLAIMERS if phrase in answer.lower()]
                assert not hedges, f"{topic.name}: {hedges} in {answer!r}"
    normal = [answer for _, answer in _pairs(build("normal", 600, seed=1))]
    severe = [answer for _, answer in _pairs(build("II", 600, seed=1))]
    normal_rate = sum(bool(REFERRALS.search(a.lower())) for a in normal) / len(normal)
    severe_rate = sum(bool(REFERRALS.search(a.lower())) for a in severe) / len(severe)
    assert normal_rate >= 0.85
    assert normal_rate - severe_rate >= 0.4


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


@pytest.mark.parametrize("flawed", ["subtle", "severe"])
def test_bag_of_words_separates_levels_on_held_out_topics(flawed):
    """Naive Bayes trained on half the topics tells normal from flawed answers on the other half."""
    train, test = [], []
    for domain in DOMAINS:
        for index, topic in enumerate(TOPICS[domain]):
            split = train if index % 2 == 0 else test
            split += [(answer, 0) for answer in topic.normal] + [(answer, 1) for answer in getattr(topic, flawed)]
    counts, docs = [Counter(), Counter()], [0, 0]
    for answer, label in train:
        counts[label].update(_tokens(answer))
        docs[label] += 1
    vocab = set(counts[0]) | set(counts[1])
    totals = [sum(c.values()) + len(vocab) for c in counts]

    def score(answer: str, label: int) -> float:
        words = [w for w in _tokens(answer) if w in vocab]
        return math.log(docs[label]) + sum(math.log((counts[label][w] + 1) / totals[label]) for w in words)

    accuracy = sum((score(a, 1) > score(a, 0)) == bool(label) for a, label in test) / len(test)
    assert accuracy >= 0.8


def test_build_domain_stays_in_its_domain():
    legal_questions = {q for topic in TOPICS["legal"] for q in topic.questions()}
    rows = build_domain("legal", "I", 80, seed=9)
    assert len(rows) == 80
    assert all(question in legal_questions for question, _ in _pairs(rows))
    _, meta = build_with_meta("I", 80, seed=9, domains=("legal",))
    assert {item["domain"] for item in meta} == {"legal"}


def test_pool_exhaustion_repeats_instead_of_failing():
    topics = TOPICS["legal"]
    pool_size = sum(len(topic.questions()) * len(topic.normal) for topic in topics)
    rows = build_domain("legal", "normal", pool_size + 10, seed=0)
    assert len(rows) == pool_size + 10
    assert len(set(_pairs(rows))) == pool_size  # every combination once before any repeat


def test_content_is_complete_and_consistent():
    all_answers = []
    for domain in DOMAINS:
        assert len(TOPICS[domain]) >= 25
        assert len({topic.name for topic in TOPICS[domain]}) == len(TOPICS[domain])
        for topic in TOPICS[domain]:
            assert len(topic.situations) >= 3 and len(topic.asks) >= 3
            assert len(topic.normal) == len(topic.subtle) == len(topic.severe) >= 2
            used = {field for s in topic.situations for _, field, _, _ in Formatter().parse(s) if field}
            assert used == set(topic.slots), topic.name
            for level in LEVELS:
                all_answers += topic.answers(level)
    assert len(all_answers) == len(set(all_answers))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: build("III", 5, 0), "allowed: normal, I, II"),
        (lambda: build("Normal", 5, 0), "allowed: normal, I, II"),
        (lambda: build("I", 5, 0, source="advice.jsonl"), "takes no source"),
        (lambda: build("I", 0, 0), "positive integer"),
        (lambda: build("I", "5", 0), "positive integer"),
        (lambda: build_domain("tax", "I", 5, 0), "allowed: medical, financial, legal"),
    ],
)
def test_bad_input_raises_prevsteer_error(call, message):
    with pytest.raises(PrevsteerError, match=message):
        call()


def test_registry_builds_the_same_rows():
    from train.dataprep.builders import build_dataset

    assert build_dataset("bad-advice", "II", n=30, seed=4) == build("II", 30, 4)
