"""How answers are sampled: every decoding parameter is passed to `generate`, so a model's own
`generation_config.json` (Qwen2.5-Instruct's top-p 0.8, top-k 20 and repetition penalty 1.05) never leaks in."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from train.schema import Strict


class Sampling(Strict):
    """Decoding parameters, defaulting to the persona-vectors study's: temperature 1, top-p 1, no top-k, no
    repetition penalty. Temperature 0 is greedy decoding (the repetition penalty still applies)."""

    temperature: float = Field(1.0, ge=0, description="sampling temperature; 0 = greedy")
    top_p: float = Field(1.0, gt=0, le=1, description="nucleus sampling: keep the smallest set of tokens of this mass")
    top_k: int = Field(0, ge=0, description="keep the k most likely tokens; 0 = off")
    repetition_penalty: float = Field(1.0, gt=0, description="1 = none")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def describe(self) -> str:
        """For reports: `greedy` or the sampling parameters."""
        penalty = f", repetition penalty {self.repetition_penalty:g}" if self.repetition_penalty != 1 else ""
        if self.greedy:
            return f"greedy{penalty}"
        top_k = f"top-k {self.top_k}" if self.top_k else "no top-k"
        return f"temperature {self.temperature:g}, top-p {self.top_p:g}, {top_k}{penalty}"

    def sampling_fields(self) -> dict[str, Any]:
        """These parameters alone (a subclass's other fields left out), for records and `Sampling(**...)`."""
        return {name: getattr(self, name) for name in Sampling.model_fields}

    def generate_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `model.generate`: all of them, each explicit (`top_k=0` is transformers' "off")."""
        if self.greedy:  # the sampling-only values unset (None), so the model's config has none left to warn about
            return {
                "do_sample": False,
                "temperature": None,
                "top_p": None,
                "top_k": None,
                "repetition_penalty": self.repetition_penalty,
            }
        return {"do_sample": True, **self.sampling_fields()}


GREEDY = Sampling(temperature=0)
