"""The drafter's second half: 5-Why chains for the largest parts of the gap, lessons, SMART actions.

A problem is a segment whose revenue fell short (against target or the previous quarter). For each, the
links walk down: the shortfall → the driver that moved worst (win rate, deals, deal size, cycle...) → where
it concentrates (rep / product) → what the notes say (signals) → the playbook's deeper cause.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from agent.ask import Collector
from agent.numbers import fmt, fmt_change, is_money
from agent.playbook import Cause, best_causes, load_playbook
from agent.router_periods import shift_quarter
from agent.signals import Signal, link_signals, top_competitor
from agent.smart import period_end
from agent.wording import dim_label, higher_is_better, metric_label, segment_label, value_label
from fupan.report import ActionItem, Lesson, RootCauseChain, WhyLink

DRIVER_METRICS = (
    "win_rate",
    "won_deals",
    "avg_deal_size",
    "sales_cycle_median",
    "new_customers",
    "conversion_lead_to_opportunity",
    "conversion_opportunity_to_order",
)


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


@dataclass
class Problem:
    """One part of the gap to explain."""

    segment: dict[str, str]
    shortfall: float  # revenue short (positive = worse), vs target or base period
    headline: Any  # MetricValue of gap (vs target) or a ComparisonRow of won_revenue
    kind: str  # "gap" (missed target) | "decline" | "anomaly" | "success", as RootCauseChain.kind
    moves: list[Any] = field(default_factory=list)  # ComparisonRows of drivers that moved badly, worst first
    focus: list[tuple[str, Any]] = field(default_factory=list)  # (dim, ComparisonRow) where it concentrates
    peer: Any = None  # for an anomaly: the same metric for the rep's region (MetricValue)


def _bad(metric: str, row: Any) -> float:
    """How badly a driver moved, as a relative change in the bad direction (0 if it improved)."""
    if row.change is None or row.base.value in (None, 0):
        return 0.0
    rel = row.change / abs(row.base.value)
    return max(0.0, -rel if higher_is_better(metric) else rel)


def driver_moves(engine: Any, period: str, base: str, segment: dict[str, str]) -> list[Any]:
    rows = []
    for metric in DRIVER_METRICS:
        row = engine.compare(metric, period, base, filters=segment or None).rows[0]
        if _bad(metric, row) > 0.03:
            rows.append(row)
    return sorted(rows, key=lambda r: -_bad(r.current.metric, r))


def focus_rows(
    engine: Any, period: str, base: str, segment: dict[str, str], metric: str
) -> list[tuple[str, Any]]:
    """The rep and the product where `metric` moved worst inside the segment."""
    out = []
    for dim in ("rep", "product"):
        if dim in segment:
            continue
        rows = [
            r
            for r in engine.compare(metric, period, base, by=[dim], filters=segment or None).rows
            if r.change is not None and _bad(metric, r) > 0
        ]
        if rows:
            out.append(
                (
                    dim,
                    max(
                        rows,
                        key=lambda r: _bad(metric, r) * float(r.current.denominator or r.base.value or 1),
                    ),
                )
            )
    return out


def find_problems(engine: Any, period: str, scope: dict[str, str], regions: list[str]) -> list[Problem]:
    base = shift_quarter(period, -1)
    problems: list[Problem] = []
    segments = [{**scope, "region": r} for r in regions] if "region" not in scope else [dict(scope)]
    for seg in segments:
        gap = engine.value("gap", period, seg)
        if gap.value is not None and gap.value < 0:
            problems.append(Problem(seg, -gap.value, gap, "gap"))
        else:
            row = engine.compare("won_revenue", period, base, filters=seg).rows[0]
            if row.change is not None and row.change < 0:
                problems.append(Problem(seg, -row.change, row, "decline"))
    for dim in ("product", "rep"):
        rows = engine.compare("won_revenue", period, base, by=[dim], filters=scope or None).rows
        for row in sorted((r for r in rows if (r.change or 0) < 0), key=lambda r: r.change)[:1]:
            problems.append(Problem({**scope, **row.dims}, -row.change, row, "decline"))
    for p in problems:
        p.moves = driver_moves(engine, period, base, p.segment)
        if p.moves:
            p.focus = focus_rows(engine, period, base, p.segment, p.moves[0].current.metric)
    return sorted(problems, key=lambda p: -p.shortfall)


ANOMALY_RULES = (
    # metric, minimum relative move in the bad direction, minimum absolute move, minimum won deals
    ("sales_cycle_median", 0.4, 14.0, 3),
    ("win_rate", 0.35, 0.12, 3),
)


def _off_pace(metric: str, value: float, peer: float) -> bool:
    """Clearly worse than the rep's region: 30% longer cycle, or a quarter lower win rate."""
    return value >= 1.3 * peer if not higher_is_better(metric) else value <= 0.75 * peer


