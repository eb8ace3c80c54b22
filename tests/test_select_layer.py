"""`prevsteer select-layer` on a tiny model with a real judge server: table, plot, the choice in the output folder."""

from __future__ import annotations

import csv
import json

import torch
from test_extract import judge_url  # noqa: F401  (a fixture: judge server on 127.0.0.1)

from train.cli import main
from train.persona.select_layer import choose_layer
from train.steering.vectors import PersonaVector


def test_select_layer_writes_its_choice_to_the_output_folder_never_to_its_input(
    tiny_llama,
    judge_url,  # noqa: F811
    tmp_path,
    capsys,
):
    vector_path = tmp_path / "v.safetensors"
    PersonaVector(torch.randn(2, 32, generator=torch.Generator().manual_seed(0)), {"trait": "impolite"}).save(
        vector_path
    )
    before = vector_path.read_bytes()
    out = tmp_path / "select"
    args = [
        "select-layer",
        "--vector",
        str(vector_path),
        "--trait",
        "impolite",
        "--model",
        str(tiny_llama),
        "--judge",
        "openai:test-judge",
        "--judge-base-url",
        judge_url,
        "--layers",
        "0,1",
        "--coefficients",
        "1,4",
        "--max-new-tokens",
        "4",
        "--cache",
        str(tmp_path / "c.db"),
        "--out",
        str(out),
    ]
    assert main(args) == 0, capsys.readouterr().err
    with (out / "table.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["layer"], r["coefficient"]) for r in rows] == [
        ("", "0.0"),
        ("0", "1.0"),
        ("0", "4.0"),
        ("1", "1.0"),
        ("1", "4.0"),
    ]
    assert (out / "trait_by_layer.png").stat().st_size > 1000
    summary = json.loads((out / "summary.json").read_text())
    assert summary["chosen_layer"] == choose_layer(summary["table"])
    assert vector_path.read_bytes() == before  # the input vector is never rewritten
    saved = PersonaVector.load(out / "vector.safetensors")
    assert summary["vector_with_choice"] == str(out / "vector.safetensors")
    assert saved.metadata["selected_layer"] == summary["chosen_layer"]
    assert saved.metadata["trait"] == "impolite"  # earlier metadata kept
    assert torch.equal(saved.vector, PersonaVector.load(vector_path).vector)
    assert len((out / "answers.jsonl").read_text().splitlines()) == 5 * 20


def test_choose_layer_takes_the_largest_rise_at_the_top_coefficient():
    table = [
        {"layer": None, "coefficient": 0.0, "trait_score": 10.0},
        {"layer": 3, "coefficient": 1.0, "trait_score": 50.0},
        {"layer": 3, "coefficient": 4.0, "trait_score": 40.0},
        {"layer": 7, "coefficient": 1.0, "trait_score": 20.0},
        {"layer": 7, "coefficient": 4.0, "trait_score": 60.0},
    ]
    assert choose_layer(table) == 7


def test_layer_out_of_range_is_named(tiny_llama, tmp_path, capsys):
    PersonaVector(torch.zeros(2, 32)).save(tmp_path / "v.safetensors")
    code = main(
        [
            "select-layer",
            "--vector",
            str(tmp_path / "v.safetensors"),
            "--trait",
            "impolite",
            "--model",
            str(tiny_llama),
            "--judge",
            "openai:m",
            "--layers",
            "0,5",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2 and "layers: [5] out of range" in capsys.readouterr().err


def test_an_output_folder_whose_copy_would_replace_the_input_is_refused(tiny_llama, tmp_path, capsys):
    vector_path = tmp_path / "vector.safetensors"
    PersonaVector(torch.ones(2, 32), {"trait": "impolite"}).save(vector_path)
    before = vector_path.read_bytes()
    code = main(
        [
            "select-layer",
            "--vector",
            str(vector_path),
            "--trait",
            "impolite",
            "--model",
            str(tiny_llama),
            "--judge",
            "openai:m",
            "--layers",
            "0",
            "--out",
            str(tmp_path),
            "--force",
        ]
    )
    assert code == 2 and "would hold the copy of the vector at the input's own path" in capsys.readouterr().err
    assert vector_path.read_bytes() == before
