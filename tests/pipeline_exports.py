"""A CRM export with the gaps managers' questions run into, generated from a seed with its truth kept beside it
(plain Python, never the engine): open deals in the export's own stage names (some without an amount yet), a
Segment column with blank cells, a loss-reason column, and a team table with a rep who has no deals."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

STAGES = {"won": "Closed Won", "lost": "Closed Lost", "lead": "Prospecting", "qualified": "Engaging",
          "negotiation": "Negotiation"}  # fmt: skip
OPEN = ("Prospecting", "Engaging", "Negotiation")
REASONS = ("Price", "Competitor", "No budget")
REPS = {"Ann Smith": ("Dana", "East"), "Bob Lee": ("Dana", "East"), "Cy Wu": ("Eli", "West"),
        "Di Ng": ("Eli", "West")}  # fmt: skip
IDLE_REP = ("Ed Ko", "Dana", "East")  # on the team table, no deal at all
SEGMENTS = ("Enterprise", "SMB", "")  # '' is a blank cell
CATEGORIES = ("Technology", "Furniture", "Office")


@dataclass
class Deal:
    deal_id: str
    rep: str
    region: str
    segment: str
    category: str
    stage: str  # as exported
    amount: float | None
    created: date
    closed: date | None
    reason: str

    @property
    def open(self) -> bool:
        return self.stage in OPEN


def generate(folder: Path, seed: int = 3, n: int = 240, *, reasons: bool = True) -> list[Deal]:
    """deals.csv (and team.csv) in `folder`; the deals, as written."""
    rng = random.Random(seed)
    deals = []
    for i in range(n):
        rep = rng.choice(sorted(REPS))
        stage = rng.choices(list(STAGES.values()), weights=[4, 3, 1, 1, 1])[0]
        created = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 330))
        is_open = stage in OPEN
        closed = None if is_open else created + timedelta(days=rng.randrange(3, 30))
        amount = None if is_open and rng.random() < 0.3 else round(rng.uniform(500, 9000), 2)
        reason = rng.choice(REASONS) if stage == "Closed Lost" and rng.random() < 0.9 else ""
        deals.append(Deal(f"D{i:04d}", rep, REPS[rep][1], rng.choice(SEGMENTS), rng.choice(CATEGORIES), stage,
                          amount, created, closed, reason))  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    header = ["Deal ID", "Sales Agent", "Region", "Segment", "Category", "Deal Stage", "Close Value",
              "Created Date", "Close Date"] + (["Loss Reason"] if reasons else [])  # fmt: skip
    with (folder / "deals.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for d in deals:
            row = [d.deal_id, d.rep, d.region, d.segment, d.category, d.stage,
                   "" if d.amount is None else f"{d.amount:.2f}", d.created.isoformat(),
                   d.closed.isoformat() if d.closed else ""]  # fmt: skip
            w.writerow(row + ([d.reason] if reasons else []))
    with (folder / "team.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["sales_agent", "manager", "regional_office"])
        for rep, (manager, region) in [*REPS.items(), (IDLE_REP[0], IDLE_REP[1:])]:
            w.writerow([rep, manager, region])
    return deals