def find_anomalies(
    engine: Any, period: str, scope: dict[str, str], covered_regions: set[str], *, limit: int = 2
) -> list[Problem]:
    """Reps whose cycle or win rate broke sharply from last quarter, even where the region met its target.

    A rep inside a region whose missed target is already explained is skipped for win rate (that chain
    covers it); a lengthening cycle is reported anywhere, since it shows up in revenue only later.
    """
    base = shift_quarter(period, -1)
    found: list[tuple[float, Problem]] = []
    for metric, min_rel, min_abs, min_won in ANOMALY_RULES:
        rows = engine.compare(metric, period, base, by=["region", "rep"], filters=scope or None).rows
        for row in rows:
            if row.change is None or row.current.value is None or abs(row.change) < min_abs:
                continue
            bad = _bad(metric, row)
            region = row.dims.get("region", "")
            if bad < min_rel or (metric == "win_rate" and region in covered_regions):
                continue
            seg = {**scope, **row.dims}
            won = engine.value("won_deals", period, seg).value or 0
            if won < min_won:
                continue
            problem = Problem(seg, 0.0, row, "anomaly")
            problem.peer = engine.value(metric, period, {**scope, "region": region})
            peer = problem.peer.value
            if peer is not None and not _off_pace(metric, row.current.value, peer):
                continue  # the whole team moved; that is the region's story, not this rep's
            problem.moves = [r for r in driver_moves(engine, period, base, seg) if r.current.metric != metric]
            found.append((bad, problem))
    found.sort(key=lambda x: -x[0])
    seen: set[str] = set()
    out = []
    for _, problem in found:
        if problem.segment.get("rep") in seen:
            continue
        seen.add(problem.segment.get("rep", ""))
        out.append(problem)
    return out[:limit]


def find_successes(engine: Any, period: str, scope: dict[str, str], regions: list[str]) -> list[Problem]:
    """Regions that beat their target (in region order), with what improved and the lead source that grew most."""
    base = shift_quarter(period, -1)
    out = []
    segs = [{**scope, "region": r} for r in regions] if "region" not in scope else [dict(scope)]
    for seg in segs:
        ach = engine.value("achievement_rate", period, seg)
        if ach.value is None or ach.value < 1:
            continue
        problem = Problem(seg, 0.0, ach, "success")
        problem.moves = driver_improvements(engine, period, base, seg)
        rows = [
            r
            for r in engine.compare("won_revenue", period, base, by=["lead_source"], filters=seg).rows
            if (r.change or 0) > 0
        ]
        if rows:
            problem.focus = [("lead_source", max(rows, key=lambda r: r.change))]
        out.append(problem)
    return out


def align_moves(problem: Problem, cause: Cause, engine: Any, period: str) -> None:
    """Lead with the moves the chosen cause explains (its symptoms), and re-focus on the first of them."""
    fits = [
        r
        for r in problem.moves
        if cause.symptoms.get(r.current.metric) == ("up" if (r.change or 0) > 0 else "down")
    ]
    if not fits or problem.kind == "success":
        return
    rest = [r for r in problem.moves if r not in fits]
    first_before = problem.moves[0] if problem.moves else None
    problem.moves = fits + rest
    if problem.moves[0] is not first_before and problem.kind != "anomaly":
        problem.focus = focus_rows(
            engine, period, shift_quarter(period, -1), problem.segment, problem.moves[0].current.metric
        )


def _signal_counts(signals: list[Signal]) -> dict[str, float]:
    counts: dict[str, float] = {}
    for s in signals:
        counts[s.kind] = counts.get(s.kind, 0) + 1
    return counts


