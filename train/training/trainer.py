"""`PreventativeSFTTrainer`: TRL's SFTTrainer with steering hooks on training forward passes only."""

from __future__ import annotations

import contextlib
from typing import Any

from trl import SFTTrainer

from train.steering.hooks import Steering
from train.steering.regularize import ProjectionRegularizer


class PreventativeSFTTrainer(SFTTrainer):
    """SFTTrainer that adds (or ablates) a persona vector during training, or regularises projections.

    Hooks are attached for the duration of `train()` and only act in training-mode forwards, so
    evaluation, generation and the saved weights never see them. The token mask for the hooks' scope
    is set from each batch's attention mask and labels before its forward.
    """

    def __init__(
        self,
        *args: Any,
        steering: Steering | None = None,
        regularizer: ProjectionRegularizer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.steering = steering
        self.regularizer = regularizer
        self._penalties: list[float] = []  # since the last training log

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if self.steering is not None:
            self.steering.set_batch(inputs.get("attention_mask"), inputs.get("labels"))
        reference = None
        if self.regularizer is not None and model.training:
            reference = self.regularizer.reference_projections(self.accelerator.unwrap_model(model), inputs)
        result = super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        if reference is None:
            return result
        penalty = self.regularizer.penalty(reference, inputs["labels"])
        self._penalties.append(float(penalty.detach()))
        if num_items_in_batch is not None:  # the LM loss is already spread over the accumulation steps
            penalty = penalty / self.current_gradient_accumulation_steps
        if return_outputs:
            loss, outputs = result
            return loss + penalty, outputs
        return result + penalty

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        """Training logs carry the mean projection penalty of the steps since the previous log."""
        if self._penalties and self.model is not None and self.model.training:
            logs["projection_penalty"] = sum(self._penalties) / len(self._penalties)
            self._penalties.clear()
        super().log(logs, start_time)

    def train(self, *args: Any, **kwargs: Any):
        with contextlib.ExitStack() as stack:
            for hooks in (self.steering, self.regularizer):
                if hooks is not None:
                    stack.enter_context(hooks)
            return super().train(*args, **kwargs)
