"""The review pack in a few scans: every opportunity metric for several periods and groupings at once.

Each registry fragment is `<agg>(<arg>) FILTER (WHERE <condition>)`. Per period, the pack copies only the rows
inside the windows its conditions use (closed in the period, created in it, closed in the previous period) and
evaluates each distinct condition once per row as a boolean flag. Then:
- sums of amount and row counts filtered on stage, deal head and date windows: from the per-snapshot monthly
  `opportunity_cube` (periods start on the 1st of a month, so a month is wholly in or out of a window);
- other sums and counts: aggregated once at the finest grain (period × all grouping dims), then rolled up;
- medians and means: one GROUPING SETS pass over the flagged rows only;
- count(DISTINCT x): per grouping set and x, bool_or of each flag, then counted (no DISTINCT hash per set).
When every remaining condition requires a won deal, the rows come from `won_deals` (won rows sorted by close
date, with first_won). `first_won` and `won_in_period` look at all of an account's deals, whatever the segment
filters, as the single-metric SQL does. Groups present in the data but without a row in a window get that SQL's
empty values (count 0, anything else NULL), so the numbers are the single-metric SQL's, exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from agent.deal_bands import source_sql
from agent.metric_filters import filter_dims, sql_literal, where_clause
from agent.metrics import REGISTRY
from fupan.periods import Period, previous_period

Slots = dict[tuple, dict[tuple, tuple[float | None, float | None]]]
_AGG = re.compile(r"^(sum|count|avg|median)\((DISTINCT )?(.+?)\) FILTER \(WHERE (.+)\)$", re.S)
CUBE_DIMS = ("rep", "manager", "region", "product")
WON_DEAL_DIMS = ("rep", "manager", "region", "product", "lead_source", "account")  # dims won_deals carries
_WINDOWS = {
    "close_date >= $s": "(close_date >= $s AND close_date < $e)",
    "created_date >= $s": "(created_date >= $s AND created_date < $e)",
    "close_date >= $ps": "(close_date >= $ps AND close_date < $pe)",
}
_MONTH_SAFE = re.compile(r"\b(close_date|created_date) (>=|<) \$(s|e|ps|pe)\b")
_CUBE_WORDS = {"stage", "deal_head", "and", "or", "not", "in", "is", "null", "true", "false"}


@dataclass(frozen=True)
class Aggregate:
    func: str
    distinct: bool
    arg: str
    cond: str

    @property
    def kind(self) -> str:
        if self.distinct:
            return "distinct"
        return "additive" if self.func in ("sum", "count") else "holistic"

    @property
    def cube_safe(self) -> bool:
        """A sum/count the monthly cube answers: amount or rows, filtered on stage, deal_head and date
        windows (periods start on the 1st of a month, so close_date >= $s holds iff its month does)."""
        if (self.func, self.arg) not in (("count", "*"), ("sum", "amount")) or self.distinct:
            return False
        rest = _MONTH_SAFE.sub(" ", re.sub(r"'[^']*'", " ", self.cond))
        return {w.lower() for w in re.findall(r"[A-Za-z_]\w*", rest)} <= _CUBE_WORDS

    def empty(self) -> float | None:
        """The value this aggregate takes over no rows (count 0, anything else NULL)."""
        return 0.0 if self.func == "count" else None


def parse_aggregate(sql: str) -> Aggregate | None:
    m = _AGG.match(sql.strip())
    if not m or m.group(3).count("(") != m.group(3).count(")"):
        return None
    return Aggregate(m.group(1), bool(m.group(2)), m.group(3).strip(), m.group(4).strip())


def bind_period(sql: str, p: Period) -> str:
    """Replace $s/$e (the period) and $ps/$pe (its previous period) by date literals."""
    prev = previous_period(p)
    params = {"$s": p.start, "$e": p.end, "$ps": prev.start, "$pe": prev.end}
    for key in sorted(params, key=len, reverse=True):
        sql = sql.replace(key, sql_literal(params[key]))
    return sql


def pack_metrics() -> dict[str, tuple[Aggregate, Aggregate | None]]:
    """Opportunity metrics whose numerator (and denominator) the pack can compute."""
    out = {}
    for m, d in REGISTRY.items():
        if d.source != "opportunities":
            continue
        num = parse_aggregate(d.numerator_sql)
        den = parse_aggregate(d.denominator_sql) if d.denominator_sql else None
        if num and "$" not in num.cond:
            continue  # a figure as of the export (open deals): its own small SQL, never a scan of every row
        if num and (den or not d.denominator_sql):
            out[m] = (num, den)
    return out


class _Plan:
    """Flags and arguments shared by all aggregates, and the per-period row copies (`u`)."""

    def __init__(
        self, aggs: list[Aggregate], periods: list[Period], dims: list[str], filters: dict[str, str]
    ) -> None:
        self.aggs, self.periods, self.dims, self.filters = aggs, periods, dims, filters
        self.conds = sorted({a.cond for a in aggs})
        self.args = sorted({a.arg for a in aggs if a.arg != "*"})
        text = " ".join(self.conds + self.args)
        self.first_won = "first_won" in text
        self.won_in_period = "won_in_period" in text
        self.use_won_deals = False
        self.derived = False  # the per-snapshot tables (account_first_won, won_deals, cube) are current
        self.source = source_sql(set(dims) | filter_dims(filters))  # the view, with computed dims when used

    @property
    def won_deals_cover(self) -> bool:
        """Whether the `won_deals` table has every grouping and filter column."""
        return set(self.dims) | filter_dims(self.filters) <= set(WON_DEAL_DIMS)

    @property
    def all_won(self) -> str:
        """Where "won in the period" is looked up: every won deal, whatever the segment filters."""
        return "won_deals" if self.derived else "opportunities"

    def only_won(self) -> bool:
        """Whether every condition has `stage = 'won'` as a top-level conjunct."""
        return bool(self.conds) and all("stage = 'won'" in _conjuncts(c) for c in self.conds)

    def flag(self, a: Aggregate) -> str:
        return f"f{self.conds.index(a.cond)}"

    def arg(self, a: Aggregate) -> str:
        return "*" if a.arg == "*" else f"a{self.args.index(a.arg)}"

    def base(self, needed: list[str]) -> str:
        """The rows (after the segment filters) with each account's first won date over ALL its deals, as the
        single-metric SQL computes it: a customer new to the company, whichever segment is asked about."""
        cols = ", ".join(sorted(set(needed) | set(self.dims) | {"account"}))
        where = where_clause(self.filters)
        if self.use_won_deals:  # every condition needs a won deal: the won rows, sorted by close date
            return f"SELECT {cols}{', first_won' if self.first_won else ''} FROM won_deals{where}"
        sql = f"SELECT {cols} FROM {self.source}{where}"
        if self.first_won:
            first = (
                "account_first_won"
                if self.derived
                else "(SELECT account, min(close_date) AS first_won FROM opportunities WHERE stage = 'won' "
                "GROUP BY account)"
            )
            sql = f"SELECT o.*, f.first_won FROM ({sql}) o LEFT JOIN {first} f ON o.account = f.account"
        return sql

    def window(self) -> str:
        """The rows any condition can pass: the union of the date windows the conditions compare with; every
        row when a condition uses the period in another way (or not at all)."""
        used = [w for key, w in _WINDOWS.items() if any(key in c for c in self.conds)]
        other = any("$" in _MONTH_SAFE.sub(" ", c) or "$" not in c for c in self.conds)
        return "true" if other or not used else " OR ".join(used)

    def branch(self, j: int, p: Period) -> str:
        def bound(sql: str) -> str:
            return bind_period(sql, p).replace("won_in_period", "coalesce(wp._w, false)")

        window = bind_period(self.window(), p)
        cols = [f"{j} AS _j"] + [f"b.{d} AS {d}" for d in self.dims]
        cols += [f"({bound(a)}) AS a{i}" for i, a in enumerate(self.args)]
        cols += [f"coalesce({bound(c)}, false) AS f{i}" for i, c in enumerate(self.conds)]
        sql = f"SELECT {', '.join(cols)} FROM (SELECT * FROM base WHERE {window}) b"
        if self.won_in_period:
            won = bind_period("stage = 'won' AND close_date >= $s AND close_date < $e", p)
            sql += (
                f" LEFT JOIN (SELECT DISTINCT account AS _wa, true AS _w FROM {self.all_won} WHERE {won}) wp "
                "ON b.account = wp._wa"
            )
        return sql

    def with_u(self, needed: list[str]) -> str:
        branches = " UNION ALL ".join(self.branch(j, p) for j, p in enumerate(self.periods))
        return f"WITH base AS ({self.base(needed)}), u AS MATERIALIZED ({branches}) "


def _conjuncts(cond: str) -> list[str]:
    """The top-level AND parts of a condition (outside parentheses)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(cond):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and cond.startswith(" AND ", i):
            parts.append(cond[start:i].strip())
            start = i + 5
    parts.append(cond[start:].strip())
    return parts


