"""Training: the recipe schema, the preventative-steering trainer, one run and its run directory."""
