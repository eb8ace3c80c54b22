"""Models: resolving and loading a model with its tokenizer (offline default included), and batched generation."""
