"""The sample company 蓝图科技 (Lantu Tech): a seeded, fictitious B2B software seller with planted effects.

`generate(folder, seed=7)` writes the files the demo, the tests and the evals use (headers in Chinese, as a
纷享销客 export would have them):

- opportunities.csv  商机编号,商机名称,客户名称,负责人,区域,产品,线索来源,阶段,金额,创建日期,首次跟进日期,结单日期,丢单原因
- targets.csv        期间,区域,指标,目标值 (quarterly revenue targets by region)
- team.csv           销售,经理,区域;  products.csv 产品,产品线,标准价;  accounts.csv 客户名称,行业,客户等级,区域
- notes.csv          note_id,date,kind,rep,region,customer,opportunity_id,product,language,topic,text
- reviews/*.md       two past quarterly reviews;  lessons.jsonl  approved lessons and past action items
- planted_effects.json  what was planted in the latest quarter, with the figures measured on the output

Same seed → byte-identical files (a test checks it). The planted effects are described in SAMPLE_COMPANY.md.
Everything is drawn from one `random.Random(seed)` in a fixed order; nothing iterates a set or a dict whose
order depends on hashing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

from evals.sample_docs import lessons_rows, review_markdown
from evals.sample_effects import measure_effects
from evals.sample_model import Opportunity, closed, revenue
from evals.sample_notes import make_notes

AS_OF = dt.date(2026, 9, 30)  # the export date: later closings are still open
FIRST_CREATED = dt.date(2025, 6, 15)  # with a 16-day minimum cycle, closings start in 2025Q3
QUARTERS = ("2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3")
LATEST = "2026Q3"
PRICE_CUT = dt.date(2026, 6, 15)  # 云帆软件 cuts its prices; East deals closing after it lose more often
MIX_SHIFT = dt.date(2026, 5, 15)  # North customers start buying the ServiceBot starter package
REFERRAL_START = dt.date(2026, 5, 1)  # South launches its customer referral programme
SLOW_REP = "周航"  # South rep whose cycle lengthens (deals created from April 2026)
SLOW_FROM = dt.date(2026, 5, 1)
COMPETITOR = "云帆软件"

REGIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "华东": ("赵敏", ("张伟", "王芳", "李强", "陈静")),
    "华南": ("钱进", ("周航", "吴磊", "郑丽", "孙悦")),
    "华北": ("孙立", ("刘洋", "黄涛", "林娜", "何军")),
}
REGION_EN = {"华东": "East", "华南": "South", "华北": "North"}
PRODUCTS: tuple[tuple[str, str, int], ...] = (
    ("SmartCRM", "平台", 120_000),
    ("DataHub", "数据", 180_000),
    ("ServiceBot", "客服", 45_000),
    ("FlowERP", "平台", 260_000),
    ("ImplPro", "服务", 60_000),
)
PRODUCT_WEIGHTS = {  # by region, in PRODUCTS order
    "华东": (0.30, 0.25, 0.15, 0.15, 0.15),
    "华南": (0.35, 0.20, 0.20, 0.10, 0.15),
    "华北": (0.25, 0.20, 0.15, 0.25, 0.15),
}
NORTH_AFTER_SHIFT = (0.15, 0.12, 0.52, 0.10, 0.11)
LEAD_SOURCES = ("官网", "展会", "电话营销", "客户转介绍", "渠道伙伴")
LEAD_WEIGHTS = (0.30, 0.20, 0.20, 0.10, 0.20)
LOSS_REASONS = ("价格", "竞品", "需求不匹配", "预算不足", "决策延迟", "无响应")
LOSS_WEIGHTS = (0.18, 0.18, 0.20, 0.16, 0.14, 0.14)
EAST_CUT_LOSS_WEIGHTS = (0.45, 0.40, 0.05, 0.04, 0.03, 0.03)
OPEN_STAGES = ("线索", "需求确认", "方案报价", "商务谈判")
INDUSTRIES = ("制造", "零售", "金融", "医疗", "教育", "物流")
CITIES = {
    "华东": ("杭州", "上海", "苏州", "南京", "宁波", "合肥"),
    "华南": ("广州", "深圳", "佛山", "东莞", "厦门", "南宁"),
    "华北": ("北京", "天津", "石家庄", "太原", "济南", "唐山"),
}
NAME_PARTS = ("恒远", "华信", "瑞丰", "启明", "嘉禾", "宏达", "远航", "金石", "联创", "博睿", "德隆", "汇通")


@dataclass
class Company:
    opportunities: list[Opportunity]
    accounts: list[tuple[str, str, str, str]]  # name, industry, tier, region
    targets: list[tuple[str, str, str, int]]  # period, region, metric, value
    notes: list[dict[str, str]]


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _months() -> list[dt.date]:
    months, day = [], FIRST_CREATED
    while day <= AS_OF:
        months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _account_name(rng: random.Random, region: str, taken: set[str]) -> tuple[str, str]:
    while True:
        industry = rng.choice(INDUSTRIES)
        name = f"{rng.choice(CITIES[region])}{rng.choice(NAME_PARTS)}{industry}"
        if name not in taken:
            taken.add(name)
            return name, industry


def _simulate(rng: random.Random) -> tuple[list[Opportunity], list[tuple[str, str, str, str]]]:
    taken: set[str] = set()
    accounts: list[tuple[str, str, str, str]] = []
    pools: dict[str, list[str]] = {}
    for region in REGIONS:
        pools[region] = []
        for _ in range(24):
            name, industry = _account_name(rng, region, taken)
            accounts.append((name, industry, rng.choice(("大客户", "普通客户", "普通客户")), region))
            pools[region].append(name)
    skill = {rep: rng.uniform(-0.06, 0.06) for _, reps in REGIONS.values() for rep in reps}
    raw: list[Opportunity] = []
    for month in _months():
        days_in_month = (dt.date(month.year + month.month // 12, month.month % 12 + 1, 1) - month).days
        for region, (_, reps) in REGIONS.items():
            for rep in reps:
                extra = _poisson(rng, 2.5) if region == "华南" and month >= REFERRAL_START else 0
                for n in range(_poisson(rng, 7.0) + extra):
                    created = month + dt.timedelta(days=rng.randrange(days_in_month))
                    if created > AS_OF:
                        continue
                    raw.append(
                        _one_opportunity(
                            rng, region, rep, created, skill[rep], pools, accounts, taken, referral=n < extra
                        )
                    )
    raw.sort(key=lambda o: (o.created, o.region, o.rep, o.customer, o.product))
    for n, opp in enumerate(raw, start=1):
        opp.opp_id = f"OPP-{n:05d}"
    return raw, accounts


def _one_opportunity(
    rng: random.Random,
    region: str,
    rep: str,
    created: dt.date,
    skill: float,
    pools: dict[str, list[str]],
    accounts: list[tuple[str, str, str, str]],
    taken: set[str],
    *,
    referral: bool = False,
) -> Opportunity:
    """One opportunity; `referral` marks the extra leads of the South referral programme."""
    tags: list[str] = []
    source = rng.choices(LEAD_SOURCES, LEAD_WEIGHTS)[0]
    if referral:
        source = "客户转介绍"
        tags.append("south_referral")
    new_customer = referral or rng.random() < 0.30
    if new_customer:
        customer, industry = _account_name(rng, region, taken)
        accounts.append((customer, industry, "普通客户", region))
    else:
        customer = rng.choice(pools[region])
    weights = PRODUCT_WEIGHTS[region]
    if region == "华北" and created >= MIX_SHIFT:
        weights = NORTH_AFTER_SHIFT
        tags.append("north_mix")
    name, _, price = rng.choices(PRODUCTS, weights)[0]
    amount = round(price * math.exp(rng.gauss(0.0, 0.25)) / 100) * 100
    cycle = max(16, int(rng.gammavariate(4.0, 11.0)))
    if rep == SLOW_REP and created >= SLOW_FROM:
        cycle = int(cycle * 2.5)
        tags.append("slow_rep")
    close: dt.date | None = created + dt.timedelta(days=cycle)
    first_touch = created + dt.timedelta(days=rng.randint(1, 5))
    win_p = 0.50 + skill + (0.22 if referral else 0.0)
    east_cut = region == "华东" and close is not None and close >= PRICE_CUT
    if east_cut:
        win_p *= 0.65
        tags.append("east_price_cut")
    stage, reason = "", ""
    u_win, u_reason, u_stage = rng.random(), rng.random(), rng.random()
    assert close is not None
    if close > AS_OF:
        progress = (AS_OF - created).days / cycle
        stage = OPEN_STAGES[min(3, int(progress * 4 * (0.75 + 0.5 * u_stage)))]
        close = None
    elif u_win < win_p:
        stage = "赢单"
    else:
        stage = "输单"
        weights_lost = EAST_CUT_LOSS_WEIGHTS if east_cut else LOSS_WEIGHTS
        reason = _weighted(LOSS_REASONS, weights_lost, u_reason)
    return Opportunity(
        opp_id="",
        customer=customer,
        rep=rep,
        region=region,
        product=name,
        source=source,
        amount=float(amount),
        created=created,
        first_touch=first_touch,
        close=close,
        stage=stage,
        loss_reason=reason,
        new_customer=new_customer,
        tags=tags,
    )


def _weighted(items: tuple[str, ...], weights: tuple[float, ...], u: float) -> str:
    total, acc = sum(weights), 0.0
    for item, w in zip(items, weights, strict=True):
        acc += w / total
        if u < acc:
            return item
    return items[-1]


def _won_revenue(opps: list[Opportunity], region: str, quarter: str) -> float:
    return revenue(closed(opps, quarter, region=region))


def _targets(rng: random.Random, opps: list[Opportunity]) -> list[tuple[str, str, str, int]]:
    """Targets as a planning team would set them: last quarters' run rate plus growth.

    Earlier quarters land near target; for the latest quarter the plan assumes the first half of 2026 continues
    (+8%), which the planted effects then break (East and North miss, South beats).
    """
    rows = []
    for region in REGIONS:
        for quarter in QUARTERS:
            if quarter == LATEST:
                base = (
                    (_won_revenue(opps, region, "2026Q1") + _won_revenue(opps, region, "2026Q2")) / 2 * 1.08
                )
            else:
                base = _won_revenue(opps, region, quarter) * rng.uniform(0.93, 1.09)
            rows.append((quarter, region, "销售额", int(round(base / 10_000) * 10_000)))
    return rows


def build(seed: int = 7) -> Company:
    """The whole company in memory (no files)."""
    rng = random.Random(seed)
    opps, accounts = _simulate(rng)
    targets = _targets(rng, opps)
    notes = make_notes(rng, opps, competitor=COMPETITOR, as_of=AS_OF)
    return Company(opportunities=opps, accounts=accounts, targets=targets, notes=notes)


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def files(company: Company, seed: int) -> dict[str, bytes]:
    """Every output file as bytes, keyed by relative path."""
    out: dict[str, bytes] = {}
    header = "商机编号,商机名称,客户名称,负责人,区域,产品,线索来源,阶段,金额,创建日期,首次跟进日期,结单日期,丢单原因"
    out["opportunities.csv"] = _csv(
        [header.split(",")]
        + [
            [
                o.opp_id,
                f"{o.customer}-{o.product}项目",
                o.customer,
                o.rep,
                o.region,
                o.product,
                o.source,
                o.stage,
                f"{o.amount:.2f}",
                _date(o.created),
                _date(o.first_touch),
                _date(o.close),
                o.loss_reason,
            ]
            for o in company.opportunities
        ]
    )
    out["targets.csv"] = _csv(
        [["期间", "区域", "指标", "目标值"]] + [[p, r, m, str(v)] for p, r, m, v in company.targets]
    )
    out["team.csv"] = _csv(
        [["销售", "经理", "区域"]]
        + [[rep, mgr, region] for region, (mgr, reps) in REGIONS.items() for rep in reps]
    )
    out["products.csv"] = _csv(
        [["产品", "产品线", "标准价"]] + [[n, line, str(p)] for n, line, p in PRODUCTS]
    )
    out["accounts.csv"] = _csv(
        [["客户名称", "行业", "客户等级", "区域"]] + [list(a) for a in company.accounts]
    )
    note_cols = [
        "note_id",
        "date",
        "kind",
        "rep",
        "region",
        "customer",
        "opportunity_id",
        "product",
        "language",
        "topic",
        "text",
    ]
    out["notes.csv"] = _csv([note_cols] + [[n[c] for c in note_cols] for n in company.notes])
    effects = measure_effects(company.opportunities, company.targets, company.notes)
    for period, language in (("2026Q1", "zh"), ("2026Q2", "en")):
        out[f"reviews/review-{period}.md"] = review_markdown(
            period, language, company.opportunities, company.targets
        ).encode()
    out["lessons.jsonl"] = "".join(
        json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in lessons_rows()
    ).encode()
    out["aliases.yaml"] = aliases_yaml()
    out["planted_effects.json"] = (
        json.dumps(
            {"seed": seed, "company": "蓝图科技 Lantu Tech", "latest_quarter": LATEST, "effects": effects},
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        )
        + "\n"
    ).encode()
    return out


# The company's own words: how its people say its region names in English, and regions it does not have (so a
# question about them is answered "not in the data"). Installed into a workspace like any team's aliases file.
ALIASES = {
    "values": {
        "region": {
            "华东": ["East", "East China", "Eastern", "华东区", "东区"],
            "华南": ["South", "South China", "Southern", "华南区", "南区"],
            "华北": ["North", "North China", "Northern", "华北区", "北区"],
        },
        "lead_source": {
            "客户转介绍": ["referral", "referrals", "customer referral", "customer referrals"],
            "渠道伙伴": ["channel partners", "channel partner", "partner channel"],
            "官网": ["website", "web site", "inbound web"],
            "展会": ["trade show", "trade shows", "exhibition", "exhibitions", "events"],
            "电话营销": ["telemarketing", "cold calls", "cold calling", "outbound calls"],
        },
    },
    "unknown": {
        "region": ["West", "Western", "West China", "Central", "Central China", "Northeast", "Southwest",
                   "华西", "西区", "西部", "华中", "东北", "西南", "西北"]  # fmt: skip
    },
}


def aliases_yaml() -> bytes:
    import yaml

    head = "# 蓝图科技's own words for names in its data (see knowledge/workspace_aliases.py)\n"
    return (head + yaml.safe_dump(ALIASES, allow_unicode=True, sort_keys=True)).encode()


def generate(folder: Path | str, seed: int = 7) -> Path:
    """Write the sample company into `folder` (created if needed); returns the folder."""
    folder = Path(folder)
    for rel, data in files(build(seed), seed).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return folder


if __name__ == "__main__":  # python -m evals.sample_company OUT [SEED]
    import sys

    target = generate(
        sys.argv[1] if len(sys.argv) > 1 else "sample-company", int(sys.argv[2]) if len(sys.argv) > 2 else 7
    )
    print(f"wrote the sample company to {target}")
