"""The persona-vector artifact: round trip, metadata, layer convention, and the original-code importer."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import save_file

from train import PersonaVector, PrevsteerError
from train.cli import main


def test_round_trip_keeps_tensor_and_metadata(tmp_path):
    vector = PersonaVector(torch.randn(4, 8), {"trait": "evil", "model": "tiny", "extraction": {"n": 10}})
    path = vector.save(tmp_path / "evil.safetensors")
    loaded = PersonaVector.load(path)
    torch.testing.assert_close(loaded.vector, vector.vector)
    assert loaded.metadata["trait"] == "evil"
    assert loaded.metadata["extraction"] == {"n": 10}
    assert loaded.metadata["layer_convention"] == "block_output"
    assert loaded.metadata["norms"] == pytest.approx(vector.vector.norm(dim=-1).tolist(), rel=1e-5)
    assert loaded.metadata["created"]
    assert not list(tmp_path.glob("*.tmp"))  # atomic write leaves nothing behind


def test_hidden_states_convention_file_is_shifted_by_one(tmp_path):
    rows = torch.arange(5 * 3, dtype=torch.float32).view(5, 3)
    meta = {"prevsteer": json.dumps({"layer_convention": "hidden_states"})}
    save_file({"vector": rows}, tmp_path / "hs.safetensors", metadata=meta)
    loaded = PersonaVector.load(tmp_path / "hs.safetensors")
    torch.testing.assert_close(loaded.vector, rows[1:])
    assert loaded.metadata["layer_convention"] == "block_output"


def test_original_pt_import_drops_the_embedding_row(tmp_path):
    original = torch.randn(7, 16)  # [L+1, d] as the research code stores it
    torch.save(original, tmp_path / "evil_response_avg_diff.pt")
    vector = PersonaVector.load(tmp_path / "evil_response_avg_diff.pt")
    assert vector.num_layers == 6
    torch.testing.assert_close(vector.vector[3], original[4])  # row i of the file = output of block i-1
    vector.check_compatible(6, 16)
    with pytest.raises(PrevsteerError, match="7 layers, the model has 6"):
        PersonaVector(original).check_compatible(6, 16)


def test_cli_import_writes_an_artifact_and_refuses_to_overwrite(tmp_path, capsys):
    torch.save(torch.randn(4, 8), tmp_path / "orig.pt")
    out = tmp_path / "v.safetensors"
    args = ["vector", "import", str(tmp_path / "orig.pt"), "--out", str(out), "--model", "m", "--trait", "evil"]
    assert main(args) == 0
    assert PersonaVector.load(out).metadata["trait"] == "evil"
    before = out.read_bytes()
    assert main(args) == 2
    assert "exists" in capsys.readouterr().err
    assert out.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a tensor file", "not a readable safetensors"), (None, "not found")],
)
def test_bad_files_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.safetensors"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PrevsteerError, match=message):
        PersonaVector.load(path)


def test_wrong_key_is_named(tmp_path):
    save_file({"weights": torch.zeros(2, 2)}, tmp_path / "k.safetensors")
    with pytest.raises(PrevsteerError, match=r"no tensor named 'vector'.*weights"):
        PersonaVector.load(tmp_path / "k.safetensors")
