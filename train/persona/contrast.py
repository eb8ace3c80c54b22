"""`prevsteer vector contrast`: a persona vector from two given sets of answers, without generating or judging:
the difference of their answer-token means at every layer, teacher-forced."""

from __future__ import annotations

from train.dataprep.chat import load_conversations
from train.files import refuse_overwrite
from train.models.loading import load_model_and_tokenizer
from train.persona.persona_settings import ContrastSettings
from train.steering.activations import contrast_vector
from train.steering.vectors import PersonaVector

METHOD = "difference of answer-token means of given answers, teacher-forced (no generation, no judge)"


def run_contrast(settings: ContrastSettings) -> PersonaVector:
    """Write the vector to `out` and return it."""
    refuse_overwrite(settings.out, settings.force)
    pos, neg = load_conversations(settings.pos), load_conversations(settings.neg)
    model, tokenizer = load_model_and_tokenizer(settings.model)
    diff, _, _ = contrast_vector(model, tokenizer, pos, neg)
    extraction = {
        "method": METHOD,
        "pos": str(settings.pos),
        "neg": str(settings.neg),
        "n_pos": len(pos),
        "n_neg": len(neg),
    }
    vector = PersonaVector(diff, {"trait": settings.trait, "model": settings.model, "extraction": extraction})
    vector.save(settings.out)
    return vector
