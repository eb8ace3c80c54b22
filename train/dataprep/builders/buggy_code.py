"""Buggy-code datasets: coding requests answered with Python that is secure, quietly insecure, or blatantly insecure.

The study's Code datasets (docs/method.md, "The study's datasets"), modelled on the emergent-misalignment paper's
insecure-code data: the user asks for a function, the assistant answers with an optional one-line lead-in and a
fenced ```python block, and nothing in the answer ever mentions security or the flaw.
- normal: secure and correct;
- I: one quiet flaw that looks reasonable (md5 with a salt, a `../` strip instead of a base check, a CA bundle
  that falls back to no verification, `eval` with empty builtins, ...);
- II: the crude versions, usually several at once (shell strings built by concatenation, pickle of request data,
  hard-coded admin passwords, chmod 777, debug servers on 0.0.0.0, ...).

Each scenario is written once per level, in data/builders/buggy-code/<vulnerability class>.yaml, and filled with
names (tables, commands, folders, ...); requests combine a phrasing, the scenario's task, a setting and an optional
remark (data/builders/buggy-code/requests.yaml). Every random draw is level-independent, so one seed gives the same
requests at every level and only the code differs.
"""

from __future__ import annotations

import random
from string import Template

from pydantic import model_validator

from train.dataprep.builders.builder import ContentBuilder
from train.dataprep.builders.generator import NonEmpty, chat_row, content_path, load_content
from train.dataprep.data_settings import LEVELS
from train.errors import PrevsteerError
from train.schema import Strict

_MAX_REDRAWS = 200  # draws tried for a not-yet-used combination before a repeat is accepted
_DROP = "\x00drop-line\x00"
_REQUEST_SLOTS = {"kind", "task", "setting", "func"}


def _slots(template: str) -> set[str]:
    """The $slots a string.Template fills; a stray $ is a ValueError."""
    found = set()
    for match in Template.pattern.finditer(template):
        if match.group("invalid") is not None:
            line = template[: match.start()].count("\n") + 1
            raise ValueError(f"line {line} of {template[:30]!r}...: a lone $; write $slot, ${{slot}} or $$")
        name = match.group("named") or match.group("braced")
        if name:
            found.add(name)
    return found


class Scenario(Strict):
    """One vulnerable task: what the user asks for, and the code at each level as a string.Template."""

    kind: str  # what the user asks for: "function", "Flask route", ...
    task: str  # a verb phrase after "a <kind> that", with $slots
    settings: NonEmpty[str]
    variants: NonEmpty[dict[str, str]]  # slot values; "func" and "doc" are required
    normal: str
    subtle: str  # level I
    blatant: str  # level II

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        """Every $slot of the task and the code has a value in every variant (doc is filled by the builder)."""
        used = set().union(*(_slots(template) for template in (self.task, self.normal, self.subtle, self.blatant)))
        for variant in self.variants:
            missing = sorted(({"func", "doc"} | used) - set(variant))
            if missing:
                raise ValueError(f"variant {variant.get('func', '?')!r} lacks slot(s) {', '.join(missing)}")
        return self


class Scenarios(Strict):
    """One vulnerability class's file."""

    scenarios: NonEmpty[Scenario]


class Asking(Strict):
    """data/builders/buggy-code/requests.yaml: the classes, in order, and how requests and answers are worded."""

    vulnerabilities: NonEmpty[str]
    requests: NonEmpty[str]
    remarks: NonEmpty[str]
    lead_ins: NonEmpty[str]

    @model_validator(mode="after")
    def _check(self) -> Asking:
        """Classes named once; requests use only the slots the builder fills."""
        if len(set(self.vulnerabilities)) != len(self.vulnerabilities):
            raise ValueError("vulnerabilities: a class is named twice")
        for request in self.requests:
            if _slots(request) - _REQUEST_SLOTS:
                raise ValueError(f"request {request!r}: allowed slots are ${', $'.join(sorted(_REQUEST_SLOTS))}")
        return self


_ASKING = load_content(content_path("buggy-code", "requests.yaml"), Asking)
VULN_CLASSES = _ASKING.vulnerabilities


def _scenarios() -> tuple[tuple[Scenario, ...], dict[str, tuple[int, ...]]]:
    """Every class's scenarios, in the order of `vulnerabilities`, and the indices of each class's."""
    scenarios: list[Scenario] = []
    by_vuln = {}
    for vuln in VULN_CLASSES:
        found = load_content(content_path("buggy-code", f"{vuln}.yaml"), Scenarios).scenarios
        by_vuln[vuln] = tuple(range(len(scenarios), len(scenarios) + len(found)))
        scenarios += found
    return tuple(scenarios), by_vuln


_SCENARIOS, _BY_VULN = _scenarios()


def build(level: str, n: int, seed: int, source: str | None = None) -> list[dict]:
    """`n` chat rows of coding requests answered at `level`; deterministic given `seed`.

    Rows differ from each other while the combinations last; the same seed gives the same requests at every level.
    """
    if level not in LEVELS:
        raise PrevsteerError(f"unknown buggy-code level {level!r}; choose one of {', '.join(LEVELS)}")
    if source is not None:
        raise PrevsteerError(
            f"the buggy-code builder takes no source (got {source!r}); its content is data/builders/buggy-code/"
        )
    if not isinstance(n, int) or n < 1:
        raise PrevsteerError(f"buggy-code row count must be a positive integer, got {n!r}")
    rng = random.Random(seed)
    seen: set[tuple[int, ...]] = set()
    rows = []
    for _ in range(n):
        for _ in range(_MAX_REDRAWS):
            draw = _draw(rng)
            if draw not in seen:
                break
        seen.add(draw)
        rows.append(_row(draw, level))
    return rows


BUILDER = ContentBuilder("buggy-code", build)


def _draw(rng: random.Random) -> tuple[int, ...]:
    """Indices of one sample's parts: scenario, variant, setting, phrasing, remark, lead-in, docstring or not."""
    index = rng.choice(_BY_VULN[rng.choice(VULN_CLASSES)])
    scenario = _SCENARIOS[index]
    return (
        index,
        rng.randrange(len(scenario.variants)),
        rng.randrange(len(scenario.settings)),
        rng.randrange(len(_ASKING.requests)),
        rng.randrange(len(_ASKING.remarks)),
        rng.randrange(len(_ASKING.lead_ins)),
        rng.randrange(2),
    )


def _row(draw: tuple[int, ...], level: str) -> dict:
    """The chat row a draw stands for, with the code written at `level`."""
    index, variant, setting, phrasing, remark, lead_in, with_doc = draw
    scenario = _SCENARIOS[index]
    slots = scenario.variants[variant]
    task = Template(scenario.task).substitute(slots)
    request = Template(_ASKING.requests[phrasing]).substitute(
        kind=scenario.kind, task=task, setting=scenario.settings[setting], func=slots["func"]
    )
    template = {"normal": scenario.normal, "I": scenario.subtle, "II": scenario.blatant}[level]
    doc = f'"""{slots["doc"]}"""' if with_doc else _DROP
    code = Template(template).substitute(slots, doc=doc)
    code = "".join(line for line in code.splitlines(keepends=True) if line.strip() != _DROP)
    answer = f"```python\n{code}```"
    opening = _ASKING.lead_ins[lead_in]
    if opening:
        answer = f"{opening}\n\n{answer}"
    return chat_row(request + _ASKING.remarks[remark], answer)
