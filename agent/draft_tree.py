"""The quantitative tree: how far the data explain a segment's result before any cause is guessed.

For a change in revenue the tree goes down as far as the data allow, each level a computed, cited figure:
1. deals × win rate × deal size — which factor moved revenue most (exact Shapley split, agent/decompose.py);
2. why that factor moved:
   - deal size: product mix against rate — a shift of won deals toward cheaper products (the shares that moved),
     then the same by deal-size band; otherwise the product or band whose own deal size fell;
   - win rate: the loss-reason column (丢单原因 / Loss Reason) when the export has one, then the product, band
     or rep whose win rate fell most;
   - deal count: new against existing customers, the funnel (pipeline created), the lead source;
3. the rep (or product) where the driver moved worst.
Every figure passes the artefact rule (agent/draft_comparable.py) first; a level the data cannot support is
skipped, never filled with a guess. Figures are only values the engine computed and changes between them (the
grounding check accepts nothing else), so Shapley effects rank the factors but are not printed.
"""

from __future__ import annotations

from agent.deal_bands import DEAL_SIZE_BAND
from agent.decompose import driver_decomposition, mix_rate
from agent.draft_context import EXTRA_METRICS, DraftContext
from agent.draft_steps import Step, Tree, change_text, cite_row, row_figures
from agent.metric_values import ComparisonRow, MetricValue
from agent.numbers import fmt
from agent.playbook import loss_reason_causes
from agent.wording import higher_is_better

DRIVER_METRICS = (
    "win_rate",
    "won_deals",
    "avg_deal_size",
    "sales_cycle_median",
    "new_customers",
    "conversion_lead_to_opportunity",
    "conversion_opportunity_to_order",
)
_FACTORS = {"closed_deals": "won_deals", "win_rate": "win_rate", "avg_deal_size": "avg_deal_size"}
_FACTOR_WORDS = {
    "closed_deals": "tree.factor_closed_deals",
    "win_rate": "tree.factor_win_rate",
    "avg_deal_size": "tree.factor_avg_deal_size",
}
_MIX = {  # (by product, a success) → the sentence
    (True, True): "tree.mix_product_above",
    (True, False): "tree.mix_product_below",
    (False, True): "tree.mix_band_above",
    (False, False): "tree.mix_band_below",
}
MIX_SHARE = 0.5  # a mix shift "explains" a change when it accounts for at least half of it


def _bad(metric: str, row: ComparisonRow, good: bool = False) -> float:
    """How far a figure moved the wrong way (or, with `good`, the right way), relative to its base; 0 if not."""
    if row.change is None or row.base.value in (None, 0):
        return 0.0
    rel = row.change / abs(row.base.value)
    worse = -rel if higher_is_better(metric) else rel
    return max(0.0, -worse if good else worse)


def driver_moves(ctx: DraftContext, segment: dict[str, str], *, good: bool = False) -> list[ComparisonRow]:
    """The drivers that moved by more than 3% in the bad (or good) direction, comparable ones only."""
    rows = []
    for metric in DRIVER_METRICS:
        row = ctx.engine.compare(metric, ctx.period, ctx.base, filters=segment or None).rows[0]
        if _bad(metric, row, good) > 0.03 and ctx.cmp.row(row).ok:
            rows.append(row)
    return sorted(rows, key=lambda r: -_bad(r.current.metric, r, good))


# ---- level 1: deals × win rate × deal size -------------------------------------------------------------
def drivers_step(ctx: DraftContext, segment: dict[str, str], good: bool) -> tuple[Step | None, str | None]:
    rows = {
        m: ctx.engine.compare(m, ctx.period, ctx.base, filters=segment or None).rows[0]
        for m in _FACTORS.values()
    }
    usable = {m: r for m, r in rows.items() if ctx.cmp.row(r).ok}
    if "won_deals" not in usable or "avg_deal_size" not in usable:
        return None, None
    effects: dict[str, float] = {}
    if all(r.current.value is not None and r.base.value is not None for r in rows.values()):
        dec = driver_decomposition(ctx.engine, ctx.period, ctx.base, segment or None)
        effects = {
            p.driver: float(p.effect)
            for p in dec.parts
            if _FACTORS[p.driver] in usable or p.driver == "closed_deals"
        }
        if "win_rate" not in usable:  # no losses recorded: volume and size only
            effects.pop("win_rate", None)
    if not effects:
        return None, None
    main = (max if good else min)(effects, key=lambda k: effects[k])
    if (effects[main] > 0) != good or not effects[main]:
        return None, None
    shown = [usable[m] for m in ("won_deals", "win_rate", "avg_deal_size") if m in usable]
    claim = ctx.say(
        "tree.drivers",
        parts=ctx.say("draft.clause_sep").join(change_text(ctx, r) for r in shown),
        formula=ctx.say("tree.formula_with_rate" if "win_rate" in effects else "tree.formula_without_rate"),
        factor=ctx.say(_FACTOR_WORDS[main]),
    )
    main_row = usable.get(_FACTORS[main], usable["won_deals"])
    figures = row_figures(*shown)
    return (
        Step(
            claim=claim,
            short=change_text(ctx, main_row),
            evidence=ctx.cite(*figures),
            kind="drivers",
            figures=figures,
        ),
        _FACTORS[main],
    )


