"""Base rates for call-level precision@10 on the insurance_sales_calls dataset.

Writes base_rates.json: {outcome label: share of the 101 calls with that label}.
If a sample-company notes.csv is given (default: the pinned copy sample_notes_seed7.csv, made with
`python -m evals.sample_company /tmp/sc 7`), also writes sample_notes_base_rates.json
({topic: share of notes}).

    python make_base_rates.py [DATASET_DIR] [NOTES_CSV]
"""
import json
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/datasets/insurance_sales_calls")
NOTES = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "sample_notes_seed7.csv"

conv = pd.read_csv(DATA / "conversations.csv")
assert conv.conversation_id.is_unique
counts = conv.outcome.value_counts()
shares = (counts / len(conv)).round(6)
(HERE / "base_rates.json").write_text(
    json.dumps(shares.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
print(f"{len(conv)} calls")
for label, n in counts.items():
    print(f"  {n:3d}  {shares[label]:.4f}  {label}")

if NOTES.exists():
    notes = pd.read_csv(NOTES)
    tc = notes.topic.value_counts()
    ts = (tc / len(notes)).round(6)
    (HERE / "sample_notes_base_rates.json").write_text(
        json.dumps(ts.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{len(notes)} notes in {NOTES}")
    for t, n in tc.items():
        print(f"  {n:3d}  {ts[t]:.4f}  {t}")
else:
    print(f"(no {NOTES}; sample_notes_base_rates.json not written)")
