"""Models: resolving and loading a model with its tokenizer (offline default included), batched generation, and
the run directory a training run leaves (read by everything above)."""