def _sets(bys: list[list[str]], extra: str = "") -> str:
    return ", ".join("(" + ", ".join(["_j", *by] + ([extra] if extra else [])) + ")" for by in bys)


def _grouping(dims: list[str]) -> str:
    return "".join(f", GROUPING({d}) AS g_{d}" for d in dims)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, object]]:
    cur = con.execute(sql)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def run_pack(
    con: duckdb.DuckDBPyConnection,
    periods: list[Period],
    bys: list[list[str]],
    filters: dict[str, str],
    needed: list[str],
    derived: bool = False,
    only: list[str] | None = None,
    memo: Callable[[tuple, Callable[[], dict]], dict] | None = None,
) -> Slots:
    """(metric, period label, by, filters) -> {dims key: (numerator, denominator)}, as MetricEngine caches them.
    `only`: those metrics only (one cheap scan); `memo(key, build)` keeps the data's groups (any period's)."""
    metrics = {m: v for m, v in pack_metrics().items() if only is None or m in only}
    if not periods or not bys or not metrics:
        return {}
    dims = sorted({d for by in bys for d in by})
    aggs = sorted({a for pair in metrics.values() for a in pair if a}, key=repr)
    plan = _Plan(aggs, periods, dims, filters)
    values: dict[tuple[int, frozenset, tuple], dict[Aggregate, float | None]] = {}
    plan.derived = derived  # the groups too are read from the cube when it covers the dimensions
    groups = ("pack_groups", tuple(dims), tuple(tuple(b) for b in bys), tuple(sorted(filters.items())))
    keys = (memo or (lambda _, build: build()))(groups, lambda: _group_keys(con, plan, bys))
    _scan(con, plan, bys, needed, aggs, values)
    out: Slots = {}
    ftuple = tuple(sorted(filters.items()))
    for by in bys:
        grouped = frozenset(by)
        for j, p in enumerate(periods):
            for m, (num, den) in metrics.items():
                slot = out.setdefault((m, p.label, tuple(by), ftuple), {})
                for key in keys[grouped]:
                    got = values.get((j, grouped, key), {})
                    n = got.get(num, num.empty())
                    dn = got.get(den, den.empty()) if den else None
                    named = tuple(zip(sorted(by), key, strict=True))
                    slot[tuple((d, dict(named)[d]) for d in by)] = (
                        None if n is None else float(n),
                        None if dn is None else float(dn),
                    )
    return out


