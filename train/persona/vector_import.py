"""`prevsteer vector import`: a vector from the study's own code (a .pt of [L+1, d], row 0 the embeddings) as a
prevsteer artifact (row l = the output of block l)."""

from __future__ import annotations

from train.files import refuse_overwrite
from train.persona.persona_settings import ImportSettings
from train.steering.vectors import PersonaVector


def run_import(settings: ImportSettings) -> PersonaVector:
    """Write the converted vector to `out` and return it."""
    refuse_overwrite(settings.out, settings.force)
    vector = PersonaVector.from_original_pt(settings.source, trait=settings.trait, model=settings.model)
    vector.save(settings.out)
    return vector