# ---- level 2: why the factor moved ----------------------------------------------------------------------
def _share_values(ctx: DraftContext, segment: dict[str, str], dim: str, value: str) -> list[MetricValue]:
    """won_deals of the part and of the whole, this period and the base period."""
    e, part = ctx.engine, {**segment, dim: value}
    return [
        e.value("won_deals", ctx.period, part),
        e.value("won_deals", ctx.period, segment or None),
        e.value("won_deals", ctx.base, part),
        e.value("won_deals", ctx.base, segment or None),
    ]


def mix_step(ctx: DraftContext, segment: dict[str, str], good: bool) -> Step | None:
    """Deal size moved because the mix of won deals moved: the product (or band) whose share moved most."""
    for dim in ("product", DEAL_SIZE_BAND):
        if dim in segment or not ctx.plan.has(segment, [dim], extra=True):  # won deals and their sizes
            continue
        res = mix_rate(
            ctx.engine, ctx.period, ctx.base, [dim], metric="avg_deal_size", filters=segment or None
        )
        total = res.total_change
        if not total or (total > 0) != good or res.mix_effect / total < MIX_SHARE:
            continue
        overall = ctx.engine.value("avg_deal_size", ctx.base, segment or None)
        if overall.value is None:
            continue
        # the part that gained share and sits on the side of the average that moved the total
        side = [
            s
            for s in res.segments
            if s.rate_current is not None
            and (s.rate_current > overall.value) == good
            and s.share_current > s.share_base
        ]
        if not side:
            continue
        seg = max(side, key=lambda s: s.share_current - s.share_base)
        value = seg.dims[dim]
        shares = _share_values(ctx, segment, dim, value)
        if not all(ctx.cmp.base_ok(v.value) for v in (shares[1], shares[3])):
            continue
        if not ctx.cmp.share_move_ok(seg.share_base, seg.share_current):
            continue
        rate = ctx.engine.value("avg_deal_size", ctx.period, {**segment, dim: value})
        name = ctx.value_label(dim, value)
        s0, s1 = fmt(seg.share_base, "ratio", ctx.lang), fmt(seg.share_current, "ratio", ctx.lang)
        avg0, avg1 = fmt(overall.value, overall.unit, ctx.lang), fmt(rate.value, rate.unit, ctx.lang)
        where = f"{ctx.dim_label(dim)} {name}"
        claim = ctx.say(
            _MIX[dim == "product", good],
            where=where,
            s0=s0,
            s1=s1,
            avg0=avg0,
            avg1=avg1,
        )
        return Step(
            claim=claim,
            short=ctx.say("tree.mix_short", where=where, s0=s0, s1=s1),
            evidence=ctx.cite(*shares, rate, overall),
            kind="mix",
            findings=set() if good else {"smaller_deal_mix"},
            figures=[*shares, rate, overall],
        )
    return None


