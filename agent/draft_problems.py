"""What a review explains: the segments that missed their target or declined, the reps whose cycle or win rate
broke, and the segments that beat their target. Each comes with its quantitative tree (agent/draft_tree.py).

A result the data cannot compare (a period only partly covered, a rate on a handful of deals) is never a
problem or a success: the artefact rule (agent/draft_comparable.py) is asked first.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.draft_context import DraftContext
from agent.draft_steps import Tree
from agent.draft_tree import metric_tree, revenue_tree
from agent.metric_values import ComparisonRow, MetricValue
from agent.wording import higher_is_better


@dataclass
class Problem:
    """One part of the result to explain."""

    segment: dict[str, str]
    shortfall: float  # revenue short (positive = worse), vs target or the previous period
    # the gap or achievement against target (a MetricValue), or the change against last period (a ComparisonRow)
    headline: MetricValue | ComparisonRow
    kind: str  # "gap" | "decline" | "anomaly" | "success", as RootCauseChain.kind
    tree: Tree
    peer: MetricValue | None = None  # for an anomaly: the same metric for the rep's region (MetricValue)

    @property
    def moves(self) -> list[ComparisonRow]:
        return self.tree.moves


Found = tuple[
    list[Problem], list[MetricValue]
]  # problems in reading order; the figures their trees cited, as read


def _found(problems: list[Problem], reading_order: list[Problem]) -> Found:
    """The problems in reading order, with the figures of every tree in the order the trees were built."""
    return reading_order, [f for p in problems for f in p.tree.figures]


def segments(ctx: DraftContext, regions: list[str]) -> list[dict[str, str]]:
    """The segments the targets are set for: each region, or the scope itself."""
    if regions and "region" not in ctx.scope:
        return [{**ctx.scope, "region": r} for r in regions]
    return [dict(ctx.scope)]


def _covered(ctx: DraftContext, segment: dict[str, str]) -> bool:
    """Whether this period's revenue for the segment is a whole, comparable figure."""
    return ctx.cmp.value(ctx.engine.value("won_revenue", ctx.period, segment or None)).ok


def find_problems(ctx: DraftContext, regions: list[str]) -> Found:
    """Segments that missed their target (or, without one, fell against last period), then the product and
    the rep whose revenue fell most."""
    e, problems = ctx.engine, []
    for seg in segments(ctx, regions):
        if not _covered(ctx, seg):
            continue
        gap = e.value("gap", ctx.period, seg or None)
        if gap.value is not None and gap.value < 0:
            problems.append(Problem(seg, -gap.value, gap, "gap", revenue_tree(ctx, seg)))
            continue
        if gap.value is not None:
            continue  # target met: a success, not a decline
        row = e.compare("won_revenue", ctx.period, ctx.base, filters=seg or None).rows[0]
        if seg == ctx.scope:
            ok = ctx.cmp.row(row).ok  # the whole scope: its own fall, however small, is the result
        else:
            ok = ctx.cmp.segment_move(row, whole_before(ctx), _deals(ctx, row, seg)).ok
        if row.change is not None and row.change < 0 and ok:
            problems.append(Problem(seg, -row.change, row, "decline", revenue_tree(ctx, seg)))
    whole = whole_before(ctx)
    for dim in ("product", "rep"):
        if dim in ctx.scope or not ctx.plan.has({}, [dim]):
            continue
        rows = [
            r
            for r in e.compare("won_revenue", ctx.period, ctx.base, by=[dim], filters=ctx.scope or None).rows
            if r.dims.get(dim) and (r.change or 0) < 0 and ctx.cmp.segment_move(r, whole, _deals(ctx, r)).ok
        ]
        for row in sorted(rows, key=lambda r: r.change or 0.0)[:1]:  # every one fell: its change is set
            seg = {**ctx.scope, **row.dims}
            problems.append(Problem(seg, -(row.change or 0.0), row, "decline", revenue_tree(ctx, seg)))
    return _found(problems, sorted(problems, key=lambda p: -p.shortfall))


def whole_before(ctx: DraftContext) -> float | None:
    """The scope's revenue in the base period: what one segment's fall is measured against."""
    return ctx.engine.value("won_revenue", ctx.base, ctx.scope or None).value  # type: ignore[no-any-return]


