#!/usr/bin/env bash
# The README's test command: lint, the layer contract (import-linter) and mypy (both configured in pyproject.toml),
# then the whole suite with network blocked except loopback (tests/test_structure.py runs scripts/structure.py).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache --no-logo
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
