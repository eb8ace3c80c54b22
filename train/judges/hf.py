"""A judge on a local Hugging Face chat model (`hf:MODEL_OR_PATH`), scored as docs/method.md, "The judge", says.

The filled rubric as one user message, one forward pass, the next-token top-20 log-probabilities,
`aggregate_logprobs`. Its quality is the model's: a small model (the offline default SmolLM2-135M-Instruct) is a
weak judge.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, cast

import torch

from train.console import warn
from train.errors import PrevsteerError
from train.judges.base import TOP_LOGPROBS, JudgeItem, JudgeResult, result_from_top_logprobs
from train.judges.cache import CacheArg, cache_key, cached_results, open_cache
from train.models.loading import load_model_and_tokenizer


class HFJudge:
    """docs/method.md's judge on a local causal chat model: no generation, one forward per batch (left padded).

    The rubric filled with question and answer is the user message of the model's chat template (generation
    prompt added); the next-token distribution's top-20 tokens (each id decoded to text) go to
    `aggregate_logprobs`. Status "refused" when integer tokens 0-100 carry less than 0.25 of the probability.

    The judge is only as good as the model: SmolLM2-135M-Instruct (alias `smollm2-135m-instruct`) runs on a
    CPU but is a weak judge, and its tokenizer splits numbers into single digits, so the first token can only
    say 0-9 and the score is compressed towards the low end (a warning says so for any such tokenizer).
    Use a 7B+ instruct model with multi-digit number tokens (e.g. Llama 3) for scores worth reporting.
    """

    def __init__(
        self,
        model_name_or_path: str,
        cache: CacheArg = None,
        batch_size: int = 8,
        dtype: str = "float32",
        device: str | None = None,
    ) -> None:
        if batch_size < 1:
            raise PrevsteerError(f"judge batch_size must be >= 1, got {batch_size}")
        self.model_name = model_name_or_path
        self.judge_id = f"hf:{model_name_or_path}"
        self.cache = open_cache(cache)
        self.batch_size = batch_size
        model, tokenizer = load_model_and_tokenizer(model_name_or_path, dtype=dtype)
        if not getattr(tokenizer, "chat_template", None):
            raise PrevsteerError(f"judge model {model_name_or_path!r} has no chat template; use an instruct model")
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model = model.to(self.device).eval()  # type: ignore[arg-type]  # transformers' wrapped `to` loses self
        self.tokenizer = tokenizer
        self._takes_position_ids = "position_ids" in inspect.signature(self.model.forward).parameters
        if len(tokenizer.encode("85", add_special_tokens=False)) > 1:
            warn(
                f"judge {model_name_or_path}: its tokenizer splits numbers into digits, so the first answer token is "
                "one digit and scores are compressed towards 0-9; a weak judge, use a model with whole-number tokens "
                "for claims"
            )

    def __repr__(self) -> str:
        return f"HFJudge(model={self.model_name!r}, device={str(self.device)!r})"

    def chat_text(self, item: JudgeItem) -> str:
        """The exact text fed to the model for one item (chat template, generation prompt added)."""
        messages = [{"role": "user", "content": item.prompt()}]
        return cast(str, self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))

    def score(self, items: list[JudgeItem]) -> list[JudgeResult]:
        """One result per item, in order. Cached and duplicate items are not run again."""
        keys = [cache_key(self.judge_id, item) for item in items]
        texts = [self.chat_text(item) for item in items]  # fails fast on a bad rubric
        results, todo = cached_results(self.cache, keys)
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            try:
                tops = self.top_logprobs([texts[i] for i in batch])
            except (RuntimeError, ValueError) as e:  # e.g. out of memory, a prompt longer than the model allows
                msg = f"forward pass failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
                for i in batch:
                    results[keys[i]] = JudgeResult(None, "error", error=msg, attempts=1)
                continue
            for i, pairs in zip(batch, tops, strict=True):
                result = result_from_top_logprobs(pairs, attempts=1)
                if self.cache is not None:
                    self.cache.put(keys[i], self.judge_id, result, pairs)
                results[keys[i]] = result
        return [results[key] for key in keys]

    @torch.inference_mode()
    def top_logprobs(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """The top-20 (token text, log-probability) pairs of the next token after each text, batched."""
        tok = self.tokenizer
        old_side = tok.padding_side
        tok.padding_side = "left"
        try:
            enc = tok(list(texts), return_tensors="pt", padding=True, add_special_tokens=False)
        finally:
            tok.padding_side = old_side
        input_ids = enc["input_ids"].to(self.device)
        mask = enc["attention_mask"].to(self.device)
        kwargs: dict[str, Any] = {"input_ids": input_ids, "attention_mask": mask}
        if self._takes_position_ids:  # left padding must not shift the real tokens' positions
            kwargs["position_ids"] = (mask.long().cumsum(-1) - 1).clamp(min=0)
        logits = self.model(**kwargs).logits[:, -1, :].float()
        logprobs = torch.log_softmax(logits, dim=-1)
        values, ids = logprobs.topk(TOP_LOGPROBS, dim=-1)
        out = []
        for row_values, row_ids in zip(values.tolist(), ids.tolist(), strict=True):
            out.append([(cast(str, tok.decode([i])), float(v)) for i, v in zip(row_ids, row_values, strict=True)])
        return out
