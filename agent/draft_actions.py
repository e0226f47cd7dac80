"""SMART actions and lessons from the chains.

An action answers a chain's cause with the playbook's remedy, measured on a driver the chain explained, owned
by the segment's rep or manager, due at the end of the next period. When the cause is still a hypothesis the
action is *check-first*: its first step verifies the cause (two weeks, a written conclusion), and only then
the remedy. A failure lesson on a hypothesis says so ("if confirmed").
"""

from __future__ import annotations

import datetime as dt
import math

from agent.draft_chains import CauseChoice
from agent.draft_context import DraftContext
from agent.draft_problems import Problem
from agent.draft_steps import change_text, row_figures
from agent.draft_tree import DRIVER_METRICS
from agent.metric_values import ComparisonRow, MetricValue
from agent.numbers import fmt, is_money
from agent.playbook import Cause, load_playbook
from agent.smart import period_end
from agent.wording import higher_is_better, metric_label
from fupan.periods import parse_period, shift
from fupan.report import ActionItem, Lesson, RootCauseChain


def _round_target(value: float, unit: str, better: bool) -> float:
    if unit == "count":
        return float(math.ceil(value) if better else math.floor(value))
    if unit == "ratio":
        return round(value, 3)
    if is_money(unit):  # to the thousand, or to three significant figures for smaller amounts (614 stays 614)
        step = min(1000.0, 10.0 ** max(0, math.floor(math.log10(abs(value))) - 2)) if value else 1.0
        return round(value / step) * step
    return round(value, 1)


def next_period(ctx: DraftContext) -> str:
    return shift(parse_period(ctx.period, ctx.cmp.fy), 1).label


def _metric_for(ctx: DraftContext, chain: RootCauseChain, cause: Cause) -> str:
    """The remedy's metric when the chain cited it, else a symptom or driver the chain explained; a metric the
    data cannot measure (no losses recorded, a handful of deals) gives way to revenue."""
    cited = [e.split(":")[1] for e in chain.evidence if e.startswith("metric:")]
    metric = cause.remedy.metric
    if metric not in cited:
        explained = [m for m in cause.symptoms if m in cited] + [m for m in cited if m in DRIVER_METRICS]
        metric = explained[0] if explained else metric
    cur = ctx.engine.value(metric, ctx.period, chain.segment or None)
    if cur.value is None or not ctx.cmp.value(cur).ok or (not higher_is_better(metric) and cur.value <= 0):
        return "won_revenue"
    return metric


def action_for(
    ctx: DraftContext, index: int, chain: RootCauseChain, cause: Cause, owner: str, *, check_first: bool
) -> tuple[ActionItem, list[MetricValue]]:
    """The action answering a chain's cause, and the figure it cites (the metric's value this period)."""
    metric = _metric_for(ctx, chain, cause)
    seg = chain.segment
    cur = ctx.engine.value(metric, ctx.period, seg or None)
    old = ctx.engine.value(metric, ctx.base, seg or None)
    baseline = cur.value if cur.value is not None else 0.0
    target = action_target(ctx, metric, seg, baseline, old.value, cur.unit)
    nxt = next_period(ctx)
    deadline = period_end(nxt)
    goal = ctx.say(
        "actions.goal",
        period=nxt,
        metric=metric_label(metric, ctx.lang),
        baseline=fmt(baseline, cur.unit, ctx.lang),
        target=fmt(target, cur.unit, ctx.lang),
    )
    what, checkpoint = action_wording(ctx, cause, ctx.who(seg), goal, deadline, check_first=check_first)
    item = ActionItem(
        id=f"A{index + 1}",
        owner=owner,
        deadline=deadline,
        metric=metric,
        segment=seg,
        period=nxt,
        action=what[:600],
        baseline=baseline,
        target=target,
        resources=cause.remedy.resources.get(ctx.lang),
        checkpoint=checkpoint,
        check_first=check_first,
        chains=[chain.id],
        evidence=ctx.cite(cur),
    )
    return item, [cur]


def action_target(
    ctx: DraftContext, metric: str, seg: dict[str, str], baseline: float, old: float | None, unit: str
) -> float:
    """Where the action aims: half the way back to the base period's value, else a tenth better; never below
    zero for a metric where lower is better; this period's plan when nothing was booked."""
    better = higher_is_better(metric)
    recover = (old - baseline) / 2 if old is not None and ((old > baseline) == better) else 0.0
    step = recover or abs(baseline) * 0.1 or 1.0
    target = _round_target(baseline + (abs(step) if better else -abs(step)), unit, better)
    if target == baseline or (target > baseline) != better:
        target = baseline + (1 if better else -1) * max(abs(baseline) * 0.1, 0.01)
    if not better:
        target = max(target, 0.0)  # a cycle or a count cannot go below zero
    if metric == "won_revenue" and not baseline:
        planned = ctx.engine.value("target", ctx.period, seg or None).value
        target = float(planned) if planned else target  # nothing booked: aim at this period's plan
    return target


