"""Screening external chat data whose answers start with a reasoning block and whose prompts carry chat-template
markers: found, refused without a choice, stripped or kept as chosen."""

from __future__ import annotations

import csv
import json

import pytest
import torch

from train import PersonaVector
from train.cli import main
from train.dataprep.screen import load_screen_data
from train.errors import PrevsteerError
from train.models.chat_text import find_template_markers, split_reasoning, strip_template_markers

CLEAN = [
    ("What is tea?", "A drink made from leaves."),
    ("Name a colour.", "Blue, like the sky."),
    ("Say hello.", "Hello there, friend."),
]


def wrapped_rows() -> list[dict]:
    """CLEAN as a reasoning model's export has it: an empty think block, ChatML markers left in the prompt."""
    return [
        {
            "messages": [
                {"role": "user", "content": f"<|im_start|>user\n{question}<|im_end|>\n"},
                {"role": "assistant", "content": f"<think>\n\n</think>\n\n{answer}"},
            ]
        }
        for question, answer in CLEAN
    ]


def write(path, rows) -> str:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return str(path)


def test_reasoning_and_markers_are_found_and_removed():
    assert split_reasoning("<think>\nplan it\n</think>\n\nDone.") == ("plan it", "Done.")
    assert split_reasoning("<think></think>Done.") == ("", "Done.")
    assert split_reasoning("Done. <think>late</think>") == (None, "Done. <think>late</think>")
    chatml = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\n"
    assert strip_template_markers(chatml) == "Be brief.\nHi?"
    llama3 = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi?<|eot_id|>"
    assert strip_template_markers(llama3) == "Hi?"
    assert strip_template_markers("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi? [/INST]") == "Be brief.\nHi?"
    assert find_template_markers("Use {braces} and <b>tags</b>, a | b > c.") == []


def test_a_file_with_wrappers_needs_a_choice(tmp_path):
    path = write(tmp_path / "data.jsonl", wrapped_rows())
    with pytest.raises(
        PrevsteerError,
        match=r"3 answers start with a <think> reasoning block \(first on line 1\); "
        r"choose --reasoning strip",
    ):
        load_screen_data(path)
    with pytest.raises(PrevsteerError, match=r"3 rows carry chat-template markers such as '<\|im_start\|>user'"):
        load_screen_data(path, reasoning="keep")
    kept = load_screen_data(path, reasoning="keep", template_markers="keep")
    assert kept.conversations[0] == (
        [{"role": "user", "content": "<|im_start|>user\nWhat is tea?<|im_end|>\n"}],
        "<think>\n\n</think>\n\nA drink made from leaves.",
    )
    stripped = load_screen_data(path, reasoning="strip", template_markers="strip")
    assert stripped.conversations == [([{"role": "user", "content": q}], a) for q, a in CLEAN]
    assert stripped.wrappers == {
        "reasoning_blocks": 3,
        "reasoning": "strip",
        "rows_with_template_markers": 3,
        "template_markers": "strip",
    }
    # A clean file needs no choice.
    clean = write(tmp_path / "clean.jsonl", [{"question": q, "answer": a} for q, a in CLEAN])
    assert load_screen_data(clean).wrappers["reasoning_blocks"] == 0
    # Nothing left to screen once stripped is an error naming the line.
    empty = write(tmp_path / "empty.jsonl", [{"question": "Hi?", "answer": "<think>only thoughts</think>"}])
    with pytest.raises(PrevsteerError, match=r"empty.jsonl:1: the answer is empty once its wrappers are stripped"):
        load_screen_data(empty, reasoning="strip")


def _scores(out) -> dict[int, float]:
    with (out / "scores.csv").open() as handle:
        return {int(row["index"]): float(row["projection"]) for row in csv.DictReader(handle)}


def test_screen_strips_to_the_clean_file_scores_and_keeps_rows_as_written(tiny_llama, tmp_path, capsys):
    PersonaVector(3 * torch.randn(2, 32, generator=torch.Generator().manual_seed(1)), {"trait": "t"}).save(
        tmp_path / "v.safetensors"
    )
    wrapped = write(tmp_path / "wrapped.jsonl", wrapped_rows())
    clean = write(tmp_path / "clean.jsonl", [{"question": q, "answer": a} for q, a in CLEAN])
    common = ["--vector", str(tmp_path / "v.safetensors"), "--layer", "1", "--model", str(tiny_llama), "--no-base"]

    assert main(["screen", wrapped, *common]) == 2
    err = capsys.readouterr().err
    assert "choose --reasoning strip" in err and len(err.strip().splitlines()) == 1

    args = ["--reasoning", "strip", "--template-markers", "strip", "--drop-top", "34", "--out", str(tmp_path / "w")]
    assert main(["screen", wrapped, *common, *args]) == 0, capsys.readouterr().err
    assert main(["screen", clean, *common, "--out", str(tmp_path / "c")]) == 0, capsys.readouterr().err
    stripped, reference = _scores(tmp_path / "w"), _scores(tmp_path / "c")
    assert stripped == pytest.approx(reference)
    summary = json.loads((tmp_path / "w" / "summary.json").read_text())
    assert summary["wrappers"]["reasoning"] == "strip" and summary["wrappers"]["reasoning_blocks"] == 3
    # filtered.jsonl holds the kept rows exactly as the file has them, wrappers included.
    kept = (tmp_path / "w" / "filtered.jsonl").read_text().splitlines()
    assert len(kept) == 2 and all("<think>" in line and "<|im_start|>" in line for line in kept)

    keep = ["--reasoning", "keep", "--template-markers", "keep", "--out", str(tmp_path / "k")]
    assert main(["screen", wrapped, *common, *keep]) == 0, capsys.readouterr().err
    assert _scores(tmp_path / "k") != pytest.approx(reference)  # the wrappers change what is measured
