#!/usr/bin/env python3
"""Independent ground truth for the Fupan question set.

Run:  /work/main/.venv/bin/python /work/independent_evals/truth.py
Needs python 3.11 + pandas only.  Reads the raw files, recomputes every expected answer and writes
questions.jsonl (questions only, no answers) and expected.jsonl (answers, joined by id) next to this file.
Nothing in here was copied from the product; every number is computed below from the raw files.

Data sets (override the paths with the environment variables in brackets)
  sample_company       data/sample_company/ (SC_DIR)  generated with `python -m evals.sample_company OUT 7`
  superstore           /work/shared/datasets/superstore/superstore.csv (SS_PATH), UTF-8 BOM, M/D/YYYY
  sample_sales_orders  /work/shared/datasets/sample_sales_orders/sales_data_sample.csv (SO_PATH), cp1252,
                       ORDERDATE `2/24/2003 0:00` or `05-07-2003 00:00`, both month first; TERRITORY "NA" is
                       North America, not a missing value.

DEFINITIONS (used everywhere unless a question's notes say otherwise)
Sample company (opportunities.csv + targets/team/products/accounts), following the README metric table:
  won / lost        阶段 赢单 / 输单; every other stage (线索, 需求确认, 方案报价, 商务谈判) is open.
  period of a deal  won/lost metrics use 结单日期 (close date); pipeline and funnel metrics use 创建日期.
  won_revenue       sum of 金额 of won deals closed in the period.
  won_deals / lost_deals  count of won / lost deals closed in the period; closed deals = won + lost.
  lost_amount       sum of 金额 of lost deals closed in the period (not in the README table; plain sum).
  win_rate          won ÷ (won + lost), deals closed in the period.
  avg_deal_size     won_revenue ÷ won_deals.
  sales cycle       days from 首次跟进日期 (first engagement; 创建日期 when blank) to 结单日期 of deals won in the
                    period; median (sales_cycle_median) or mean (sales_cycle_mean).
  pipeline_created  sum of 金额 of deals created in the period, any stage.
  conversion lead→opp   of deals created in the period, share whose stage is not 线索 (won/lost included).
  conversion opp→order  of deals created in the period whose stage is not 线索, share won.
  new_customers     customers whose first ever won deal closed in the period.
  repurchase_rate   of customers with a won deal in the period, share with a won deal closed before it.
  churned           customers with a won deal in the previous quarter and none in this quarter.
  target            targets.csv rows with 指标 = 销售额, summed over the quarters of the period (by region; a
                    manager's target is his region's target: 赵敏 = 华东, 钱进 = 华南, 孙立 = 华北).
  achievement       won_revenue ÷ target;  gap = won_revenue − target (negative = short).
  open pipeline     deals without a close date (stages 线索/需求确认/方案报价/商务谈判) at the export date 2026-09-30.
  manager           team.csv 经理 joined on 负责人; product line from products.csv; 行业/客户等级 from accounts.csv.
  English names     East = 华东, South = 华南, North = 华北; reps/managers may be written in pinyin
                    (Wang Fang = 王芳, Zhao Min = 赵敏, Qian Jin = 钱进, Sun Li = 孙立, Zhou Hang = 周航 ...).
Order-line data (superstore, sample_sales_orders):
  revenue / sales   sum of the sales column (Sales / SALES) over all lines, of every STATUS, unless the question
                    restricts it; periods by order date (Order Date / ORDERDATE).
  orders            distinct order ids (Order ID / ORDERNUMBER); lines = rows.
  customers         distinct customers (Customer ID / CUSTOMERNAME).
  quantity          sum of Quantity / QUANTITYORDERED.
  avg order value   sales ÷ orders (the order-data "average deal size"); for a segment (category, region...) it
                    is the segment's sales ÷ distinct orders that contain at least one line of the segment.
  profit, margin    superstore only: sum of Profit; margin = profit ÷ sales.
  avg discount      superstore: simple mean of Discount over lines (stated in the question when used).
  days to ship      superstore: Ship Date − Order Date, averaged over distinct orders (every line of an order
                    shares both dates and the ship mode).
Relative periods (state them in README): the latest quarter/year = the latest one that has data
  sample company 2026Q3 / 2026 (closings 2025Q3..2026Q3);  superstore 2019Q4 / 2019;
  sample orders 2005Q2 (April–May only) / 2005 (January–May only).
  "last quarter" = the quarter before the latest quarter with data; "this year" = the latest year with data;
  "last year" = the year before; a quarter, half or month named without a year = its latest occurrence in the data.
Comparisons: change = current − base.  Decompositions: exact Shapley split (for two factors it is the symmetric
  midpoint split: Δdeals·(A0+A1)/2 and Δsize·(N0+N1)/2); the sample company's driver decomposition is
  won revenue = closed deals × win rate × average deal size (README), given as alt_parts where the question asks
  the two-factor "fewer deals or smaller deals".
Rounding: money 2 dp (tol 0.01), ratios 4 dp (tol 0.0005), counts exact (tol 0), days 2 dp (tol 0.05).
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time

import pandas as pd

T0 = time.time()
HERE = os.path.dirname(os.path.abspath(__file__))
SC_DIR = os.environ.get("SC_DIR", os.path.join(HERE, "data", "sample_company"))
SS_PATH = os.environ.get("SS_PATH", "/work/shared/datasets/superstore/superstore.csv")
SO_PATH = os.environ.get("SO_PATH", "/work/shared/datasets/sample_sales_orders/sales_data_sample.csv")
DATASET = {"sc": "sample_company", "ss": "superstore", "so": "sample_sales_orders"}
TOL = {"money": 0.01, "ratio": 0.0005, "count": 0, "days": 0.05, "percent_points": 0.05, "quantity": 0, "number": 0.01}
WARN: list[str] = []


# ----------------------------------------------------------------------------------------------- loading
def load_sc():
    d = pd.read_csv(os.path.join(SC_DIR, "opportunities.csv"), dtype=str, keep_default_na=False)
    d = d.rename(columns={"商机编号": "id", "商机名称": "name", "客户名称": "account", "负责人": "rep",
                          "区域": "region", "产品": "product", "线索来源": "source", "阶段": "stage",
                          "金额": "amount", "创建日期": "created", "首次跟进日期": "engaged",
                          "结单日期": "closed", "丢单原因": "loss_reason"})
    d["amount"] = d["amount"].astype(float)
    d["loss_reason"] = d["loss_reason"].where(d["loss_reason"] != "")   # blank = no reason (won/open deals)
    for c in ("created", "engaged", "closed"):
        d[c] = pd.to_datetime(d[c].where(d[c] != ""), format="%Y-%m-%d")
    d["status"] = d["stage"].map({"赢单": "won", "输单": "lost"}).fillna("open")
    start = d["engaged"].fillna(d["created"])
    d["cycle"] = (d["closed"] - start).dt.days.astype(float)
    team = pd.read_csv(os.path.join(SC_DIR, "team.csv"), dtype=str)
    d = d.merge(team.rename(columns={"销售": "rep", "经理": "manager"})[["rep", "manager"]], on="rep", how="left")
    prod = pd.read_csv(os.path.join(SC_DIR, "products.csv"), dtype=str)
    d = d.merge(prod.rename(columns={"产品": "product", "产品线": "product_line"})[["product", "product_line"]],
                on="product", how="left")
    acc = pd.read_csv(os.path.join(SC_DIR, "accounts.csv"), dtype=str)
    d = d.merge(acc.rename(columns={"客户名称": "account", "行业": "industry", "客户等级": "tier"})
                [["account", "industry", "tier"]], on="account", how="left")
    tg = pd.read_csv(os.path.join(SC_DIR, "targets.csv"), dtype=str)
    tg = tg[tg["指标"] == "销售额"].rename(columns={"期间": "period", "区域": "region", "目标值": "target"})
    tg["target"] = tg["target"].astype(float)
    tg["start"] = pd.PeriodIndex(tg["period"], freq="Q").start_time
    mgr_region = dict(zip(team["经理"], team["区域"]))
    return d, tg, mgr_region


def load_ss():
    s = pd.read_csv(SS_PATH, encoding="utf-8-sig")
    s["od"] = pd.to_datetime(s["Order Date"], format="%m/%d/%Y")
    s["sd"] = pd.to_datetime(s["Ship Date"], format="%m/%d/%Y")
    return s


def load_so():
    o = pd.read_csv(SO_PATH, encoding="cp1252", keep_default_na=False, na_values=[""])
    day = o["ORDERDATE"].str.split(" ").str[0].str.replace("-", "/")
    o["od"] = pd.to_datetime(day, format="%m/%d/%Y")
    assert (o["od"].dt.year == o["YEAR_ID"]).all() and (o["od"].dt.month == o["MONTH_ID"]).all()
    return o


SC, TG, MGR_REGION = load_sc()
SS = load_ss()
SO = load_so()
COLS = {"ss": dict(sales="Sales", order="Order ID", cust="Customer ID", qty="Quantity", df=SS),
        "so": dict(sales="SALES", order="ORDERNUMBER", cust="CUSTOMERNAME", qty="QUANTITYORDERED", df=SO)}


# ----------------------------------------------------------------------------------------------- periods
def prange(p):
    """'2019' | '2019Q4' | '2019H2' | '2019-11' | '2004-01-01..2004-05-31' (inclusive) -> [start, end)."""
    if ".." in p:
        a, b = p.split("..")
        return pd.Timestamp(a), pd.Timestamp(b) + pd.Timedelta(days=1)
    if m := re.fullmatch(r"(\d{4})", p):
        y = int(m[1]); return pd.Timestamp(y, 1, 1), pd.Timestamp(y + 1, 1, 1)
    if m := re.fullmatch(r"(\d{4})Q([1-4])", p):
        s = pd.Timestamp(int(m[1]), 3 * int(m[2]) - 2, 1); return s, s + pd.DateOffset(months=3)
    if m := re.fullmatch(r"(\d{4})H([12])", p):
        s = pd.Timestamp(int(m[1]), 6 * int(m[2]) - 5, 1); return s, s + pd.DateOffset(months=6)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", p):
        s = pd.Timestamp(int(m[1]), int(m[2]), 1); return s, s + pd.DateOffset(months=1)
    raise ValueError(p)


def inp(dates, p):
    if p is None:
        return dates.notna()
    a, b = prange(p)
    return (dates >= a) & (dates < b)


def prev_quarter(p):
    per = pd.Period(p, freq="Q") - 1
    return f"{per.year}Q{per.quarter}"


def quarters(a, b):
    return [f"{x.year}Q{x.quarter}" for x in pd.period_range(a, b, freq="Q")]


def months(a, b):
    return [str(x) for x in pd.period_range(a, b, freq="M")]


def years(a, b):
    return [str(y) for y in range(int(a), int(b) + 1)]


# ----------------------------------------------------------------------------------------------- filters
def where(df, w):
    m = pd.Series(True, index=df.index)
    for k, v in (w or {}).items():
        m &= df[k].isin(v) if isinstance(v, (list, tuple, set)) else (df[k] == v)
    return df[m]


def div(a, b):
    return float("nan") if b == 0 else a / b


# ----------------------------------------------------------------------------------------------- tracing
# Every top-level computation used by an expected answer is recorded and written into its notes
# ("computed: ..."), so each number can be re-derived by hand from the definitions above.
TRACE: list[str] = []
_DEPTH = [0]


def _fmt(v):
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}={_fmt(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + "|".join(map(str, v)) + "]"
    return str(v)


def traced(fn):
    def wrapper(*a, **kw):
        if _DEPTH[0] == 0:
            args = [_fmt(x) for x in a if x is not None] + [f"{k}={_fmt(v)}" for k, v in kw.items() if v is not None]
            TRACE.append(f"{fn.__name__}({', '.join(args)})")
        _DEPTH[0] += 1
        try:
            return fn(*a, **kw)
        finally:
            _DEPTH[0] -= 1
    wrapper.__name__ = fn.__name__
    return wrapper


# ----------------------------------------------------------------------------------------------- metrics
SC_TARGET_METRICS = {"target", "achievement", "gap"}


def sc_target(p, w):
    w = dict(w or {})
    regions = None
    if "manager" in w:
        regions = [MGR_REGION[m] for m in ([w.pop("manager")] if isinstance(w.get("manager"), str)
                                            else w.pop("manager"))]
    if "region" in w:
        r = w.pop("region"); regions = [r] if isinstance(r, str) else list(r)
    assert not w, f"targets exist by region only, not {w}"
    a, b = prange(p)
    t = TG[(TG["start"] >= a) & (TG["start"] < b)]
    if regions is not None:
        t = t[t["region"].isin(regions)]
    assert len(t), f"no target for {p} {regions}"
    return float(t["target"].sum())


def sc_metric(d, metric, p):
    closed_in = inp(d["closed"], p)
    won = d[(d["status"] == "won") & closed_in]
    lost = d[(d["status"] == "lost") & closed_in]
    if metric == "won_revenue": return float(won["amount"].sum())
    if metric == "won_deals": return len(won)
    if metric == "lost_deals": return len(lost)
    if metric == "closed_deals": return len(won) + len(lost)
    if metric == "lost_amount": return float(lost["amount"].sum())
    if metric == "win_rate": return div(len(won), len(won) + len(lost))
    if metric == "avg_deal_size": return div(float(won["amount"].sum()), len(won))
    if metric == "cycle_median": return float(won["cycle"].median())
    if metric == "cycle_mean": return float(won["cycle"].mean())
    created = d[inp(d["created"], p)]
    if metric == "pipeline_created": return float(created["amount"].sum())
    if metric == "created_deals": return len(created)
    if metric == "conv_lead_opp": return div(int((created["stage"] != "线索").sum()), len(created))
    if metric == "conv_opp_order":
        c = created[created["stage"] != "线索"]
        return div(int((c["status"] == "won").sum()), len(c))
    allwon = d[d["status"] == "won"]
    if metric == "new_customers":
        first = allwon.groupby("account")["closed"].min()
        return int(inp(first, p).sum())
    if metric == "repurchase_rate":
        start = prange(p)[0]
        custs = set(won["account"])
        before = set(allwon.loc[allwon["closed"] < start, "account"])
        return div(len(custs & before), len(custs))
    if metric == "churned":
        prevw = allwon[inp(allwon["closed"], prev_quarter(p))]
        return len(set(prevw["account"]) - set(won["account"]))
    if metric == "open_deals": return int((d["status"] == "open").sum())
    if metric == "open_amount": return float(d.loc[d["status"] == "open", "amount"].sum())
    raise ValueError(metric)


def od_metric(ds, d, metric, p):
    c = COLS[ds]
    x = d[inp(d["od"], p)]
    if metric == "sales": return float(x[c["sales"]].sum())
    if metric == "orders": return int(x[c["order"]].nunique())
    if metric == "lines": return len(x)
    if metric == "customers": return int(x[c["cust"]].nunique())
    if metric == "quantity": return int(x[c["qty"]].sum())
    if metric == "aov": return div(float(x[c["sales"]].sum()), x[c["order"]].nunique())
    if metric == "sales_per_customer": return div(float(x[c["sales"]].sum()), x[c["cust"]].nunique())
    if metric == "orders_per_customer": return div(x[c["order"]].nunique(), x[c["cust"]].nunique())
    if metric == "qty_per_customer": return div(float(x[c["qty"]].sum()), x[c["cust"]].nunique())
    if metric == "profit": return float(x["Profit"].sum())
    if metric == "margin": return div(float(x["Profit"].sum()), float(x["Sales"].sum()))
    if metric == "discount_avg": return float(x["Discount"].mean())
    if metric == "discount_wavg": return div(float((x["Discount"] * x["Sales"]).sum()), float(x["Sales"].sum()))
    if metric == "ship_days":
        o = x.drop_duplicates("Order ID")
        return float((o["sd"] - o["od"]).dt.days.mean())
    if metric == "price_mean": return float(x["PRICEEACH"].mean())
    if metric == "price_sales_per_unit": return div(float(x["SALES"].sum()), float(x["QUANTITYORDERED"].sum()))
    raise ValueError(metric)


@traced
def val(ds, metric, p=None, w=None):
    if ds == "sc":
        if metric in SC_TARGET_METRICS:
            t = sc_target(p, w)
            if metric == "target": return t
            r = sc_metric(where(SC, w), "won_revenue", p)
            return div(r, t) if metric == "achievement" else r - t
        return sc_metric(where(SC, w), metric, p)
    return od_metric(ds, where(COLS[ds]["df"], w), metric, p)


@traced
def by(ds, metric, dim, p=None, w=None, keep=None):
    """metric per value of dim (values present in the filtered data), as a Series."""
    df = SC if ds == "sc" else COLS[ds]["df"]
    sub = where(df, w)
    if ds == "sc" and metric in SC_TARGET_METRICS:
        values = sorted(sub[dim].dropna().unique())
    else:
        # values that occur in the period (for close-date metrics: closed in period; for created metrics: created)
        if ds == "sc":
            key = "created" if metric in ("pipeline_created", "created_deals", "conv_lead_opp",
                                          "conv_opp_order") else "closed"
            if metric in ("open_deals", "open_amount"):
                values = sorted(sub.loc[sub["status"] == "open", dim].dropna().unique())
            else:
                values = sorted(sub.loc[inp(sub[key], p), dim].dropna().unique())
        else:
            x = sub[inp(sub["od"], p)]
            out = {v: od_metric(ds, g, metric, None) for v, g in x.groupby(dim, dropna=True)}
            if keep is not None:
                out = {k: v for k, v in out.items() if k in keep}
            return pd.Series(out, dtype=float).dropna()
    if keep is not None:
        values = [v for v in values if v in keep]
    out = {}
    for v in values:
        ww = dict(w or {}); ww[dim] = v
        out[v] = val(ds, metric, p, ww)
    s = pd.Series(out, dtype=float)
    return s.dropna()


@traced
def chg_by(ds, metric, dim, p1, p0, w=None, additive=True):
    a = by(ds, metric, dim, p1, w); b = by(ds, metric, dim, p0, w)
    if additive:
        idx = sorted(set(a.index) | set(b.index))
        return a.reindex(idx).fillna(0) - b.reindex(idx).fillna(0)
    idx = sorted(set(a.index) & set(b.index))
    return a[idx] - b[idx]


@traced
def share(ds, metric, p, w_part, w_all=None):
    ww = dict(w_all or {}); ww.update(w_part)
    return div(val(ds, metric, p, ww), val(ds, metric, p, w_all))


# ----------------------------------------------------------------------------------------------- expects
def rnd(x, unit):
    if x is None or (isinstance(x, float) and x != x):
        return None
    if unit in ("count", "quantity"):
        assert abs(x - round(x)) < 1e-9, x
        return int(round(x))
    if unit == "ratio": return round(float(x), 4)
    return round(float(x), 2)


def V(x, unit):
    return {"type": "value", "value": rnd(x, unit), "unit": unit, "tol": TOL[unit]}


def _sorted(s, order):
    items = sorted(s.items(), key=lambda kv: ((-kv[1] if order == "desc" else kv[1]), str(kv[0])))
    return items


def RANK(s, n, order, unit, ctx=""):
    items = _sorted(s, order)
    if n is None:
        n = len(items)
    vals = [round(v, 6) for _, v in items]
    if len(vals) > n and vals[n - 1] == vals[n]:
        WARN.append(f"tie at cut-off {ctx}: {items[n-1]} vs {items[n]}")
    if len(set(vals[:n])) < len(vals[:n]):
        WARN.append(f"tie inside top {n} {ctx}: {items[:n]}")
    return {"type": "ranking", "order": order, "unit": unit, "tol": TOL[unit],
            "items": [{"name": str(k), "value": rnd(v, unit)} for k, v in items[:n]]}


def BRK(s, unit, order="desc"):
    items = _sorted(s, order)
    return {"type": "breakdown", "unit": unit, "tol": TOL[unit],
            "items": [{"name": str(k), "value": rnd(v, unit)} for k, v in items]}


def CHG(cur, base, unit):
    return {"type": "change", "unit": unit, "tol": TOL[unit], "current": rnd(cur, unit),
            "base": rnd(base, unit), "change": rnd(cur - base, unit if unit != "count" else "count"),
            "pct_change": rnd(div(cur - base, base), "ratio")}


@traced
def SER(ds, metric, periods, w=None, unit="money"):
    return {"type": "series", "unit": unit, "tol": TOL[unit],
            "items": [{"period": p, "value": rnd(val(ds, metric, p, w), unit)} for p in periods]}


def shapley(f, base, cur):
    keys = list(base)
    out = {k: 0.0 for k in keys}
    perms = list(itertools.permutations(keys))
    for perm in perms:
        state = dict(base); prev = f(state)
        for k in perm:
            state[k] = cur[k]; v = f(state); out[k] += v - prev; prev = v
    return {k: out[k] / len(perms) for k in keys}


def prod(dct):
    r = 1.0
    for v in dct.values():
        r *= v
    return r


def sc_factors(p, w, three):
    if three:
        return {"closed_deals": val("sc", "closed_deals", p, w), "win_rate": val("sc", "win_rate", p, w),
                "deal_size": val("sc", "avg_deal_size", p, w)}
    return {"deals": val("sc", "won_deals", p, w), "deal_size": val("sc", "avg_deal_size", p, w)}


def od_factors(ds, p, w):
    return {"orders": val(ds, "orders", p, w), "order_size": val(ds, "aov", p, w)}


@traced
def DEC(ds, p1, p0, w=None, three=False, facts=None):
    """Shapley split of revenue change p0 -> p1."""
    if ds == "sc":
        f1, f0 = sc_factors(p1, w, three), sc_factors(p0, w, three)
        r1, r0 = val("sc", "won_revenue", p1, w), val("sc", "won_revenue", p0, w)
    else:
        f1, f0 = od_factors(ds, p1, w), od_factors(ds, p0, w)
        r1, r0 = val(ds, "sales", p1, w), val(ds, "sales", p0, w)
    parts = shapley(prod, f0, f1)
    assert abs(sum(parts.values()) - (r1 - r0)) < 1e-4, (parts, r1 - r0)
    e = {"type": "decompose", "unit": "money", "tol": 0.01, "current": rnd(r1, "money"), "base": rnd(r0, "money"),
         "total_change": rnd(r1 - r0, "money"), "parts": {k: rnd(v, "money") for k, v in parts.items()},
         "factors": {"base": {k: rnd(v, "count" if k in ("deals", "orders", "closed_deals") else
                                     "ratio" if k == "win_rate" else "money") for k, v in f0.items()},
                     "current": {k: rnd(v, "count" if k in ("deals", "orders", "closed_deals") else
                                        "ratio" if k == "win_rate" else "money") for k, v in f1.items()}},
         "dominant": max(parts, key=lambda k: abs(parts[k]))}
    if ds == "sc" and not three:
        a1, a0 = sc_factors(p1, w, True), sc_factors(p0, w, True)
        e["alt_parts"] = {k: rnd(v, "money") for k, v in shapley(prod, a0, a1).items()}
    if facts:
        e["facts"] = facts
    return e


def REF(reason):
    return {"type": "refuse", "reason": reason}


def CLAR(readings, any_of):
    assert len(readings) == len(any_of)
    return {"type": "clarify", "readings": readings, "any_of": any_of}


def facts(**kw):
    out = {}
    for k, (x, unit) in kw.items():
        out[k] = {"value": rnd(x, unit), "unit": unit}
    return out


# ----------------------------------------------------------------------------------------------- questions
Q: list[dict] = []
_counter: dict = {}


def q(ds, lang, cat, text, fn, notes=""):
    key = (ds, lang)
    _counter[key] = _counter.get(key, 0) + 1
    qid = f"{ds}-{lang}-{_counter[key]:03d}"
    Q.append({"id": qid, "dataset": DATASET[ds], "lang": lang, "question": text, "category": cat,
              "fn": fn, "notes": notes})


# =============================================================================================== sample company
def sc(m, p=None, w=None): return val("sc", m, p, w)


E, S, N = "华东", "华南", "华北"
LQ, PQ = "2026Q3", "2026Q2"                # latest quarter with closings, and the one before
SCQ = quarters("2025Q3", "2026Q3")
NO_COST = "the sample company export has amounts only — no cost, margin or profit column"

# ---- zh
L = "zh"
q("sc", L, "value", "三季度华东赢单金额多少？", lambda: V(sc("won_revenue", LQ, {"region": E}), "money"),
  "三季度 = 2026Q3 (latest Q3 in the data); won revenue by close date")
q("sc", L, "value", "上季度整体赢单律是多少", lambda: V(sc("win_rate", PQ), "ratio"),
  "上季度 = 2026Q2 (quarter before the latest quarter with data); won/(won+lost)")
q("sc", L, "value", "今年到现在一共赢了多少单", lambda: V(sc("won_deals", "2026"), "count"),
  "今年 = 2026 (Jan–Sep closings)")
q("sc", L, "value", "华南这个季度平均客单价多少", lambda: V(sc("avg_deal_size", LQ, {"region": S}), "money"),
  "这个季度 = 2026Q3; avg deal size = won revenue / won deals")
q("sc", L, "value", "周航这季度销售周期中位数几天？", lambda: V(sc("cycle_median", LQ, {"rep": "周航"}), "days"),
  "median days first engagement -> close of his deals won in 2026Q3 (README basis = 82; planted_effects.json says 84 "
  "because it counts from 创建日期 — 84 is the created-date reading, not the README metric)")
q("sc", L, "value", "十一月赢单金额多少", lambda: V(sc("won_revenue", "2025-11"), "money"),
  "十一月 = 2025-11, the only November in the data")
q("sc", L, "value", "三季度新客户有几个", lambda: V(sc("new_customers", LQ), "count"),
  "customers whose first ever won deal closed in 2026Q3")
q("sc", L, "value", "2026上半年新增商机金额是多少", lambda: V(sc("pipeline_created", "2026H1"), "money"),
  "pipeline created = amount of deals created in 2026-01..06, any stage")
q("sc", L, "value", "今年一共丢了多少单", lambda: V(sc("lost_deals", "2026"), "count"), "lost deals closed in 2026")
q("sc", L, "value", "华东三季度输单金额合计", lambda: V(sc("lost_amount", LQ, {"region": E}), "money"),
  "sum of amount of lost deals closed in 2026Q3 in 华东")
q("sc", L, "value", "三季度复购率多少", lambda: V(sc("repurchase_rate", LQ), "ratio"),
  "of customers with a won deal in 2026Q3, share that had a won deal closed before 2026-07-01")
# compare
q("sc", L, "compare", "华东赢单率 三季度vs二季度", lambda: CHG(sc("win_rate", LQ, {"region": E}),
                                                        sc("win_rate", PQ, {"region": E}), "ratio"),
  "2026Q3 vs 2026Q2; planted: 0.4375 -> 0.284")
q("sc", L, "compare", "华北客单价环比怎么样", lambda: CHG(sc("avg_deal_size", LQ, {"region": N}),
                                                   sc("avg_deal_size", PQ, {"region": N}), "money"),
  "环比 = latest quarter 2026Q3 vs 2026Q2")
q("sc", L, "compare", "今年一季度赢单金额比去年四季度多还是少？差多少",
  lambda: CHG(sc("won_revenue", "2026Q1"), sc("won_revenue", "2025Q4"), "money"), "2026Q1 vs 2025Q4, whole company")
q("sc", L, "compare", "郑丽这季度的赢单金额跟上季度比怎么样",
  lambda: CHG(sc("won_revenue", LQ, {"rep": "郑丽"}), sc("won_revenue", PQ, {"rep": "郑丽"}), "money"),
  "2026Q3 vs 2026Q2")
q("sc", L, "compare", "三季度赢单金额同比增长多少", lambda: CHG(sc("won_revenue", LQ), sc("won_revenue", "2025Q3"), "money"),
  "同比 = 2026Q3 vs 2025Q3 (2025Q3 is the first quarter of the data)")
# rank
q("sc", L, "rank", "三季度赢单金额前三的销售是谁", lambda: RANK(by("sc", "won_revenue", "rep", LQ), 3, "desc", "money", "sc rep rev"),
  "reps by won revenue 2026Q3")
q("sc", L, "rank", "今年哪个产品赢单金额最高", lambda: RANK(by("sc", "won_revenue", "product", "2026"), 1, "desc", "money"),
  "2026 closings")
q("sc", L, "rank", "三季度哪个线索来源赢的单最多", lambda: RANK(by("sc", "won_deals", "source", LQ), 1, "desc", "count", "sc src deals"),
  "won deal count by 线索来源, 2026Q3")
q("sc", L, "rank", "上半年赢单金额最高的5个客户", lambda: RANK(by("sc", "won_revenue", "account", "2026H1"), 5, "desc", "money", "sc acct"),
  "上半年 = 2026H1; customers = 客户名称")
# bottom
q("sc", L, "bottom", "上季度赢单率最低的三个销售", lambda: RANK(by("sc", "win_rate", "rep", PQ), 3, "asc", "ratio", "sc rep wr"),
  "2026Q2, win rate per rep")
q("sc", L, "bottom", "三季度哪个产品赢单金额最少", lambda: RANK(by("sc", "won_revenue", "product", LQ), 1, "asc", "money"), "2026Q3")
q("sc", L, "bottom", "今年平均客单价最低的区域", lambda: RANK(by("sc", "avg_deal_size", "region", "2026"), 1, "asc", "money"), "2026")
# rank_change
q("sc", L, "rank_change", "三季度比二季度赢单金额掉得最多的销售是谁",
  lambda: RANK(chg_by("sc", "won_revenue", "rep", LQ, PQ), 1, "asc", "money", "sc rep drop"),
  "change = 2026Q3 − 2026Q2 per rep; most negative first")
q("sc", L, "rank_change", "哪个产品三季度赢单金额环比表现最好",
  lambda: RANK(chg_by("sc", "won_revenue", "product", LQ, PQ), 1, "desc", "money"),
  "largest change 2026Q3 − 2026Q2; every product fell, so the best is the smallest decline — an answer must not call it growth")
q("sc", L, "rank_change", "三季度赢单率环比降得最多的是哪个区域？降了几个点",
  lambda: RANK(chg_by("sc", "win_rate", "region", LQ, PQ, additive=False), 1, "asc", "ratio"),
  "value is the change as a fraction (×100 = percentage points)")
# share
q("sc", L, "share", "三季度华南赢单金额占全公司的比例", lambda: V(share("sc", "won_revenue", LQ, {"region": S}), "ratio"), "2026Q3")
q("sc", L, "share", "今年客户转介绍来的赢单金额占比多少",
  lambda: V(share("sc", "won_revenue", "2026", {"source": "客户转介绍"}), "ratio"), "线索来源 = 客户转介绍, 2026")
q("sc", L, "share", "三季度华东输的单里，因为价格或竞品丢的占多少",
  lambda: V(share("sc", "lost_deals", LQ, {"loss_reason": ["价格", "竞品"]}, {"region": E}), "ratio"),
  "share of lost deals (count) closed in 2026Q3 in 华东 with 丢单原因 价格 or 竞品; planted 0.8793")
q("sc", L, "share", "今年大客户贡献了多少比例的赢单金额",
  lambda: V(share("sc", "won_revenue", "2026", {"tier": "大客户"}), "ratio"), "客户等级 from accounts.csv; 2026")
# breakdown
q("sc", L, "breakdown", "按区域看三季度赢单率", lambda: BRK(by("sc", "win_rate", "region", LQ), "ratio"), "2026Q3")
q("sc", L, "breakdown", "三季度丢单原因分布，各多少单", lambda: BRK(by("sc", "lost_deals", "loss_reason", LQ), "count"),
  "lost deals closed in 2026Q3 by 丢单原因")
q("sc", L, "breakdown", "按产品线看今年赢单金额", lambda: BRK(by("sc", "won_revenue", "product_line", "2026"), "money"),
  "产品线 from products.csv (平台 = SmartCRM + FlowERP)")
q("sc", L, "breakdown", "按行业拆一下三季度赢单金额", lambda: BRK(by("sc", "won_revenue", "industry", LQ), "money"),
  "行业 from accounts.csv")
# trend
q("sc", L, "trend", "华东赢单率按季度的走势", lambda: SER("sc", "win_rate", SCQ, {"region": E}, "ratio"),
  "all quarters with closings, 2025Q3..2026Q3")
q("sc", L, "trend", "今年每个月赢单金额", lambda: SER("sc", "won_revenue", months("2026-01", "2026-09")),
  "2026-01..2026-09 (data end 2026-09-30)")
q("sc", L, "trend", "华北平均客单价这几个季度怎么变的", lambda: SER("sc", "avg_deal_size", SCQ, {"region": N}),
  "all quarters 2025Q3..2026Q3")
# target
q("sc", L, "target", "三季度各区域目标达成率", lambda: BRK(by("sc", "achievement", "region", LQ), "ratio"),
  "won revenue / target (targets.csv 销售额), 2026Q3")
q("sc", L, "target", "华北三季度离目标还差多少", lambda: V(sc("gap", LQ, {"region": N}), "money"),
  "gap = won revenue − target (negative = short)")
q("sc", L, "target", "上半年华南完成目标没有，达成率多少", lambda: V(sc("achievement", "2026H1", {"region": S}), "ratio"),
  "2026H1 = 2026Q1+Q2 targets")
q("sc", L, "target", "今年到目前公司整体目标达成率", lambda: V(sc("achievement", "2026"), "ratio"),
  "2026 = targets of 2026Q1..Q3 (no Q4 target in the file) vs won revenue Jan–Sep")
q("sc", L, "target", "二季度哪几个区域没完成目标，各差多少",
  lambda: RANK(by("sc", "gap", "region", PQ)[lambda s: s < 0], None, "asc", "money"),
  "regions with won revenue < target in 2026Q2, gap (negative) most negative first")
# contribution
q("sc", L, "contribution", "三季度的目标缺口主要是哪个区域造成的",
  lambda: RANK(by("sc", "gap", "region", LQ), None, "asc", "money"),
  "gap per region 2026Q3 (sum = company gap); biggest shortfall first; South is above target")
q("sc", L, "contribution", "三季度赢单金额环比下滑，拖后腿最多的三个销售",
  lambda: RANK(chg_by("sc", "won_revenue", "rep", LQ, PQ), 3, "asc", "money"), "2026Q3 − 2026Q2 per rep")
q("sc", L, "contribution", "华北三季度赢单金额环比少了，各产品分别贡献多少",
  lambda: BRK(chg_by("sc", "won_revenue", "product", LQ, PQ, {"region": N}), "money", "asc"),
  "per-product change 2026Q3 − 2026Q2 in 华北; parts sum to the region's change")
# decompose
q("sc", L, "decompose", "华北三季度赢单金额下滑，是单子少了还是单子小了？",
  lambda: DEC("sc", LQ, PQ, {"region": N}),
  "two-factor Shapley: won deals × avg deal size; alt_parts = README 3-factor (closed deals × win rate × size)")
q("sc", L, "decompose", "全公司三季度比二季度赢单金额少了多少？按结单数、赢单率、客单价三个因素拆一下",
  lambda: DEC("sc", LQ, PQ, three=True), "README driver decomposition, exact Shapley")
# why
q("sc", L, "why", "华东三季度为什么没完成目标？",
  lambda: DEC("sc", LQ, PQ, {"region": E}, three=True, facts=facts(
      gap=(sc("gap", LQ, {"region": E}), "money"), target=(sc("target", LQ, {"region": E}), "money"),
      win_rate_2026Q3=(sc("win_rate", LQ, {"region": E}), "ratio"), win_rate_2026Q2=(sc("win_rate", PQ, {"region": E}), "ratio"),
      price_or_competitor_share_of_losses=(share("sc", "lost_deals", LQ, {"loss_reason": ["价格", "竞品"]}, {"region": E}), "ratio"))),
  "a good answer names the gap to target and the win-rate fall (the dominant driver), with losses citing 价格/竞品; "
  "parts = 3-factor Shapley of 2026Q3 vs 2026Q2 won revenue")
q("sc", L, "why", "为什么周航这季度成交变慢了？",
  lambda: CHG(sc("cycle_median", LQ, {"rep": "周航"}), sc("cycle_median", PQ, {"rep": "周航"}), "days") |
  {"facts": facts(region_median_2026Q3=(sc("cycle_median", LQ, {"region": S}), "days"))},
  "median sales cycle of his won deals 2026Q3 vs 2026Q2 (README basis: from 首次跟进日期; counted from 创建日期 it is 45 -> 84); "
  "notes mention approval chains / postponed signing")
# team
q("sc", L, "team", "赵经理团队里三季度谁的赢单率最低",
  lambda: RANK(by("sc", "win_rate", "rep", LQ, {"manager": "赵敏"}), 1, "asc", "ratio"), "赵经理 = 赵敏 (华东); 2026Q3")
q("sc", L, "team", "钱进团队三季度每个人的赢单金额", lambda: BRK(by("sc", "won_revenue", "rep", LQ, {"manager": "钱进"}), "money"),
  "reps of 钱进 (华南)")
q("sc", L, "team", "孙经理手下这个季度谁的客单价最高",
  lambda: RANK(by("sc", "avg_deal_size", "rep", LQ, {"manager": "孙立"}), 1, "desc", "money"), "孙经理 = 孙立 (华北); 2026Q3")
q("sc", L, "team", "各经理团队今年的赢单金额", lambda: BRK(by("sc", "won_revenue", "manager", "2026"), "money"), "2026")
# funnel
q("sc", L, "funnel", "三季度新建的商机，线索转商机率多少", lambda: V(sc("conv_lead_opp", LQ), "ratio"),
  "deals created in 2026Q3; share past 线索 (incl. won/lost)")
q("sc", L, "funnel", "二季度创建的商机，商机转订单率是多少", lambda: V(sc("conv_opp_order", PQ), "ratio"),
  "deals created in 2026Q2 and past 线索; share won")
q("sc", L, "funnel", "现在还没结单的商机，各阶段各有多少个", lambda: BRK(by("sc", "open_deals", "stage"), "count"),
  "open deals (no close date) at export date 2026-09-30, by 阶段")
# unanswerable
q("sc", L, "unanswerable", "三季度毛利多少", lambda: REF(NO_COST), "")
q("sc", L, "unanswerable", "华东的客户满意度怎么样", lambda: REF("no satisfaction / survey data in the export"), "")
q("sc", L, "unanswerable", "西南区三季度赢单金额多少", lambda: REF("no region 西南; regions are 华东, 华南, 华北"), "")
q("sc", L, "unanswerable", "2024年四季度赢单金额", lambda: REF("no data before June 2025 (closings 2025Q3..2026Q3)"), "")
q("sc", L, "unanswerable", "ServiceBot Pro三季度卖了多少",
  lambda: REF("no product 'ServiceBot Pro'; products are SmartCRM, DataHub, ServiceBot, FlowERP, ImplPro — asking whether ServiceBot is meant is also right"), "")
q("sc", L, "unanswerable", "2026年四季度的目标是多少", lambda: REF("targets.csv has targets up to 2026Q3 only"), "")
q("sc", L, "unanswerable", "张伟的提成是多少", lambda: REF("no commission data"), "")
q("sc", L, "unanswerable", "三季度天气不好影响了多少单", lambda: REF("no weather data; nothing links deals to weather"), "")
# ambiguous
q("sc", L, "ambiguous", "王经理团队里谁的赢单率最低",
  lambda: CLAR(["there is no manager 王 (managers: 赵敏, 钱进, 孙立); 王芳 is a rep in 赵敏's team — 赵敏's team, 2026Q3"],
               [RANK(by("sc", "win_rate", "rep", LQ, {"manager": "赵敏"}), 1, "asc", "ratio")]),
  "the right move is to say there is no manager 王 and ask; answering for 赵敏's team (王芳's manager) with that stated is acceptable")
q("sc", L, "ambiguous", "上半年业绩怎么样",
  lambda: CLAR(["won revenue 2026H1", "target achievement 2026H1"],
               [V(sc("won_revenue", "2026H1"), "money"), V(sc("achievement", "2026H1"), "ratio")]),
  "业绩 could be revenue or achievement; both readings accepted when stated")
q("sc", L, "ambiguous", "华南三季度转化率多少",
  lambda: CLAR(["win rate (won/(won+lost), closed in 2026Q3)", "lead→opportunity conversion of deals created in 2026Q3",
                "opportunity→order conversion of deals created in 2026Q3"],
               [V(sc("win_rate", LQ, {"region": S}), "ratio"), V(sc("conv_lead_opp", LQ, {"region": S}), "ratio"),
                V(sc("conv_opp_order", LQ, {"region": S}), "ratio")]), "转化率 has three meanings")
q("sc", L, "ambiguous", "下半年赢单金额",
  lambda: CLAR(["2025H2 (the latest complete second half)", "2026H2 so far (2026Q3 only)"],
               [V(sc("won_revenue", "2025H2"), "money"), V(sc("won_revenue", "2026H2"), "money")]),
  "the latest H2 in the data is 2026H2 but holds only Q3")
q("sc", L, "ambiguous", "三季度最好的销售是谁",
  lambda: CLAR(["by won revenue", "by win rate", "by won deals"],
               [RANK(by("sc", "won_revenue", "rep", LQ), 1, "desc", "money"),
                RANK(by("sc", "win_rate", "rep", LQ), 1, "desc", "ratio"),
                RANK(by("sc", "won_deals", "rep", LQ), 1, "desc", "count", "amb best rep deals")]), "metric unstated")

# ---- en
L = "en"
q("sc", L, "value", "total won revenue q3?", lambda: V(sc("won_revenue", LQ), "money"), "Q3 = 2026Q3")
q("sc", L, "value", "South win rate last quarter", lambda: V(sc("win_rate", PQ, {"region": S}), "ratio"),
  "last quarter = 2026Q2; South = 华南")
q("sc", L, "value", "avg deal szie for DataHub this yr", lambda: V(sc("avg_deal_size", "2026", {"product": "DataHub"}), "money"),
  "this year = 2026")
q("sc", L, "value", "how many new customers did the south land in Q3", lambda: V(sc("new_customers", LQ, {"region": S}), "count"),
  "first-ever won deal closed in 2026Q3, 华南 accounts")
q("sc", L, "value", "median sales cycle North last qtr", lambda: V(sc("cycle_median", PQ, {"region": N}), "days"),
  "won deals closed 2026Q2, days first engagement -> close")
q("sc", L, "value", "pipeline created in september", lambda: V(sc("pipeline_created", "2026-09"), "money"),
  "deals created 2026-09, any stage")
q("sc", L, "value", "mean sales cycle for deals won in Q3, whole company", lambda: V(sc("cycle_mean", LQ), "days"), "")
q("sc", L, "value", "how many deals did Wang Fang win in Q3", lambda: V(sc("won_deals", LQ, {"rep": "王芳"}), "count"),
  "Wang Fang = 王芳")
q("sc", L, "value", "how much did we lose to competitors in Q3? amount", lambda: V(sc("lost_amount", LQ, {"loss_reason": "竞品"}), "money"),
  "lost deals with 丢单原因 = 竞品 (competitor) closed 2026Q3; 价格 (price) is a separate reason")
q("sc", L, "value", "total won revenue since the data starts", lambda: V(sc("won_revenue"), "money"), "all closings 2025Q3..2026Q3")
q("sc", L, "value", "how many customers churned in Q3", lambda: V(sc("churned", LQ), "count"),
  "won in 2026Q2 and no won deal in 2026Q3 (README churned_customers)")
# compare
q("sc", L, "compare", "win rate Q3 vs Q2", lambda: CHG(sc("win_rate", LQ), sc("win_rate", PQ), "ratio"), "2026Q3 vs 2026Q2")
q("sc", L, "compare", "East revenue this Q3 vs Q3 last year",
  lambda: CHG(sc("won_revenue", LQ, {"region": E}), sc("won_revenue", "2025Q3", {"region": E}), "money"), "")
q("sc", L, "compare", "how did FlowERP do in Q3 vs Q2 (won rev)",
  lambda: CHG(sc("won_revenue", LQ, {"product": "FlowERP"}), sc("won_revenue", PQ, {"product": "FlowERP"}), "money"), "")
q("sc", L, "compare", "north avg deal size q3 vs q2",
  lambda: CHG(sc("avg_deal_size", LQ, {"region": N}), sc("avg_deal_size", PQ, {"region": N}), "money"),
  "planted: 139,798.25 -> 88,808.33")
q("sc", L, "compare", "East won deals, Q1 vs Q2 2026",
  lambda: CHG(sc("won_deals", "2026Q2", {"region": E}), sc("won_deals", "2026Q1", {"region": E}), "count"),
  "current = 2026Q2, base = 2026Q1")
# rank
q("sc", L, "rank", "top 5 reps by won revenue this year", lambda: RANK(by("sc", "won_revenue", "rep", "2026"), 5, "desc", "money"), "2026")
q("sc", L, "rank", "wich region had the highest win rate in q3", lambda: RANK(by("sc", "win_rate", "region", LQ), 1, "desc", "ratio"), "")
q("sc", L, "rank", "top 3 customers by won revenue in 2026", lambda: RANK(by("sc", "won_revenue", "account", "2026"), 3, "desc", "money", "acct 2026"), "")
q("sc", L, "rank", "which product has the longest median sales cycle in Q3",
  lambda: RANK(by("sc", "cycle_median", "product", LQ), 1, "desc", "days", "prod cycle"), "")
# bottom
q("sc", L, "bottom", "bottom 3 reps by win rate in Q3", lambda: RANK(by("sc", "win_rate", "rep", LQ), 3, "asc", "ratio", "rep wr q3"), "")
q("sc", L, "bottom", "which lead source has the lowest win rate this year",
  lambda: RANK(by("sc", "win_rate", "source", "2026"), 1, "asc", "ratio"), "线索来源; 2026")
q("sc", L, "bottom", "which rep had the fewest won deals last quarter",
  lambda: RANK(by("sc", "won_deals", "rep", PQ), 1, "asc", "count", "rep deals q2"), "2026Q2")
# rank_change
q("sc", L, "rank_change", "which region's win rate fell the most from Q2 to Q3",
  lambda: RANK(chg_by("sc", "win_rate", "region", LQ, PQ, additive=False), 1, "asc", "ratio"), "change as a fraction")
q("sc", L, "rank_change", "whose lost deals went up the most, Q3 vs Q2?",
  lambda: RANK(chg_by("sc", "lost_deals", "rep", LQ, PQ), 1, "desc", "count", "rep lost rise"), "rep level, lost deals closed in the quarter")
q("sc", L, "rank_change", "which lead source held up best in q3 vs q2 (won revenue change)?",
  lambda: RANK(chg_by("sc", "won_revenue", "source", LQ, PQ), 1, "desc", "money"),
  "largest change 2026Q3 − 2026Q2; every source fell, so the best is the smallest decline")
# share
q("sc", L, "share", "In the North, what % of Q3 won deals were ServiceBot?",
  lambda: V(share("sc", "won_deals", LQ, {"product": "ServiceBot"}, {"region": N}), "ratio"),
  "share of won deal count; planted 0.6111")
q("sc", L, "share", "share of H1 2026 won revenue from channel partners",
  lambda: V(share("sc", "won_revenue", "2026H1", {"source": "渠道伙伴"}), "ratio"), "channel partners = 渠道伙伴")
q("sc", L, "share", "what fraction of the open pipeline (amount) is in negotiation",
  lambda: V(div(val("sc", "open_amount", None, {"stage": "商务谈判"}), val("sc", "open_amount")), "ratio"),
  "open deals at export; negotiation = 商务谈判")
q("sc", L, "share", "what share of Q3 losses were price related",
  lambda: V(share("sc", "lost_deals", LQ, {"loss_reason": "价格"}), "ratio"), "count of lost deals with 丢单原因 = 价格, 2026Q3")
# breakdown
q("sc", L, "breakdown", "won revenue by product Q3", lambda: BRK(by("sc", "won_revenue", "product", LQ), "money"), "")
q("sc", L, "breakdown", "win rate by lead source q3", lambda: BRK(by("sc", "win_rate", "source", LQ), "ratio"), "")
q("sc", L, "breakdown", "Q3 won revenue by customer tier", lambda: BRK(by("sc", "won_revenue", "tier", LQ), "money"),
  "客户等级: 大客户 (key account) / 普通客户 (standard)")
q("sc", L, "breakdown", "East Q3 lost deals by reason", lambda: BRK(by("sc", "lost_deals", "loss_reason", LQ, {"region": E}), "count"), "")
# trend
q("sc", L, "trend", "monthly won revenue for the South in 2026",
  lambda: SER("sc", "won_revenue", months("2026-01", "2026-09"), {"region": S}), "Jan–Sep 2026")
q("sc", L, "trend", "quarterly win rate for the whole company", lambda: SER("sc", "win_rate", SCQ, None, "ratio"), "2025Q3..2026Q3")
q("sc", L, "trend", "pipeline created per month, Apr to Sep 2026",
  lambda: SER("sc", "pipeline_created", months("2026-04", "2026-09")), "by created date")
# target
q("sc", L, "target", "did we hit the Q3 target overall? achievement %", lambda: V(sc("achievement", LQ), "ratio"), "")
q("sc", L, "target", "Q2 achievement by region", lambda: BRK(by("sc", "achievement", "region", PQ), "ratio"), "2026Q2")
q("sc", L, "target", "East gap to target YTD", lambda: V(sc("gap", "2026", {"region": E}), "money"), "2026Q1..Q3")
q("sc", L, "target", "which regions beat their Q3 target and by how much",
  lambda: RANK(by("sc", "gap", "region", LQ)[lambda s: s > 0], None, "desc", "money"), "regions with gap > 0")
q("sc", L, "target", "total revenue target for 2026 so far", lambda: V(sc("target", "2026"), "money"), "2026Q1..Q3 targets")
# contribution
q("sc", L, "contribution", "which reps drove the Q3 revenue drop vs Q2? top 3",
  lambda: RANK(chg_by("sc", "won_revenue", "rep", LQ, PQ), 3, "asc", "money"), "")
q("sc", L, "contribution", "which products account for most of the East's Q3 revenue decline vs Q2",
  lambda: RANK(chg_by("sc", "won_revenue", "product", LQ, PQ, {"region": E}), None, "asc", "money"),
  "all five products, most negative first; they sum to East's change")
q("sc", L, "contribution", "split Q3's shortfall vs target by region", lambda: BRK(by("sc", "gap", "region", LQ), "money", "asc"), "")
# decompose
q("sc", L, "decompose", "company revenue fell in Q3 vs Q2 - fewer deals or smaller deals?", lambda: DEC("sc", LQ, PQ),
  "two-factor Shapley (won deals × avg deal size); alt_parts = 3-factor")
q("sc", L, "decompose", "South won revenue q3 vs q2: break it into closed deals, win rate and deal size",
  lambda: DEC("sc", LQ, PQ, {"region": S}, three=True), "")
# why
q("sc", L, "why", "why did the North miss its Q3 target?",
  lambda: DEC("sc", LQ, PQ, {"region": N}, three=True, facts=facts(
      gap=(sc("gap", LQ, {"region": N}), "money"),
      avg_deal_size_2026Q3=(sc("avg_deal_size", LQ, {"region": N}), "money"),
      avg_deal_size_2026Q2=(sc("avg_deal_size", PQ, {"region": N}), "money"),
      servicebot_share_of_won_deals_2026Q3=(share("sc", "won_deals", LQ, {"product": "ServiceBot"}, {"region": N}), "ratio"),
      servicebot_share_of_won_deals_2026Q2=(share("sc", "won_deals", PQ, {"product": "ServiceBot"}, {"region": N}), "ratio"))),
  "good answer: gap to target; smaller deals (mix shift to the 45k ServiceBot starter package) is the main driver")
q("sc", L, "why", "why did East's win rate drop in Q3?",
  lambda: CHG(sc("win_rate", LQ, {"region": E}), sc("win_rate", PQ, {"region": E}), "ratio") |
  {"facts": facts(price_or_competitor_share_of_losses_2026Q3=(
      share("sc", "lost_deals", LQ, {"loss_reason": ["价格", "竞品"]}, {"region": E}), "ratio"),
      lost_deals_2026Q3=(sc("lost_deals", LQ, {"region": E}), "count"),
      lost_deals_2026Q2=(sc("lost_deals", PQ, {"region": E}), "count"))},
  "good answer cites the fall and that losses are mostly 价格/竞品 (competitor 云帆 price cut in the notes)")
# team
q("sc", L, "team", "in Zhao Min's team who has the lowest win rate this quarter",
  lambda: RANK(by("sc", "win_rate", "rep", LQ, {"manager": "赵敏"}), 1, "asc", "ratio"), "Zhao Min = 赵敏; 2026Q3")
q("sc", L, "team", "Qian Jin's team: won revnue by rep in Q2", lambda: BRK(by("sc", "won_revenue", "rep", PQ, {"manager": "钱进"}), "money"), "")
q("sc", L, "team", "which manager's team had the best target achievement in Q3",
  lambda: RANK(by("sc", "achievement", "manager", LQ), 1, "desc", "ratio"), "team target = region target")
q("sc", L, "team", "Sun Li team - median sales cycle per rep in Q3",
  lambda: BRK(by("sc", "cycle_median", "rep", LQ, {"manager": "孙立"}), "days"), "")
# funnel
q("sc", L, "funnel", "lead-to-opp conversion for deals created in Q3 vs Q2",
  lambda: CHG(sc("conv_lead_opp", LQ), sc("conv_lead_opp", PQ), "ratio"),
  "Q3's newest leads are still open at export, so its rate is lower")
q("sc", L, "funnel", "open deals by stage right now, amounts", lambda: BRK(by("sc", "open_amount", "stage"), "money"),
  "open deals at export 2026-09-30")
q("sc", L, "funnel", "opp-to-order conversion for deals created in Q4 2025", lambda: V(sc("conv_opp_order", "2025Q4"), "ratio"), "")
# unanswerable
q("sc", L, "unanswerable", "what's our gross margin in Q3", lambda: REF(NO_COST), "")
q("sc", L, "unanswerable", "NPS by region?", lambda: REF("no NPS / survey data"), "")
q("sc", L, "unanswerable", "Q3 revenue for the West region", lambda: REF("no West region; regions are East/South/North (华东/华南/华北)"), "")
q("sc", L, "unanswerable", "won revenue in Q1 2025", lambda: REF("no data before June 2025; first closings 2025-07"), "")
q("sc", L, "unanswerable", "how did DataHub Pro do in Q3",
  lambda: REF("no product 'DataHub Pro' (there is DataHub); asking whether DataHub is meant is also right"), "")
q("sc", L, "unanswerable", "did the rainy weather in shanghai hurt q3 sales", lambda: REF("no weather data"), "")
q("sc", L, "unanswerable", "what's the Q4 2026 target for the East", lambda: REF("targets go up to 2026Q3 only"), "")
q("sc", L, "unanswerable", "how much commission did Zhang Wei earn", lambda: REF("no commission data"), "")
# ambiguous
q("sc", L, "ambiguous", "how's the team doing?",
  lambda: CLAR(["company won revenue vs target in the latest quarter 2026Q3 (achievement)", "company won revenue 2026Q3"],
               [V(sc("achievement", LQ), "ratio"), V(sc("won_revenue", LQ), "money")]),
  "no metric, team or period; asking back (which team/metric/period) is best")
q("sc", L, "ambiguous", "conversion rate for the East in Q3",
  lambda: CLAR(["win rate of deals closed in 2026Q3", "lead→opportunity conversion of deals created in 2026Q3",
                "opportunity→order conversion of deals created in 2026Q3"],
               [V(sc("win_rate", LQ, {"region": E}), "ratio"), V(sc("conv_lead_opp", LQ, {"region": E}), "ratio"),
                V(sc("conv_opp_order", LQ, {"region": E}), "ratio")]), "")
q("sc", L, "ambiguous", "revenue for H2?",
  lambda: CLAR(["2025H2", "2026H2 so far (2026Q3 only)"],
               [V(sc("won_revenue", "2025H2"), "money"), V(sc("won_revenue", "2026H2"), "money")]), "")
q("sc", L, "ambiguous", "who's our best rep in Q3",
  lambda: CLAR(["by won revenue", "by win rate", "by won deals"],
               [RANK(by("sc", "won_revenue", "rep", LQ), 1, "desc", "money"),
                RANK(by("sc", "win_rate", "rep", LQ), 1, "desc", "ratio"),
                RANK(by("sc", "won_deals", "rep", LQ), 1, "desc", "count", "amb best rep deals en")]), "")
q("sc", L, "ambiguous", "how are Sun's numbers this quarter?",
  lambda: CLAR(["manager 孙立 (Sun Li): his team = 华北, won revenue 2026Q3", "rep 孙悦 (Sun Yue): won revenue 2026Q3"],
               [V(sc("won_revenue", LQ, {"manager": "孙立"}), "money"), V(sc("won_revenue", LQ, {"rep": "孙悦"}), "money")]),
  "two people named Sun")

# =============================================================================================== superstore
def ss(m, p=None, w=None): return val("ss", m, p, w)


SS_Y, SS_LY, SS_LQ, SS_PQ = "2019", "2018", "2019Q4", "2019Q3"
CAT, SUB = "Category", "Sub-Category"

L = "zh"
q("ss", L, "value", "2019年总销售额", lambda: V(ss("sales", "2019"), "money"), "README: 733,215.26")
q("ss", L, "value", "去年一共多少个订单", lambda: V(ss("orders", SS_LY), "count"), "去年 = 2018; distinct Order ID")
q("ss", L, "value", "上季度西部区域销售额", lambda: V(ss("sales", SS_PQ, {"Region": "West"}), "money"), "上季度 = 2019Q3")
q("ss", L, "value", "十一月卖了多少钱", lambda: V(ss("sales", "2019-11"), "money"), "十一月 = 2019-11 (latest November)")
q("ss", L, "value", "2017年下半年科技类销售额", lambda: V(ss("sales", "2017H2", {CAT: "Technology"}), "money"), "")
q("ss", L, "value", "今年利润多少", lambda: V(ss("profit", SS_Y), "money"), "今年 = 2019")
q("ss", L, "value", "2019年有多少客户下过单", lambda: V(ss("customers", "2019"), "count"), "distinct Customer ID")
q("ss", L, "value", "加州2018年销售额", lambda: V(ss("sales", "2018", {"State": "California"}), "money"), "")
q("ss", L, "value", "2019年平均每单金额", lambda: V(ss("aov", "2019"), "money"), "sales / distinct orders")
q("ss", L, "value", "Phones今年卖了多少件", lambda: V(ss("quantity", SS_Y, {SUB: "Phones"}), "count"), "sum of Quantity, 2019")
q("ss", L, "value", "2019年标准级(Standard Class)订单平均几天发货", lambda: V(ss("ship_days", "2019", {"Ship Mode": "Standard Class"}), "days"),
  "mean of Ship Date − Order Date over distinct orders")
# compare
q("ss", L, "compare", "今年四季度vs三季度销售额", lambda: CHG(ss("sales", SS_LQ), ss("sales", SS_PQ), "money"), "2019Q4 vs 2019Q3")
q("ss", L, "compare", "家俱今年比去年销售额多了多少", lambda: CHG(ss("sales", SS_Y, {CAT: "Furniture"}), ss("sales", SS_LY, {CAT: "Furniture"}), "money"), "")
q("ss", L, "compare", "2019年利润率比2018年高还是低", lambda: CHG(ss("margin", "2019"), ss("margin", "2018"), "ratio"), "profit / sales")
q("ss", L, "compare", "东部区2019年下半年比上半年销售额", lambda: CHG(ss("sales", "2019H2", {"Region": "East"}), ss("sales", "2019H1", {"Region": "East"}), "money"), "")
q("ss", L, "compare", "12月销售额同比", lambda: CHG(ss("sales", "2019-12"), ss("sales", "2018-12"), "money"), "2019-12 vs 2018-12")
# rank
q("ss", L, "rank", "2019年销售额前五的州", lambda: RANK(by("ss", "sales", "State", "2019"), 5, "desc", "money"), "")
q("ss", L, "rank", "今年销售额最高的三个子类", lambda: RANK(by("ss", "sales", SUB, SS_Y), 3, "desc", "money"), "Sub-Category")
q("ss", L, "rank", "利润最高的客户是谁（所有年份）", lambda: RANK(by("ss", "profit", "Customer Name", None), 1, "desc", "money"), "")
q("ss", L, "rank", "2018年销售额最高的产品", lambda: RANK(by("ss", "sales", "Product Name", "2018"), 1, "desc", "money"), "by Product Name")
q("ss", L, "rank", "纽约市哪个子类卖得最多（销售额，所有年份）", lambda: RANK(by("ss", "sales", SUB, None, {"City": "New York City"}), 1, "desc", "money"), "")
q("ss", L, "rank", "2019年订单数最多的三个城市", lambda: RANK(by("ss", "orders", "City", "2019"), 3, "desc", "count", "ss city orders"), "")
# bottom
q("ss", L, "bottom", "今年利润最低的五个子类", lambda: RANK(by("ss", "profit", SUB, SS_Y), 5, "asc", "money"), "2019")
q("ss", L, "bottom", "2019年哪个区域销售额最低", lambda: RANK(by("ss", "sales", "Region", "2019"), 1, "asc", "money"), "")
q("ss", L, "bottom", "亏钱最多的州（所有年份）", lambda: RANK(by("ss", "profit", "State", None), 1, "asc", "money"), "")
q("ss", L, "bottom", "2019年利润率最低的区域", lambda: RANK(by("ss", "margin", "Region", "2019"), 1, "asc", "ratio"), "")
# rank_change
q("ss", L, "rank_change", "2019年比2018年销售额下降最多的子类", lambda: RANK(chg_by("ss", "sales", SUB, "2019", "2018"), 1, "asc", "money"), "")
q("ss", L, "rank_change", "哪个州今年销售额比去年涨得最多", lambda: RANK(chg_by("ss", "sales", "State", SS_Y, SS_LY), 1, "desc", "money"), "")
q("ss", L, "rank_change", "今年四季度比三季度增长最多的区域", lambda: RANK(chg_by("ss", "sales", "Region", SS_LQ, SS_PQ), 1, "desc", "money"), "")
# share
q("ss", L, "share", "今年科技类占总销售额多少", lambda: V(share("ss", "sales", SS_Y, {CAT: "Technology"}), "ratio"), "")
q("ss", L, "share", "企业客户（Corporate）占2019年销售额的比例", lambda: V(share("ss", "sales", "2019", {"Segment": "Corporate"}), "ratio"), "")
q("ss", L, "share", "2019年标准级运输的订单占比", lambda: V(share("ss", "orders", "2019", {"Ship Mode": "Standard Class"}), "ratio"),
  "share of distinct orders (each order has one ship mode)")
q("ss", L, "share", "加州占全部销售额多少（所有年份）", lambda: V(share("ss", "sales", None, {"State": "California"}), "ratio"), "")
q("ss", L, "share", "2019年四季度销售额占全年的比例", lambda: V(div(ss("sales", SS_LQ), ss("sales", SS_Y)), "ratio"), "")
# breakdown
q("ss", L, "breakdown", "按运输方式看2019年销售额", lambda: BRK(by("ss", "sales", "Ship Mode", "2019"), "money"), "")
q("ss", L, "breakdown", "按客户细分看今年订单数", lambda: BRK(by("ss", "orders", "Segment", SS_Y), "count"), "")
q("ss", L, "breakdown", "各区域18年利润", lambda: BRK(by("ss", "profit", "Region", "2018"), "money"), "")
q("ss", L, "breakdown", "各品类利润率（所有年份）", lambda: BRK(by("ss", "margin", CAT, None), "ratio"), "")
q("ss", L, "breakdown", "2019年各运输方式平均发货天数", lambda: BRK(by("ss", "ship_days", "Ship Mode", "2019"), "days"), "per distinct order")
# trend
q("ss", L, "trend", "2019年每个月销售额", lambda: SER("ss", "sales", months("2019-01", "2019-12")), "")
q("ss", L, "trend", "每年订单数", lambda: SER("ss", "orders", years(2016, 2019), None, "count"), "")
q("ss", L, "trend", "家具类2018到2019每个季度的销售额", lambda: SER("ss", "sales", quarters("2018Q1", "2019Q4"), {CAT: "Furniture"}), "")
q("ss", L, "trend", "科技类每年利润", lambda: SER("ss", "profit", years(2016, 2019), {CAT: "Technology"}), "")
# contribution
q("ss", L, "contribution", "2019年销售额比2018年涨了，各区域分别贡献多少", lambda: BRK(chg_by("ss", "sales", "Region", "2019", "2018"), "money"), "")
q("ss", L, "contribution", "今年利润增长主要来自哪个品类", lambda: RANK(chg_by("ss", "profit", CAT, SS_Y, SS_LY), 1, "desc", "money"), "2019 − 2018")
# decompose
q("ss", L, "decompose", "2017年销售额比2016年低，是订单少了还是客单价低了？", lambda: DEC("ss", "2017", "2016"),
  "orders × avg order value, Shapley (midpoint) split")
q("ss", L, "decompose", "西部2019年比2018年的增长，是订单多了还是单子大了", lambda: DEC("ss", "2019", "2018", {"Region": "West"}),
  "West orders = distinct orders of the West")
# why
q("ss", L, "why", "为什么家具类利润率这么低？",
  lambda: BRK(by("ss", "profit", SUB, None, {CAT: "Furniture"}), "money") | {"facts": facts(
      furniture_margin=(ss("margin", None, {CAT: "Furniture"}), "ratio"),
      tables_avg_discount=(ss("discount_avg", None, {SUB: "Tables"}), "ratio"),
      bookcases_avg_discount=(ss("discount_avg", None, {SUB: "Bookcases"}), "ratio"),
      all_lines_avg_discount=(ss("discount_avg"), "ratio"))},
  "all years; good answer: Tables and Bookcases lose money (heavy discounts)")
q("ss", L, "why", "为什么中部区2019年利润率比西部低那么多？",
  lambda: BRK(by("ss", "margin", "Region", "2019"), "ratio") | {"facts": facts(
      central_avg_discount=(ss("discount_avg", "2019", {"Region": "Central"}), "ratio"),
      west_avg_discount=(ss("discount_avg", "2019", {"Region": "West"}), "ratio"))},
  "good answer: higher discounts in Central (line-average discount)")
# unanswerable
q("ss", L, "unanswerable", "2019年加拿大的销售额", lambda: REF("Country is United States only"), "")
q("ss", L, "unanswerable", "2020年一季度销售额", lambda: REF("orders end 2019-12-30"), "")
q("ss", L, "unanswerable", "客户满意度最高的区域", lambda: REF("no satisfaction data"), "")
q("ss", L, "unanswerable", "哪个销售员业绩最好", lambda: REF("no sales rep column in the order lines"), "")
q("ss", L, "unanswerable", "今年的销售目标完成率", lambda: REF("no targets for this data set"), "")
q("ss", L, "unanswerable", "天气对销售有影响吗", lambda: REF("no weather data"), "")
q("ss", L, "unanswerable", "退货率多少", lambda: REF("no returns column / returns table in this file"), "")
q("ss", L, "unanswerable", "佳能 imageCLASS 2220 复印机卖了多少",
  lambda: REF("no such product; the closest is 'Canon imageCLASS 2200 Advanced Copier' — asking whether that is meant is also right"), "")
# ambiguous
q("ss", L, "ambiguous", "去年卖得最好的产品",
  lambda: CLAR(["Product Name by sales 2018", "Sub-Category by sales 2018", "Category by sales 2018", "Product Name by quantity 2018"],
               [RANK(by("ss", "sales", "Product Name", "2018"), 1, "desc", "money"),
                RANK(by("ss", "sales", SUB, "2018"), 1, "desc", "money"),
                RANK(by("ss", "sales", CAT, "2018"), 1, "desc", "money"),
                RANK(by("ss", "quantity", "Product Name", "2018"), 1, "desc", "count", "ss prod qty 2018")]), "去年 = 2018")
q("ss", L, "ambiguous", "2019年增长率多少",
  lambda: CLAR(["sales growth 2019 vs 2018", "order growth 2019 vs 2018", "profit growth 2019 vs 2018"],
               [V(div(ss("sales", "2019") - ss("sales", "2018"), ss("sales", "2018")), "ratio"),
                V(div(ss("orders", "2019") - ss("orders", "2018"), ss("orders", "2018")), "ratio"),
                V(div(ss("profit", "2019") - ss("profit", "2018"), ss("profit", "2018")), "ratio")]), "")
q("ss", L, "ambiguous", "2019年纽约的销售额",
  lambda: CLAR(["City = New York City", "State = New York"],
               [V(ss("sales", "2019", {"City": "New York City"}), "money"), V(ss("sales", "2019", {"State": "New York"}), "money")]), "")
q("ss", L, "ambiguous", "华盛顿一共多少订单",
  lambda: CLAR(["State = Washington", "City = Washington (District of Columbia)"],
               [V(ss("orders", None, {"State": "Washington"}), "count"), V(ss("orders", None, {"City": "Washington"}), "count")]),
  "all years")
q("ss", L, "ambiguous", "2019年客单价最高的是哪个细分市场",
  lambda: CLAR(["per order (sales / orders)", "per customer (sales / customers)"],
               [RANK(by("ss", "aov", "Segment", "2019"), 1, "desc", "money"),
                RANK(by("ss", "sales_per_customer", "Segment", "2019"), 1, "desc", "money")]), "客单价 per order or per customer")
q("ss", L, "ambiguous", "2019年平均折扣是多少",
  lambda: CLAR(["simple mean of Discount over lines", "sales-weighted mean of Discount"],
               [V(ss("discount_avg", "2019"), "ratio"), V(ss("discount_wavg", "2019"), "ratio")]), "")

L = "en"
q("ss", L, "value", "total slaes 2016", lambda: V(ss("sales", "2016"), "money"), "README: 484,247.50")
q("ss", L, "value", "how many orders in Q4 last year", lambda: V(ss("orders", "2018Q4"), "count"), "last year = 2018")
q("ss", L, "value", "central region profit 2019", lambda: V(ss("profit", "2019", {"Region": "Central"}), "money"), "")
q("ss", L, "value", "phones sales in november", lambda: V(ss("sales", "2019-11", {SUB: "Phones"}), "money"), "November = 2019-11")
q("ss", L, "value", "avg discount on Tables in 2019 (simple average per line)", lambda: V(ss("discount_avg", "2019", {SUB: "Tables"}), "ratio"), "")
q("ss", L, "value", "units of binders sold in 2018", lambda: V(ss("quantity", "2018", {SUB: "Binders"}), "count"), "")
q("ss", L, "value", "how many customers bought something in the second half of 2017", lambda: V(ss("customers", "2017H2"), "count"), "")
q("ss", L, "value", "NYC sales last quarter", lambda: V(ss("sales", SS_PQ, {"City": "New York City"}), "money"), "last quarter = 2019Q3")
q("ss", L, "value", "avg days to ship for Standard Class orders in 2019", lambda: V(ss("ship_days", "2019", {"Ship Mode": "Standard Class"}), "days"),
  "per distinct order")
q("ss", L, "value", "total profit, all years", lambda: V(ss("profit"), "money"), "README: 286,397.0217")
q("ss", L, "value", "sales per customer in 2019", lambda: V(ss("sales_per_customer", "2019"), "money"), "sales / distinct customers")
# compare
q("ss", L, "compare", "Q4 vs Q3 sales this year", lambda: CHG(ss("sales", SS_LQ), ss("sales", SS_PQ), "money"), "2019")
q("ss", L, "compare", "office supplies profit 2019 vs 2018", lambda: CHG(ss("profit", "2019", {CAT: "Office Supplies"}), ss("profit", "2018", {CAT: "Office Supplies"}), "money"), "")
q("ss", L, "compare", "consumer segment order count this year vs last year", lambda: CHG(ss("orders", SS_Y, {"Segment": "Consumer"}), ss("orders", SS_LY, {"Segment": "Consumer"}), "count"), "")
q("ss", L, "compare", "dec 2019 vs dec 2018 sales", lambda: CHG(ss("sales", "2019-12"), ss("sales", "2018-12"), "money"), "")
q("ss", L, "compare", "Texas profit this year vs last", lambda: CHG(ss("profit", SS_Y, {"State": "Texas"}), ss("profit", SS_LY, {"State": "Texas"}), "money"), "")
# rank
q("ss", L, "rank", "top 3 sub-cats by profit 2019", lambda: RANK(by("ss", "profit", SUB, "2019"), 3, "desc", "money"), "")
q("ss", L, "rank", "top 5 citys by sales all time", lambda: RANK(by("ss", "sales", "City", None), 5, "desc", "money"),
  "City name as written (cities sharing a name across states are one group)")
q("ss", L, "rank", "top customer by sales 2019", lambda: RANK(by("ss", "sales", "Customer Name", "2019"), 1, "desc", "money"), "")
q("ss", L, "rank", "best selling product by units, all time", lambda: RANK(by("ss", "quantity", "Product Name", None), 1, "desc", "count"), "by Product Name")
q("ss", L, "rank", "top 3 states by number of orders in 2019", lambda: RANK(by("ss", "orders", "State", "2019"), 3, "desc", "count", "ss state orders"), "")
q("ss", L, "rank", "which month of 2018 had the highest sales", lambda: RANK(pd.Series({m: ss("sales", m) for m in months("2018-01", "2018-12")}), 1, "desc", "money"), "")
# bottom
q("ss", L, "bottom", "3 worst states by profit in 2019", lambda: RANK(by("ss", "profit", "State", "2019"), 3, "asc", "money"), "")
q("ss", L, "bottom", "lowest selling sub-category in 2018", lambda: RANK(by("ss", "sales", SUB, "2018"), 1, "asc", "money"), "")
q("ss", L, "bottom", "which ship mode had the fewest orders in 2019", lambda: RANK(by("ss", "orders", "Ship Mode", "2019"), 1, "asc", "count"), "")
q("ss", L, "bottom", "which segment made the least profit in 2018", lambda: RANK(by("ss", "profit", "Segment", "2018"), 1, "asc", "money"), "")
# rank_change
q("ss", L, "rank_change", "biggest sales drop by sub-category 2017 vs 2016", lambda: RANK(chg_by("ss", "sales", SUB, "2017", "2016"), 1, "asc", "money"), "")
q("ss", L, "rank_change", "which region grew the most in sales 2019 vs 2018", lambda: RANK(chg_by("ss", "sales", "Region", "2019", "2018"), 1, "desc", "money"), "absolute change")
q("ss", L, "rank_change", "which segment's profit fell the most Q4 vs Q3 2019", lambda: RANK(chg_by("ss", "profit", "Segment", "2019Q4", "2019Q3"), 1, "asc", "money"), "")
# share
q("ss", L, "share", "% of 2019 sales from the West", lambda: V(share("ss", "sales", "2019", {"Region": "West"}), "ratio"), "")
q("ss", L, "share", "share of 2019 profit from technology", lambda: V(share("ss", "profit", "2019", {CAT: "Technology"}), "ratio"), "")
q("ss", L, "share", "share of 2018 orders shipped first class", lambda: V(share("ss", "orders", "2018", {"Ship Mode": "First Class"}), "ratio"), "")
q("ss", L, "share", "what share of Q4 2019 sales was in december", lambda: V(div(ss("sales", "2019-12"), ss("sales", "2019Q4")), "ratio"), "")
# breakdown
q("ss", L, "breakdown", "sales by segment 2019", lambda: BRK(by("ss", "sales", "Segment", "2019"), "money"), "")
q("ss", L, "breakdown", "proft by sub-category 2019", lambda: BRK(by("ss", "profit", SUB, "2019"), "money"), "all 17")
q("ss", L, "breakdown", "orders by region 2019", lambda: BRK(by("ss", "orders", "Region", "2019"), "count"), "")
q("ss", L, "breakdown", "avg discount by region all years (simple avg of the line discounts)", lambda: BRK(by("ss", "discount_avg", "Region", None), "ratio"), "")
q("ss", L, "breakdown", "sales by ship mode Q4 2019", lambda: BRK(by("ss", "sales", "Ship Mode", "2019Q4"), "money"), "")
# trend
q("ss", L, "trend", "quarterly sales 2018-2019", lambda: SER("ss", "sales", quarters("2018Q1", "2019Q4")), "")
q("ss", L, "trend", "monthly profit 2019", lambda: SER("ss", "profit", months("2019-01", "2019-12")), "")
q("ss", L, "trend", "yearly sales for technology", lambda: SER("ss", "sales", years(2016, 2019), {CAT: "Technology"}), "")
q("ss", L, "trend", "home office sales by year", lambda: SER("ss", "sales", years(2016, 2019), {"Segment": "Home Office"}), "")
# contribution
q("ss", L, "contribution", "which sub-categories drove the 2019 sales growth vs 2018? top 3",
  lambda: RANK(chg_by("ss", "sales", SUB, "2019", "2018"), 3, "desc", "money"), "")
q("ss", L, "contribution", "which states contributed most to the profit change 2019 vs 2018 (top 3)",
  lambda: RANK(chg_by("ss", "profit", "State", "2019", "2018"), 3, "desc", "money"), "profit rose; biggest positive contributors")
# decompose
q("ss", L, "decompose", "2019 vs 2018 sales growth: more orders or bigger orders?", lambda: DEC("ss", "2019", "2018"), "")
q("ss", L, "decompose", "furniture Q4 vs Q3 2019 - more orders or bigger orders?", lambda: DEC("ss", "2019Q4", "2019Q3", {CAT: "Furniture"}),
  "orders = distinct orders containing Furniture lines; order size = Furniture sales / those orders")
# why
q("ss", L, "why", "why is furniture margin so low?",
  lambda: BRK(by("ss", "profit", SUB, None, {CAT: "Furniture"}), "money") | {"facts": facts(
      furniture_margin=(ss("margin", None, {CAT: "Furniture"}), "ratio"),
      tables_avg_discount=(ss("discount_avg", None, {SUB: "Tables"}), "ratio"),
      all_lines_avg_discount=(ss("discount_avg"), "ratio"))}, "all years; Tables and Bookcases lose money")
q("ss", L, "why", "why is Texas losing money?",
  lambda: BRK(by("ss", "profit", CAT, None, {"State": "Texas"}), "money") | {"facts": facts(
      texas_profit=(ss("profit", None, {"State": "Texas"}), "money"),
      texas_avg_discount=(ss("discount_avg", None, {"State": "Texas"}), "ratio"),
      all_lines_avg_discount=(ss("discount_avg"), "ratio"))}, "all years; good answer: high discounts, Office Supplies and Furniture lose money")
# unanswerable
q("ss", L, "unanswerable", "sales in Germany 2019", lambda: REF("Country is United States only"), "")
q("ss", L, "unanswerable", "2015 sales?", lambda: REF("orders start 2016-01-03"), "")
q("ss", L, "unanswerable", "return rate by region", lambda: REF("no returns data in this file"), "")
q("ss", L, "unanswerable", "which sales rep had the best quota attainment", lambda: REF("no reps and no quotas/targets"), "")
q("ss", L, "unanswerable", "customer satisfaction by segment", lambda: REF("no satisfaction data"), "")
q("ss", L, "unanswerable", "how many Apple iPhone 6 did we sell",
  lambda: REF("no iPhone 6 in the data (there is 'Apple iPhone 5S') — asking whether that is meant is also right"), "")
q("ss", L, "unanswerable", "how did weather affect Q4 sales", lambda: REF("no weather data"), "")
q("ss", L, "unanswerable", "marketing ROI by region 2019", lambda: REF("no marketing spend data"), "")
# ambiguous
q("ss", L, "ambiguous", "best product last year?",
  lambda: CLAR(["Product Name by sales 2018", "Sub-Category by sales 2018", "Category by sales 2018"],
               [RANK(by("ss", "sales", "Product Name", "2018"), 1, "desc", "money"),
                RANK(by("ss", "sales", SUB, "2018"), 1, "desc", "money"),
                RANK(by("ss", "sales", CAT, "2018"), 1, "desc", "money")]), "")
q("ss", L, "ambiguous", "sales in Washington 2019",
  lambda: CLAR(["State = Washington", "City = Washington (DC)"],
               [V(ss("sales", "2019", {"State": "Washington"}), "money"), V(ss("sales", "2019", {"City": "Washington"}), "money")]), "")
q("ss", L, "ambiguous", "what's our growth?",
  lambda: CLAR(["sales growth 2019 vs 2018", "profit growth 2019 vs 2018", "order growth 2019 vs 2018"],
               [V(div(ss("sales", "2019") - ss("sales", "2018"), ss("sales", "2018")), "ratio"),
                V(div(ss("profit", "2019") - ss("profit", "2018"), ss("profit", "2018")), "ratio"),
                V(div(ss("orders", "2019") - ss("orders", "2018"), ss("orders", "2018")), "ratio")]), "")
q("ss", L, "ambiguous", "avg discount 2019",
  lambda: CLAR(["simple mean over lines", "sales-weighted mean"],
               [V(ss("discount_avg", "2019"), "ratio"), V(ss("discount_wavg", "2019"), "ratio")]), "")
q("ss", L, "ambiguous", "how many customers do we have in the East",
  lambda: CLAR(["all years", "2019 only"],
               [V(ss("customers", None, {"Region": "East"}), "count"), V(ss("customers", "2019", {"Region": "East"}), "count")]), "")
q("ss", L, "ambiguous", "Springfield sales 2019",
  lambda: CLAR(["all four Springfields (MO, OH, OR, VA) together"] + [f"Springfield, {st}" for st in ("Missouri", "Ohio", "Oregon", "Virginia")],
               [V(ss("sales", "2019", {"City": "Springfield"}), "money")] +
               [V(ss("sales", "2019", {"City": "Springfield", "State": st}), "money") for st in ("Missouri", "Ohio", "Oregon", "Virginia")]),
  "four states have a Springfield")

# =============================================================================================== sample sales orders
def so(m, p=None, w=None): return val("so", m, p, w)


SO_Y, SO_LY, SO_LQ, SO_PQ = "2005", "2004", "2005Q2", "2005Q1"
PL = "PRODUCTLINE"
SO_YTD, SO_YTD_LY = "2005-01-01..2005-05-31", "2004-01-01..2004-05-31"

L = "zh"
q("so", L, "value", "2004年四季度销售额", lambda: V(so("sales", "2004Q4"), "money"), "README: 2,014,774.92; all statuses")
q("so", L, "value", "2003年一共多少个订单", lambda: V(so("orders", "2003"), "count"), "distinct ORDERNUMBER")
q("so", L, "value", "经典车今年卖了多少", lambda: V(so("sales", SO_Y, {PL: "Classic Cars"}), "money"), "今年 = 2005 (data Jan–May only)")
q("so", L, "value", "上季度订单数", lambda: V(so("orders", SO_PQ), "count"), "上季度 = 2005Q1 (latest quarter with data is 2005Q2)")
q("so", L, "value", "法国客户2004年销售额", lambda: V(so("sales", "2004", {"COUNTRY": "France"}), "money"), "")
q("so", L, "value", "十一月销售额多少", lambda: V(so("sales", "2004-11"), "money"), "十一月 = 2004-11 (latest November)")
q("so", L, "value", "2004下半年摩托车销售额", lambda: V(so("sales", "2004H2", {PL: "Motorcycles"}), "money"), "")
q("so", L, "value", "被取消的订单金额一共多少", lambda: V(so("sales", None, {"STATUS": "Cancelled"}), "money"), "STATUS = Cancelled, all time")
q("so", L, "value", "04年平均每单金额", lambda: V(so("aov", "2004"), "money"), "sales / distinct orders")
q("so", L, "value", "2003年一共卖了多少件", lambda: V(so("quantity", "2003"), "count"), "sum QUANTITYORDERED")
q("so", L, "value", "2004年有多少个客户下单", lambda: V(so("customers", "2004"), "count"), "distinct CUSTOMERNAME")
# compare
q("so", L, "compare", "2004年Q4比Q3多卖了多少", lambda: CHG(so("sales", "2004Q4"), so("sales", "2004Q3"), "money"), "")
q("so", L, "compare", "今年1-5月和去年同期比销售额", lambda: CHG(so("sales", SO_YTD), so("sales", SO_YTD_LY), "money"), "2005-01..05 vs 2004-01..05")
q("so", L, "compare", "EMEA 2004年对比2003年", lambda: CHG(so("sales", "2004", {"TERRITORY": "EMEA"}), so("sales", "2003", {"TERRITORY": "EMEA"}), "money"), "sales")
q("so", L, "compare", "老爷车(Vintage Cars)今年一季度vs去年一季度",
  lambda: CHG(so("sales", "2005Q1", {PL: "Vintage Cars"}), so("sales", "2004Q1", {PL: "Vintage Cars"}), "money"), "")
q("so", L, "compare", "美国2005年一季度订单数比2004年一季度",
  lambda: CHG(so("orders", "2005Q1", {"COUNTRY": "USA"}), so("orders", "2004Q1", {"COUNTRY": "USA"}), "count"), "")
# rank
q("so", L, "rank", "销售额前五的客户（全部时间）", lambda: RANK(by("so", "sales", "CUSTOMERNAME", None), 5, "desc", "money"), "")
q("so", L, "rank", "2004年销售额最高的国家", lambda: RANK(by("so", "sales", "COUNTRY", "2004"), 1, "desc", "money"), "")
q("so", L, "rank", "2003年数量最多的产品线", lambda: RANK(by("so", "quantity", PL, "2003"), 1, "desc", "count"), "by QUANTITYORDERED")
q("so", L, "rank", "2004年销售额前三的城市", lambda: RANK(by("so", "sales", "CITY", "2004"), 3, "desc", "money"), "")
q("so", L, "rank", "销售额最高的产品编码（全部）", lambda: RANK(by("so", "sales", "PRODUCTCODE", None), 1, "desc", "money"), "")
# bottom
q("so", L, "bottom", "销售额最低的三个产品线（全部）", lambda: RANK(by("so", "sales", PL, None), 3, "asc", "money"), "")
q("so", L, "bottom", "2004年订单数最少的区域(TERRITORY)", lambda: RANK(by("so", "orders", "TERRITORY", "2004"), 1, "asc", "count"), "")
q("so", L, "bottom", "全部时间销售额最少的国家", lambda: RANK(by("so", "sales", "COUNTRY", None), 1, "asc", "money"), "")
# rank_change
q("so", L, "rank_change", "2004比2003增长最多的产品线", lambda: RANK(chg_by("so", "sales", PL, "2004", "2003"), 1, "desc", "money"), "")
q("so", L, "rank_change", "哪个国家2004年比2003年下降最多", lambda: RANK(chg_by("so", "sales", "COUNTRY", "2004", "2003"), 1, "asc", "money"),
  "countries with no sales in a year count as 0 there")
q("so", L, "rank_change", "2003年Q4比Q3增长最多的区域", lambda: RANK(chg_by("so", "sales", "TERRITORY", "2003Q4", "2003Q3"), 1, "desc", "money"), "TERRITORY")
# share
q("so", L, "share", "北美(NA)占总销售额比例", lambda: V(share("so", "sales", None, {"TERRITORY": "NA"}), "ratio"), "README: 3,852,061.39 / 10,032,628.85")
q("so", L, "share", "2004年经典车占销售额比例", lambda: V(share("so", "sales", "2004", {PL: "Classic Cars"}), "ratio"), "")
q("so", L, "share", "已发货(Shipped)的销售额占比（全部）", lambda: V(share("so", "sales", None, {"STATUS": "Shipped"}), "ratio"), "")
q("so", L, "share", "Euro Shopping Channel 占总销售额多少", lambda: V(share("so", "sales", None, {"CUSTOMERNAME": "Euro Shopping Channel"}), "ratio"), "")
# breakdown
q("so", L, "breakdown", "按状态看订单数", lambda: BRK(by("so", "orders", "STATUS", None), "count"), "distinct orders per STATUS (each order has one status)")
q("so", L, "breakdown", "按区域看2004年销售额", lambda: BRK(by("so", "sales", "TERRITORY", "2004"), "money"), "TERRITORY; NA = North America")
q("so", L, "breakdown", "按产品线看2005年销售额", lambda: BRK(by("so", "sales", PL, "2005"), "money"), "2005 = Jan–May")
q("so", L, "breakdown", "美国各州销售额（全部）", lambda: BRK(by("so", "sales", "STATE", None, {"COUNTRY": "USA"}), "money"), "")
# trend
q("so", L, "trend", "2004年每月销售额", lambda: SER("so", "sales", months("2004-01", "2004-12")), "")
q("so", L, "trend", "每个季度订单数", lambda: SER("so", "orders", quarters("2003Q1", "2005Q2"), None, "count"), "2005Q2 = April–May only")
q("so", L, "trend", "火车每年销售额", lambda: SER("so", "sales", years(2003, 2005), {PL: "Trains"}), "2005 partial")
# contribution
q("so", L, "contribution", "2004年比2003年的增长，各产品线分别贡献多少", lambda: BRK(chg_by("so", "sales", PL, "2004", "2003"), "money"), "")
q("so", L, "contribution", "2004年四季度比三季度的增长主要来自哪些国家（前三）",
  lambda: RANK(chg_by("so", "sales", "COUNTRY", "2004Q4", "2004Q3"), 3, "desc", "money"), "")
# decompose
q("so", L, "decompose", "2004年比2003年增长，是订单多了还是单子大了", lambda: DEC("so", "2004", "2003"), "orders × avg order value")
q("so", L, "decompose", "2005年一季度比2004年一季度，是订单多了还是客单价高了", lambda: DEC("so", "2005Q1", "2004Q1"), "")
# why
q("so", L, "why", "为什么2004年11月销售额比10月高这么多", lambda: DEC("so", "2004-11", "2004-10"),
  "good answer: many more orders (seasonal peak), not bigger orders")
q("so", L, "why", "为什么今年二季度看起来比一季度差这么多",
  lambda: CHG(so("sales", SO_LQ), so("sales", SO_PQ), "money") | {"facts": facts(
      months_with_data_2005Q2=(SO.loc[inp(SO["od"], SO_LQ), "od"].dt.month.nunique(), "count"),
      monthly_avg_2005Q2=(so("sales", SO_LQ) / 2, "money"), monthly_avg_2005Q1=(so("sales", SO_PQ) / 3, "money"))
      | {"last_order_date": str(SO["od"].max().date())}},
  "good answer: the data end 2005-05-31, so 2005Q2 has only April–May; per month it is not worse")
q("so", L, "value", "2004年加拿大有多少个订单", lambda: V(so("orders", "2004", {"COUNTRY": "Canada"}), "count"), "")
q("so", L, "breakdown", "按国家看今年的销售额", lambda: BRK(by("so", "sales", "COUNTRY", SO_Y), "money"), "今年 = 2005 (Jan–May)")
q("so", L, "trend", "经典车2004年每个季度销售额", lambda: SER("so", "sales", quarters("2004Q1", "2004Q4"), {PL: "Classic Cars"}), "")
q("so", L, "share", "今年西班牙占销售额多少", lambda: V(share("so", "sales", SO_Y, {"COUNTRY": "Spain"}), "ratio"), "2005 Jan–May")
q("so", L, "rank", "2004年买得最多的三个客户（按数量）", lambda: RANK(by("so", "quantity", "CUSTOMERNAME", "2004"), 3, "desc", "count", "so cust qty 2004"),
  "by QUANTITYORDERED")
# unanswerable
q("so", L, "unanswerable", "哪个销售代表业绩最好", lambda: REF("no sales rep column"), "")
q("so", L, "unanswerable", "2005年下半年销售额", lambda: REF("data end 2005-05-31"), "")
q("so", L, "unanswerable", "中国市场的销售额", lambda: REF("no China in COUNTRY"), "")
q("so", L, "unanswerable", "2004年利润多少", lambda: REF("no cost column (MSRP is a list price, not a cost)"), "")
q("so", L, "unanswerable", "客户满意度怎么样", lambda: REF("no satisfaction data"), "")
q("so", L, "unanswerable", "产品S10_1679卖了多少",
  lambda: REF("no product code S10_1679 (there is S10_1678) — asking whether S10_1678 is meant is also right"), "")
q("so", L, "unanswerable", "大单(Large)一共卖了多少",
  lambda: REF("this file has no DEALSIZE column; a deal-size band needs a threshold — asking for one is also right"), "")
q("so", L, "unanswerable", "运费占销售额多少", lambda: REF("no freight/shipping cost data"), "")
# ambiguous
q("so", L, "ambiguous", "2004年收入多少",
  lambda: CLAR(["all order lines, every status", "Shipped only", "excluding Cancelled"],
               [V(so("sales", "2004"), "money"), V(so("sales", "2004", {"STATUS": "Shipped"}), "money"),
                V(so("sales", "2004", {"STATUS": [s for s in SO["STATUS"].unique() if s != "Cancelled"]}), "money")]),
  "default convention = all statuses; stating the choice is enough")
q("so", L, "ambiguous", "平均单价多少",
  lambda: CLAR(["mean of PRICEEACH over lines", "SALES ÷ QUANTITYORDERED"],
               [V(so("price_mean"), "money"), V(so("price_sales_per_unit"), "money")]),
  "PRICEEACH is capped at 100 in this file, so SALES ≠ quantity × PRICEEACH on 1,304 lines")
q("so", L, "ambiguous", "日本的销售额（全部）",
  lambda: CLAR(["COUNTRY = Japan", "TERRITORY = Japan (Japan, Singapore, Philippines)"],
               [V(so("sales", None, {"COUNTRY": "Japan"}), "money"), V(so("sales", None, {"TERRITORY": "Japan"}), "money")]), "")
q("so", L, "ambiguous", "2004年每个客户平均买了多少",
  lambda: CLAR(["sales per customer", "units per customer", "orders per customer"],
               [V(so("sales_per_customer", "2004"), "money"), V(so("qty_per_customer", "2004"), "number"),
                V(so("orders_per_customer", "2004"), "number")]), "averages given with 2 dp")
q("so", L, "ambiguous", "二季度销售额",
  lambda: CLAR(["2005Q2 (latest Q2, April–May only)", "2004Q2 (latest complete Q2)"],
               [V(so("sales", "2005Q2"), "money"), V(so("sales", "2004Q2"), "money")]), "")
q("so", L, "ambiguous", "最畅销的产品是哪个",
  lambda: CLAR(["PRODUCTLINE by sales", "PRODUCTCODE by sales", "PRODUCTCODE by quantity"],
               [RANK(by("so", "sales", PL), 1, "desc", "money"), RANK(by("so", "sales", "PRODUCTCODE"), 1, "desc", "money"),
                RANK(by("so", "quantity", "PRODUCTCODE"), 1, "desc", "count", "so code qty")]), "all time")

L = "en"
q("so", L, "value", "total sales 2003?", lambda: V(so("sales", "2003"), "money"), "README: 3,516,979.54")
q("so", L, "value", "how many orders last quarter", lambda: V(so("orders", SO_PQ), "count"), "last quarter = 2005Q1")
q("so", L, "value", "planes revenu 2004", lambda: V(so("sales", "2004", {PL: "Planes"}), "money"), "")
q("so", L, "value", "sales to Spain this year", lambda: V(so("sales", SO_Y, {"COUNTRY": "Spain"}), "money"), "this year = 2005 (Jan–May)")
q("so", L, "value", "avg order value in 2003", lambda: V(so("aov", "2003"), "money"), "sales / distinct orders")
q("so", L, "value", "how many units did Australia order in 2004", lambda: V(so("quantity", "2004", {"COUNTRY": "Australia"}), "count"),
  "sum QUANTITYORDERED over all 2004 lines for Australia, every status")
q("so", L, "value", "sales in november", lambda: V(so("sales", "2004-11"), "money"), "November = 2004-11 (latest November)")
q("so", L, "value", "how much is on hold right now (sales value)", lambda: V(so("sales", None, {"STATUS": "On Hold"}), "money"),
  "STATUS = On Hold, all lines")
q("so", L, "value", "number of distinct customers overall", lambda: V(so("customers"), "count"), "README: 92")
q("so", L, "value", "sales in the second half of 2003", lambda: V(so("sales", "2003H2"), "money"), "")
q("so", L, "value", "how many order lines were disputed", lambda: V(so("lines", None, {"STATUS": "Disputed"}), "count"), "README: 14")
# compare
q("so", L, "compare", "Q1 2005 vs Q1 2004 sales", lambda: CHG(so("sales", "2005Q1"), so("sales", "2004Q1"), "money"), "")
q("so", L, "compare", "classic cars 2004 vs 2003", lambda: CHG(so("sales", "2004", {PL: "Classic Cars"}), so("sales", "2003", {PL: "Classic Cars"}), "money"), "")
q("so", L, "compare", "orders this year vs same period last year", lambda: CHG(so("orders", SO_YTD), so("orders", SO_YTD_LY), "count"),
  "this year = 2005 Jan–May vs 2004 Jan–May")
q("so", L, "compare", "Japan territory Q4 2004 vs Q4 2003", lambda: CHG(so("sales", "2004Q4", {"TERRITORY": "Japan"}), so("sales", "2003Q4", {"TERRITORY": "Japan"}), "money"),
  "TERRITORY = Japan")
q("so", L, "compare", "avg order value 2004 vs 2003", lambda: CHG(so("aov", "2004"), so("aov", "2003"), "money"), "")
# rank
q("so", L, "rank", "top 3 product lines by sales in 2004", lambda: RANK(by("so", "sales", PL, "2004"), 3, "desc", "money"), "")
q("so", L, "rank", "top 5 countries by sales all time", lambda: RANK(by("so", "sales", "COUNTRY", None), 5, "desc", "money"), "")
q("so", L, "rank", "biggest customer in 2003", lambda: RANK(by("so", "sales", "CUSTOMERNAME", "2003"), 1, "desc", "money"), "by sales")
q("so", L, "rank", "which city had the most orders in 2004", lambda: RANK(by("so", "orders", "CITY", "2004"), 1, "desc", "count", "so city orders"), "")
q("so", L, "rank", "top 2 customers by number of orders all time", lambda: RANK(by("so", "orders", "CUSTOMERNAME", None), 2, "desc", "count", "so cust orders"), "")
# bottom
q("so", L, "bottom", "which product line sold the least in 2005", lambda: RANK(by("so", "sales", PL, "2005"), 1, "asc", "money"), "2005 Jan–May")
q("so", L, "bottom", "bottom 3 contries by sales in 2004", lambda: RANK(by("so", "sales", "COUNTRY", "2004"), 3, "asc", "money"), "countries with 2004 sales")
q("so", L, "bottom", "smallest territory by sales in 2003", lambda: RANK(by("so", "sales", "TERRITORY", "2003"), 1, "asc", "money"), "")
# rank_change
q("so", L, "rank_change", "which product line grew most Q4 2004 vs Q4 2003", lambda: RANK(chg_by("so", "sales", PL, "2004Q4", "2003Q4"), 1, "desc", "money"), "")
q("so", L, "rank_change", "biggest drop by country, Q1 2005 vs Q1 2004", lambda: RANK(chg_by("so", "sales", "COUNTRY", "2005Q1", "2004Q1"), 1, "asc", "money"),
  "countries absent in a quarter count 0")
q("so", L, "rank_change", "which territory grew the most 2004 vs 2003", lambda: RANK(chg_by("so", "sales", "TERRITORY", "2004", "2003"), 1, "desc", "money"), "")
# share
q("so", L, "share", "what % of total sales is Classic Cars", lambda: V(share("so", "sales", None, {PL: "Classic Cars"}), "ratio"), "all time")
q("so", L, "share", "share of 2004 sales from the USA", lambda: V(share("so", "sales", "2004", {"COUNTRY": "USA"}), "ratio"), "")
q("so", L, "share", "what fraction of orders were cancelled", lambda: V(share("so", "orders", None, {"STATUS": "Cancelled"}), "ratio"), "distinct orders, all time")
q("so", L, "share", "share of 2004 sales in Q4", lambda: V(div(so("sales", "2004Q4"), so("sales", "2004")), "ratio"), "")
# breakdown
q("so", L, "breakdown", "sales by product line, all time", lambda: BRK(by("so", "sales", PL, None), "money"), "")
q("so", L, "breakdown", "2004 orders by territory", lambda: BRK(by("so", "orders", "TERRITORY", "2004"), "count"), "")
q("so", L, "breakdown", "sales by status", lambda: BRK(by("so", "sales", "STATUS", None), "money"), "all time")
q("so", L, "breakdown", "EMEA sales by country 2004", lambda: BRK(by("so", "sales", "COUNTRY", "2004", {"TERRITORY": "EMEA"}), "money"), "")
# trend
q("so", L, "trend", "monthly sales for 2005 so far", lambda: SER("so", "sales", months("2005-01", "2005-05")), "")
q("so", L, "trend", "quarterly sales 2003", lambda: SER("so", "sales", quarters("2003Q1", "2003Q4")), "")
q("so", L, "trend", "motorcycles sales by quarter 2004", lambda: SER("so", "sales", quarters("2004Q1", "2004Q4"), {PL: "Motorcycles"}), "")
# contribution
q("so", L, "contribution", "which product lines drove the growth from 2003 to 2004? top 3", lambda: RANK(chg_by("so", "sales", PL, "2004", "2003"), 3, "desc", "money"), "")
q("so", L, "contribution", "split the Q4 2004 vs Q3 2004 increase by territory", lambda: BRK(chg_by("so", "sales", "TERRITORY", "2004Q4", "2004Q3"), "money"), "")
# decompose
q("so", L, "decompose", "Q4 2004 vs Q4 2003: more orders or bigger orders?", lambda: DEC("so", "2004Q4", "2003Q4"), "")
q("so", L, "decompose", "sales 2004 vs 2003 in EMEA: more orders or larger orders?", lambda: DEC("so", "2004", "2003", {"TERRITORY": "EMEA"}), "")
# why
q("so", L, "why", "why is Q4 always our biggest quarter?",
  lambda: SER("so", "sales", quarters("2003Q1", "2004Q4")) | {"facts": facts(
      orders_2004Q4=(so("orders", "2004Q4"), "count"), orders_2004Q3=(so("orders", "2004Q3"), "count"),
      aov_2004Q4=(so("aov", "2004Q4"), "money"), aov_2004Q3=(so("aov", "2004Q3"), "money"),
      november_share_of_2004Q4=(div(so("sales", "2004-11"), so("sales", "2004Q4")), "ratio"))},
  "good answer: Q4 peaks driven by order count, especially November; order size is similar")
q("so", L, "why", "why did sales drop in Dec 2004 vs Nov 2004", lambda: DEC("so", "2004-12", "2004-11"), "fewer orders after the November peak")
q("so", L, "value", "how many customers ordered in 2005", lambda: V(so("customers", "2005"), "count"), "Jan–May 2005")
q("so", L, "share", "what share of 2003 sales came from EMEA", lambda: V(share("so", "sales", "2003", {"TERRITORY": "EMEA"}), "ratio"), "")
q("so", L, "breakdown", "units by product line 2004", lambda: BRK(by("so", "quantity", PL, "2004"), "count"), "sum QUANTITYORDERED")
q("so", L, "trend", "order count per year", lambda: SER("so", "orders", years(2003, 2005), None, "count"), "2005 = Jan–May")
q("so", L, "rank", "top 3 product codes by units in 2004", lambda: RANK(by("so", "quantity", "PRODUCTCODE", "2004"), 3, "desc", "count", "so code qty 2004"), "")
# unanswerable
q("so", L, "unanswerable", "which rep closed the most deals", lambda: REF("no sales rep column"), "")
q("so", L, "unanswerable", "sales for Q3 2005", lambda: REF("data end 2005-05-31"), "")
q("so", L, "unanswerable", "revenue from Brazil", lambda: REF("no Brazil in COUNTRY"), "")
q("so", L, "unanswerable", "what's our gross margin on Classic Cars", lambda: REF("no cost data; MSRP is a list price"), "")
q("so", L, "unanswerable", "NPS for French customers", lambda: REF("no NPS data"), "")
q("so", L, "unanswerable", "how many units of the 1969 Harley Davidson Ultimate Chopper did we sell",
  lambda: REF("the file has product codes, not product names; asking for the code is right"), "")
q("so", L, "unanswerable", "sales by deal size (small/medium/large) in 2004",
  lambda: REF("no DEALSIZE column in this file; bands need thresholds — asking for them is also right"), "")
q("so", L, "unanswerable", "did the weather hurt sales in Q1 2005?", lambda: REF("no weather data"), "")
# ambiguous
q("so", L, "ambiguous", "revenue in 2004",
  lambda: CLAR(["all lines, every status", "Shipped only", "excluding Cancelled"],
               [V(so("sales", "2004"), "money"), V(so("sales", "2004", {"STATUS": "Shipped"}), "money"),
                V(so("sales", "2004", {"STATUS": [s for s in SO["STATUS"].unique() if s != "Cancelled"]}), "money")]), "")
q("so", L, "ambiguous", "sales in Japan",
  lambda: CLAR(["COUNTRY = Japan", "TERRITORY = Japan"],
               [V(so("sales", None, {"COUNTRY": "Japan"}), "money"), V(so("sales", None, {"TERRITORY": "Japan"}), "money")]), "all time")
q("so", L, "ambiguous", "average price per unit",
  lambda: CLAR(["mean PRICEEACH", "SALES ÷ QUANTITYORDERED"], [V(so("price_mean"), "money"), V(so("price_sales_per_unit"), "money")]), "")
q("so", L, "ambiguous", "Q2 sales?",
  lambda: CLAR(["2005Q2 (April–May only)", "2004Q2"], [V(so("sales", "2005Q2"), "money"), V(so("sales", "2004Q2"), "money")]), "")
q("so", L, "ambiguous", "top product",
  lambda: CLAR(["PRODUCTLINE by sales", "PRODUCTCODE by sales", "PRODUCTCODE by quantity"],
               [RANK(by("so", "sales", PL), 1, "desc", "money"), RANK(by("so", "sales", "PRODUCTCODE"), 1, "desc", "money"),
                RANK(by("so", "quantity", "PRODUCTCODE"), 1, "desc", "count", "so code qty en")]), "all time")
q("so", L, "ambiguous", "how big are our orders in the US",
  lambda: CLAR(["avg order value (sales / orders), all time", "avg units per order", "avg lines per order"],
               [V(so("aov", None, {"COUNTRY": "USA"}), "money"),
                V(div(so("quantity", None, {"COUNTRY": "USA"}), so("orders", None, {"COUNTRY": "USA"})), "number"),
                V(div(so("lines", None, {"COUNTRY": "USA"}), so("orders", None, {"COUNTRY": "USA"})), "number")]), "")


# =============================================================================================== sanity checks
def check(label, got, want, tol):
    ok = abs(got - want) <= tol
    print(f"  [{'ok' if ok else 'FAIL'}] {label}: {got:,.4f} (expected {want:,.4f})")
    return ok


def sanity():
    print("sanity checks against /work/shared/datasets/README.md and the sample company's planted_effects.json")
    r = []
    r.append(check("superstore total Sales", ss("sales"), 2297200.8603, 1e-3))
    r.append(check("superstore total Profit", ss("profit"), 286397.0217, 1e-3))
    r.append(check("superstore distinct orders", ss("orders"), 5009, 0))
    r.append(check("superstore customers", ss("customers"), 793, 0))
    for y, v in {"2016": 484247.50, "2017": 470532.51, "2018": 609205.60, "2019": 733215.26}.items():
        r.append(check(f"superstore sales {y}", ss("sales", y), v, 0.01))
    r.append(check("superstore rows", len(SS), 9994, 0))
    r.append(check("superstore exact duplicate rows (excl. Row ID)", int(SS.drop(columns=["Row ID"]).duplicated().sum()), 1, 0))
    r.append(check("superstore blank postal codes", int(SS["Postal Code"].isna().sum()), 11, 0))
    r.append(check("sample orders total SALES", so("sales"), 10032628.85, 0.01))
    r.append(check("sample orders orders", so("orders"), 307, 0))
    r.append(check("sample orders customers", so("customers"), 92, 0))
    for y, v in {"2003": 3516979.54, "2004": 4724162.60, "2005": 1791486.71}.items():
        r.append(check(f"sample orders sales {y}", so("sales", y), v, 0.01))
    for qq, v in {"2004Q1": 833730.68, "2004Q2": 766260.73, "2004Q3": 1109396.27, "2004Q4": 2014774.92}.items():
        r.append(check(f"sample orders sales {qq}", so("sales", qq), v, 0.01))
    r.append(check("sample orders TERRITORY NA rows", so("lines", None, {"TERRITORY": "NA"}), 1074, 0))
    r.append(check("sample orders TERRITORY NA sales", so("sales", None, {"TERRITORY": "NA"}), 3852061.39, 0.01))
    for st, n in {"Shipped": 2617, "Cancelled": 60, "Resolved": 47, "On Hold": 44, "In Process": 41, "Disputed": 14}.items():
        r.append(check(f"sample orders STATUS {st} lines", so("lines", None, {"STATUS": st}), n, 0))
    pe = json.load(open(os.path.join(SC_DIR, "planted_effects.json"), encoding="utf-8"))
    m = {e["id"]: e["measured"] for e in pe["effects"]}
    e = m["east_win_rate_drop"]
    r.append(check("sc East win rate 2026Q2", sc("win_rate", PQ, {"region": E}), e["win_rate_2026Q2"], 5e-5))
    r.append(check("sc East win rate 2026Q3", sc("win_rate", LQ, {"region": E}), e["win_rate_2026Q3"], 5e-5))
    r.append(check("sc East revenue 2026Q3", sc("won_revenue", LQ, {"region": E}), e["revenue_2026Q3"], 0.01))
    r.append(check("sc East target 2026Q3", sc("target", LQ, {"region": E}), e["target_2026Q3"], 0.01))
    r.append(check("sc East price/competitor share of Q3 losses",
                   share("sc", "lost_deals", LQ, {"loss_reason": ["价格", "竞品"]}, {"region": E}),
                   e["price_or_competitor_share_of_losses_2026Q3"], 5e-5))
    e = m["south_rep_cycle"]
    # planted_effects.json measures the cycle from 创建日期; the README metric (used for every expected answer)
    # starts at 首次跟进日期 when present, so the README-basis figures are lower (printed for information).
    def cyc_created(p, w):
        x = where(SC, w); x = x[(x["status"] == "won") & inp(x["closed"], p)]
        return float((x["closed"] - x["created"]).dt.days.median())
    r.append(check("sc 周航 median cycle 2026Q2 (from 创建日期)", cyc_created(PQ, {"rep": "周航"}), e["median_cycle_days_2026Q2"], 0))
    r.append(check("sc 周航 median cycle 2026Q3 (from 创建日期)", cyc_created(LQ, {"rep": "周航"}), e["median_cycle_days_2026Q3"], 0))
    r.append(check("sc South median cycle 2026Q3 (from 创建日期)", cyc_created(LQ, {"region": S}), e["region_median_cycle_days_2026Q3"], 0))
    print(f"  [info] README basis (首次跟进日期 -> 结单日期): 周航 2026Q2 {sc('cycle_median', PQ, {'rep': '周航'})}, "
          f"2026Q3 {sc('cycle_median', LQ, {'rep': '周航'})}, South 2026Q3 {sc('cycle_median', LQ, {'region': S})} days")
    e = m["north_mix_shift"]
    r.append(check("sc North avg deal size 2026Q2", sc("avg_deal_size", PQ, {"region": N}), e["avg_deal_size_2026Q2"], 0.01))
    r.append(check("sc North avg deal size 2026Q3", sc("avg_deal_size", LQ, {"region": N}), e["avg_deal_size_2026Q3"], 0.01))
    r.append(check("sc North revenue 2026Q3", sc("won_revenue", LQ, {"region": N}), e["revenue_2026Q3"], 0.01))
    r.append(check("sc North ServiceBot share of won deals 2026Q2",
                   share("sc", "won_deals", PQ, {"product": "ServiceBot"}, {"region": N}), e["servicebot_share_of_won_2026Q2"], 5e-5))
    r.append(check("sc North ServiceBot share of won deals 2026Q3",
                   share("sc", "won_deals", LQ, {"product": "ServiceBot"}, {"region": N}), e["servicebot_share_of_won_2026Q3"], 5e-5))
    e = m["south_referral_success"]
    r.append(check("sc South revenue 2026Q3", sc("won_revenue", LQ, {"region": S}), e["revenue_2026Q3"], 0.01))
    r.append(check("sc South win rate 2026Q3", sc("win_rate", LQ, {"region": S}), e["win_rate_2026Q3"], 5e-5))
    r.append(check("sc South referral won deals 2026Q2", sc("won_deals", PQ, {"region": S, "source": "客户转介绍"}), e["referral_won_2026Q2"], 0))
    r.append(check("sc South referral won deals 2026Q3", sc("won_deals", LQ, {"region": S, "source": "客户转介绍"}), e["referral_won_2026Q3"], 0))
    print(f"  {sum(r)}/{len(r)} checks passed")
    return all(r)


# =============================================================================================== main
def main():
    ok = sanity()
    ids = [x["id"] for x in Q]
    assert len(ids) == len(set(ids))
    # seeded 1/3 holdout split, stratified by data set × language
    rng = random.Random(20240917)
    split = {}
    for ds in DATASET.values():
        for lang in ("zh", "en"):
            grp = sorted(x["id"] for x in Q if x["dataset"] == ds and x["lang"] == lang)
            rng.shuffle(grp)
            k = round(len(grp) / 3)
            for i, qid in enumerate(grp):
                split[qid] = "holdout" if i < k else "dev"
    out_q, out_e = [], []
    for x in Q:
        TRACE.clear()
        expect = x["fn"]()
        notes = x["notes"]
        if expect["type"] == "refuse":
            notes = (notes + "; " if notes else "") + "a number is wrong; an honest 'not in the data' (optionally with what is there) is right"
        elif expect["type"] == "clarify":
            notes = (notes + "; " if notes else "") + "asking back is right; an answer that states one listed reading and matches its value is acceptable"
        if TRACE:
            notes = (notes + "; " if notes else "") + "computed: " + "; ".join(dict.fromkeys(TRACE))
        row = {k: x[k] for k in ("id", "dataset", "lang", "question", "category")}
        out_q.append(row)
        out_e.append(row | {"expect": expect, "notes": notes, "split": split[x["id"]]})
    with open(os.path.join(HERE, "questions.jsonl"), "w", encoding="utf-8") as f:
        for r in out_q:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "expected.jsonl"), "w", encoding="utf-8") as f:
        for r in out_e:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    # summary
    df = pd.DataFrame(out_e)
    print(f"\n{len(df)} questions written to questions.jsonl / expected.jsonl")
    print(df.groupby(["dataset", "lang"]).size().unstack().to_string())
    print(df.groupby(["category", "dataset"]).size().unstack(fill_value=0).to_string())
    print(df["split"].value_counts().to_string())
    if WARN:
        print("\nWARNINGS (ties):"); [print("  " + w) for w in WARN]
    print(f"\ndone in {time.time() - T0:.1f}s")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
