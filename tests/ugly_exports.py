"""Ugly exports, generated from a seed, with the truth kept beside them (computed here in plain Python, never by
the importer): the test suite (tests/test_import_ugly.py) imports them as a user would and compares.

- deals_en.csv (Windows-1252, `$` amounts): a CRM export with open deals whose amount is blank, close dates
  in mixed styles (ISO, `M/D/YYYY H:MM`, ISO with `T…Z`, Excel serial numbers), extra columns Country,
  Segment and Channel, a free-text Notes column, accented names, and a few bad rows with known reasons;
- deals_zh.csv (GBK): the same kind of export with Chinese headers and values (国家, 客户类型), `¥` amounts;
- accounts.csv (sector, an attribute of the account), team.csv (regional_office), products.csv (a name spelled
  differently from the deals: "GTX Pro" against "GTXPro");
- targets in four shapes: long zh (`区域,季度,目标销售额`), long en (`Region,Quarter,Quota`), wide zh with the
  year in a title row (`区域,1月,…,12月,合计`), wide en with the year in the file name (`Region,Q1,…,Q4`).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

EN_STAGES = {"won": "Closed Won", "lost": "Closed Lost", "lead": "Prospecting", "qualified": "Qualification",
             "proposal": "Proposal/Price Quote", "negotiation": "Negotiation/Review"}  # fmt: skip
ZH_STAGES = {"won": "赢单", "lost": "输单", "lead": "线索", "qualified": "商机确认", "proposal": "方案报价",
             "negotiation": "商务谈判"}  # fmt: skip
COUNTRIES_EN = ["United States", "Germany", "France", "Japan", "Brazil"]
COUNTRIES_ZH = ["中国", "新加坡", "日本", "德国"]
OWNERS_EN = ["José Müller", "Ann Smith", "Zoë Kraus", "Bob Lee"]
OWNERS_ZH = ["张三", "李四", "王五", "赵六"]
ACCOUNTS_EN = ["Société Générale", "Acme Corp", "Nordwind GmbH", "Café Olé", "Globex"]
PRODUCTS_EN = ["GTXPro", "Basic", "Cloud Suite"]


@dataclass
class Deal:
    deal_id: str
    owner: str
    account: str
    region: str
    product: str
    country: str
    segment: str
    channel: str
    stage: str  # canonical
    amount: Decimal | None
    created: date
    closed: date | None
    line: int = 0
    bad: str | None = None  # the reason the importer must give, when the row is meant to be rejected
    bad_column: str | None = None


@dataclass
class Truth:
    folder: Path
    deals_en: list[Deal] = field(default_factory=list)
    deals_zh: list[Deal] = field(default_factory=list)
    targets: dict[str, dict[tuple[str, str], Decimal]] = field(default_factory=dict)  # file -> (period, seg) -> v


def _close_text(d: date, style: int, rng: random.Random) -> str:
    if style == 0:
        return d.isoformat()
    if style == 1:
        return f"{d.month}/{d.day}/{d.year} {rng.randrange(24)}:{rng.randrange(60):02d}"
    if style == 2:
        return f"{d.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:05Z"
    return str((d - date(1899, 12, 30)).days)  # an Excel serial number


def _money(amount: Decimal, sign: str, rng: random.Random) -> str:
    text = f"{amount:,.2f}" if rng.random() < 0.5 else f"{amount:.2f}"
    return f"{sign}{text}" if rng.random() < 0.7 else text


def _deals(rng: random.Random, n: int, zh: bool) -> list[Deal]:
    deals = []
    for i in range(n):
        stage = rng.choices(list(EN_STAGES), weights=[4, 3, 1, 1, 1, 1])[0]
        created = date(2024, 1, 1) + timedelta(days=rng.randrange(600))
        closed = created + timedelta(days=rng.randrange(5, 120)) if stage in ("won", "lost") else None
        amount = None if stage not in ("won", "lost") and rng.random() < 0.4 else Decimal(rng.randrange(1000, 900000)) / 100
        deals.append(
            Deal(
                deal_id=f"{'商机' if zh else 'D'}{i:05d}",
                owner=rng.choice(OWNERS_ZH if zh else OWNERS_EN),
                account=f"客户{rng.randrange(30)}" if zh else rng.choice(ACCOUNTS_EN),
                region=rng.choice(["华东", "华南", "华北"] if zh else ["East", "West", "North"]),
                product=rng.choice(["云CRM", "数据中台", "客服机器人"] if zh else PRODUCTS_EN),
                country=rng.choice(COUNTRIES_ZH if zh else COUNTRIES_EN),
                segment=rng.choice(["大客户", "普通客户"] if zh else ["Enterprise", "SMB", "Mid-Market"]),
                channel=rng.choice(["直销", "渠道"] if zh else ["Direct", "Partner"]),
                stage=stage,
                amount=amount,
                created=created,
                closed=closed,
            )
        )
    return deals


def _spoil(deals: list[Deal], rng: random.Random, stages: dict[str, str]) -> None:
    """A few rows the importer must reject, each for one known reason (and twins that differ only in id)."""
    won = [d for d in deals if d.stage == "won"]
    a, b, c = rng.sample(won, 3)
    a.amount, a.bad, a.bad_column = None, "blank amount on a won deal", "amount"
    b.bad, b.bad_column = "not a date (expected e.g. 2026-07-15)", "close"
    c.bad, c.bad_column = "unknown stage", "stage"
    twin = Deal(**{**deals[0].__dict__, "deal_id": deals[0].deal_id + "B"})  # identical but for its id
    deals.append(twin)


def _write_deals(path: Path, deals: list[Deal], zh: bool, rng: random.Random, encoding: str) -> None:
    stages = ZH_STAGES if zh else EN_STAGES
    head = (
        ["商机编号", "负责人", "客户名称", "区域", "产品", "国家", "客户类型", "渠道", "阶段", "金额", "创建日期",
         "结单日期", "备注"]
        if zh
        else ["Deal ID", "Deal Owner", "Account Name", "Region", "Product", "Country", "Segment", "Channel",
              "Deal Stage", "Amount", "Create Date", "Close Date", "Notes"]
    )  # fmt: skip
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(head)
    for k, d in enumerate(deals):
        d.line = k + 2
        stage = "Mystery" if d.bad == "unknown stage" else stages[d.stage]
        amount = "" if d.amount is None else _money(d.amount, "￥" if zh else "$", rng)
        style = k % 4
        close = "" if d.closed is None else _close_text(d.closed, style, rng)
        if d.bad and d.bad.startswith("not a date"):
            close = "31/31/2024"
        # the same note for every row: free text, long enough never to be a dimension
        note = ("客户希望下季度再谈，预算审批流程较长，需要持续跟进并准备详细的方案说明与报价对比。" * 2) if zh else (
            "Customer asked for a follow-up call next quarter; budget approval is slow and needs a detailed proposal."
        )
        w.writerow([d.deal_id, d.owner, d.account, d.region, d.product, d.country, d.segment, d.channel, stage,
                    amount, d.created.isoformat(), close, note])  # fmt: skip
    path.write_bytes(buf.getvalue().encode(encoding))


def _write(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def generate(folder: Path, seed: int = 11) -> Truth:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    truth = Truth(folder=folder)
    truth.deals_en = _deals(rng, 240, zh=False)
    _spoil(truth.deals_en, rng, EN_STAGES)
    _write_deals(folder / "deals_en.csv", truth.deals_en, False, rng, "cp1252")
    truth.deals_zh = _deals(rng, 180, zh=True)
    _spoil(truth.deals_zh, rng, ZH_STAGES)
    _write_deals(folder / "deals_zh.csv", truth.deals_zh, True, rng, "gbk")
    _write(folder / "accounts.csv", [["account", "sector", "employees"]]
           + [[a, s, rng.randrange(10, 5000)] for a, s in zip(ACCOUNTS_EN, ["Banking", "Retail", "Logistics",
                                                                          "Food", "Retail"], strict=True)])  # fmt: skip
    _write(folder / "products.csv", [["product", "series", "sales_price"], ["GTX Pro", "GT", 1200],
                                     ["Basic", "Core", 300], ["Cloud Suite", "Cloud", 900]])  # fmt: skip
    _write(folder / "team.csv", [["sales_agent", "manager", "regional_office"]]
           + [[o, "Dana" if k < 2 else "Eli", "Central" if k < 2 else "West"] for k, o in enumerate(OWNERS_EN)])
    _targets(folder, truth, rng)
    return truth


def _targets(folder: Path, truth: Truth, rng: random.Random) -> None:
    long_zh = {(f"2025Q{q}", r): Decimal(rng.randrange(100, 999) * 1000) for q in range(1, 5) for r in ("华东", "华南")}
    _write(folder / "targets_long_zh.csv", [["区域", "季度", "目标销售额"]] + [[r, p, v] for (p, r), v in long_zh.items()])
    truth.targets["targets_long_zh.csv"] = long_zh
    long_en = {(f"2025Q{q}", r): Decimal(rng.randrange(100, 999) * 1000) for q in range(1, 3) for r in ("East", "West")}
    _write(folder / "targets_long_en.csv", [["Region", "Quarter", "Quota"]]
           + [[r, f"Q{p[-1]} {p[:4]}", v] for (p, r), v in long_en.items()])  # fmt: skip
    truth.targets["targets_long_en.csv"] = long_en
    wide_zh: dict[tuple[str, str], Decimal] = {}
    rows: list[list[object]] = [["2025年各区域月度销售目标", "", "", ""], ["区域", *[f"{m}月" for m in range(1, 13)], "合计"]]
    for r in ("华东", "华南", "华北"):
        cells = [Decimal(rng.randrange(10, 99) * 100) if not (r == "华北" and m == 7) else None for m in range(1, 13)]
        for m, v in enumerate(cells, start=1):
            if v is not None:
                wide_zh[(f"2025-{m:02d}", r)] = v
        rows.append([r, *["" if v is None else v for v in cells], sum(v for v in cells if v)])
    rows[0] += [""] * (len(rows[1]) - len(rows[0]))
    _write(folder / "区域月度目标.csv", rows, "gbk")
    truth.targets["区域月度目标.csv"] = wide_zh
    wide_en = {(f"2024Q{q}", r): Decimal(rng.randrange(100, 999) * 100) for q in range(1, 5) for r in ("East", "West", "North")}
    _write(folder / "quota_2024.csv", [["Region", "Q1", "Q2", "Q3", "Q4"]]
           + [[r, *(wide_en[(f"2024Q{q}", r)] for q in range(1, 5))] for r in ("East", "West", "North")])  # fmt: skip
    truth.targets["quota_2024.csv"] = wide_en
