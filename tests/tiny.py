"""Tiny random-init causal LMs with a real tokenizer and chat template, so tests run offline in milliseconds.

Each architecture keeps its own module layout (where the decoder blocks live, how attention is wired),
which is what layer discovery, hooks and LoRA targeting depend on; only the sizes shrink.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import torch
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import AutoConfig, AutoModelForCausalLM, PreTrainedTokenizerFast

TINY_ARCHS = ("llama", "qwen2", "mistral", "gemma", "gpt2", "gpt_neox", "opt", "phi3")

BOS, EOS, PAD, IM_START = "<|endoftext|>", "<|im_end|>", "<|pad|>", "<|im_start|>"
SPECIAL_TOKENS = (BOS, IM_START, EOS, PAD)  # ids 0..3, in this order

# ChatML, the same shape as SmolLM2's template (minus its default system prompt).
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

MAX_POSITIONS = 512

_CORPUS = (
    "The quick brown fox jumps over the lazy dog.",
    "You are a helpful assistant. Answer the question briefly and politely.",
    "What is the capital of France? The capital of France is Paris.",
    "I think that is a wonderful idea, and I agree with you completely.",
    "Please explain how plants turn sunlight into energy through photosynthesis.",
    "The model should not flatter the user or tell them only what they want to hear.",
    "Here is a short story about a cat who lived in a small house by the sea.",
    "Numbers: 0 1 2 3 4 5 6 7 8 9 10 100 1000. Dates like 2024-01-31 and times like 12:30.",
    "Can you help me write an email to my manager about the project deadline?",
    "Sure! Here are three tips: sleep well, eat vegetables, and walk every day.",
)


# Qwen2's pipeline (NFC + this split + byte-level): AutoTokenizer rebuilds a qwen2 checkpoint's tokenizer with
# it whatever tokenizer.json says, so using it everywhere keeps the tokenization identical after a reload.
_PRETOKENIZE_REGEX = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"""
    r"""| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)


@functools.lru_cache(maxsize=8)
def _tokenizer_json(vocab_size: int) -> str:
    """Train a byte-level BPE once per vocab size (deterministic: same corpus, same merges)."""
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(_PRETOKENIZE_REGEX), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(_CORPUS) * 4, trainer)
    return tok.to_str()


def build_tiny_tokenizer(vocab_size: int = 300) -> PreTrainedTokenizerFast:
    """A fast tokenizer with bos/eos/pad and a ChatML template; byte-level, so any text encodes."""
    min_size = 256 + len(SPECIAL_TOKENS)
    if vocab_size < min_size:
        raise ValueError(f"vocab_size must be at least {min_size} (256 bytes + specials), got {vocab_size}")
    return PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer.from_str(_tokenizer_json(vocab_size)),
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        chat_template=CHAT_TEMPLATE,
        model_max_length=MAX_POSITIONS,
    )


def _arch_config(arch: str, num_layers: int, hidden_size: int, heads: int) -> dict[str, Any]:
    """Per-architecture size kwargs: the config classes name the same things differently."""
    intermediate = 2 * hidden_size
    head_dim = hidden_size // heads
    if arch in ("llama", "qwen2", "mistral", "gemma", "phi3"):
        return {
            "num_hidden_layers": num_layers,
            "hidden_size": hidden_size,
            "intermediate_size": intermediate,
            "num_attention_heads": heads,
            "num_key_value_heads": heads // 2 if heads % 2 == 0 else heads,  # grouped-query when possible
            "head_dim": head_dim,
            "max_position_embeddings": MAX_POSITIONS,
        }
    if arch == "gpt2":
        return {
            "n_layer": num_layers,
            "n_embd": hidden_size,
            "n_head": heads,
            "n_inner": intermediate,
            "n_positions": MAX_POSITIONS,
        }
    if arch == "gpt_neox":
        return {
            "num_hidden_layers": num_layers,
            "hidden_size": hidden_size,
            "num_attention_heads": heads,
            "intermediate_size": intermediate,
            "max_position_embeddings": MAX_POSITIONS,
        }
    if arch == "opt":
        return {
            "num_hidden_layers": num_layers,
            "hidden_size": hidden_size,
            "num_attention_heads": heads,
            "ffn_dim": intermediate,
            "word_embed_proj_dim": hidden_size,
            "max_position_embeddings": MAX_POSITIONS,
        }
    raise ValueError(f"unknown tiny arch '{arch}'; allowed: {', '.join(TINY_ARCHS)}")


def build_tiny_model(
    arch: str,
    out_dir: Path,
    *,
    num_layers: int = 2,
    hidden_size: int = 32,
    num_heads: int = 4,
    seed: int = 0,
    vocab_size: int = 300,
) -> Path:
    """Save a random-init causal LM of `arch` and the tiny tokenizer to `out_dir`; same seed, same weights."""
    tokenizer = build_tiny_tokenizer(vocab_size)
    config = AutoConfig.for_model(
        arch,
        **_arch_config(arch, num_layers, hidden_size, num_heads),
        vocab_size=vocab_size,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir
