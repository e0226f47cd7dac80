"""The metric engine: any registry metric by period and dimension, comparisons, funnel, citations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from agent.deal_bands import DEAL_SIZE_BAND, source_sql
from agent.metric_cache import FigureKey, Slot, SnapshotCache
from agent.metric_filters import filter_condition, filter_dims
from agent.metric_funnel import read_funnel
from agent.metric_pack import CUBE_DIMS, bind_period, pack_metrics, run_pack
from agent.metric_targets import target_rows
from agent.metric_values import (  # noqa: F401 — re-exported: the engine's results, imported from here by callers
    Comparison,
    ComparisonRow,
    FunnelResult,
    FunnelStage,
    MetricResult,
    MetricValue,
)
from agent.metrics import REGISTRY, get_metric
from fupan.dimensions import DimensionRegistry
from fupan.errors import InputError
from fupan.evidence import Evidence, metric_evidence_id, parse_metric_id
from fupan.formatting import money_unit
from fupan.periods import Period, parse_period, previous_period, same_period_last_year
from fupan.query import filter_dimension

# computed or descriptive columns a review groups by, besides the data's dimensions
ANALYSIS_DIMENSIONS = ("loss_reason", DEAL_SIZE_BAND)
_ADDITIVE = {"sum", "count"}
_NEEDED = ("account", "stage", "amount", "created_date", "engaged_date", "close_date", "deal_head")
_CACHE_ENTRIES = 2048  # figures kept per snapshot, oldest dropped first (all of them on a new snapshot)
T = TypeVar("T")

if TYPE_CHECKING:
    from agent.query_engine import QueryResult
    from fupan.query import MetricQuery
    from knowledge.sales_store import SalesStore


def _cube_metric(metric: str) -> bool:
    """Whether every aggregate of the metric is a sum or count the monthly cube answers."""
    pair = pack_metrics().get(metric)
    return pair is not None and all(a.cube_safe for a in pair if a)


class MetricEngine:
    def __init__(self, store: SalesStore, fiscal_year_start_month: int = 1, *, single_sql: bool = False) -> None:
        """`single_sql`: every figure from its own statement, never from the cube or a cached finer grouping
        (the reference the faster paths are tested against)."""
        self.store = store
        self.con = store.connection
        self.fy = fiscal_year_start_month
        self.single_sql = single_sql
        self._memo = SnapshotCache(_CACHE_ENTRIES)  # figures and facts of the current snapshot

    # ---- dimensions ----------------------------------------------------------------------------
    def dimensions(self) -> DimensionRegistry:
        """The dimensions of the current data (core and learned at import): what filters and groupings accept."""
        return self.store.dimensions()

    def unit_of(self, unit: str) -> str:
        """A registry unit for this data: `money` becomes the data's currency code (or stays `money`)."""
        if unit != "money":
            return unit
        return money_unit(self.store.currency())

    @property
    def money(self) -> str:
        """The unit of amounts in this data (ISO code, or `money` when the currency is not known)."""
        return self.unit_of("money")

    def _check_dims(self, dims: list[str]) -> None:
        registry = self.dimensions()
        for d in {filter_dimension(x) for x in dims}:
            if d not in ANALYSIS_DIMENSIONS:
                registry.get(d)  # InputError naming the dimensions in the data

    def _target_dims(self) -> set[str]:
        """Dimensions the targets table can be split by: targetable ones it has a column for."""
        return set(self.dimensions().targetable()) & {"region", "rep", "product"}

    # ---- periods -------------------------------------------------------------------------------
    def period(self, label: str | Period) -> Period:
        return label if isinstance(label, Period) else parse_period(label, self.fy)

    def base_period(self, period: Period, base: str) -> Period | None:
        key = base.strip().lower()
        if key in ("previous", "prev", "qoq", "mom", "环比", "上期"):
            return previous_period(period)
        if key in ("yoy", "last_year", "同比", "去年同期"):
            return same_period_last_year(period)
        if key == "target":
            return None
        return self.period(base)

    # ---- core ----------------------------------------------------------------------------------
    def run(self, query: MetricQuery) -> QueryResult:
        """Compute one typed `MetricQuery` (agent/query_engine.py) into a `QueryResult`."""
        from agent.query_engine import run

        return run(self, query)

    # ---- the per-snapshot cache ------------------------------------------------------------------
    def snapshot(self) -> str | None:
        """The current snapshot id. The cache is keyed by the store's data version (snapshot id and writes):
        it is emptied here when an import or a direct write changed the data."""
        version = self.store.data_version()
        self._memo.use(version)
        return version[1]

    def snapshot_fact(self, key: tuple, build: Callable[[], T]) -> T:
        """A fact of the current data (the months a segment has deals in, …) read once per snapshot: `build`
        runs on the first call with this key, and again after an import."""
        self.snapshot()
        return self._memo.fact(key, build)

    def cached_figures(self) -> set[FigureKey]:
        """The (metric, period, grouping, filters) figures of the current snapshot held in memory."""
        self.snapshot()
        return self._memo.figure_keys()

    def clear_cache(self) -> None:
        self._memo.clear()

    def value(self, metric: str, period: str, filters: dict[str, str] | None = None) -> MetricValue:
        return self.compute(metric, period, None, filters).rows[0]

    def compute(
        self, metric: str, period: str, by: list[str] | None = None, filters: dict[str, str] | None = None
    ) -> MetricResult:
        if "__" in metric:  # a measure of the data (agent/measures.py)
            from agent.measures import register

            register(self.dimensions())
        d = get_metric(metric)
        by, filters = list(by or []), dict(filters or {})
        self._check_dims(by + list(filters))
        p = self.period(period)
        snap = self.snapshot()
        if d.source == "opportunities":
            rows, sql = self._opportunity_rows(metric, p, by, filters)
        elif d.source == "targets":
            rows, sql = self._target_rows(p, by, filters)
        else:
            rows, sql = self._derived_rows(metric, p, by, filters)
        values = [
            self._value(metric, p.label, {**filters, **dict(k)}, n, dn, sql, snap)
            for k, (n, dn) in rows.items()
        ]
        if not by and not values:
            values = [self._value(metric, p.label, filters, None, None, sql, snap)]
        values.sort(key=lambda v: tuple(v.dims.get(b, "") for b in by))
        return MetricResult(metric=metric, period=p.label, by=by, rows=values, sql=sql, snapshot_id=snap)

    def _value(
        self,
        metric: str,
        label: str,
        dims: dict[str, str],
        num: float | None,
        den: float | None,
        sql: str,
        snap: str | None,
    ) -> MetricValue:
        d = REGISTRY[metric]
        if d.aggregation in _ADDITIVE and metric not in ("gap",) and d.source != "targets":
            num = 0.0 if num is None else num
        if d.denominator_sql or metric in ("achievement_rate", "pipeline_coverage"):
            value = None if num is None or not den else num / den
        else:
            value = num
        return MetricValue(
            metric=metric,
            period=label,
            dims=dims,
            value=value,
            unit=self.unit_of(d.unit),
            evidence_id=metric_evidence_id(metric, label, dims),
            numerator=num,
            denominator=den,
            sql=sql,
            snapshot_id=snap,
        )

    def _where(self, filters: dict[str, str]) -> str:
        conds = [filter_condition(k, v) for k, v in sorted(filters.items())]
        return (" WHERE " + " AND ".join(conds)) if conds else ""

    def _opportunity_sql(self, metric: str, p: Period, by: list[str], filters: dict[str, str]) -> str:
        d = REGISTRY[metric]
        num, den = d.numerator_sql, d.denominator_sql or "NULL"
        extra = ""
        if "first_won" in num + den:
            extra += ", min(close_date) FILTER (WHERE stage = 'won') OVER (PARTITION BY account) AS first_won"
        if "won_in_period" in num:
            extra += (
                ", coalesce(bool_or(stage = 'won' AND close_date >= $s AND close_date < $e) "
                "OVER (PARTITION BY account), false) AS won_in_period"
            )
        group = ", ".join(by)
        sql = (
            # account-level windows (first won deal, won in period) see every deal of the account, then the
            # segment filter applies: a rep's "new customer" is new to the company, not new to that rep
            f"WITH base AS (SELECT * FROM (SELECT *{extra} FROM {source_sql(set(by) | filter_dims(filters))})"
            f"{self._where(filters)}) "
            f"SELECT {group + ', ' if group else ''}{num} AS num, {den} AS den FROM base"
            + (f" GROUP BY {group}" if group else "")
        )
        return bind_period(sql, p)

    def _opportunity_rows(self, metric: str, p: Period, by: list[str], filters: dict[str, str]) -> tuple[Slot, str]:
        """A figure from memory, cut from a cached finer grouping, summed from the monthly cube (sums and
        counts over the cube's dimensions: a few thousand rows instead of every deal), or its own SQL."""
        sql = self._opportunity_sql(metric, p, by, filters)
        key: FigureKey = (metric, p.label, tuple(by), tuple(sorted(filters.items())))
        got = self._memo.figure(key)
        if got is None and not self.single_sql:
            got = self._from_finer(metric, p.label, by, filters)
        if got is None and self._cube_answers(metric, p, set(by) | filter_dims(filters)):
            got = run_pack(self.con, [p], [by], filters, list(_NEEDED), True, [metric], self.snapshot_fact)[key]
        if got is None:
            got = {}
            for row in self.con.execute(sql).fetchall():
                keys = tuple(zip(by, ("" if v is None else str(v) for v in row[: len(by)]), strict=True))
                n, dn = row[len(by)], row[len(by) + 1]
                got[keys] = (None if n is None else float(n), None if dn is None else float(dn))
        self._memo.put_figure(key, got)  # the same figure asked again in this snapshot is read from memory
        return got, sql

    def _cube_answers(self, metric: str, p: Period, dims: set[str]) -> bool:
        """Whether the monthly cube holds this figure: a sum or count over its dimensions, for a period of
        whole months, and the cube is current (built if not)."""
        whole_months = p.start.day == 1 and p.end.day == 1
        if not whole_months or not dims <= set(CUBE_DIMS) or not _cube_metric(metric):
            return False
        return self._has_cube()

    def _has_cube(self) -> bool:
        """Whether the per-snapshot monthly cube may be read (current, built if not); never in `single_sql`."""
        if self.single_sql:
            return False
        try:
            self.store.ensure_derived()
        except Exception:  # noqa: BLE001 — a store that cannot build it: every figure from its own SQL
            return False
        return True

    def _from_finer(
        self, metric: str, label: str, by: list[str], filters: dict[str, str]
    ) -> dict[tuple, tuple[float | None, float | None]] | None:
        """The rows of (by, filters) cut from a cached finer grouping: filtering on a dimension is the groups of
        by + that dimension with its value. Same numbers as the single-metric SQL, since both compute
        account-level windows before the segment filters and keep every group present in the data."""
        want = set(by)
        for key, slot in self._memo.figures():
            m, lbl, cby, cfilters = key
            if m != metric or lbl != label:
                continue
            fixed = dict(cfilters)
            if any(filters.get(k) != v for k, v in fixed.items()):
                continue
            rest = {k: v for k, v in filters.items() if k not in fixed}
            if want & set(rest) or set(cby) != want | set(rest) or len(cby) != len(want | set(rest)):
                continue
            out = {}
            for keys, val in slot.items():
                named = dict(keys)
                if all(named.get(k) == v for k, v in rest.items()):
                    out[tuple((b, named[b]) for b in by)] = val
            return out
        return None

    def prefetch(
        self,
        periods: list[str],
        bys: list[list[str]],
        filters: dict[str, str] | None = None,
        *,
        metrics: list[str] | None = None,
    ) -> None:
        """Compute every opportunity metric (or only `metrics`) for these periods and groupings in a few scans
        (agent.metric_pack), and with every metric the targets too; later `compute`/`value` calls with the same arguments,
        or with a filter on a dimension of a prefetched grouping, are served from memory. The SQL recorded on
        each value is still its own single-metric query, so citations re-run independently and give the same
        numbers."""
        filters = dict(filters or {})
        self._check_dims(sorted({d for by in bys for d in by}) + list(filters))
        ps = [self.period(x) for x in periods]
        self.snapshot()
        packed = [m for m in pack_metrics() if metrics is None or m in metrics]
        ftuple = tuple(sorted(filters.items()))
        wanted = {(m, p.label, tuple(by), ftuple) for m in packed for p in ps for by in bys}
        if not wanted <= self._memo.figure_keys():  # else every figure is in memory already: no scan
            self.store.ensure_derived()  # type: ignore[attr-defined]
            self._memo.put_figures(run_pack(self.con, ps, bys, filters, list(_NEEDED), True, metrics, self.snapshot_fact))
        if metrics is None:  # the whole pack (a review): its targets too; a chosen few read theirs when asked
            for p in ps:
                for by in bys:
                    self._target_rows(p, by, filters)

    def _target_rows(self, p: Period, by: list[str], filters: dict[str, str]) -> tuple[Slot, str]:
        key = (p.label, tuple(by), tuple(sorted(filters.items())))
        return self._memo.targets(key, lambda: target_rows(self.con, p, by, filters, self.fy, self._target_dims()))

    def _derived_rows(
        self, metric: str, p: Period, by: list[str], filters: dict[str, str]
    ) -> tuple[dict, str]:
        top = "won_revenue" if metric in ("gap", "achievement_rate") else "pipeline_created"
        t, sql_t = self._target_rows(p, by, filters)
        # without a target in this split there is no figure: the actuals are not read
        a, sql_a = self._opportunity_rows(top, p, by, filters) if t else ({}, self._opportunity_sql(top, p, by, filters))
        out = {}
        for key, (tv, _) in t.items():
            av = (a.get(key) or (0.0, None))[0] or 0.0
            if tv is None:
                continue
            out[key] = (av - tv, None) if metric == "gap" else (av, tv)
        return out, f"{sql_a};\n{sql_t}"

    # ---- comparisons ---------------------------------------------------------------------------
    def compare(
        self,
        metric: str,
        period: str,
        base_period: str,
        by: list[str] | None = None,
        filters: dict[str, str] | None = None,
    ) -> Comparison:
        p = self.period(period)
        base = self.base_period(p, base_period)
        cur = self.compute(metric, p.label, by, filters)
        if base is None:
            base_metric = "target" if metric == "won_revenue" else metric
            base_res = self.compute(base_metric, p.label, by, filters)
            label = "target"
            if base_metric != "target":
                base_res = base_res.model_copy(
                    update={"rows": [r.model_copy(update={"value": None}) for r in base_res.rows]}
                )
        else:
            base_res = self.compute(metric, base.label, by, filters)
            label = base.label
        index = {tuple(sorted(r.dims.items())): r for r in base_res.rows}
        rows = []
        for r in cur.rows:
            b = index.pop(tuple(sorted(r.dims.items())), None) or self._value(
                base_res.metric, base_res.period, r.dims, None, None, base_res.sql, base_res.snapshot_id
            )
            rows.append(_row(r, b))
        for b in index.values():
            c = self._value(metric, cur.period, b.dims, None, None, cur.sql, cur.snapshot_id)
            rows.append(_row(c, b))
        return Comparison(metric=metric, period=p.label, base_period=label, rows=rows)

    def trend(
        self, metric: str, periods: list[str], filters: dict[str, str] | None = None
    ) -> list[MetricValue]:
        return [self.value(metric, p, filters) for p in periods]

    def funnel(self, period: str, filters: dict[str, str] | None = None) -> FunnelResult:
        """Deals created in the period by the furthest stage they reached (agent/metric_funnel.py)."""
        p, filters = self.period(period), dict(filters or {})
        key = ("funnel", p.label, tuple(sorted(filters.items())))
        return self.snapshot_fact(key, lambda: read_funnel(self.con, p, filters, self.snapshot())).model_copy(deep=True)

    # ---- citations and catalogue ----------------------------------------------------------------
    def resolve(self, evidence_id: str) -> Evidence:
        try:
            parsed = parse_metric_id(evidence_id)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        if parsed is None:
            raise InputError(f"{evidence_id!r} is not a metric evidence id")
        return self.value(parsed.name, parsed.period, dict(parsed.dims) or None).to_evidence()

    def dimension_values(self, dim: str) -> list[str]:
        """The values of a dimension in the data (read from the monthly cube when it holds the dimension)."""
        self._check_dims([dim])
        source = "opportunity_cube" if dim in CUBE_DIMS and self._has_cube() else source_sql([dim])
        rows = self.con.execute(f"SELECT DISTINCT {dim} FROM {source} WHERE {dim} IS NOT NULL ORDER BY 1")
        return [str(r[0]) for r in rows.fetchall()]

    def periods_available(self) -> list[str]:
        rows = self.con.execute(
            "SELECT DISTINCT d FROM (SELECT close_date AS d FROM opportunities UNION ALL "
            "SELECT created_date FROM opportunities) WHERE d IS NOT NULL"
        ).fetchall()
        from fupan.periods import period_of

        return sorted({period_of(r[0], "quarter", self.fy).label for r in rows})


def _row(cur: MetricValue, base: MetricValue) -> ComparisonRow:
    change = None if cur.value is None or base.value is None else cur.value - base.value
    pct = None if change is None or not base.value else change / abs(base.value)
    return ComparisonRow(dims=cur.dims or base.dims, current=cur, base=base, change=change, pct_change=pct)
