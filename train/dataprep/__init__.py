"""Data preparation: chat JSONL in and out, external loaders, dataset builders, screening, the prepared file."""
