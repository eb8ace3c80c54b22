"""Monitoring projections: batched passes equal unbatched references; finetuning shift; `prevsteer project`."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
import torch
import yaml
from transformers import AutoModelForCausalLM, AutoTokenizer

from train import PersonaVector
from train.cli import main
from train.errors import PrevsteerError
from train.persona.monitor import (
    answer_projections,
    last_prompt_activations,
    shift_between,
    unit_direction,
)
from train.steering.activations import tokenize_conversation

PROMPTS = [
    [{"role": "system", "content": "be kind"}, {"role": "user", "content": "what is tea, and why do people drink it"}],
    [{"role": "user", "content": "hi"}],
    [{"role": "user", "content": "name a colour"}],
]
ANSWERS = ["a warm drink made from leaves", "hello", "blue, the colour of the sky on a clear day"]


@pytest.fixture(scope="module")
def loaded(tiny_llama):
    model = AutoModelForCausalLM.from_pretrained(tiny_llama).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama)
    return model, tokenizer


@pytest.fixture(scope="module")
def vector() -> PersonaVector:
    return PersonaVector(3 * torch.randn(2, 32, generator=torch.Generator().manual_seed(1)), {"trait": "t"})


def _block_outputs(model, ids: list[int]) -> torch.Tensor:
    """Every block's output for one unpadded sequence, by hooks: [L, T, d]."""
    captured = []
    handles = [
        b.register_forward_hook(lambda m, a, o: captured.append(o[0] if isinstance(o, tuple) else o))
        for b in model.model.layers
    ]
    with torch.no_grad():
        model(input_ids=torch.tensor([ids]))
    for handle in handles:
        handle.remove()
    return torch.stack([c[0] for c in captured])


def test_prompt_projections_equal_unbatched_hidden_states(loaded, vector):
    model, tokenizer = loaded
    tokenizer.padding_side = "left"  # must not matter: the batches are built right-padded
    for layer in (0, 1):
        unit = vector.vector[layer] / vector.vector[layer].norm()
        got = prompt_projections(model, tokenizer, PROMPTS, vector, layer, batch_size=2)
        expected = []
        for prompt in PROMPTS:
            ids = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True)
            ids = list(ids["input_ids"] if hasattr(ids, "keys") else ids)
            assert tokenizer.decode(ids).endswith("<|im_start|>assistant\n")  # predicts the first answer token
            if layer == 0:  # hidden_states[l + 1] is block l's output (the last one is normed, hence hooks)
                with torch.no_grad():
                    out = model(input_ids=torch.tensor([ids]), output_hidden_states=True)
                last = out.hidden_states[1][0, -1]
            else:
                last = _block_outputs(model, ids)[layer, -1]
            expected.append(float(last @ unit))
        assert got == pytest.approx(expected, abs=1e-5, rel=1e-4)


def test_padding_does_not_change_projections(loaded, vector):
    model, tokenizer = loaded
    single = prompt_projections(model, tokenizer, PROMPTS, vector, 1, batch_size=1)
    batched = prompt_projections(model, tokenizer, PROMPTS, vector, 1, batch_size=3)
    assert batched == pytest.approx(single, abs=1e-5, rel=1e-4)
    conversations = list(zip(PROMPTS, ANSWERS, strict=True))
    single = answer_projections(model, tokenizer, conversations, vector, 1, batch_size=1)
    batched = answer_projections(model, tokenizer, conversations, vector, 1, batch_size=3)
    assert batched == pytest.approx(single, abs=1e-5, rel=1e-4)


def test_answer_projections_equal_unbatched_answer_token_means(loaded, vector):
    model, tokenizer = loaded
    conversations = list(zip(PROMPTS, ANSWERS, strict=True))
    unit = vector.vector[0] / vector.vector[0].norm()
    got = answer_projections(model, tokenizer, conversations, vector, 0, batch_size=2)
    expected = []
    for prompt, answer in conversations:
        ids, boundary, end = tokenize_conversation(tokenizer, prompt, answer)
        expected.append(float(_block_outputs(model, ids)[0, boundary:end].mean(0) @ unit))
    assert got == pytest.approx(expected, abs=1e-5, rel=1e-4)


def prompt_projections(model, tokenizer, prompts, vector, layer, batch_size=8):
    """What `prevsteer project` reports per prompt: its last token's activation on the unit vector."""
    unit = unit_direction(model, vector, layer)
    return (last_prompt_activations(model, tokenizer, prompts, layer, batch_size).double() @ unit.double()).tolist()


def finetuning_shift(base, tuned, tokenizer, vector, layer, batch_size=8):
    """What `prevsteer project --base-model` reports: both models' last prompt tokens, projected."""
    unit = unit_direction(tuned, vector, layer)
    base_acts = last_prompt_activations(base, tokenizer, PROMPTS, layer, batch_size)
    return shift_between(base_acts, last_prompt_activations(tuned, tokenizer, PROMPTS, layer, batch_size), unit)


