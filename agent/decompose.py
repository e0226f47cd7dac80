"""Gap analysis: additive contribution (80/20, concentration), Shapley driver split, mix vs rate, drill-down.

Money is summed in Decimal rounded to cents so the parts always add up to the total exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from itertools import permutations
from math import prod

from pydantic import BaseModel, Field

from agent.metric_values import FigureEngine
from agent.metrics import get_metric
from fupan.errors import InputError
from fupan.evidence import metric_evidence_id

CENT = Decimal("0.01")


def _dec(value: float | None, quantum: Decimal = CENT) -> Decimal:
    return Decimal(repr(value or 0.0)).quantize(quantum, rounding=ROUND_HALF_EVEN)


class Contribution(BaseModel):
    dims: dict[str, str]
    current: float | None
    base: float | None
    contribution: Decimal
    share: float | None = Field(None, description="contribution ÷ total change")
    cumulative_share: float | None = None
    in_top_80: bool = False
    evidence_ids: list[str] = Field(default_factory=list)


class ContributionResult(BaseModel):
    metric: str
    period: str
    base: str
    by: list[str]
    total: Decimal
    items: list[Contribution]
    top_80_count: int
    concentration: float | None = Field(None, description="Herfindahl index of |shares| (1 = one segment)")
    evidence_ids: list[str]
    snapshot_id: str | None


def contribution(
    engine: FigureEngine,
    metric: str,
    period: str,
    by: list[str] | str,
    base: str = "previous",
    filters: dict[str, str] | None = None,
) -> ContributionResult:
    """Each segment's change (current − base, or won revenue − target) ranked by size; sums to the total."""
    by = [by] if isinstance(by, str) else list(by)
    d = get_metric(metric)
    if d.aggregation not in ("sum", "count"):
        raise InputError(f"{metric} is not additive", hint="use mix_rate for ratio metrics")
    cmp = engine.compare(metric, period, base, by=by, filters=filters)
    items = [
        Contribution(
            dims=r.dims,
            current=r.current.value,
            base=r.base.value,
            contribution=_dec(r.current.value) - _dec(r.base.value),
            evidence_ids=[r.current.evidence_id, r.base.evidence_id],
        )
        for r in cmp.rows
    ]
    total = sum((i.contribution for i in items), Decimal("0"))
    sign = -1 if total < 0 else 1
    items.sort(key=lambda i: (-(sign * i.contribution), sorted(i.dims.items())))
    cumulative, top = Decimal("0"), 0
    for i in items:
        if total:
            i.share = float(i.contribution / total)
            cumulative += i.contribution
            i.cumulative_share = float(cumulative / total)
            i.in_top_80 = top == 0 or (items[top - 1].cumulative_share or 0) < 0.8
            top += i.in_top_80
    weights = [abs(i.contribution) for i in items]
    mass = sum(weights, Decimal("0"))
    hhi = float(sum((w / mass) ** 2 for w in weights)) if mass else None
    ids = [metric_evidence_id(metric, cmp.period, filters)] + [e for i in items for e in i.evidence_ids]
    return ContributionResult(
        metric=metric,
        period=cmp.period,
        base=cmp.base_period,
        by=by,
        total=total,
        items=items,
        top_80_count=top,
        concentration=hhi,
        evidence_ids=ids,
        snapshot_id=engine.store.current_snapshot_id(),  # type: ignore[attr-defined]
    )


def shapley(base: list[float], current: list[float]) -> list[float]:
    """Exact Shapley split of prod(current) − prod(base) over the factors."""
    n = len(base)
    effects = [0.0] * n
    orders = list(permutations(range(n)))
    for order in orders:
        state = list(base)
        for k in order:
            before = prod(state)
            state[k] = current[k]
            effects[k] += prod(state) - before
    return [e / len(orders) for e in effects]


class DriverPart(BaseModel):
    driver: str
    base: float | None
    current: float | None
    effect: Decimal
    evidence_ids: list[str]


class DriverDecomposition(BaseModel):
    period: str
    base_period: str
    total_change: Decimal
    parts: list[DriverPart]
    method: str = "shapley"
    evidence_ids: list[str]
    snapshot_id: str | None


