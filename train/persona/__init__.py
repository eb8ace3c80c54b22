"""Persona: trait artifacts, drafting them, extracting persona vectors, choosing the layer, monitoring."""