def _key(rec: dict[str, object], dims: list[str]) -> tuple[frozenset, tuple]:
    grouped = frozenset(d for d in dims if rec[f"g_{d}"] == 0)
    return grouped, tuple("" if rec[d] is None else str(rec[d]) for d in sorted(grouped))


def _group_keys(con: duckdb.DuckDBPyConnection, plan: _Plan, bys: list[list[str]]) -> dict[frozenset, set]:
    """Every group the single-metric SQL would return: the distinct dimension values over all (filtered) rows."""
    keys: dict[frozenset, set] = {frozenset(by): set() for by in bys}
    keys[frozenset()] = {()}
    if not plan.dims:
        return keys
    sets = ", ".join("(" + ", ".join(by) + ")" for by in bys)
    # the cube holds every (rep, manager, region, product) combination of the data, in far fewer rows
    source = "opportunity_cube" if plan.derived and set(plan.dims) | filter_dims(plan.filters) <= set(CUBE_DIMS) else plan.source
    # the distinct combinations first (one hash pass), then the grouping sets over those few rows
    combos = f"SELECT DISTINCT {', '.join(plan.dims)} FROM {source}{where_clause(plan.filters)}"
    sql = f"SELECT {', '.join(plan.dims)}{_grouping(plan.dims)} FROM ({combos}) GROUP BY GROUPING SETS ({sets})"
    for rec in _rows(con, sql):
        grouped, key = _key(rec, plan.dims)
        keys.setdefault(grouped, set()).add(key)
    return keys