def driver_decomposition(
    engine: FigureEngine, period: str, base_period: str, filters: dict[str, str] | None = None
) -> DriverDecomposition:
    """won_revenue = closed deals × win rate × avg deal size; Shapley effects, in cents, sum to the change."""
    p = engine.period(period)
    b = engine.base_period(p, base_period)
    if b is None:
        raise InputError("driver decomposition needs a base period, not the target")
    vals = {}
    for label in (p.label, b.label):
        wr = engine.value("win_rate", label, filters)
        ads = engine.value("avg_deal_size", label, filters)
        rev = engine.value("won_revenue", label, filters)
        closed = wr.denominator or 0.0
        vals[label] = {
            "closed_deals": (closed, wr),
            "win_rate": (wr.value or 0.0, wr),
            "avg_deal_size": (ads.value or 0.0, ads),
            "won_revenue": (rev.value or 0.0, rev),
        }
    names = ["closed_deals", "win_rate", "avg_deal_size"]
    raw = shapley([vals[b.label][n][0] for n in names], [vals[p.label][n][0] for n in names])
    total = _dec(vals[p.label]["won_revenue"][0]) - _dec(vals[b.label]["won_revenue"][0])
    effects = [_dec(x) for x in raw]
    effects[-1] += total - sum(effects, Decimal("0"))  # cent rounding goes to the last part, shown in total
    parts = [
        DriverPart(
            driver=n,
            base=vals[b.label][n][0],
            current=vals[p.label][n][0],
            effect=e,
            evidence_ids=[vals[p.label][n][1].evidence_id, vals[b.label][n][1].evidence_id],
        )
        for n, e in zip(names, effects, strict=True)
    ]
    ids = [vals[x]["won_revenue"][1].evidence_id for x in (p.label, b.label)]
    return DriverDecomposition(
        period=p.label,
        base_period=b.label,
        total_change=total,
        parts=parts,
        evidence_ids=ids + [i for pt in parts for i in pt.evidence_ids],
        snapshot_id=engine.store.current_snapshot_id(),
    )


class MixRateSegment(BaseModel):
    dims: dict[str, str]
    share_base: float
    share_current: float
    rate_base: float | None
    rate_current: float | None
    mix_effect: float
    rate_effect: float


class MixRateResult(BaseModel):
    metric: str
    period: str
    base_period: str
    by: list[str]
    total_change: float
    mix_effect: float
    rate_effect: float
    segments: list[MixRateSegment]
    evidence_ids: list[str]
    snapshot_id: str | None


def mix_rate(
    engine: FigureEngine,
    period: str,
    base_period: str,
    by: list[str] | str,
    metric: str = "win_rate",
    filters: dict[str, str] | None = None,
) -> MixRateResult:
    """Ratio change = Σ Δshare·avg rate (mix) + Σ Δrate·avg share (rate); exact by construction."""
    by = [by] if isinstance(by, str) else list(by)
    if get_metric(metric).aggregation != "ratio":
        raise InputError(f"{metric} is not a ratio metric")
    p = engine.period(period)
    b = engine.base_period(p, base_period)
    if b is None:
        raise InputError("mix vs rate needs a base period, not the target")
    cur = engine.compute(metric, p.label, by, filters)
    base = engine.compute(metric, b.label, by, filters)

    def table(res):  # type: ignore[no-untyped-def]
        den = sum(r.denominator or 0 for r in res.rows)
        return den, {tuple(sorted(r.dims.items())): r for r in res.rows}

    d1, t1 = table(cur)
    d0, t0 = table(base)
    segs = []
    for key in sorted(set(t1) | set(t0)):
        r1, r0 = t1.get(key), t0.get(key)
        s1 = (r1.denominator or 0) / d1 if r1 and d1 else 0.0
        s0 = (r0.denominator or 0) / d0 if r0 and d0 else 0.0
        q1 = r1.value if r1 and r1.denominator else None
        q0 = r0.value if r0 and r0.denominator else None
        a1 = q1 if q1 is not None else (q0 or 0.0)
        a0 = q0 if q0 is not None else (q1 or 0.0)
        segs.append(
            MixRateSegment(
                dims=dict(key),
                share_base=s0,
                share_current=s1,
                rate_base=q0,
                rate_current=q1,
                mix_effect=(s1 - s0) * (a1 + a0) / 2,
                rate_effect=(a1 - a0) * (s1 + s0) / 2,
            )
        )
    total_cur = engine.value(metric, p.label, filters)
    total_base = engine.value(metric, b.label, filters)
    mix = sum(s.mix_effect for s in segs)
    rate = sum(s.rate_effect for s in segs)
    return MixRateResult(
        metric=metric,
        period=p.label,
        base_period=b.label,
        by=by,
        total_change=(total_cur.value or 0.0) - (total_base.value or 0.0),
        mix_effect=mix,
        rate_effect=rate,
        segments=segs,
        evidence_ids=[total_cur.evidence_id, total_base.evidence_id]
        + [r.evidence_id for r in cur.rows + base.rows],
        snapshot_id=cur.snapshot_id,
    )


class DrillStep(BaseModel):
    dim: str
    chosen: dict[str, str]
    result: ContributionResult


class DrillDown(BaseModel):
    metric: str
    period: str
    base: str
    path: dict[str, str]
    steps: list[DrillStep]
    evidence_ids: list[str]


def drill_down(
    engine: FigureEngine,
    metric: str,
    period: str,
    base: str,
    dims: list[str],
    filters: dict[str, str] | None = None,
) -> DrillDown:
    """Walk the biggest contributor down the given dimensions (a decomposition tree path)."""
    path = dict(filters or {})
    steps = []
    for dim in dims:
        res = contribution(engine, metric, period, [dim], base=base, filters=path)
        if not res.items or not res.items[0].contribution:
            break
        chosen = {dim: res.items[0].dims[dim]}
        steps.append(DrillStep(dim=dim, chosen=chosen, result=res))
        path.update(chosen)
    return DrillDown(
        metric=metric,
        period=engine.period(period).label,
        base=base,
        path=path,
        steps=steps,
        evidence_ids=[i for s in steps for i in s.result.evidence_ids],
    )
