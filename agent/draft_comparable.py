"""When a figure may be reported as a finding: the one rule against data artefacts.

A director reads "复购率 +53.8 个百分点 vs 0%" as a trend; it is the first quarter with data, when nobody could
have bought before. The drafter asks this module before a value or a change goes into a chain, a headline or
the summary; the goal table shows the value with the reason instead of the change. The rules, in order:

- `untracked` — the data never record what the metric needs: no lost deal at all (win rate, lost deals), no
  deal ever in the lead stage (lead → opportunity), no open or lost deal (opportunity → order, pipeline
  created: the funnel is the revenue again), or every won
  deal closed the day it was created (order lines: the sales cycle is always 0).
- `no_data` — the period lies outside the dates the data cover (before the first or after the last record).
- `partial` — the period is only partly covered by the data (the records start or end more than a week
  inside it): its sums and counts are incomplete, so they are not compared with a whole period.
- `no_history` — new customers, repurchase and churn look back at earlier wins; in a period before which
  nothing was won, every customer is "new" and nobody can repurchase or churn.
- `immature` — cohort conversions (deals *created* in the period) while the cohort is still open: the data
  end less than one median sales cycle after the period ends.
- `tiny_base` — a rate, an average or a median over fewer than `MIN_BASE` deals or customers; a share of a
  whole (a product's share of the deals won, a loss reason's share of the deals lost) over fewer than
  `MIN_SHARE_BASE`; a count (deals, customers) that is under `MIN_SHARE_BASE` in both periods ("new
  customers fell from 3 to 2"); a share that moved by less than `MIN_SHARE_POINTS` (one product among
  1,800 going from 0% to 1% of the deals won).
- `immaterial` — one product's or one rep's fall in revenue is a finding of its own only when it rests on at
  least `MIN_BASE` won deals in each period and moves at least `MIN_MATERIAL_SHARE` of the whole's revenue
  in the earlier period (one binder sold less among 1,800 products is noise, not the quarter's main concern).

A change is comparable when both of its values are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fupan.periods import Period, parse_period

SLACK_DAYS = 7  # an export that starts or ends within a week of a period's edge still covers the period
MIN_BASE = 5  # a rate, average or median over fewer deals (or customers) than this is noise, not a finding
MIN_MATERIAL_SHARE = 0.05  # a product's or rep's fall smaller than this share of the whole is not a finding
MIN_SHARE_POINTS = 0.05  # a mix shift of fewer percentage points than this is not a shift
COUNTS = frozenset({"won_deals", "lost_deals", "new_customers", "churned_customers"})
MIN_SHARE_BASE = 10  # a share ("竞品 is 20% of lost deals") of fewer deals than this is one or two deals
HISTORY_METRICS = frozenset({"new_customers", "repurchase_rate", "churned_customers"})
COHORT_METRICS = frozenset({"conversion_lead_to_opportunity", "conversion_opportunity_to_order"})
ADDITIVE = frozenset(
    {
        "won_revenue",
        "won_deals",
        "lost_deals",
        "pipeline_created",
        "gap",
        "new_customers",
        "churned_customers",
    }
)
_COUNT_BASED = frozenset({"sales_cycle_median", "sales_cycle_mean"})  # base = the won deals behind them

_REASONS = {
    "untracked_lost": (
        "数据中没有输单记录，该指标不适用",
        "the data record no lost deals, so it does not apply",
    ),
    "untracked_lead": (
        "数据中没有处于线索阶段的记录，该指标不适用",
        "no deal in the data was ever at the lead stage, so it does not apply",
    ),
    "untracked_open": (
        "数据中只有赢单记录，该指标不适用",
        "the data hold only won deals, so it does not apply",
    ),
    "untracked_cycle": (
        "每笔赢单都在创建当天结单（订单数据），销售周期不适用",
        "every won deal closed the day it was created (order data), so the cycle does not apply",
    ),
    "no_data": ("{period} 没有数据", "no data for {period}"),
    "partial": ("数据只覆盖 {period} 的一部分", "the data cover only part of {period}"),
    "no_history": (
        "{period} 之前没有赢单记录，无法判断新老客户",
        "nothing was won before {period}, so new and repeat customers cannot be told apart",
    ),
    "immature": (
        "{period} 新建的商机仍在跟进中，转化率尚未稳定",
        "deals created in {period} are still open, so the conversion has not settled",
    ),
    "tiny_base": ("{period} 仅 {n} 笔，基数太小", "only {n} in {period}, too few to compare"),
    "immaterial": ("变动不到整体的 5%，不单列", "the change is under 5% of the whole, not a finding of its own"),
}


@dataclass(frozen=True)
class Verdict:
    """Whether a figure may be reported as a finding, and if not, why (`code`, worded by `text`)."""

    ok: bool
    code: str = ""
    period: str = ""
    n: int = 0

    def text(self, lang: str) -> str:
        if self.ok:
            return ""
        zh, en = _REASONS[self.code]
        return (zh if lang == "zh" else en).format(period=self.period, n=self.n)


OK = Verdict(True)


@dataclass(frozen=True)
class DataSpan:
    """What the data cover, read once per snapshot (`data_span`)."""

    first: dt.date | None
    last: dt.date | None
    first_won: dt.date | None
    stages: frozenset[str]
    cycle_days: float | None  # median sales cycle of all won deals
    cycles_all_zero: bool
    distinct: dict[str, int] = field(default_factory=dict)  # distinct values per dimension
    loss_reasons: int = 0  # lost deals with a loss reason


SPAN_DIMS = ("region", "rep", "manager", "product", "lead_source")


def data_span(con: Any) -> DataSpan:
    """One scan over the opportunities: first and last dates, first win, stages, median cycle, and how many
    values each dimension and the loss-reason column hold."""
    counts = ", ".join(f"count(DISTINCT {d})" for d in SPAN_DIMS)
    row = con.execute(
        "SELECT min(least(created_date, coalesce(close_date, created_date))), "
        "max(greatest(created_date, coalesce(close_date, created_date))), "
        "min(close_date) FILTER (WHERE stage = 'won'), list(DISTINCT stage), "
        "median(close_date - coalesce(engaged_date, created_date)) FILTER (WHERE stage = 'won'), "
        "coalesce(bool_and(close_date = coalesce(engaged_date, created_date)) FILTER (WHERE stage = 'won'), false), "
        f"count(loss_reason) FILTER (WHERE stage = 'lost' AND trim(loss_reason) <> ''), {counts} "
        "FROM opportunities"
    ).fetchone()
    first, last, first_won, stages, cycle, zero, reasons, *distinct = (
        row if row else (None,) * (7 + len(SPAN_DIMS))
    )
    return DataSpan(
        first=first,
        last=last,
        first_won=first_won,
        stages=frozenset(s for s in (stages or []) if s),
        cycle_days=None if cycle is None else float(cycle),
        cycles_all_zero=bool(zero),
        distinct={d: int(n or 0) for d, n in zip(SPAN_DIMS, distinct, strict=True)},
        loss_reasons=int(reasons or 0),
    )


class Comparability:
    """The rule above for one data snapshot; `count(metric, period, dims)` gives the won deals behind a cycle."""

    def __init__(self, span: DataSpan, engine: Any = None, fiscal_year_start_month: int = 1) -> None:
        self.span, self.engine, self.fy = span, engine, fiscal_year_start_month

    def _period(self, label: str) -> Period:
        return parse_period(label, self.fy)

    def _untracked(self, metric: str) -> str:
        stages = self.span.stages
        if metric in ("win_rate", "lost_deals") and "lost" not in stages:
            return "untracked_lost"
        if metric == "conversion_lead_to_opportunity" and "lead" not in stages:
            return "untracked_lead"
        if metric in ("conversion_opportunity_to_order", "pipeline_created") and not stages - {"won", "lead"}:
            # only won deals: there is no funnel, and "pipeline created" is the revenue again
            return "untracked_open"
        if metric in _COUNT_BASED and self.span.cycles_all_zero:
            return "untracked_cycle"
        return ""

    def _coverage(self, metric: str, p: Period) -> str:
        first, last = self.span.first, self.span.last
        if first is None or last is None or p.end <= first or p.start > last:
            return "no_data"
        slack = dt.timedelta(days=SLACK_DAYS)
        if metric in ADDITIVE and (first > p.start + slack or last < p.end - slack):
            return "partial"
        if metric in HISTORY_METRICS and (self.span.first_won is None or self.span.first_won >= p.start):
            return "no_history"
        if metric in COHORT_METRICS and self.span.cycle_days is not None:
            if last < p.end + dt.timedelta(days=self.span.cycle_days):
                return "immature"
        return ""

    def _base(self, mv: Any) -> int | None:
        """The number of deals (or customers) a non-additive value rests on; None when not a count."""
        if mv.metric in ADDITIVE or mv.metric in ("achievement_rate", "pipeline_coverage", "target"):
            return None
        if mv.metric in _COUNT_BASED:
            if self.engine is None:
                return None
            won = self.engine.value("won_deals", mv.period, mv.dims or None).value
            return int(won or 0)
        return None if mv.denominator is None else int(mv.denominator)

    def value(self, mv: Any) -> Verdict:
        """May this value be reported as a finding (a rate over enough deals, in a covered period)?"""
        if code := self._untracked(mv.metric):
            return Verdict(False, code, mv.period)
        if code := self._coverage(mv.metric, self._period(mv.period)):
            return Verdict(False, code, mv.period)
        n = self._base(mv)
        if n is not None and n < MIN_BASE:
            return Verdict(False, "tiny_base", mv.period, n)
        return OK

    def change(self, current: Any, base: Any) -> Verdict:
        """May the change from `base` to `current` be reported as a trend? Both values must be comparable and
        known."""
        for mv in (current, base):
            verdict = self.value(mv)
            if not verdict.ok:
                return verdict
        if current.value is None or base.value is None:
            missing = base if base.value is None else current
            return Verdict(False, "no_data", missing.period)
        return OK

    def share_move_ok(self, before: float, after: float) -> bool:
        """Whether a share moved enough (in percentage points) to be called a mix shift."""
        return abs(after - before) >= MIN_SHARE_POINTS

    def base_ok(self, n: float | None) -> bool:
        """Whether a count (deals, customers) is enough to take a share of."""
        return n is not None and n >= MIN_SHARE_BASE

    def row(self, comparison_row: Any) -> Verdict:
        """`change` for a ComparisonRow of the engine, reported as a trend: a count must also not be tiny in both
        periods (a count inside a share, e.g. a product's deals out of a rep's, is judged by the share's base)."""
        current, base = comparison_row.current, comparison_row.base
        verdict = self.change(current, base)
        if verdict.ok and current.metric in COUNTS and max(current.value, base.value) < MIN_SHARE_BASE:
            return Verdict(False, "tiny_base", current.period, int(current.value))
        return verdict

    def segment_move(self, row: Any, whole_before: float | None, deals: tuple[Any, Any]) -> Verdict:
        """May one segment's revenue change (a product's, a rep's) be reported as a finding of its own?
        `whole_before`: the whole scope's revenue in the earlier period; `deals`: the segment's won deals now and
        before (MetricValues)."""
        verdict = self.row(row)
        if not verdict.ok:
            return verdict
        for mv in deals:
            n = int(mv.value or 0)
            if n < MIN_BASE:
                return Verdict(False, "tiny_base", mv.period, n)
        if not whole_before or abs(row.change or 0.0) < MIN_MATERIAL_SHARE * abs(whole_before):
            return Verdict(False, "immaterial", row.current.period)
        return OK
