"""Column mapping: header auto-detection (Chinese and English), CRM presets, mapping files, the stage map."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from fupan.errors import InputError

KINDS = ("opportunities", "targets", "team", "products", "accounts")

# canonical field -> header names (compared case/space/underscore-insensitively)
SYNONYMS: dict[str, dict[str, list[str]]] = {
    "opportunities": {
        "opportunity_id": [
            "商机编号",
            "商机id",
            "商机ID",
            "编号",
            "opportunity id",
            "opportunityid",
            "deal id",
            "record id",
            "id",
            "opportunity_id",
            "deal_id",
        ],
        "name": ["商机名称", "名称", "opportunity name", "deal name", "name", "opportunity"],
        "account": [
            "客户名称",
            "客户",
            "account name",
            "account",
            "company",
            "customer",
            "customer name",
            "associated company",
        ],
        "rep": [
            "负责人",
            "销售",
            "销售代表",
            "owner",
            "opportunity owner",
            "deal owner",
            "sales agent",
            "sales_agent",
            "rep",
            "salesperson",
        ],
        "manager": ["经理", "销售经理", "manager", "regional manager"],
        "region": ["区域", "大区", "region", "territory", "sales region"],
        "product": ["产品", "产品名称", "product", "product name"],
        "lead_source": ["线索来源", "来源", "lead source", "source", "original source"],
        "stage": ["阶段", "销售阶段", "商机阶段", "stage", "deal stage", "dealstage", "sales stage"],
        "amount": [
            "金额",
            "商机金额",
            "销售金额",
            "amount",
            "deal amount",
            "close_value",
            "close value",
            "value",
        ],
        "created_date": [
            "创建日期",
            "创建时间",
            "created date",
            "create date",
            "createdate",
            "created",
            "created time",
            "engage_date_created",
        ],
        "engaged_date": ["首次跟进日期", "跟进日期", "engage date", "engage_date", "first engaged"],
        "close_date": [
            "结单日期",
            "预计成交日期",
            "成交日期",
            "结单时间",
            "close date",
            "closedate",
            "close_date",
            "closing date",
        ],
        "loss_reason": ["丢单原因", "输单原因", "loss reason", "lost reason", "closed lost reason"],
    },
    "targets": {
        "period": ["期间", "周期", "period", "quarter"],
        "region": ["区域", "region"],
        "rep": ["销售", "负责人", "rep", "owner"],
        "product": ["产品", "product"],
        "metric": ["指标", "metric"],
        "target": ["目标值", "目标", "target", "quota"],
    },
    "team": {
        "rep": ["销售", "负责人", "rep", "sales agent", "sales_agent", "owner"],
        "manager": ["经理", "manager"],
        "region": ["区域", "region", "regional_office", "regional office"],
    },
    "products": {
        "product": ["产品", "product"],
        "product_line": ["产品线", "series", "product line"],
        "list_price": ["标准价", "sales_price", "list price", "price"],
    },
    "accounts": {
        "account": ["客户名称", "客户", "account", "account name"],
        "industry": ["行业", "sector", "industry"],
        "tier": ["客户等级", "tier", "segment"],
        "region": ["区域", "region", "office_location"],
    },
}

REQUIRED: dict[str, list[str]] = {
    "opportunities": ["stage", "amount"],
    "targets": ["period", "target"],
    "team": ["rep"],
    "products": ["product"],
    "accounts": ["account"],
}

STAGE_MAP: dict[str, str] = {
    # Chinese (纷享销客 and common)
    "线索": "lead",
    "潜在": "lead",
    "初步接洽": "lead",
    "商机确认": "qualified",
    "需求确认": "qualified",
    "方案报价": "proposal",
    "方案": "proposal",
    "报价": "proposal",
    "商务谈判": "negotiation",
    "谈判": "negotiation",
    "赢单": "won",
    "赢": "won",
    "成交": "won",
    "输单": "lost",
    "丢单": "lost",
    "输": "lost",
    # English / CRM
    "lead": "lead",
    "prospecting": "lead",
    "prospect": "lead",
    "appointmentscheduled": "lead",
    "appointment scheduled": "lead",
    "qualification": "qualified",
    "qualified": "qualified",
    "qualifiedtobuy": "qualified",
    "qualified to buy": "qualified",
    "needs analysis": "qualified",
    "engaging": "qualified",
    "value proposition": "proposal",
    "id. decision makers": "proposal",
    "perception analysis": "proposal",
    "proposal": "proposal",
    "proposal/price quote": "proposal",
    "presentationscheduled": "proposal",
    "presentation scheduled": "proposal",
    "decisionmakerboughtin": "proposal",
    "decision maker bought-in": "proposal",
    "negotiation": "negotiation",
    "negotiation/review": "negotiation",
    "contractsent": "negotiation",
    "contract sent": "negotiation",
    "won": "won",
    "closed won": "won",
    "closedwon": "won",
    "closed-won": "won",
    "lost": "lost",
    "closed lost": "lost",
    "closedlost": "lost",
    "closed-lost": "lost",
    "closed lost to competition": "lost",
}
CANONICAL_STAGES = ("lead", "qualified", "proposal", "negotiation", "won", "lost")

TARGET_METRICS = {
    "销售额": "won_revenue",
    "业绩": "won_revenue",
    "收入": "won_revenue",
    "revenue": "won_revenue",
    "sales": "won_revenue",
    "won_revenue": "won_revenue",
}


class Mapping(BaseModel):
    """canonical field -> source column; `constants` fill a field with a fixed value (e.g. stage=won)."""

    columns: dict[str, str] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)
    stage_map: dict[str, str] = Field(default_factory=dict)
    date_format: str | None = Field(None, description="strptime format; default: ISO and common formats")
    order_id: str | None = Field(None, description="column grouping order lines into one deal")
    row_id: str | None = Field(None, description="line id column ignored when looking for duplicate rows")


def norm(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", str(header).strip().lstrip("\ufeff")).lower()


PRESETS: dict[str, Mapping] = {
    "generic": Mapping(),
    "fxiaoke": Mapping(
        columns={
            "opportunity_id": "商机编号",
            "name": "商机名称",
            "account": "客户名称",
            "rep": "负责人",
            "region": "区域",
            "product": "产品",
            "lead_source": "线索来源",
            "stage": "阶段",
            "amount": "金额",
            "created_date": "创建日期",
            "engaged_date": "首次跟进日期",
            "close_date": "结单日期",
            "loss_reason": "丢单原因",
        }
    ),
    "salesforce": Mapping(
        columns={
            "opportunity_id": "Opportunity ID",
            "name": "Opportunity Name",
            "account": "Account Name",
            "rep": "Opportunity Owner",
            "stage": "Stage",
            "amount": "Amount",
            "created_date": "Created Date",
            "close_date": "Close Date",
            "lead_source": "Lead Source",
            "product": "Product Name",
            "region": "Region",
        }
    ),
    "hubspot": Mapping(
        columns={
            "opportunity_id": "Record ID",
            "name": "Deal Name",
            "stage": "Deal Stage",
            "amount": "Amount",
            "rep": "Deal owner",
            "created_date": "Create Date",
            "close_date": "Close Date",
            "account": "Associated Company",
            "lead_source": "Original Source",
        }
    ),
    "zoho": Mapping(
        columns={
            "opportunity_id": "Record Id",
            "name": "Deal Name",
            "account": "Account Name",
            "rep": "Deal Owner",
            "stage": "Stage",
            "amount": "Amount",
            "created_date": "Created Time",
            "close_date": "Closing Date",
            "lead_source": "Lead Source",
        }
    ),
    # Order data: each order line is a won line of the deal = its order; see README "Import".
    "superstore": Mapping(
        columns={
            "opportunity_id": "Row ID",
            "name": "Order ID",
            "account": "Customer Name",
            "region": "Region",
            "product": "Category",
            "lead_source": "Segment",
            "amount": "Sales",
            "created_date": "Order Date",
            "close_date": "Order Date",
        },
        constants={"stage": "won"},
        date_format="%m/%d/%Y",
        order_id="Order ID",
        row_id="Row ID",
    ),
}


def load_mapping(path: Path) -> Mapping:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        return Mapping.model_validate(data or {})
    except FileNotFoundError:
        raise InputError("mapping file not found", file=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - any parse problem is the user's input
        raise InputError(f"cannot read mapping file: {exc}", file=str(path)) from None


def resolve_mapping(kind: str, headers: list[str], mapping: Mapping | None, preset: str | None) -> Mapping:
    """Start from auto-detection, then apply the preset, then the explicit mapping (highest)."""
    if kind not in KINDS:
        raise InputError(f"unknown import kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
    if preset and preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}", hint=f"presets: {', '.join(PRESETS)}")
    by_norm = {norm(h): h for h in headers}
    columns: dict[str, str] = {}
    for field, names in SYNONYMS[kind].items():
        for name in names:
            if norm(name) in by_norm and by_norm[norm(name)] not in columns.values():
                columns[field] = by_norm[norm(name)]
                break
    result = Mapping(columns=columns)
    for layer in (PRESETS.get(preset or "generic"), mapping):
        if layer is None:
            continue
        present = {f: c for f, c in layer.columns.items() if c in headers}
        result = result.model_copy(
            update={
                "columns": {**result.columns, **present},
                "constants": {**result.constants, **layer.constants},
                "stage_map": {**result.stage_map, **layer.stage_map},
                "date_format": layer.date_format or result.date_format,
                "order_id": layer.order_id or result.order_id,
                "row_id": layer.row_id or result.row_id,
            }
        )
    missing = [f for f in REQUIRED[kind] if f not in result.columns and f not in result.constants]
    if missing:
        raise InputError(
            f"no column found for {', '.join(missing)} in {kind} (headers: {', '.join(headers)})",
            hint="pass --preset or a --mapping file naming the columns",
        )
    return result
