#!/usr/bin/env bash
# The checks CI runs before the tests (`make lint`): ruff's linter, its formatter, and mypy on the package.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy train