def choose_cause(problem: Problem, signals: list[Signal], used: set[str]) -> tuple[Cause, list[Signal]]:
    linked = link_signals(signals, problem.segment)
    moved = {r.current.metric: ("up" if (r.change or 0) > 0 else "down") for r in problem.moves}
    own = _signal_counts([s for s in linked if s.segment])
    counts = {
        k: own.get(k, 0) + 0.3 * v for k, v in _signal_counts([s for s in linked if not s.segment]).items()
    }
    counts = {**own, **counts}
    if problem.kind == "success":
        cause = best_causes(moved, counts, success=True)[0]
        return cause, _supporting(linked, cause)
    cause = best_causes(moved, counts)[0]
    if cause.id in used and not any(own.get(kind) for kind in cause.signals):
        cause = best_causes(moved, counts, exclude=used)[0]  # without notes, prefer a cause not yet used
    return cause, _supporting(linked, cause)


def _supporting(linked: list[Signal], cause: Cause) -> list[Signal]:
    """Up to three distinct notes whose signals fit the cause; notes naming the segment first."""
    evidence: list[Signal] = []

    def fit(s: Signal) -> tuple[bool, int]:  # notes naming the segment first, then those most about the cause
        text = s.excerpt.lower()
        return (not s.segment, -sum(1 for k in cause.keywords if k.lower() in text))

    for s in sorted(linked, key=fit):
        if s.kind in cause.signals and s.evidence_id not in {e.evidence_id for e in evidence}:
            evidence.append(s)
    return evidence[:3]


