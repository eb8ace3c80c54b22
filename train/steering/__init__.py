"""Steering: the persona-vector artifact, decoder-layer discovery, steering operators and hooks,
teacher-forced activations and the projection regulariser."""
