"""Judges: score answers 0-100 for a trait or for coherence (API, local hf model, offline proxy)."""
