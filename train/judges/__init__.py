"""Judges: score answers 0-100 for a trait or for coherence (API, local hf model, offline proxy).

`base` (items, results, reports, the Judge interface, the score of docs/method.md, "The judge", score_answers) and
`cache` are shared; `api`, `hf` and `offline` are the judge kinds; `factory` builds one from a `--judge` string;
`rubric` fills prompts.
"""