def _deals(
    ctx: DraftContext, row: ComparisonRow, segment: dict[str, str] | None = None
) -> tuple[MetricValue, MetricValue]:
    """The won deals behind a segment's revenue now and in the base period."""
    seg = segment if segment is not None else {**ctx.scope, **row.dims}
    return (
        ctx.engine.value("won_deals", ctx.period, seg or None),
        ctx.engine.value("won_deals", ctx.base, seg or None),
    )


ANOMALY_RULES = (
    # metric, minimum relative move in the bad direction, minimum absolute move
    ("sales_cycle_median", 0.4, 14.0),
    ("win_rate", 0.35, 0.12),
)


def _off_pace(metric: str, value: float, peer: float) -> bool:
    """Clearly worse than the rep's region: 30% longer cycle, or a quarter lower win rate."""
    return value >= 1.3 * peer if not higher_is_better(metric) else value <= 0.75 * peer


def find_anomalies(ctx: DraftContext, covered_regions: set[str], *, limit: int = 2) -> Found:
    """Reps whose cycle or win rate broke sharply from last period, even where the region met its target.

    A rep inside a region whose missed target is already explained is skipped for win rate (that chain covers
    it); a lengthening cycle is reported anywhere, since it shows up in revenue only later.
    """
    group = ["region", "rep"] if ctx.plan.has({}, ["region", "rep"]) else ["rep"]
    if not ctx.plan.has({}, group):
        return [], []
    found: list[tuple[float, Problem]] = []
    for metric, min_rel, min_abs in ANOMALY_RULES:
        rows = ctx.engine.compare(metric, ctx.period, ctx.base, by=group, filters=ctx.scope or None).rows
        for row in rows:
            if not row.dims.get("rep") or row.change is None or abs(row.change) < min_abs:
                continue
            rel = row.change / abs(row.base.value) if row.base.value else 0.0
            bad = -rel if higher_is_better(metric) else rel
            region = row.dims.get("region", "")
            if (
                bad < min_rel
                or (metric == "win_rate" and region in covered_regions)
                or not ctx.cmp.row(row).ok
            ):
                continue
            seg = {**ctx.scope, **row.dims}
            peer_seg = {**ctx.scope, "region": region} if region else dict(ctx.scope)
            peer = ctx.engine.value(metric, ctx.period, peer_seg or None)
            if peer.value is not None and not _off_pace(metric, row.current.value or 0.0, peer.value):
                continue  # the whole team moved; that is the region's story, not this rep's
            problem = Problem(seg, 0.0, row, "anomaly", metric_tree(ctx, seg, metric), peer=peer)
            found.append((bad, problem))
    built = [p for _, p in found]
    found.sort(key=lambda x: -x[0])
    seen: set[str] = set()
    out = []
    for _, problem in found:
        if problem.segment.get("rep") in seen:
            continue
        seen.add(problem.segment.get("rep", ""))
        out.append(problem)
    return _found(built, out[:limit])


def find_successes(ctx: DraftContext, regions: list[str]) -> Found:
    """Segments that beat their target, in order; without targets, the segment whose revenue grew most."""
    e, out = ctx.engine, []
    segs = [s for s in segments(ctx, regions) if _covered(ctx, s)]
    targets = False
    for seg in segs:
        ach = e.value("achievement_rate", ctx.period, seg or None)
        targets = targets or ach.value is not None
        if ach.value is None or ach.value < 1:
            continue
        out.append(Problem(seg, 0.0, ach, "success", revenue_tree(ctx, seg, good=True)))
    if targets or out:
        return _found(out, out)
    grew = []
    for seg in segs:
        row = e.compare("won_revenue", ctx.period, ctx.base, filters=seg or None).rows[0]
        if (row.change or 0) > 0 and ctx.cmp.row(row).ok:
            grew.append(row)
    if not grew:
        return [], []
    row = max(grew, key=lambda r: r.change or 0)
    seg = {**ctx.scope, **row.dims} if row.dims else dict(ctx.scope)
    best = [Problem(seg, 0.0, row, "success", revenue_tree(ctx, seg, good=True))]
    return _found(best, best)
