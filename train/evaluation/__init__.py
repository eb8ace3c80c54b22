"""Evaluation: trait expression, coherence, projections, MMLU and post-hoc steering, per run or per epoch."""