def _store(
    rows: list[dict[str, object]], plan: _Plan, parts: dict[str, dict[str, Aggregate]], values: dict
) -> None:
    for rec in rows:
        grouped, key = _key(rec, plan.dims)
        slot = values.setdefault((int(rec["_j"]), grouped, key), {})  # type: ignore[call-overload]
        for col, a in parts[str(rec["_part"])].items():
            slot[a] = rec[col]


def _scan(con, plan: _Plan, bys, needed, aggs: list[Aggregate], values: dict) -> None:  # type: ignore[no-untyped-def]
    """One statement: cube-safe sums and counts from the monthly cube; the rest over the row copies `u`
    (built once, MATERIALIZED): sums and counts, medians and means, distinct counts."""
    cube = plan.derived and set(plan.dims) | filter_dims(plan.filters) <= set(CUBE_DIMS)
    from_cube = [a for a in aggs if cube and a.cube_safe]
    rest = [a for a in aggs if a not in from_cube]
    row_plan = _Plan(rest, plan.periods, plan.dims, plan.filters)
    row_plan.derived = plan.derived
    row_plan.use_won_deals = plan.derived and row_plan.only_won() and row_plan.won_deals_cover
    parts: dict[str, dict[str, Aggregate]] = {}
    selects = []
    builders = [("cube", _from_cube, plan), ("additive", _additive, row_plan)]
    builders += [("holistic", _holistic, row_plan), ("distinct", _distinct, row_plan)]
    for name, builder, p in builders:
        chosen = from_cube if name == "cube" else [a for a in rest if a.kind == name]
        for k, (sql, columns) in enumerate(builder(p, bys, chosen)):
            tag = f"{name}{k}"
            parts[tag] = columns
            selects.append(f"SELECT '{tag}' AS _part, * FROM ({sql})")
    if not selects:
        return
    sql = (row_plan.with_u(needed) if rest else "") + " UNION ALL BY NAME ".join(selects)
    _store(_rows(con, sql), plan, parts, values)


Part = tuple[str, dict[str, Aggregate]]