def test_finetuning_shift_is_zero_for_the_same_model_and_c_for_a_known_shift(loaded, vector, tiny_llama):
    model, tokenizer = loaded
    same = finetuning_shift(model, model, tokenizer, vector, 1)
    assert same.shift == pytest.approx(0.0, abs=1e-6)
    assert same.base_mean == pytest.approx(same.finetuned_mean) and same.n == 3

    layer, c = 0, 2.5
    unit = vector.vector[layer] / vector.vector[layer].norm()
    orthogonal = torch.randn(32, generator=torch.Generator().manual_seed(2))
    orthogonal -= (orthogonal @ unit) * unit  # moves activations, not their projection
    tuned = AutoModelForCausalLM.from_pretrained(tiny_llama).float().eval()

    def add(module, args, output):
        shifted = (output[0] if isinstance(output, tuple) else output) + c * unit + 5 * orthogonal
        return (shifted, *output[1:]) if isinstance(output, tuple) else shifted

    handle = tuned.model.layers[layer].register_forward_hook(add)
    try:
        result = finetuning_shift(model, tuned, tokenizer, vector, layer, batch_size=2)
    finally:
        handle.remove()
    assert result.shift == pytest.approx(c, abs=1e-4)
    assert result.finetuned_mean - result.base_mean == pytest.approx(c, abs=1e-4)
    base_proj = prompt_projections(model, tokenizer, PROMPTS, vector, layer)
    assert result.base_mean == pytest.approx(sum(base_proj) / 3, abs=1e-5)


def test_layer_and_vector_shape_errors(loaded, vector):
    model, tokenizer = loaded
    with pytest.raises(PrevsteerError, match="out of range"):
        prompt_projections(model, tokenizer, PROMPTS, vector, 2)
    with pytest.raises(PrevsteerError, match="hidden size 16"):
        prompt_projections(model, tokenizer, PROMPTS, PersonaVector(torch.ones(2, 16)), 0)
    with pytest.raises(PrevsteerError, match="3 layers"):
        answer_projections(model, tokenizer, [(PROMPTS[0], "x")], PersonaVector(torch.ones(3, 32)), 0)


ROWS = [
    {"messages": [{"role": "user", "content": "what is tea"}, {"role": "assistant", "content": "a warm drink"}]},
    {"question": "name a colour"},
    {"prompt": "hi", "completion": "hello there"},
    {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "why is the sky blue"}]},
]


@pytest.fixture
def project_files(tmp_path, vector):
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    vector.save(tmp_path / "v.safetensors")
    return tmp_path


def _project(files, model, *extra) -> list[str]:
    return [
        "project",
        "--vector",
        str(files / "v.safetensors"),
        "--model",
        str(model),
        "--input",
        str(files / "rows.jsonl"),
        "--out",
        str(files / "out"),
        *extra,
    ]


def test_cli_project_writes_csv_and_summary_and_refuses_to_overwrite(project_files, tiny_llama, loaded, capsys):
    model, tokenizer = loaded
    args = _project(project_files, tiny_llama, "--layer", "1", "--base-model", str(tiny_llama))
    assert main(args) == 0
    with (project_files / "out" / "projections.csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert [r["index"] for r in table] == ["0", "1", "2", "3"]
    assert [r["answer_projection"] == "" for r in table] == [False, True, False, True]
    vector = PersonaVector.load(project_files / "v.safetensors")
    prompts = [
        [{"role": "user", "content": "what is tea"}],
        [{"role": "user", "content": "name a colour"}],
        [{"role": "user", "content": "hi"}],
        ROWS[3]["messages"],
    ]
    expected = prompt_projections(model, tokenizer, prompts, vector, 1)
    assert [float(r["prompt_projection"]) for r in table] == pytest.approx(expected, abs=1e-5)
    summary = json.loads((project_files / "out" / "summary.json").read_text())
    assert summary["layer"] == 1 and summary["n"] == 4 and summary["model"] == str(tiny_llama)
    assert summary["vector"] == str(project_files / "v.safetensors")
    assert summary["prompt_projection"]["n"] == 4 and summary["answer_projection"]["n"] == 2
    assert summary["prompt_projection"]["mean"] == pytest.approx(sum(expected) / 4, abs=1e-5)
    assert summary["finetuning_shift"]["shift"] == pytest.approx(0.0, abs=1e-6)

    capsys.readouterr()
    assert main(args) == 2
    assert "exists; pass --force to replace it" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0


def test_cli_project_accepts_a_run_directory(project_files, tiny_llama):
    run = project_files / "run"
    shutil.copytree(tiny_llama, run / "final")
    settings = {"model": {"name": str(tiny_llama), "dtype": "float32", "layers_path": None}}
    (run / "recipe.yaml").write_text(yaml.safe_dump(settings))
    assert main(_project(project_files, run, "--layer", "0", "--base-model", str(tiny_llama))) == 0
    summary = json.loads((project_files / "out" / "summary.json").read_text())
    assert summary["finetuning_shift"]["shift"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "no layout"}', "rows.jsonl:3: unknown row layout"),
        ("{not json", "rows.jsonl:3: malformed JSONL line"),
        ('{"messages": [{"role": "assistant", "content": "only"}]}', "rows.jsonl:3: 'messages' must end"),
    ],
)
def test_cli_project_names_the_bad_input_line(project_files, tiny_llama, capsys, line, message):
    lines = [json.dumps(ROWS[0]), "", line]  # a blank line still counts
    (project_files / "rows.jsonl").write_text("\n".join(lines) + "\n")
    assert main(_project(project_files, tiny_llama, "--layer", "0")) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (project_files / "out").exists()


def test_cli_project_layer_and_vector_errors(project_files, tiny_llama, capsys):
    assert main(_project(project_files, tiny_llama, "--layer", "5")) == 2
    assert "layer: 5 is out of range; the model has blocks 0..1" in capsys.readouterr().err
    PersonaVector(torch.ones(2, 16)).save(project_files / "v.safetensors")
    assert main(_project(project_files, tiny_llama, "--layer", "0")) == 2
    assert "vector hidden size 16 does not match the model's 32" in capsys.readouterr().err
    assert not (project_files / "out").exists()