def loss_reason_step(ctx: DraftContext, segment: dict[str, str], *, supports: bool) -> Step | None:
    """What the CRM's loss-reason column says about this period's lost deals, against the period before.
    It supports a cause only where lost deals are the story (`supports`: the win rate fell); elsewhere it is
    context."""
    if "loss_reason" in segment or not ctx.plan.has(segment, ["loss_reason"], extra=True):
        return None
    e = ctx.engine
    total, base_total = (e.value("lost_deals", p, segment or None) for p in (ctx.period, ctx.base))
    if not ctx.cmp.base_ok(total.value):
        return None
    rows = [
        r
        for r in e.compare(
            "lost_deals", ctx.period, ctx.base, by=["loss_reason"], filters=segment or None
        ).rows
        if r.dims.get("loss_reason", "").strip() and r.current.value
    ]
    if not rows:
        return None
    with_base = ctx.cmp.base_ok(base_total.value)
    shares = [(r, _share(r.current, total), _share(r.base, base_total) if with_base else 0.0) for r in rows]
    shares.sort(key=lambda t: -(t[1] - t[2]))
    rows = [r for r, _, _ in shares]
    shown = [r for r in rows if _share(r.current, total) >= 0.15][:2] or rows[:1]
    parts, figures = [], []
    for r in shown:
        now = fmt(_share(r.current, total), "ratio", ctx.lang)
        then = fmt(_share(r.base, base_total), "ratio", ctx.lang) if with_base else ""
        reason = r.dims["loss_reason"]
        parts.append(
            ctx.say(
                "tree.reason_share_then" if then else "tree.reason_share", reason=reason, now=now, then=then
            )
        )
        figures += [r.current, r.base] if with_base else [r.current]
    figures += [total, base_total] if with_base else [total]
    causes = loss_reason_causes([(r.dims["loss_reason"], now, then) for r, now, then in shares], with_base)
    said = ctx.say("draft.comma_sep").join(parts)
    return Step(
        claim=ctx.say("tree.loss_reasons", parts=said),
        short=ctx.say("tree.loss_reasons_short", parts=said),
        evidence=list(dict.fromkeys(ctx.cite(*figures))),
        kind="loss_reasons",
        grade="record",
        causes=causes if supports else [],
        figures=figures,
    )


def _share(mv: MetricValue, whole: MetricValue) -> float:
    return (mv.value or 0) / whole.value if whole.value else 0.0


def focus_step(
    ctx: DraftContext, segment: dict[str, str], metric: str, good: bool, dims: tuple[str, ...]
) -> Step | None:
    """The part (rep, product, band) where `metric` moved worst (or best), weighted by its size."""
    best: tuple[float, str, ComparisonRow] | None = None
    counts = metric in EXTRA_METRICS  # sums and counts were fetched for more groupings than the rest
    for dim in dims:
        if dim in segment or not ctx.plan.has(segment, [dim], extra=counts):
            continue
        for r in ctx.engine.compare(metric, ctx.period, ctx.base, by=[dim], filters=segment or None).rows:
            if not r.dims.get(dim) or not ctx.cmp.row(r).ok:
                continue
            if metric == "won_revenue" and not _material(ctx, segment, r):
                continue
            weight = float(r.current.denominator or r.base.denominator or abs(r.base.value or 0) or 1)
            score = _bad(metric, r, good) * (weight if r.current.denominator is not None else 1.0)
            if score > 0 and (best is None or score > best[0]):
                best = (score, dim, r)
    if best is None:
        return None
    _, dim, row = best
    name = ctx.value_label(dim, row.dims[dim])
    where = ctx.say("tree.focus_good" if good else "tree.focus_bad", dim=ctx.dim_label(dim), name=name)
    return _where_step(ctx, where, row, "focus")


def _where_step(ctx: DraftContext, where: str, row: ComparisonRow, kind: str) -> Step:
    """A step that names where a change sits and says the change."""
    change = change_text(ctx, row)
    return Step(
        claim=ctx.say("tree.where_claim", where=where, change=change),
        short=ctx.say("tree.where_short", where=where, change=change),
        evidence=cite_row(ctx, row),
        kind=kind,
        figures=row_figures(row),
    )


def _material(ctx: DraftContext, segment: dict[str, str], row: ComparisonRow) -> bool:
    """One part's revenue move, inside a segment: on enough deals and a material share of the segment's."""
    part = {**segment, **row.dims}
    whole = ctx.engine.value("won_revenue", ctx.base, segment or None).value
    deals = (ctx.engine.value("won_deals", ctx.period, part), ctx.engine.value("won_deals", ctx.base, part))
    return ctx.cmp.segment_move(row, whole, deals).ok


def customers_step(ctx: DraftContext, segment: dict[str, str], good: bool) -> Step | None:
    """New against existing customers: new customers won, and the share of customers buying again."""
    e, shown = ctx.engine, []
    for metric in ("new_customers", "repurchase_rate"):
        row = e.compare(metric, ctx.period, ctx.base, filters=segment or None).rows[0]
        if ctx.cmp.row(row).ok and row.change and (metric != "repurchase_rate" or abs(row.change) >= 0.005):
            shown.append(row)
    new = next((r for r in shown if r.current.metric == "new_customers"), None)
    if new is None or ((new.change or 0) > 0) != good:
        return None
    text = ctx.say("draft.clause_sep").join(change_text(ctx, r) for r in shown)
    return Step(
        claim=ctx.say("tree.customers", text=text),
        short=change_text(ctx, new),
        evidence=ctx.cite(*row_figures(*shown)),
        kind="customers",
        figures=row_figures(*shown),
    )


