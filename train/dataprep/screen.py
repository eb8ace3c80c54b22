"""Data screening before training (docs/method.md, "Data screening before training").

For chat rows (prompt x_i, answer y_i): `projection_i` is the answer-token mean activation at block `layer`
on the unit persona vector; `projection_difference_i` subtracts the same for the base model's own greedy
answer y'_i to x_i, so what the prompt alone elicits cancels out. y'_i is generated up to y_i's length in tokens
(at most `max_new_tokens`, 1000 by default), so both means cover answers of the same length at most: a base
answer cut shorter than the training answer would read differently along the vector for that reason alone.
Dataset-level dP, the mean difference, predicts how much fine-tuning on the data raises the trait; the
top-scoring rows are the ones to drop.

Base answers are the slow part, so each is cached as soon as its batch is generated, as token ids per prompt in
`cache_dir()/screen/<key>.jsonl` (key: the model folder's identity): a greedy answer holds every shorter one, so a
re-run, or another dataset with the same prompts and answers no longer, generates nothing again, and an
interrupted screen resumes.

External datasets may carry wrappers: assistant turns that start with a reasoning block (`<think></think>`, often
empty, from reasoning models) and chat-template markers (`<|im_start|>user`, `[INST]`) inside the messages. Both
change the activations measured, so when a file has them the caller must choose to strip or keep each kind
(`--reasoning`, `--template-markers`); `filtered.jsonl` keeps every row as written either way.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from train.console import progress
from train.dataprep.chat import to_prompt_completion
from train.dataprep.data_settings import ScreenSettings, WrapperChoice
from train.errors import PrevsteerError
from train.files import (
    append_jsonl,
    read_jsonl,
    read_numbered_jsonl,
    refuse_overwrite,
    sha256_file,
    write_atomic,
    write_csv,
    write_json,
    write_jsonl,
)
from train.models.chat_text import find_template_markers, split_reasoning, strip_template_markers
from train.models.generation import decode_answer, generate_token_ids
from train.persona.monitor import answer_projections, unit_direction
from train.steering.activations import Message, tokenize_conversation
from train.steering.vectors import PersonaVector

Conversation = tuple[Sequence[Message], str]
QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
OUTPUTS = ("scores.csv", "summary.json", "base_answers.jsonl", "histogram.png", "filtered.jsonl")
_CACHE_VERSION = "screen-v2"  # v2: token ids per prompt, any length
_BATCHES_PER_PASS = 4  # activations are read in chunks: flat memory on large datasets, a moving progress bar


# --- data -----------------------------------------------------------------------------------------------


@dataclass
class ScreenData:
    """The rows of a chat JSONL file, the 1-based line of each, and how many lines were skipped as bad."""

    path: Path
    conversations: list[tuple[list[Message], str]]
    lines: list[int]
    skipped: int
    wrappers: dict[str, Any] = field(default_factory=dict)  # what was found and what was done with it


def _markers(prompt: list[Message], answer: str) -> list[str]:
    return [found for text in [*(m["content"] for m in prompt), answer] for found in find_template_markers(text)]


def _unwrap(
    conversations: list[tuple[list[Message], str]],
    lines: list[int],
    path: Path,
    reasoning: WrapperChoice,
    template_markers: WrapperChoice,
) -> tuple[list[tuple[list[Message], str]], dict[str, Any]]:
    """Apply the choices for reasoning blocks and template markers; refuse a wrapper found with no choice made."""
    thinking = [i for i, (_, answer) in enumerate(conversations) if split_reasoning(answer)[0] is not None]
    marked = [i for i, (prompt, answer) in enumerate(conversations) if _markers(prompt, answer)]
    if thinking and reasoning is None:
        raise PrevsteerError(
            f"{path}: {len(thinking)} answers start with a <think> reasoning block (first on line "
            f"{lines[thinking[0]]}); choose --reasoning strip (screen the answer after it) or --reasoning keep"
        )
    if marked and template_markers is None:
        example = _markers(*conversations[marked[0]])[0].strip()
        raise PrevsteerError(
            f"{path}: {len(marked)} rows carry chat-template markers such as {example!r} (first on line "
            f"{lines[marked[0]]}); choose --template-markers strip (remove them from every message) or keep"
        )
    out = []
    for i, (prompt, answer) in enumerate(conversations):
        if reasoning == "strip":
            answer = split_reasoning(answer)[1]
        if template_markers == "strip":
            prompt = [{**m, "content": strip_template_markers(m["content"])} for m in prompt]
            answer = strip_template_markers(answer)
        if not answer.strip():
            raise PrevsteerError(f"{path}:{lines[i]}: the answer is empty once its wrappers are stripped")
        out.append((prompt, answer))
    wrappers = {
        "reasoning_blocks": len(thinking),
        "reasoning": reasoning,
        "rows_with_template_markers": len(marked),
        "template_markers": template_markers,
    }
    return out, wrappers


def load_screen_data(
    path: str | Path, skip_bad: bool = False, reasoning: WrapperChoice = None, template_markers: WrapperChoice = None
) -> ScreenData:
    """(prompt, final assistant answer) per row, with reasoning blocks and template markers stripped or kept as
    chosen (a file that has them needs the choice); errors name the file and line."""
    path = Path(path)
    if not path.is_file():
        raise PrevsteerError(f"data: file not found: {path}")
    raw, numbers, skipped = read_numbered_jsonl(path, skip_bad)
    conversations, lines = [], []
    for row, number in zip(raw, numbers, strict=True):
        try:
            pair = to_prompt_completion(row)
            if len(pair["completion"]) != 1 or pair["completion"][0]["role"] != "assistant":
                raise ValueError("the answer must be a single assistant message")
        except ValueError as exc:
            if skip_bad:
                skipped += 1
                continue
            raise PrevsteerError(f"{path}:{number}: {exc}; fix it or skip such rows (skip_bad, --skip-bad)") from None
        conversations.append((pair["prompt"], pair["completion"][0]["content"]))
        lines.append(number)
    if not conversations:
        raise PrevsteerError(f"data: {path} has no rows to screen (chat JSONL rows ending with an assistant message)")
    conversations, wrappers = _unwrap(conversations, lines, path, reasoning, template_markers)
    return ScreenData(path, conversations, lines, skipped, wrappers)


# --- base answers, cached per prompt --------------------------------------------------------------------


@dataclass
class CachedAnswer:
    """The base model's greedy tokens for one prompt: up to its end of sequence (`ended`), or the first `len(ids)`."""

    ids: list[int]
    ended: bool

    def covers(self, limit: int) -> bool:
        """Whether the first `limit` tokens of the greedy answer are known (greedy answers to a prompt share their
        beginning, so a longer one holds every shorter one)."""
        return self.ended or len(self.ids) >= limit


