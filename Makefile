# The two commands of the quickstart, `make demo` and `make test`; `make test-fast` and `make lint` for development.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test test-fast lint

setup:
	@bash scripts/setup.sh

demo: setup
	@$(VENV)/bin/prevsteer demo

test: setup
	@bash scripts/run_tests.sh

# the suite without the tests marked slow (multi-process and real-model runs): under 3 minutes with the local
# SLURM up (scripts/slurm_local.sh up; its tests skip without sbatch)
test-fast: setup
	@bash scripts/run_tests.sh -m "not slow"

# what CI runs before the tests
lint: setup
	@bash scripts/lint.sh
