#!/usr/bin/env bash
# The README's test command: lint, then the whole suite with network blocked except loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