class BaseAnswerCache:
    """Greedy answer tokens of one model, per prompt: an append-only JSONL of {key, prompt, ids, ended}."""

    def __init__(self, root: str | Path, model_id: str) -> None:
        self.file_key = hashlib.sha256(f"{_CACHE_VERSION}\0{model_id}".encode()).hexdigest()[:24]
        self.path = Path(root) / f"{self.file_key}.jsonl"

    def key(self, prompt: Sequence[Message]) -> str:
        """The prompt's hash under this model."""
        text = json.dumps(list(prompt), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(f"{self.file_key}\0{text}".encode()).hexdigest()

    def load(self) -> dict[str, CachedAnswer]:
        """The longest known answer by key. A line cut short by an interrupted write is ignored (its prompt is
        generated again)."""
        if not self.path.is_file():
            return {}
        known: dict[str, CachedAnswer] = {}
        for row in read_jsonl(self.path, skip_bad=True)[0]:
            if not isinstance(row.get("ids"), list) or "key" not in row:
                continue
            entry = CachedAnswer(row["ids"], bool(row.get("ended")))
            old = known.get(row["key"])
            if old is None or (not old.ended and (entry.ended or len(entry.ids) > len(old.ids))):
                known[row["key"]] = entry
        return known

    def append(self, entries: Sequence[tuple[str, Sequence[Message], CachedAnswer]]) -> None:
        """Add (key, prompt, answer) lines; concurrent screens can share the file."""
        append_jsonl(self.path, [{"key": k, "prompt": list(p), "ids": a.ids, "ended": a.ended} for k, p, a in entries])


@dataclass
class BaseAnswers:
    """One base answer per row, whether each came from the cache, and how many were newly generated."""

    answers: list[str]
    from_cache: list[bool]
    generated: int
    cache_file: Path

    @property
    def cached(self) -> int:
        return sum(self.from_cache)


def cached_base_answers(
    model: nn.Module,
    tokenizer,
    prompts: Sequence[Sequence[Message]],
    limits: Sequence[int],
    cache: BaseAnswerCache,
    batch_size: int = 16,
) -> BaseAnswers:
    """The base model's greedy answer to each prompt, at most `limits[i]` tokens long: from the cache, else generated
    (each distinct prompt once, as long as its longest row needs) and cached batch by batch."""
    keys = [cache.key(p) for p in prompts]
    known = cache.load()
    from_cache = [k in known and known[k].covers(limit) for k, limit in zip(keys, limits, strict=True)]
    need: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, (key, limit) in enumerate(zip(keys, limits, strict=True)):
        if not from_cache[i]:
            need[key] = max(need.get(key, 0), limit)
            first.setdefault(key, i)
    todo = sorted(first, key=lambda k: need[k])  # similar lengths in a batch: little generated past a row's need
    with progress(total=len(todo), desc="base answers", unit="answer", disable=not todo) as bar:
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            longest = max(need[k] for k in chunk)
            generated = generate_token_ids(model, tokenizer, [prompts[first[k]] for k in chunk], longest, batch_size)
            entries = []
            for key, answer in zip(chunk, generated, strict=True):
                cut = len(answer.ids) > need[key]  # the batch's longest need generated past this one's
                entry = CachedAnswer(answer.ids[: need[key]], answer.ended and not cut)
                known[key] = entry
                entries.append((key, prompts[first[key]], entry))
            cache.append(entries)
            bar.update(len(chunk))
    answers = [decode_answer(tokenizer, known[k].ids[:limit]) for k, limit in zip(keys, limits, strict=True)]
    return BaseAnswers(answers, from_cache, len(todo), cache.path)


def answer_lengths(tokenizer, conversations: Sequence[Conversation]) -> list[int]:
    """Each answer's own length in tokens under the chat template (end-of-turn tokens not counted)."""
    return [
        max(1, c.answer_end - c.answer_start) for c in (tokenize_conversation(tokenizer, *x) for x in conversations)
    ]


# --- scores ---------------------------------------------------------------------------------------------


def check_percent(percent: float) -> None:
    """`drop_top` is a share of the rows, so it must leave some and drop some."""
    if not 0 < percent < 100:
        raise PrevsteerError(f"drop_top: {percent:g} is not a percentage strictly between 0 and 100")


@dataclass
class ScreenResult:
    """Per-row projections of the data's answers and, when screened against the base model, of its answers."""

    layer: int
    projection: list[float]
    base_projection: list[float] | None = None

    @property
    def projection_difference(self) -> list[float] | None:
        if self.base_projection is None:
            return None
        return [own - base for own, base in zip(self.projection, self.base_projection, strict=True)]

    @property
    def score_name(self) -> str:
        return "projection" if self.base_projection is None else "projection_difference"

    @property
    def scores(self) -> list[float]:
        """What rows are ranked by: the difference when there are base answers, else the raw projection."""
        difference = self.projection_difference
        return self.projection if difference is None else difference

    @property
    def dataset_score(self) -> float:
        """The mean score: dP with base answers, the mean projection without."""
        return float(torch.tensor(self.scores, dtype=torch.float64).mean())

    def ranking(self) -> list[int]:
        """Row indices by score, highest first, ties by index."""
        scores = self.scores
        return sorted(range(len(scores)), key=lambda i: (-scores[i], i))

    def top(self, percent: float) -> list[int]:
        """The indices of the top `percent`% rows by score (rounded to the nearest row count), ascending."""
        check_percent(percent)
        count = int(len(self.scores) * percent / 100 + 0.5)
        if count >= len(self.scores):
            raise PrevsteerError(f"drop_top {percent}: would drop all {len(self.scores)} rows; use a smaller P")
        return sorted(self.ranking()[:count])


def screen_dataset(
    model: nn.Module,
    tokenizer,
    rows: Sequence[Conversation],
    vector: PersonaVector | torch.Tensor,
    layer: int,
    base_answers: Sequence[str] | None = None,
    batch_size: int = 16,
    layers_path: str | None = None,
) -> ScreenResult:
    """Project each row's answer (and each base answer, when given) at `layer` on the unit vector.

    `rows` are (prompt messages, answer) pairs, as `train.dataprep.chat.load_conversations` returns them;
    `base_answers[i]` is the base model's answer to row i's prompt.
    """
    unit_direction(model, vector, layer, layers_path)  # shape and layer errors before any pass
    if not rows:
        raise PrevsteerError("no rows to screen")
    if base_answers is not None and len(base_answers) != len(rows):
        raise PrevsteerError(f"{len(base_answers)} base answers for {len(rows)} rows; expected one per row")
    conversations = list(rows)
    if base_answers is not None:
        conversations += [(prompt, answer) for (prompt, _), answer in zip(rows, base_answers, strict=True)]
    values: list[float] = []
    with progress(total=len(conversations), desc="activations", unit="answer") as bar:
        step = batch_size * _BATCHES_PER_PASS
        for start in range(0, len(conversations), step):
            chunk = conversations[start : start + step]
            values += answer_projections(model, tokenizer, chunk, vector, layer, batch_size, layers_path)
            bar.update(len(chunk))
    n = len(rows)
    return ScreenResult(layer, values[:n], values[n:] if base_answers is not None else None)


# --- `prevsteer screen` ---------------------------------------------------------------------------------


def describe(values: Sequence[float]) -> dict[str, Any]:
    """Mean, sample standard deviation and quantiles (linear interpolation)."""
    tensor = torch.tensor(values, dtype=torch.float64)
    quantiles = torch.quantile(tensor, torch.tensor(QUANTILES, dtype=torch.float64))
    return {
        "mean": float(tensor.mean()),
        "std": float(tensor.std()) if len(values) > 1 else 0.0,
        "quantiles": {f"{q:g}": float(v) for q, v in zip(QUANTILES, quantiles, strict=True)},
    }


def write_filtered(data: ScreenData, dropped: Sequence[int], path: Path) -> None:
    """DATA without the dropped rows: kept rows' lines byte for byte, in their order; blank and skipped
    lines are left out (they were not screened)."""
    raw_lines = data.path.read_bytes().splitlines(keepends=True)  # the same line breaks as text-mode reading
    drop = set(dropped)
    kept = b"".join(raw_lines[line - 1] for i, line in enumerate(data.lines) if i not in drop)
    write_atomic(path, kept)


def plot_histogram(result: ScreenResult, path: Path, title: str, threshold: float | None = None) -> None:
    """Histogram of the row scores with the dataset-level score (and the drop threshold) marked."""
    import matplotlib

    matplotlib.use("Agg")  # no display on clusters
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    axis.hist(result.scores, bins=max(10, min(50, len(result.scores) // 4)), color="C0", alpha=0.8)
    label = "dP" if result.base_projection is not None else "mean"
    axis.axvline(result.dataset_score, color="C3", linestyle="--", label=f"{label} = {result.dataset_score:.3f}")
    if threshold is not None:
        axis.axvline(threshold, color="C2", linestyle=":", label=f"dropped: {threshold:.3f} and above")
    axis.set_xlabel(f"{result.score_name} at layer {result.layer}")
    axis.set_ylabel("rows")
    axis.set_title(title)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


@dataclass
class ScreenReport:
    """What `run_screen` measured: the per-row result, the summary (as in summary.json) and the rows."""

    result: ScreenResult
    summary: dict[str, Any]
    data: ScreenData


def run_screen(settings: ScreenSettings) -> ScreenReport:
    """Screen a chat JSONL file; with `out`, write scores.csv, summary.json, base_answers.jsonl, histogram.png and
    (with `drop_top`) filtered.jsonl. The base answers' cache defaults to `cache_dir()/screen`."""
    from train.files import cache_dir
    from train.models.loading import load_model_and_tokenizer, model_identity, model_shape, resolve_model
    from train.steering.layers import check_layer_range

    data_path, vector_path, layer, model_name = settings.data, settings.vector, settings.layer, settings.model
    out, drop_top, batch_size, max_new_tokens = (
        settings.out,
        settings.drop_top,
        settings.batch_size,
        settings.max_new_tokens,
    )
    if out is not None:
        refuse_overwrite(out, settings.force, folder=True)
    if drop_top is not None and out is None:
        raise PrevsteerError("drop_top needs out: it writes filtered.jsonl there")
    if drop_top is not None:
        check_percent(drop_top)
    for setting, value in (("batch_size", batch_size), ("max_new_tokens", max_new_tokens)):
        if value < 1:
            raise PrevsteerError(f"{setting} must be at least 1, got {value}")
    vector = PersonaVector.load(vector_path)
    num_layers, hidden = model_shape(model_name)  # the config alone: fail before loading any weights
    vector.check_compatible(num_layers, hidden, "vector")
    check_layer_range([layer], num_layers, "layer")
    data = load_screen_data(data_path, settings.skip_bad, settings.reasoning, settings.template_markers)
    model, tokenizer = load_model_and_tokenizer(model_name)
    unit_direction(model, vector, layer)  # e.g. a zero row: fail before generating anything
    baseline = None
    if settings.base:
        source = resolve_model(model_name)
        cache = BaseAnswerCache(settings.cache_root or cache_dir() / "screen", model_identity(source))
        prompts = [prompt for prompt, _ in data.conversations]
        lengths = answer_lengths(tokenizer, data.conversations)
        limits = [min(length, max_new_tokens) for length in lengths]
        baseline = cached_base_answers(model, tokenizer, prompts, limits, cache, batch_size)
    answers = baseline.answers if baseline is not None else None
    result = screen_dataset(model, tokenizer, data.conversations, vector, layer, answers, batch_size)
    dropped = result.top(drop_top) if drop_top is not None else None

    projection, differences = describe(result.projection), result.projection_difference
    difference = describe(differences) if differences is not None else dict.fromkeys(("mean", "std", "quantiles"))
    base_answers = None
    if baseline is not None:
        base_answers = {
            "cached": baseline.cached,
            "generated": baseline.generated,
            "decoding": "greedy",
            "length": "up to the row's own answer length in tokens, at most max_new_tokens",
            "max_new_tokens": max_new_tokens,
            "answer_tokens_mean": statistics.fmean(lengths),
            "rows_longer_than_max_new_tokens": sum(length > max_new_tokens for length in lengths),
            "cache_file": str(baseline.cache_file),
        }
    summary: dict[str, Any] = {
        "n": len(result.projection),
        "score": result.score_name,
        "projection_mean": projection["mean"],
        "projection_std": projection["std"],
        "projection_quantiles": projection["quantiles"],
        "projection_difference": difference["mean"],  # dP
        "projection_difference_std": difference["std"],
        "projection_difference_quantiles": difference["quantiles"],
        "base_projection_mean": None if result.base_projection is None else describe(result.base_projection)["mean"],
        "base_answers": base_answers,
        "model": model_name,
        "vector": str(vector_path),
        "trait": vector.trait,
        "layer": layer,
        "data": str(data_path),
        "data_sha256": sha256_file(data.path),
        "rows_skipped": data.skipped,
        "wrappers": data.wrappers,
        "definition": "projection = answer-token mean of the output of block `layer` . unit vector of row `layer`;"
        " projection_difference = projection of the row's answer minus that of the base model's greedy answer,"
        " generated up to the row's answer length (at most max_new_tokens)",
        "top": [
            {
                "index": i,
                "line": data.lines[i],
                "projection": result.projection[i],
                "projection_difference": None if differences is None else differences[i],
            }
            for i in result.ranking()[:10]
        ],
    }
    if dropped is not None:
        summary["drop_top"] = {"percent": drop_top, "dropped": len(dropped), "kept": len(data.lines) - len(dropped)}
        summary["dropped_indices"] = dropped
    if out is not None:
        _write_outputs(out, data, result, summary, baseline, dropped)
    return ScreenReport(result, summary, data)


def _write_outputs(
    out: Path,
    data: ScreenData,
    result: ScreenResult,
    summary: dict[str, Any],
    baseline: BaseAnswers | None,
    dropped: list[int] | None,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:  # forced: no stale file from an earlier screen may survive
        (out / name).unlink(missing_ok=True)
    difference = result.projection_difference
    ranked = result.ranking()
    scores = [[i, repr(result.projection[i]), "" if difference is None else repr(difference[i])] for i in ranked]
    write_csv(out / "scores.csv", ["index", "projection", "projection_difference"], scores)
    if baseline is not None:
        rows = [
            {"index": i, "messages": [*prompt, {"role": "assistant", "content": answer}], "from_cache": hit}
            for i, ((prompt, _), answer, hit) in enumerate(
                zip(data.conversations, baseline.answers, baseline.from_cache, strict=True)
            )
        ]
        write_jsonl(out / "base_answers.jsonl", rows)
    threshold = None
    if dropped is not None:
        write_filtered(data, dropped, out / "filtered.jsonl")
        threshold = min((result.scores[i] for i in dropped), default=None)
    title = f"{summary['trait']}: {data.path.name}, n = {len(result.scores)}"
    plot_histogram(result, out / "histogram.png", title, threshold)
    write_json(out / "summary.json", summary)


def format_report(report: ScreenReport) -> str:
    """The summary and the top 10 rows, for the terminal."""
    s = report.summary
    lines = [f"screened {s['n']} rows of {s['data']} at layer {s['layer']} on {s['trait']} ({s['vector']})"]
    if s["base_answers"] is not None:
        b = s["base_answers"]
        lines.append(f"base answers: {b['cached']} from cache, {b['generated']} generated")
        lines.append(
            f"dP = {s['projection_difference']:.4f} (std {s['projection_difference_std']:.4f}); "
            f"projection mean {s['projection_mean']:.4f}, base answers {s['base_projection_mean']:.4f}"
        )
    else:
        lines.append(f"projection mean {s['projection_mean']:.4f} (std {s['projection_std']:.4f}); no base answers")
    if "drop_top" in s:
        lines.append(f"dropped the top {s['drop_top']['percent']:g}%: {s['drop_top']['dropped']} rows")
    lines.append(f"top {len(s['top'])} by {s['score']}:")
    lines.append(f"{'rank':>4} {'index':>6} {'line':>6} {'projection':>11} {'difference':>11}  answer")
    for rank, row in enumerate(s["top"], 1):
        answer = report.data.conversations[row["index"]][1].replace("\n", " ")
        answer = answer if len(answer) <= 60 else answer[:57] + "..."
        diff = "" if row["projection_difference"] is None else f"{row['projection_difference']:.4f}"
        lines.append(f"{rank:>4} {row['index']:>6} {row['line']:>6} {row['projection']:>11.4f} {diff:>11}  {answer}")
    return "\n".join(lines)