def _from_cube(plan: _Plan, bys: list[list[str]], aggs: list[Aggregate]) -> list[Part]:
    """Sums of amount and row counts from opportunity_cube (rows per month, stage and dims), per period."""
    if not aggs:
        return []
    conds = sorted({a.cond for a in aggs})
    branches = []
    for j, p in enumerate(plan.periods):
        flags = "".join(f", coalesce({bind_period(c, p)}, false) AS k{i}" for i, c in enumerate(conds))
        keep = " OR ".join(f"({bind_period(c, p)})" for c in conds)
        where = where_clause(plan.filters)
        where = f"{where} AND ({keep})" if where else f" WHERE {keep}"
        branches.append(
            f"SELECT {j} AS _j, {', '.join([*plan.dims, 'n', 'amount'])}{flags} FROM opportunity_cube{where}"
        )
    cols = ", ".join(
        f"coalesce(sum(n) FILTER (WHERE k{conds.index(a.cond)}), 0) AS q{i}"
        if a.func == "count"
        else f"sum(amount) FILTER (WHERE k{conds.index(a.cond)}) AS q{i}"
        for i, a in enumerate(aggs)
    )
    sql = (
        f"SELECT _j{''.join(', ' + d for d in plan.dims)}{_grouping(plan.dims)}, {cols} "
        f"FROM ({' UNION ALL '.join(branches)}) GROUP BY GROUPING SETS ({_sets(bys)})"
    )
    return [(sql, {f"q{i}": a for i, a in enumerate(aggs)})]


def _additive(plan: _Plan, bys: list[list[str]], aggs: list[Aggregate]) -> list[Part]:
    """Sums and counts: one aggregation at period × all dims, then rolled up for each grouping set."""
    if not aggs:
        return []
    fine = ", ".join(
        f"{a.func}({plan.arg(a)}) FILTER (WHERE {plan.flag(a)}) AS p{i}" for i, a in enumerate(aggs)
    )
    roll = ", ".join(f"sum(p{i}) AS p{i}" for i in range(len(aggs)))
    group = ", ".join(["_j", *plan.dims])
    sql = (
        f"WITH s1 AS (SELECT {group}, {fine} FROM u GROUP BY {group}) "
        f"SELECT {group}{_grouping(plan.dims)}, {roll} FROM s1 GROUP BY GROUPING SETS ({_sets(bys)})"
    )
    return [(sql, {f"p{i}": a for i, a in enumerate(aggs)})]


def _holistic(plan: _Plan, bys: list[list[str]], aggs: list[Aggregate]) -> list[Part]:
    """Medians and means: one GROUPING SETS scan over the rows that pass at least one of their conditions."""
    if not aggs:
        return []
    cols = ", ".join(
        f"{a.func}({plan.arg(a)}) FILTER (WHERE {plan.flag(a)}) AS h{i}" for i, a in enumerate(aggs)
    )
    any_flag = " OR ".join(sorted({plan.flag(a) for a in aggs}))
    sql = (
        f"SELECT _j{', ' if plan.dims else ''}{', '.join(plan.dims)}"
        f"{_grouping(plan.dims)}, {cols} FROM u WHERE {any_flag} GROUP BY GROUPING SETS ({_sets(bys)})"
    )
    return [(sql, {f"h{i}": a for i, a in enumerate(aggs)})]


def _distinct(plan: _Plan, bys: list[list[str]], aggs: list[Aggregate]) -> list[Part]:
    """count(DISTINCT x): per grouping set and x, whether x passes each condition; then count the x that do."""
    out = []
    for arg in sorted({a.arg for a in aggs}):
        group = [a for a in aggs if a.arg == arg]
        x = plan.arg(group[0])
        flags = ", ".join(f"bool_or({plan.flag(a)}) AS b{i}" for i, a in enumerate(group))
        any_flag = " OR ".join(sorted({plan.flag(a) for a in group}))
        counts = ", ".join(f"count(*) FILTER (WHERE b{i}) AS c{x}_{i}" for i in range(len(group)))
        dims = ", ".join(["_j", *plan.dims])
        gids = "".join(f", g_{d}" for d in plan.dims)
        sql = (
            f"WITH s1 AS (SELECT {dims}, {x}{_grouping(plan.dims)}, {flags} FROM u "
            f"WHERE ({any_flag}) AND {x} IS NOT NULL GROUP BY GROUPING SETS ({_sets(bys, x)})) "
            f"SELECT {dims}{gids}, {counts} FROM s1 GROUP BY {dims}{gids}"
        )
        out.append((sql, {f"c{x}_{i}": a for i, a in enumerate(group)}))
    return out
