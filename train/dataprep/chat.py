"""Training data: chat JSONL in, TRL prompt/completion rows out (loss on the final answer only).

Accepted rows: `{"messages": [..., {"role": "assistant", ...}]}`, `{"prompt", "completion"}` (strings or
message lists) and `{"question", "answer"}`. Everything becomes conversational prompt/completion, which
TRL trains with loss on the completion alone whatever the model's chat template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasets import Dataset

from train.dataprep.data_settings import DataSettings
from train.errors import PrevsteerError
from train.files import read_jsonl, read_numbered_jsonl

ROLES = ("system", "user", "assistant", "tool")


def as_messages(value: Any, role: str) -> list[dict[str, str]]:
    """A string (one message with `role`) or a list of {role, content} messages, checked."""
    if isinstance(value, str):
        return [{"role": role, "content": value}]
    if isinstance(value, list) and all(
        isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str) for m in value
    ):
        return [{"role": m["role"], "content": m["content"]} for m in value]
    raise ValueError(f"expected a string or a list of {{role, content}} messages with role in {ROLES}")


def to_prompt_completion(row: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """One row in any accepted layout -> conversational prompt/completion."""
    if "messages" in row:
        messages = as_messages(row["messages"], "user")
        if len(messages) < 2 or messages[-1]["role"] != "assistant":
            raise ValueError("'messages' must end with an assistant message after at least one other message")
        return {"prompt": messages[:-1], "completion": messages[-1:]}
    if "prompt" in row and "completion" in row:
        return {"prompt": as_messages(row["prompt"], "user"), "completion": as_messages(row["completion"], "assistant")}
    if "question" in row and "answer" in row:
        return {"prompt": as_messages(row["question"], "user"), "completion": as_messages(row["answer"], "assistant")}
    layouts = "messages, prompt/completion or question/answer"
    raise ValueError(f"unknown row layout with keys {sorted(row)}; expected {layouts}")


def load_rows(path: str | Path, skip_bad: bool = False, max_rows: int | None = None) -> tuple[list[dict], int]:
    """Prompt/completion rows of a file, plus the number skipped as malformed."""
    raw, skipped = read_jsonl(path, skip_bad)
    rows = []
    for index, row in enumerate(raw):
        try:
            rows.append(to_prompt_completion(row))
        except ValueError as exc:
            if not skip_bad:
                raise PrevsteerError(f"{path}: row {index + 1}: {exc}") from None
            skipped += 1
        if max_rows is not None and len(rows) >= max_rows:
            break
    if not rows:
        raise PrevsteerError(f"{path}: no usable rows")
    return rows, skipped


def load_conversations(path: str | Path) -> list[tuple[list[dict[str, str]], str]]:
    """(prompt messages, answer text) per row: the form teacher-forced passes take."""
    return [(row["prompt"], row["completion"][0]["content"]) for row in load_rows(path)[0]]


def load_monitor_rows(path: str | Path) -> list[tuple[list[dict[str, str]], str | None]]:
    """(prompt messages, answer or None) per row of a chat JSONL file.

    Accepted: `messages` (an answer when it ends with an assistant message), `prompt`[/`completion`],
    `question`[/`answer`]. Errors name the file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise PrevsteerError(f"input: file not found: {path}")
    raw, lines, _ = read_numbered_jsonl(path)
    rows: list[tuple[list[dict[str, str]], str | None]] = []
    for row, number in zip(raw, lines, strict=True):
        try:
            if "messages" in row and isinstance(row["messages"], list) and row["messages"]:
                last = row["messages"][-1]
                if not (isinstance(last, dict) and last.get("role") == "assistant"):
                    rows.append((as_messages(row["messages"], "user"), None))
                    continue
            elif "prompt" in row and "completion" not in row and "messages" not in row:
                rows.append((as_messages(row["prompt"], "user"), None))
                continue
            elif "question" in row and "answer" not in row and "prompt" not in row:
                rows.append((as_messages(row["question"], "user"), None))
                continue
            pair = to_prompt_completion(row)
            if not pair["prompt"]:
                raise ValueError("the prompt has no messages")
            completion = pair["completion"]
            if len(completion) != 1 or completion[0]["role"] != "assistant":
                raise ValueError("the completion must be a single assistant message")
            rows.append((pair["prompt"], completion[0]["content"]))
        except ValueError as exc:
            raise PrevsteerError(f"{path}:{number}: {exc}") from None
    if not rows:
        raise PrevsteerError(f"{path}: no rows")
    return rows


def load_datasets(settings: DataSettings, seed: int) -> tuple[Dataset, Dataset | None, dict[str, int]]:
    """Train and eval datasets plus counts for the run directory (rows, skipped)."""
    assert settings.train is not None  # the caller passes the prepared file as `train`
    rows, skipped = load_rows(settings.train, settings.skip_bad, settings.max_rows)
    counts = {"skipped_rows": skipped}
    train = Dataset.from_list(rows)
    evaluation = None
    if settings.eval:
        eval_rows, eval_skipped = load_rows(settings.eval, settings.skip_bad)
        evaluation = Dataset.from_list(eval_rows)
        counts["skipped_rows"] += eval_skipped
    elif settings.eval_rows:
        if settings.eval_rows >= len(rows):
            raise PrevsteerError(f"data.eval_rows: {settings.eval_rows} leaves no training rows (have {len(rows)})")
        split = train.train_test_split(test_size=settings.eval_rows, seed=seed)
        train, evaluation = split["train"], split["test"]
    counts["train_rows"] = len(train)
    counts["eval_rows"] = 0 if evaluation is None else len(evaluation)
    return train, evaluation, counts