def action_wording(
    ctx: DraftContext, cause: Cause, who: str, goal: str, deadline: dt.date, *, check_first: bool
) -> tuple[str, str]:
    """The action's text and its checkpoint: check the cause first when no note or loss reason confirmed it."""
    remedy = cause.remedy.action.get(ctx.lang)
    checkpoint = cause.remedy.checkpoint.get(ctx.lang)
    if not check_first:
        return (
            ctx.say("actions.remedy", who=who, remedy=remedy, goal=goal),
            ctx.say("actions.review_by", checkpoint=checkpoint, deadline=deadline),
        )
    what = ctx.say(
        "actions.check_then_remedy",
        who=who,
        question=cause.question.get(ctx.lang),
        check=cause.check.get(ctx.lang),
        remedy=remedy,
        goal=goal,
    )
    return what, ctx.say("actions.check_checkpoint", checkpoint=checkpoint, deadline=deadline)


def replicate_action(
    ctx: DraftContext,
    index: int,
    chain: RootCauseChain,
    problem: Problem,
    choice: CauseChoice,
    target_segment: dict[str, str],
    owner: str,
) -> tuple[ActionItem, list[MetricValue]]:
    """Copy a success to the segment that missed most: the winning play, piloted there, measured there."""
    cause = choice.cause
    item, figures = action_for(
        ctx, index, chain.model_copy(update={"segment": target_segment}), cause, owner, check_first=False
    )
    src, dst = ctx.who(chain.segment), ctx.who(target_segment)
    play = next((s.short for s in problem.tree.steps if s.kind in ("source", "mix", "focus")), "")
    play = ctx.say("actions.play", play=play) if play else ""
    new = ctx.say(
        "actions.copy_play" if choice.confirmed else "actions.check_play", src=src, dst=dst, play=play
    )
    item.action = item.action.replace(cause.remedy.action.get(ctx.lang), new)[:600]
    item.check_first = not choice.confirmed
    item.chains = [chain.id]
    return item, figures


def failure_lessons(ctx: DraftContext, chains: list[RootCauseChain]) -> list[Lesson]:
    """One failure lesson per cause, naming every segment whose chain ends in it; a cause no record supports
    yet gives a lesson that says "if confirmed"."""
    book = load_playbook()
    groups: dict[str, list[RootCauseChain]] = {}
    for chain in chains:
        if chain.kind != "success":
            groups.setdefault(chain.cause_id, []).append(chain)
    lessons = []
    for i, (cause_id, group) in enumerate(groups.items()):
        cause = book.cause(cause_id)
        who = ctx.say("draft.list_sep").join(dict.fromkeys(ctx.who(c.segment) for c in group))
        content = ctx.say(
            "actions.lesson_if_confirmed" if all(c.hypothesis for c in group) else "actions.lesson_failure",
            title=cause.title.inline(ctx.lang),
            lesson=cause.lesson.get(ctx.lang),
            who=who,
        )
        lessons.append(
            Lesson(
                id=f"F{i + 1}",
                type="failure",
                content=content[:800],
                scenario=cause.lesson.scenario.get(ctx.lang),
                evidence=list(dict.fromkeys(e for c in group for e in c.evidence[:4])),
            )
        )
    return lessons


def success_lessons(
    ctx: DraftContext, successes: list[Problem], rep_rows: list[ComparisonRow]
) -> tuple[list[Lesson], list[MetricValue]]:
    """The segments that beat target (what improved, where growth came from), then the rep whose revenue grew
    most against last period (`rep_rows`: won_revenue by rep); with the figures they cite."""
    play = load_playbook().cause("winning_play")
    candidates: list[tuple[dict[str, str], list[MetricValue], Problem | None]] = [
        (p.segment, [], p) for p in successes
    ]
    best = [
        r
        for r in rep_rows
        if r.dims.get("rep") and (r.change or 0) > 0 and r.base.value and ctx.cmp.row(r).ok
    ]
    if best:
        top = max(best, key=lambda r: r.change or 0.0)  # every one grew
        candidates.append((dict(top.current.dims), [top.current, top.base], None))
    lessons, cited = [], []
    for i, (seg, figs, success) in enumerate(candidates[:3]):
        who = ctx.who(seg)
        if success is not None:
            headline = success.headline
            if isinstance(headline, MetricValue):  # its achievement against target
                figs = [headline]
                achievement = fmt(headline.value, "ratio", ctx.lang)
                head = ctx.say("actions.reached", who=who, period=ctx.period, achievement=achievement)
            else:
                figs = row_figures(headline)
                head = ctx.say("actions.changed", who=who, change=change_text(ctx, headline))
            ev = ctx.cite(*figs)
            shown = [s for s in success.tree.steps if s.grade == "figure"][:2]
            why = "".join(ctx.say("actions.also", text=s.short) for s in shown)
            ev += [x for s in shown for x in s.evidence]
        else:
            ev = ctx.cite(*figs)
            old, cur = (fmt(f.value, ctx.money, ctx.lang) for f in (figs[1], figs[0]))
            head = ctx.say("actions.grew", who=who, old=old, cur=cur)
            why = ""
        lessons.append(
            Lesson(
                id=f"S{i + 1}",
                type="success",
                content=ctx.say(
                    "actions.lesson_success", head=head, why=why, lesson=play.lesson.get(ctx.lang)
                )[:800],
                scenario=play.lesson.scenario.get(ctx.lang),
                evidence=list(dict.fromkeys(ev)),
            )
        )
        cited += figs
    return lessons, cited