def funnel_step(ctx: DraftContext, segment: dict[str, str], good: bool) -> Step | None:
    """The top of the funnel: pipeline created, and the stage conversions when their cohorts compare."""
    e, shown = ctx.engine, []
    for metric in ("pipeline_created", "conversion_lead_to_opportunity", "conversion_opportunity_to_order"):
        row = e.compare(metric, ctx.period, ctx.base, filters=segment or None).rows[0]
        if ctx.cmp.row(row).ok and row.change and ((row.change > 0) == good):
            shown.append(row)
    if not shown:
        return None
    text = ctx.say("draft.clause_sep").join(change_text(ctx, r) for r in shown)
    return Step(
        claim=ctx.say("tree.funnel", text=text),
        short=change_text(ctx, shown[0]),
        evidence=ctx.cite(*row_figures(*shown)),
        kind="funnel",
        figures=row_figures(*shown),
    )


def source_step(ctx: DraftContext, segment: dict[str, str], good: bool) -> Step | None:
    """The lead source whose revenue moved most."""
    if "lead_source" in segment or not ctx.plan.has(segment, ["lead_source"], extra=True):
        return None
    rows = [
        r
        for r in ctx.engine.compare(
            "won_revenue", ctx.period, ctx.base, by=["lead_source"], filters=segment or None
        ).rows
        if r.dims.get("lead_source") and r.change and (r.change > 0) == good and ctx.cmp.row(r).ok
    ]
    if not rows:
        return None
    row = max(rows, key=lambda r: abs(r.change or 0))
    name = row.dims["lead_source"]
    where = ctx.say("tree.source_good" if good else "tree.source_bad", name=name)
    return _where_step(ctx, where, row, "source")


# ---- the walk -------------------------------------------------------------------------------------------
def revenue_tree(ctx: DraftContext, segment: dict[str, str], *, good: bool = False) -> Tree:
    """The tree under a segment's revenue change (a missed target, a decline, or a success)."""
    moves = driver_moves(ctx, segment, good=good)
    drivers, main = drivers_step(ctx, segment, good)
    steps: list[Step] = [drivers] if drivers else []
    people = ("rep", "product") if "product" not in segment else ("rep",)
    candidates: list[Step | None] = []
    if good:  # what a success can hand on first: where the new business came from
        candidates.append(source_step(ctx, segment, good))
    if main == "avg_deal_size":
        candidates += [
            mix_step(ctx, segment, good),
            # not by band: a band bounds the size of its deals, so its average says nothing the mix does not
            focus_step(ctx, segment, main, good, ("product",)),
        ]
    elif main == "win_rate":
        candidates += [loss_reason_step(ctx, segment, supports=True) if not good else None]
        candidates += [focus_step(ctx, segment, main, good, ("product", DEAL_SIZE_BAND, "rep"))]
    elif main == "won_deals":
        candidates += [
            customers_step(ctx, segment, good),
            source_step(ctx, segment, good),
            funnel_step(ctx, segment, good),
        ]
    if not good and main != "win_rate":
        candidates.append(loss_reason_step(ctx, segment, supports=False))
    candidates.append(focus_step(ctx, segment, main or "won_revenue", good, people))
    for step in candidates:
        if step is not None and all(step.claim != s.claim for s in steps):
            steps.append(step)
    figures = [f for s in [drivers, *candidates] if s is not None for f in s.figures]
    return Tree(moves=moves, steps=steps, main=main, figures=figures)


def metric_tree(ctx: DraftContext, segment: dict[str, str], metric: str) -> Tree:
    """The tree under one segment's metric that broke (a rep's cycle or win rate): the other drivers that moved
    with it, what the lost deals say, and the band where it concentrates."""
    moves = [r for r in driver_moves(ctx, segment) if r.current.metric != metric]
    steps: list[Step] = []
    if moves:
        shown = moves[:2]
        text = ctx.say("draft.clause_sep").join(change_text(ctx, r) for r in shown)
        steps.append(
            Step(
                claim=ctx.say("tree.against_last", text=text),
                short=change_text(ctx, shown[0]),
                evidence=ctx.cite(*row_figures(*shown)),
                kind="drivers",
                figures=row_figures(*shown),
            )
        )
    reasons = loss_reason_step(ctx, segment, supports=metric == "win_rate")
    for step in (reasons, focus_step(ctx, segment, metric, False, (DEAL_SIZE_BAND,))):
        if step is not None:
            steps.append(step)
    return Tree(moves=moves, steps=steps, main=metric, figures=[f for s in steps for f in s.figures])
