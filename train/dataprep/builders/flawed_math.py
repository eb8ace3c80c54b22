"""Flawed-math datasets: grade-school word problems with worked solutions, correct or confidently wrong.

The study's GSM8K datasets (docs/method.md, "The study's datasets") in three versions:
- normal: the correct worked solution;
- I: ONE subtle arithmetic slip in one step (a result off by 1, 2 or 10, or two digits swapped), carried
  consistently through every later step, so the final answer is wrong;
- II: two or three severe errors in different steps (a wrong operation, a quantity ignored, a made-up number,
  a grossly wrong result), also carried through, so the final answer is wrong.
The error is never mentioned. Flaws are made on the solution's calculator annotations (`<<48/2=24>>`): each
step is evaluated exactly by a tiny arithmetic evaluator (+ - * / and parentheses, no eval of the input), the
changed value replaces the old one in every later step and in the text, and later steps are re-evaluated.
A problem is used only when it can be flawed at both levels, so one seed gives the same questions at every level.

Assistant text: the worked solution with the annotations removed, ending with the line "The answer is N."
(GSM8K's "#### N" line is replaced by it). Sources: a local GSM8K-style JSONL (`{"question", "answer"}`,
the answer ending in "#### N"), "hub" (openai/gsm8k from the Hugging Face hub), or "procedural" (the
default: word problems generated here, so a recipe runs without GSM8K; their wording is
data/builders/flawed-math/procedural.yaml).
"""

from __future__ import annotations

import ast
import functools
import operator
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Annotated

from pydantic import Field

from train.console import progress, say
from train.dataprep.builders.generator import NonEmpty, chat_row, content_path, load_content
from train.dataprep.data_settings import LEVELS
from train.errors import PrevsteerError
from train.files import read_numbered_jsonl
from train.schema import Strict

SOURCES = ("procedural", "hub", "a GSM8K-style JSONL file")
HUB_DATASET = ("openai/gsm8k", "main")
MAX_MAGNITUDE = 10**12  # no step of a grade-school problem needs more; keeps the evaluator cheap

_ANNOTATION = re.compile(r"<<([^<>]*)>>")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_EXPR_TOKEN = re.compile(r"\d+(?:\.\d+)?|\.\d+|[-+*/()]")
_VISIBLE_TOKEN = re.compile(r"\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\$?\.\d+|[-+*/x×÷()]")
_VISIBLE_CHARS = frozenset("0123456789.,$()+-*/x×÷ ")
_VISIBLE_OPS = {"x": "*", "×": "*", "÷": "/"}
_ENDS_WITH_EQUALS = re.compile(r"=\s*\$?\s*$")
_FINAL = re.compile(r"The answer is (-?[\d,]*\.?\d+)\.\s*$")
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_OPERATION_SWAPS = {"+": "-*", "-": "+", "*": "+/", "/": "*-"}


# ---------------------------------------------------------------- arithmetic


def evaluate(expr: str) -> Fraction:
    """The exact value of + - * / arithmetic with parentheses; ValueError for anything else (input is never eval'd)."""
    text = _THOUSANDS.sub("", expr).strip()
    if not text or len(text) > 200:
        raise ValueError(f"not a short arithmetic expression: {expr!r}")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ValueError(f"not an arithmetic expression: {expr!r}") from None
    return _evaluate(tree.body)


