#!/usr/bin/env bash
# Draft the sample company's 2026Q3 review (seed 7) in zh and en into OUT/draft.{zh,en}.json, on a throwaway
# workspace, with each draft's created_at masked: two checkouts that write the same review give the same bytes.
# Used to show that a refactor preserves output:
#   bash scripts/draft_snapshot.sh /tmp/before   # on the old commit
#   bash scripts/draft_snapshot.sh /tmp/after    # on the new one
#   cmp /tmp/before/draft.zh.json /tmp/after/draft.zh.json && cmp /tmp/before/draft.en.json /tmp/after/draft.en.json
set -euo pipefail
OUT=$(mkdir -p "${1:?usage: scripts/draft_snapshot.sh OUT}" && cd "$1" && pwd)
cd "$(dirname "$0")/.."
WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT
export FUPAN_WORKSPACE=$WS
.venv/bin/fupan demo --seed 7 >"$OUT/demo.log" 2>&1
for lang in zh en; do
  .venv/bin/fupan --lang "$lang" draft --period 2026Q3 --out "$OUT/draft.$lang.json" >>"$OUT/demo.log" 2>&1
  sed -i -E 's/"created_at": "[^"]*"/"created_at": "-"/' "$OUT/draft.$lang.json"
done
sha256sum "$OUT"/draft.*.json