def _lower_first(label: str) -> str:
    """'Win rate' → 'win rate' inside an English sentence (acronyms like 'AOV' stay)."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _row_text(row: Any, lang: str, col: Collector) -> str:
    m = row.current.metric
    return _t(
        lang,
        f"{metric_label(m, lang)}从 {fmt(row.base.value, row.base.unit, lang)} {'升至' if (row.change or 0) > 0 else '降至'} "
        f"{fmt(row.current.value, row.current.unit, lang)}（{'+' if (row.change or 0) > 0 else '−'}{fmt_change(row.change, row.current.unit, lang)}）",
        f"{_lower_first(metric_label(m, lang))} {'rose' if (row.change or 0) > 0 else 'fell'} from {fmt(row.base.value, row.base.unit, lang)} "
        f"to {fmt(row.current.value, row.current.unit, lang)} ({'+' if (row.change or 0) > 0 else '−'}{fmt_change(row.change, row.current.unit, lang)})",
    )


def _cite_row(row: Any, col: Collector) -> list[str]:
    col.cite(row.current)
    col.cite(row.base)
    return [row.current.evidence_id, row.base.evidence_id]


def headline_link(problem: Problem, period: str, lang: str, col: Collector) -> WhyLink:
    who = segment_label(problem.segment, lang)
    if problem.kind == "gap":
        col.cite(problem.headline)
        return WhyLink(
            claim=_t(
                lang,
                f"{who} {period} 未完成销售额目标，缺口 {fmt(problem.shortfall, problem.headline.unit, lang)}。",
                f"{who} missed its {period} revenue target by {fmt(problem.shortfall, problem.headline.unit, lang)}.",
            ),
            evidence=[problem.headline.evidence_id],
        )
    if problem.kind == "success":
        col.cite(problem.headline)
        return WhyLink(
            claim=_t(
                lang,
                f"{who} {period} 超额完成销售额目标，达成率 {fmt(problem.headline.value, 'ratio', lang)}。",
                f"{who} beat its {period} revenue target: {fmt(problem.headline.value, 'ratio', lang)} of target.",
            ),
            evidence=[problem.headline.evidence_id],
        )
    row = problem.headline
    if problem.kind == "anomaly":
        peer = problem.peer
        peer_text = (
            _t(
                lang,
                f"，同期{segment_label({'region': problem.segment.get('region', '')}, lang)}整体为 {fmt(peer.value, peer.unit, lang)}",
                f", against {fmt(peer.value, peer.unit, lang)} for {segment_label({'region': problem.segment.get('region', '')}, lang)} as a whole",
            )
            if peer is not None and peer.value is not None and problem.segment.get("region")
            else ""
        )
        ids = _cite_row(row, col)
        if peer_text:
            col.cite(peer)
            ids.append(peer.evidence_id)
        return WhyLink(
            claim=_t(
                lang,
                f"{who} 的{_row_text(row, lang, col)}{peer_text}，明显偏离团队水平。",
                f"For {who}, {_row_text(row, lang, col)}{peer_text}: well off the team's pace.",
            ),
            evidence=ids,
        )
    return WhyLink(
        claim=_t(
            lang,
            f"{who} 的{_row_text(row, lang, col)}，是销售额下滑的主要来源之一。",
            f"For {who}, {_row_text(row, lang, col)}, one of the main sources of the revenue decline.",
        ),
        evidence=_cite_row(row, col),
    )


def build_chain(
    index: int,
    problem: Problem,
    cause: Cause,
    sigs: list[Signal],
    period: str,
    total: float,
    lang: str,
    col: Collector,
    competitor: str | None,
) -> RootCauseChain:
    links = [headline_link(problem, period, lang, col)]
    who = segment_label(problem.segment, lang)
    if problem.moves:
        shown = problem.moves[:1] + [
            r
            for r in problem.moves[1:2]
            if cause.symptoms.get(r.current.metric) and problem.kind != "success"
        ]
        zh = "；".join(_row_text(r, lang, col) for r in shown)
        en = "; ".join(_row_text(r, lang, col) for r in shown)
        links.append(
            WhyLink(
                claim=_t(
                    lang,
                    f"为什么？与上季度相比，{zh}。",
                    f"Why? Against last quarter, {en}.",
                ),
                evidence=[e for r in shown for e in _cite_row(r, col)],
            )
        )
    for dim, row in problem.focus[:1]:
        name = value_label(dim, row.dims.get(dim, ""), lang)
        where = (
            _t(
                lang,
                f"增长主要来自{dim_label(dim, lang)} {name}",
                f"Growth came mostly from {dim_label(dim, lang)} {name}",
            )
            if problem.kind == "success"
            else _t(
                lang,
                f"问题集中在{dim_label(dim, lang)} {name}",
                f"It concentrates in {dim_label(dim, lang)} {name}",
            )
        )
        links.append(
            WhyLink(
                claim=_t(
                    lang,
                    f"为什么？{where}：{_row_text(row, lang, col)}。",
                    f"Why? {where}: {_row_text(row, lang, col)}.",
                ),
                evidence=_cite_row(row, col),
            )
        )
    if sigs:
        quote = (
            "；".join(f"“{s.excerpt}”" for s in sigs[:2])
            if lang == "zh"
            else "; ".join(f'"{s.excerpt}"' for s in sigs[:2])
        )
        who_comp = (
            f"（{competitor}）"
            if competitor and lang == "zh" and "competitor" in cause.signals
            else (f" ({competitor})" if competitor and "competitor" in cause.signals else "")
        )
        links.append(
            WhyLink(
                claim=_t(
                    lang,
                    f"为什么？客户记录指向{cause.title.zh}{who_comp}：{quote}",
                    f"Why? Customer notes point to {cause.title.en.lower()}{who_comp}: {quote}",
                ),
                evidence=[s.evidence_id for s in sigs],
            )
        )
    deeper = cause.why[lang]
    links.append(
        WhyLink(
            claim=_t(lang, f"为什么？{deeper[1]}；{deeper[2]}。", f"Why? {deeper[1]}; {deeper[2].lower()}."),
            evidence=[s.evidence_id for s in sigs[:1]],
        )
    )
    problem_text = links[0].claim
    root = _t(
        lang, f"{who}：{cause.title.zh}——{deeper[0]}。", f"{who}: {cause.title.en} — {deeper[0].lower()}."
    )
    if not sigs:
        root += _t(lang, "（待核实）", " (to be confirmed)")
    ids = sorted({e for link in links for e in link.evidence})
    return RootCauseChain(
        id=f"C{index + 1}",
        problem=problem_text[:400],
        category=cause.category,
        segment=problem.segment,
        links=links[:5],
        root_cause=root[:600],
        kind=problem.kind,
        cause_id=cause.id,
        gap_share=round(problem.shortfall / total, 4) if total and problem.shortfall else None,
        verification=_verification(bool(sigs), lang),
        evidence=ids,
    )


def _verification(has_notes: bool, lang: str) -> str:
    if has_notes:
        return _t(
            lang,
            "指标逐层下钻（销售额 → 驱动指标 → 销售/产品）与客户记录相互印证。",
            "The metric drill-down (revenue → driver → rep/product) and the customer notes agree.",
        )
    return _t(
        lang,
        "仅由指标下钻推导，尚无客户记录佐证；需在复盘会上与责任人核实。",
        "Derived from the metric drill-down only; no customer note supports it yet, so confirm it with the owner.",
    )


def _round_target(value: float, unit: str, better: bool) -> float:
    if unit == "count":
        return float(math.ceil(value) if better else math.floor(value))
    if unit == "ratio":
        return round(value, 3)
    if is_money(unit):
        return round(value, -3)
    return round(value, 1)


def action_for(
    index: int,
    chain: RootCauseChain,
    cause: Cause,
    engine: Any,
    period: str,
    owner: str,
    lang: str,
    col: Collector,
) -> ActionItem:
    metric = cause.remedy.metric
    cited = [e.split(":")[1] for e in chain.evidence if e.startswith("metric:")]
    if metric not in cited:  # measure the action on a driver this chain explained, the cause's symptoms first
        explained = [m for m in cause.symptoms if m in cited] + [m for m in cited if m in DRIVER_METRICS]
        metric = explained[0] if explained else metric
    seg = chain.segment
    cur = engine.value(metric, period, seg or None)
    if cur.value is None or (not higher_is_better(metric) and cur.value <= 0):
        # nothing left to lower (or nothing measured): track the revenue the remedy is meant to win back
        metric = "won_revenue"
        cur = engine.value(metric, period, seg or None)
    old = engine.value(metric, shift_quarter(period, -1), seg or None)
    baseline = cur.value if cur.value is not None else 0.0
    col.cite(cur)
    better = higher_is_better(metric)
    recover = (
        (old.value - baseline) / 2 if old.value is not None and ((old.value > baseline) == better) else 0.0
    )
    step = recover or abs(baseline) * 0.1 or 1.0
    target = _round_target(baseline + (abs(step) if better else -abs(step)), cur.unit, better)
    if target == baseline or (target > baseline) != better:
        target = baseline + (1 if better else -1) * max(abs(baseline) * 0.1, 0.01)
    if not better:
        target = max(target, 0.0)  # a cycle or a count cannot go below zero
    if metric == "won_revenue" and not baseline:
        planned = engine.value("target", period, seg or None).value
        target = float(planned) if planned else target  # nothing booked: aim at this quarter's plan
    next_q = shift_quarter(period, 1)
    deadline = period_end(next_q)
    who = segment_label(seg, lang)
    return ActionItem(
        id=f"A{index + 1}",
        owner=owner,
        deadline=deadline,
        metric=metric,
        segment=seg,
        period=next_q,
        action=_t(
            lang,
            f"【{who}】{cause.remedy.action.zh}。目标：{next_q} 将{metric_label(metric, lang)}从 {fmt(baseline, cur.unit, lang)} 改善到 {fmt(target, cur.unit, lang)}。",
            f"[{who}] {cause.remedy.action.en}. Goal: move {metric_label(metric, lang)} from {fmt(baseline, cur.unit, lang)} to {fmt(target, cur.unit, lang)} in {next_q}.",
        ),
        baseline=baseline,
        target=target,
        resources=cause.remedy.resources.get(lang),
        checkpoint=cause.remedy.checkpoint.get(lang)
        + _t(lang, f"；{deadline} 前复核。", f"; reviewed by {deadline}."),
        evidence=[cur.evidence_id, chain.id and cur.evidence_id][:1],
    )


def replicate_action(
    index: int,
    chain: RootCauseChain,
    problem: Problem,
    cause: Cause,
    engine: Any,
    period: str,
    target_segment: dict[str, str],
    owner: str,
    lang: str,
    col: Collector,
) -> ActionItem:
    """Copy a success to the region that missed most: the winning play, piloted there, measured there."""
    item = action_for(
        index, chain.model_copy(update={"segment": target_segment}), cause, engine, period, owner, lang, col
    )
    src, dst = segment_label(chain.segment, lang), segment_label(target_segment, lang)
    play = ""
    for dim, row in problem.focus[:1]:
        play = _t(
            lang,
            f"（{dim_label(dim, lang)}：{row.dims.get(dim, '')}）",
            f" ({dim_label(dim, lang)}: {row.dims.get(dim, '')})",
        )
    new = _t(
        lang,
        f"把{src}的成功打法{play}整理成一页手册，由{dst}选 2 名销售试点复制",
        f"Write up {src}'s winning play{play} as a one-page playbook and pilot it with two reps in {dst}",
    )
    item.action = item.action.replace(cause.remedy.action.get(lang), new)
    return item


def failure_lesson(index: int, chain: RootCauseChain, cause: Cause, lang: str) -> Lesson:
    return Lesson(
        id=f"F{index + 1}",
        type="failure",
        content=_t(
            lang,
            f"{cause.lesson.zh}（{segment_label(chain.segment, lang)}，{cause.title.zh}）。",
            f"{cause.lesson.en} ({segment_label(chain.segment, lang)}, {cause.title.en.lower()}).",
        ),
        scenario=cause.lesson.scenario.get(lang),
        evidence=chain.evidence[:4],
    )


def success_lessons(
    engine: Any,
    period: str,
    successes: list[Problem],
    rep_rows: list[Any],
    lang: str,
    col: Collector,
) -> list[Lesson]:
    """Success lessons: the regions that beat target (from `find_successes`, with what improved and the lead
    source that grew), then the rep whose revenue grew most (`rep_rows`: won_revenue vs last quarter by rep)."""
    play = load_playbook().cause("winning_play")
    base = shift_quarter(period, -1)
    candidates: list[tuple[dict[str, str], list[Any], list[Any], Problem | None]] = [
        (p.segment, [p.headline], p.moves[:1], p) for p in successes
    ]
    best = [r for r in rep_rows if (r.change or 0) > 0 and r.base.value]
    if best:
        top = max(best, key=lambda r: r.change)
        seg = dict(top.current.dims)
        candidates.append(
            (seg, [top.current, top.base], driver_improvements(engine, period, base, seg)[:1], None)
        )
    lessons = []
    for i, (seg, figs, good, success) in enumerate(candidates[:3]):
        for f in figs:
            col.cite(f)
        who = segment_label(seg, lang)
        why = (
            _t(lang, f"，其中{_row_text(good[0], lang, col)}", f"; {_row_text(good[0], lang, col)}")
            if good
            else ""
        )
        ev = [f.evidence_id for f in figs] + (_cite_row(good[0], col) if good else [])
        if success is not None and success.focus:
            dim, row = success.focus[0]
            name = value_label(dim, row.dims.get(dim, ""), lang)
            why += _t(
                lang,
                f"；增长主要来自{dim_label(dim, lang)} {name}（{_row_text(row, lang, col)}）",
                f"; growth came mostly from {dim_label(dim, lang)} {name} ({_row_text(row, lang, col)})",
            )
            ev += _cite_row(row, col)
        head = (
            _t(
                lang,
                f"{who} {period} 达成率 {fmt(figs[0].value, 'ratio', lang)}",
                f"{who} reached {fmt(figs[0].value, 'ratio', lang)} of its {period} target",
            )
            if figs[0].metric == "achievement_rate"
            else _t(
                lang,
                f"{who} 销售额从 {fmt(figs[1].value, figs[1].unit, lang)} 增至 {fmt(figs[0].value, figs[0].unit, lang)}",
                f"{who} grew revenue from {fmt(figs[1].value, figs[1].unit, lang)} to {fmt(figs[0].value, figs[0].unit, lang)}",
            )
        )
        lessons.append(
            Lesson(
                id=f"S{i + 1}",
                type="success",
                content=_t(lang, f"{head}{why}。{play.lesson.zh}。", f"{head}{why}. {play.lesson.en}."),
                scenario=play.lesson.scenario.get(lang),
                evidence=ev,
            )
        )
    return lessons


def driver_improvements(engine: Any, period: str, base: str, segment: dict[str, str]) -> list[Any]:
    rows = []
    for metric in DRIVER_METRICS:
        row = engine.compare(metric, period, base, filters=segment or None).rows[0]
        if row.change and row.base.value and (row.change > 0) == higher_is_better(metric):
            rows.append(row)
    return sorted(rows, key=lambda r: -abs(r.change / r.base.value))


def deadline_after(period: str, days: int) -> dt.date:
    return period_end(period) + dt.timedelta(days=days)


__all__ = [
    "Problem",
    "find_problems",
    "choose_cause",
    "build_chain",
    "action_for",
    "failure_lesson",
    "success_lessons",
    "find_anomalies",
    "find_successes",
    "align_moves",
    "replicate_action",
    "top_competitor",
]