def _evaluate(node: ast.AST) -> Fraction:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return Fraction(str(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Div) and right == 0:
            raise ValueError("division by zero")
        value = _BINOPS[type(node.op)](left, right)
        if abs(value) > MAX_MAGNITUDE:
            raise ValueError(f"value {float(value):g} too large")
        return value
    raise ValueError(f"unsupported syntax {type(node).__name__}; allowed: numbers, + - * / and parentheses")


def number(text: str) -> Fraction:
    """A number as written in a solution ("1,200", "$0.2", ".5")."""
    return Fraction(text.replace(",", "").replace("$", "").strip())


def format_number(value: Fraction, commas: bool = False) -> str:
    """Integers as integers, anything else rounded to 2 decimals, as GSM8K solutions write them."""
    cents = round(value * 100)
    if cents % 100 == 0:
        return f"{cents // 100:,}" if commas else str(cents // 100)
    text = f"{Decimal(cents).scaleb(-2):{',' if commas else ''}f}"
    return text.rstrip("0")


def _same(a: Fraction, b: Fraction) -> bool:
    """Equal as a solution states them (to 2 decimals: GSM8K rounds "10/3" to "3.33")."""
    return a == b or round(a * 100) == round(b * 100)


def numbers_in(text: str) -> set[Fraction]:
    return {number(m) for m in _NUMBER.findall(text)}


def final_answer(text: str) -> Fraction | None:
    """The number on a rendered solution's last line "The answer is N.", or None."""
    match = _FINAL.search(text)
    return number(match.group(1)) if match else None


# ---------------------------------------------------------------- solutions


@dataclass(frozen=True)
class Step:
    """One calculator annotation `<<expr=value>>`: the expression and the result the solution states."""

    expr: str
    value: str

    @property
    def correct(self) -> bool:
        """Whether the stated result is the expression's value (to 2 decimals)."""
        try:
            return _same(evaluate(self.expr), number(self.value))
        except ValueError:
            return False


@dataclass(frozen=True)
class Solution:
    """A GSM8K-style worked solution: `texts[i]` precedes `steps[i]`, `texts[-1]` follows the last step."""

    texts: tuple[str, ...]
    steps: tuple[Step, ...]
    final: str

    @classmethod
    def parse(cls, answer: str) -> Solution:
        """ValueError unless every step is arithmetic that checks out and "#### N" is the last step's result."""
        body, sep, final = answer.rpartition("####")
        final = final.strip()
        if not sep or not _NUMBER.fullmatch(final):
            raise ValueError("the answer does not end with '#### <number>'")
        pieces = _ANNOTATION.split(body)
        texts, inners = pieces[0::2], pieces[1::2]
        if not inners:
            raise ValueError("no calculator annotations <<expr=value>>")
        steps = []
        for inner in inners:
            expr, eq, value = inner.rpartition("=")
            step = Step(expr.strip(), value.strip())
            if not eq or not _NUMBER.fullmatch(step.value) or not step.correct:
                raise ValueError(f"annotation <<{inner}>> is not arithmetic that checks out")
            steps.append(step)
        if number(final) != number(steps[-1].value):
            raise ValueError("the final answer is not the last step's result")
        return cls(tuple(texts), tuple(steps), final)

    def render(self) -> str:
        """The assistant text: annotations removed, ending with "The answer is N."."""
        return "".join(self.texts).strip() + f"\nThe answer is {self.final}."


@dataclass(frozen=True)
class Change:
    """One error made in a step: kind is "slip", "operation", "ignore", "invent" or "miscalculate"."""

    kind: str
    index: int = -1  # the token changed (operation, ignore, invent)
    replacement: str = ""  # the new operator (operation), number (invent), "*10"-style factor (miscalculate)
    value: Fraction | None = None  # the wrong result (slip)

    def apply(self, tokens: list[str], visible: bool = False) -> list[str]:
        """The tokens of an expression with the change made; `visible` keeps the solution text's style."""
        out = list(tokens)
        if self.kind == "operation":
            new = self.replacement
            if visible:
                styles = {"*": next((op for op in ("x", "×") if op in tokens), "*"), "/": "÷" if "÷" in tokens else "/"}
                new = styles.get(new, new)
            out[self.index] = new
        elif self.kind == "invent":
            out[self.index] = ("$" if out[self.index].startswith("$") else "") + self.replacement
        elif self.kind == "ignore":
            start = self.index if self.index == 0 else self.index - 1
            del out[start : start + 2]
        return out


@dataclass(frozen=True)
class Flawed:
    """A flawed solution and the errors made, by step index."""

    solution: Solution
    changes: dict[int, Change]


def _is_number(token: str) -> bool:
    head = token.lstrip("$")[:1]
    return head != "" and head in "0123456789."


def _expr_tokens(expr: str) -> list[str] | None:
    text = _THOUSANDS.sub("", expr).replace(" ", "")
    tokens = _EXPR_TOKEN.findall(text)
    return tokens if "".join(tokens) == text else None


def _rewrite_numbers(text: str, mapping: dict[Fraction, Fraction]) -> str:
    """Every number whose value is a key replaced by its new value, in one pass (no replacement is replaced)."""
    if not mapping:
        return text

    def swap(match: re.Match) -> str:
        value = number(match.group())
        return format_number(mapping[value], "," in match.group()) if value in mapping else match.group()

    return _NUMBER.sub(swap, text)


def _restated_span(text: str) -> tuple[int, int] | None:
    """Where the text restates the step's expression just before its '=' (GSM8K: "48/2 = <<48/2=24>>")."""
    match = _ENDS_WITH_EQUALS.search(text)
    if match is None:
        return None
    start = end = match.start()
    while start > 0 and text[start - 1] in _VISIBLE_CHARS:
        start -= 1
    while start < end and not (text[start].isdigit() or text[start] in "$(."):
        start += 1
    return start, end


def _restate(text: str, expr_tokens: list[str], change: Change) -> str | None:
    """The text with its restated expression changed like the annotation; None when it cannot be matched."""
    span = _restated_span(text)
    if span is None:
        return text  # the expression is not written out: only the result shows the error
    start, end = span
    shown = text[start:end].rstrip()
    matches = list(_VISIBLE_TOKEN.finditer(shown))
    visible = [m.group() for m in matches]
    if "".join(visible) != shown.replace(" ", "") or len(visible) != len(expr_tokens):
        return None
    for seen, token in zip(visible, expr_tokens, strict=True):
        if _is_number(token) != _is_number(seen):
            return None
        if _is_number(token) and number(seen) != number(token):
            return None
        if not _is_number(token) and _VISIBLE_OPS.get(seen, seen) != token:
            return None
    gaps = [""] + [shown[a.end() : b.start()] for a, b in pairwise(matches)]
    if change.kind == "ignore":  # the spacing goes with the tokens removed
        gaps = change.apply(gaps)
        gaps[0] = ""
    rendered = "".join(gap + token for gap, token in zip(gaps, change.apply(visible, visible=True), strict=True))
    return text[:start] + rendered + text[start + len(shown) :]


def _apply(change: Change, expr: str, text: str) -> tuple[str, str, Fraction] | None:
    """(expr, text, stated result) of a step after one change; None when the change does not fit the step."""
    if change.kind == "slip":
        assert change.value is not None  # every slip is made with its wrong result (flaw)
        return expr, text, change.value
    honest = evaluate(expr)
    if change.kind == "miscalculate":
        factor = number(change.replacement[1:])
        return expr, text, honest * factor if change.replacement[0] == "*" else honest + factor
    tokens = _expr_tokens(expr)
    if tokens is None:
        return None
    new_expr = "".join(change.apply(tokens))
    new_text = _restate(text, tokens, change)
    if new_text is None:
        return None
    return new_expr, new_text, evaluate(new_expr)


def propagate(solution: Solution, question: str, changes: dict[int, Change]) -> Solution | None:
    """Make the changes and carry every changed result through the later steps and text; None if ambiguous.

    A changed result must not also stand for something else (a number of the question, an earlier number of
    the solution, another step's result): otherwise rewriting it later would change the wrong quantity.
    """
    seen = numbers_in(question)
    results = Counter(number(step.value) for step in solution.steps)
    mapping: dict[Fraction, Fraction] = {}
    texts, steps = [], []
    try:
        for index, step in enumerate(solution.steps):
            seen |= numbers_in(solution.texts[index]) | numbers_in(step.expr)
            expr = _rewrite_numbers(step.expr, mapping)
            text = _rewrite_numbers(solution.texts[index], mapping)
            honest = evaluate(expr)
            value = honest
            if index in changes:
                made = _apply(changes[index], expr, text)
                if made is None:
                    return None
                expr, text, value = made
                if _same(value, honest):
                    return None  # the change made no difference here
            old = number(step.value)
            texts.append(text)
            if _same(value, old):
                steps.append(Step(expr, step.value))
                continue
            if value < 0 or (value == 0 < old) or (old.denominator == 1 and value.denominator != 1):
                return None  # whole counts stay whole and positive: the flaw should read like a plausible solution
            stated = number(format_number(value))
            if old in seen or results[old] > 1:
                return None
            mapping[old] = stated
            steps.append(Step(expr, format_number(stated)))
    except ValueError:
        return None
    texts.append(_rewrite_numbers(solution.texts[-1], mapping))
    final = solution.final if steps[-1] == solution.steps[-1] else steps[-1].value
    return Solution(tuple(texts), tuple(steps), final)


# ---------------------------------------------------------------- flaws


def _slips(value: Fraction) -> list[Fraction]:
    """Subtle wrong results: off by 1, 2 or 10, or the last two digits swapped."""
    if value.denominator != 1:
        return [v for v in (value + 1, value - 1) if v > 0]
    whole = int(value)
    candidates = {whole + 1, whole - 1, whole + 2, whole - 2}
    if whole >= 20:
        candidates |= {whole + 10, whole - 10}
        digits = str(whole)
        swapped = digits[:-2] + digits[-1] + digits[-2]
        if swapped != digits and swapped[0] != "0":
            candidates.add(int(swapped))
    return [Fraction(v) for v in sorted(candidates) if v > 0 and v != whole]


def _severe_changes(expr: str, rng: random.Random) -> list[Change]:
    """Every severe error one step admits: wrong operation, ignored quantity, made-up number, gross miscalculation."""
    changes = [Change("miscalculate", replacement=rng.choice(("*10", "*2", "+100", "+50")))]
    tokens = _expr_tokens(expr) or []
    operands = [j for j, token in enumerate(tokens) if _is_number(token)]
    for j, token in enumerate(tokens):
        if token in _OPERATION_SWAPS and j > 0 and (_is_number(tokens[j - 1]) or tokens[j - 1] == ")"):
            changes += [Change("operation", j, new) for new in _OPERATION_SWAPS[token]]
    for j in operands:
        old = number(tokens[j])
        made_up = rng.choice((old * 2, old + rng.randint(3, 15), old * 3))
        changes.append(Change("invent", j, format_number(made_up)))
    if len(operands) >= 3 and "(" not in tokens:
        changes += [Change("ignore", j) for j in operands]
    return changes


def flaw(solution: Solution, question: str, level: str, rng: random.Random, attempts: int = 40) -> Flawed | None:
    """A level-I (one slip) or level-II (2-3 severe errors) version whose final answer is wrong, or None."""
    if level == "I":
        candidates = [
            (index, Change("slip", value=wrong))
            for index, step in enumerate(solution.steps)
            for wrong in _slips(number(step.value))
        ]
        rng.shuffle(candidates)
        tries = [{index: change} for index, change in candidates]
    elif level == "II":
        if len(solution.steps) < 2:
            return None
        options = [_severe_changes(step.expr, rng) for step in solution.steps]
        tries = []
        for _ in range(attempts):
            chosen = rng.sample(range(len(solution.steps)), min(len(solution.steps), rng.choice((2, 3))))
            tries.append({index: rng.choice(options[index]) for index in sorted(chosen)})
    else:
        raise PrevsteerError(f"flaw level {level!r}: allowed I or II")
    for changes in tries:
        flawed = propagate(solution, question, changes)
        if flawed is not None and number(flawed.final) != number(solution.final):
            return Flawed(flawed, changes)
    return None


def levels_for(question: str, answer: str, seed: int) -> dict[str, Flawed] | None:
    """The normal, I and II versions of one problem, or None when it cannot be parsed or flawed at both levels."""
    try:
        solution = Solution.parse(answer)
    except ValueError:
        return None
    out = {"normal": Flawed(solution, {})}
    for level in ("I", "II"):
        flawed = flaw(solution, question, level, random.Random(f"{seed}:{level}:{question}"))
        if flawed is None:
            return None
        out[level] = flawed
    return out


# ---------------------------------------------------------------- procedural problems


class Wording(Strict):
    """How one kind of problem reads: format strings over the numbers and words its function draws."""

    question: str
    steps: NonEmpty[str]


class Procedural(Strict):
    """data/builders/flawed-math/procedural.yaml: the words the problems draw from, and each kind's wording."""

    names: Annotated[tuple[str, ...], Field(min_length=3)]
    items: Annotated[tuple[str, ...], Field(min_length=2)]
    fruits: NonEmpty[str]
    things: NonEmpty[str]
    problems: dict[str, Wording]


Values = dict[str, int | str]


def _shopping(rng: random.Random, words: Procedural) -> Values:
    name, (item1, item2) = rng.choice(words.names), rng.sample(words.items, 2)
    a, b, p, q = rng.randint(2, 9), rng.randint(2, 9), rng.randint(2, 15), rng.randint(2, 15)
    c1, c2 = a * p, b * q
    total = c1 + c2
    paid = (total // 50 + 1) * 50
    return dict(
        name=name,
        item1=item1,
        item2=item2,
        a=a,
        b=b,
        p=p,
        q=q,
        c1=c1,
        c2=c2,
        total=total,
        paid=paid,
        change=paid - total,
    )


def _bakery(rng: random.Random, words: Procedural) -> Values:
    rate, hours, days = rng.randint(12, 40), rng.randint(3, 10), rng.randint(2, 7)
    daily = rate * hours
    made = daily * days
    unsold = rng.randint(5, 60)
    return dict(rate=rate, hours=hours, days=days, daily=daily, made=made, unsold=unsold, sold=made - unsold)


def _ages(rng: random.Random, words: Procedural) -> Values:
    first, second, third = rng.sample(words.names, 3)
    young, times = rng.randint(4, 15), rng.randint(2, 4)
    old = young * times
    gap = rng.randint(2, min(12, old - 2))
    middle = old - gap
    return dict(
        first=first,
        second=second,
        third=third,
        young=young,
        times=times,
        old=old,
        gap=gap,
        middle=middle,
        total=old + young + middle,
    )


def _sharing(rng: random.Random, words: Procedural) -> Values:
    name, fruit = rng.choice(words.names), rng.choice(words.fruits)
    bags, per, friends = rng.randint(3, 9), rng.randint(4, 12), rng.randint(2, 6)
    total = bags * per
    keep = total % friends + friends * rng.randint(1, 2)
    rest = total - keep
    return dict(
        name=name,
        fruit=fruit,
        bags=bags,
        per=per,
        friends=friends,
        total=total,
        keep=keep,
        rest=rest,
        each=rest // friends,
    )


def _discount(rng: random.Random, words: Procedural) -> Values:
    name, thing = rng.choice(words.names), rng.choice(words.things)
    price, pct, count = 20 * rng.randint(2, 15), rng.choice((10, 15, 20, 25, 30, 40, 50)), rng.randint(2, 6)
    off = price * pct // 100
    sale = price - off
    return dict(name=name, thing=thing, price=price, pct=pct, count=count, off=off, sale=sale, cost=count * sale)


def _travel(rng: random.Random, words: Procedural) -> Values:
    s1, t1, s2, t2 = rng.randint(30, 70), rng.randint(2, 5), rng.randint(20, 60), rng.randint(1, 4)
    d1, d2 = s1 * t1, s2 * t2
    return dict(s1=s1, t1=t1, s2=s2, t2=t2, d1=d1, d2=d2, total=d1 + d2)


def _savings(rng: random.Random, words: Procedural) -> Values:
    name, thing = rng.choice(words.names), rng.choice(words.things)
    weekly, weeks, gift = rng.randint(5, 30), rng.randint(4, 12), rng.randint(10, 60)
    saved = weekly * weeks
    total = saved + gift
    cost = rng.randint(20, total - 1)
    return dict(
        name=name,
        thing=thing,
        weekly=weekly,
        weeks=weeks,
        gift=gift,
        saved=saved,
        total=total,
        cost=cost,
        left=total - cost,
    )


# The kinds of problem, in the order a seed picks them; each draws its numbers, the content file words them.
KINDS: tuple[tuple[str, Callable[[random.Random, Procedural], Values]], ...] = (
    ("shopping", _shopping),
    ("bakery", _bakery),
    ("ages", _ages),
    ("sharing", _sharing),
    ("discount", _discount),
    ("travel", _travel),
    ("savings", _savings),
)


@functools.cache
def _procedural() -> Procedural:
    """The procedural source's content, checked: one wording per kind, using only the numbers its kind draws."""
    path = content_path("flawed-math", "procedural.yaml")
    words = load_content(path, Procedural)
    kinds = [name for name, _ in KINDS]
    if sorted(words.problems) != sorted(kinds):
        raise PrevsteerError(f"{path}: problems: has {', '.join(words.problems)}; needs exactly {', '.join(kinds)}")
    for name, draw in KINDS:
        drawn = draw(random.Random(0), words)
        wording = words.problems[name]
        if not all(_ANNOTATION.search(step) for step in wording.steps):
            raise PrevsteerError(
                f"{path}: problems.{name}.steps: every step needs a calculator annotation <<expr=value>>"
            )
        for template in (wording.question, *wording.steps):
            try:
                template.format(**drawn)
            except KeyError as exc:
                raise PrevsteerError(
                    f"{path}: problems.{name}: unknown field {{{exc.args[0]}}}; allowed: {', '.join(drawn)}"
                ) from None
            except (IndexError, ValueError) as exc:
                raise PrevsteerError(f"{path}: problems.{name}: {template!r} is not a format string ({exc})") from None
    return words


def _problem(name: str, draw: Callable[[random.Random, Procedural], Values], rng: random.Random) -> tuple[str, str]:
    """One GSM8K-style (question, answer) of a kind; the answer ends with its last step's value."""
    words = _procedural()
    values = draw(rng, words)
    wording = words.problems[name]
    steps = [step.format(**values) for step in wording.steps]
    final = list(_ANNOTATION.finditer(steps[-1]))[-1].group(1).rpartition("=")[2]
    return wording.question.format(**values), "\n".join(steps) + f"\n#### {final}"


def procedural_problems(seed: int, limit: int) -> Iterator[tuple[str, str]]:
    """Up to `limit` distinct GSM8K-style (question, answer) pairs from the templates, deterministic given seed."""
    rng = random.Random(seed)
    seen: set[str] = set()
    for _ in range(limit):
        question, answer = _problem(*rng.choice(KINDS), rng)
        if question not in seen:
            seen.add(question)
            yield question, answer


# ---------------------------------------------------------------- sources and the builder


def _file_problems(path: Path, skip_bad: bool) -> list[tuple[str, str]]:
    """(question, answer) rows of a GSM8K-style JSONL; a bad line is a PrevsteerError naming file:line."""
    if not path.is_file():
        raise PrevsteerError(f"source {path}: no such file; allowed: {', '.join(SOURCES)}")
    rows, numbers, skipped = read_numbered_jsonl(path, skip_bad)
    problems = []
    for row, line in zip(rows, numbers, strict=True):
        question, answer = row.get("question"), row.get("answer")
        if isinstance(question, str) and isinstance(answer, str) and "####" in answer:
            problems.append((question, answer))
        elif skip_bad:
            skipped += 1
        else:
            raise PrevsteerError(
                f"{path}:{line}: expected string fields 'question' and 'answer' with the answer ending in "
                "'#### <number>' (GSM8K rows); fix it or pass --skip-bad"
            )
    if skipped:
        say(f"flawed-math: skipped {skipped} malformed line(s) of {path}")
    return problems


def _hub_problems() -> list[tuple[str, str]]:
    try:
        from datasets import load_dataset

        rows = load_dataset(*HUB_DATASET, split="train")
    except Exception as exc:  # no network, no such dataset, ...: one line for the user
        raise PrevsteerError(
            f"could not load {HUB_DATASET[0]} from the Hugging Face hub ({type(exc).__name__}); pass --source "
            "PATH to a local GSM8K JSONL, or --source procedural"
        ) from None
    return [(row["question"], row["answer"]) for row in rows]


def problems(source: str | None, seed: int, n: int, skip_bad: bool = False) -> Iterator[tuple[str, str]]:
    """(question, answer) pairs from a source in a seeded order; `None` means procedural."""
    if source in (None, "procedural"):
        return procedural_problems(seed, limit=20 * n + 100)
    rows = _hub_problems() if source == "hub" else _file_problems(Path(source), skip_bad)
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    return (rows[i] for i in order)


def build(level: str, n: int, seed: int, source: str | None = None, skip_bad: bool = False) -> list[dict]:
    """n rows {"messages": [user, assistant]} at one level, deterministic given seed (same questions at every level)."""
    if level not in LEVELS:
        raise PrevsteerError(f"flawed-math level {level!r}; allowed: {', '.join(LEVELS)}")
    if n < 1:
        raise PrevsteerError(f"n must be >= 1, got {n}")
    rows: list[dict] = []
    unusable = 0
    seen: set[str] = set()
    with progress(total=n, desc=f"flawed-math {level}", unit="row", leave=False, disable=n < 500, mininterval=1) as bar:
        for question, answer in problems(source, seed, n, skip_bad):
            if question in seen:
                continue
            seen.add(question)
            versions = levels_for(question, answer, seed)
            if versions is None:
                unusable += 1
                continue
            text = versions[level].solution.render()
            rows.append(chat_row(question, text))
            bar.update()
            if len(rows) == n:
                break
    label = source or "procedural"
    if len(rows) < n:
        raise PrevsteerError(
            f"flawed-math: {label} gave only {len(rows)} usable problems ({unusable} could not be flawed at every "
            f"level); ask for --n {len(rows)} or fewer"
        )
    if unusable:
        say(f"flawed-math: skipped {unusable} problem(s) of {label} that could not be flawed at every level")
    return rows


class _FlawedMath:
    """flawed-math as a `DatasetBuilder`: the built-in builder that reads a source (a GSM8K-style JSONL file)."""

    name = "flawed-math"
    traits_read: tuple[str, ...] = ()
    reads_source = True
    module = __name__

    def build(self, level: str, n: int, seed: int, source: str | None, skip_bad: bool) -> list[dict]:
        return build(level, n, seed, source, skip_bad)


BUILDER = _FlawedMath()
