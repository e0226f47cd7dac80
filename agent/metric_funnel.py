"""The stage funnel of the deals created in a period: how many reached each stage, and their amount.

Read in one pass grouped by stage (a handful of rows), then summed into the stages each deal reached: the same
numbers as the one statement with a filtered count and sum per stage (`FUNNEL_SQL`, recorded on the result so a
citation re-runs it), at a fraction of its cost on a million deals. Kept per snapshot by the engine.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from agent.metric_filters import filter_condition, sql_literal
from agent.metric_values import FunnelResult, FunnelStage
from fupan.evidence import metric_evidence_id
from fupan.periods import Period

REACH = {  # stage of the funnel → the condition on a deal's current stage that means it got there
    "lead": "true",
    "qualified": "stage <> 'lead'",
    "proposal": "stage IN ('proposal', 'negotiation', 'won')",
    "negotiation": "stage IN ('negotiation', 'won')",
    "won": "stage = 'won'",
}


def _reached(funnel_stage: str, stage: str | None) -> bool:
    """`REACH` in Python, SQL's NULL semantics included (a deal without a stage is a lead only)."""
    if funnel_stage == "lead":
        return True
    if stage is None:
        return False
    if funnel_stage == "qualified":
        return stage != "lead"
    if funnel_stage == "proposal":
        return stage in ("proposal", "negotiation", "won")
    if funnel_stage == "negotiation":
        return stage in ("negotiation", "won")
    return stage == "won"


def read_funnel(con: Any, p: Period, filters: dict[str, str], snapshot_id: str | None) -> FunnelResult:
    conds = [filter_condition(k, v) for k, v in sorted(filters.items())]
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    created = f"created_date >= {sql_literal(p.start)} AND created_date < {sql_literal(p.end)}"
    cols = ", ".join(
        f"count(*) FILTER (WHERE {c}) AS {s}_n, coalesce(sum(amount) FILTER (WHERE {c}), 0) AS {s}_a, "
        f"count(*) FILTER (WHERE ({c}) AND amount IS NULL) AS {s}_u"
        for s, c in REACH.items()
    )
    sql = f"SELECT {cols} FROM opportunities{where}{' AND ' if where else ' WHERE '}{created}"
    by_stage = con.execute(
        "SELECT stage, count(*), sum(amount), count(*) FILTER (WHERE amount IS NULL) "
        f"FROM opportunities{where}{' AND ' if where else ' WHERE '}{created} GROUP BY stage"
    ).fetchall()
    stages, prev = [], None
    for s in REACH:
        rows = [r for r in by_stage if _reached(s, r[0])]
        with localcontext() as ctx:
            ctx.prec = 60  # exact: a sum of DECIMAL sums, as the database adds them
            amount = sum((Decimal(r[2]) for r in rows if r[2] is not None), Decimal(0))
        n, unknown = sum(int(r[1]) for r in rows), sum(int(r[3]) for r in rows)
        stages.append(
            FunnelStage(
                stage=s,
                deals=n,
                amount=float(amount),
                conversion_from_previous=None if not prev else n / prev,
                amount_unknown=unknown,
            )
        )
        prev = n
    ids = [
        metric_evidence_id(m, p.label, filters)
        for m in ("conversion_lead_to_opportunity", "conversion_opportunity_to_order", "pipeline_created")
    ]
    return FunnelResult(
        period=p.label, dims=dict(filters), stages=stages, evidence_ids=ids, sql=sql, snapshot_id=snapshot_id
    )
