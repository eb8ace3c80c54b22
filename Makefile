# The two commands of the quickstart: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test lint

setup:
	@bash scripts/setup.sh

demo: setup
	@$(VENV)/bin/prevsteer demo

test: setup
	@bash scripts/run_tests.sh

lint: setup
	@$(VENV)/bin/ruff check .
