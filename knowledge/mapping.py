"""Column mapping: the words for each field (Chinese and English), CRM presets, mapping files, the stage map."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fupan.errors import InputError

KINDS = ("opportunities", "targets", "team", "products", "accounts")
Layout = Literal["crm", "order_lines", "targets_long", "targets_wide", "table"]
DateOrderSetting = Literal["month_first", "day_first"]

# canonical field -> header names, strongest first (compared case/space/underscore-insensitively; a header that
# contains one of these words as a whole word, or a Chinese one as a part, matches more weakly)
SYNONYMS: dict[str, dict[str, list[str]]] = {
    "opportunities": {
        "opportunity_id": [
            "商机编号", "商机id", "机会编号", "opportunity id", "opportunityid", "deal id", "record id", "编号", "id",
        ],
        "order_id": [
            "订单号", "订单编号", "订单id", "order id", "orderid", "order number", "ordernumber", "order no",
            "invoice no", "invoice number", "invoice id", "发票号",
        ],
        "name": ["商机名称", "名称", "opportunity name", "deal name", "name", "opportunity"],
        "account": [
            "客户名称", "客户", "客户全称", "公司名称", "account name", "account", "customer name", "customername",
            "customer", "company", "associated company", "client name", "client",
        ],
        "rep": [
            "负责人", "销售", "销售代表", "销售人员", "销售员", "业务员", "owner", "opportunity owner", "deal owner",
            "sales agent", "rep", "sales rep", "salesperson", "sales person", "seller", "account executive",
        ],
        "manager": ["经理", "销售经理", "主管", "manager", "regional manager", "sales manager"],
        "region": ["区域", "大区", "销售区域", "地区", "片区", "region", "sales region", "territory", "area", "zone"],
        "product": [
            "产品", "产品名称", "商品", "商品名称", "product", "product name", "productname", "product line",
            "productline", "product code", "productcode",
        ],
        "lead_source": ["线索来源", "来源", "客户来源", "lead source", "source", "original source"],
        "stage": [
            "阶段", "销售阶段", "商机阶段", "stage", "deal stage", "dealstage", "sales stage", "opportunity stage",
            "stage name",
        ],
        "amount": [
            "金额", "商机金额", "销售金额", "合同金额", "合同额", "成交金额", "销售额", "订单金额", "amount",
            "deal amount", "close value", "deal value", "opportunity amount", "value", "sales", "revenue",
            "line total", "sales amount",
        ],
        "created_date": [
            "创建日期", "创建时间", "created date", "create date", "createdate", "created", "created time",
            "created at", "engage date created",
        ],
        "engaged_date": ["首次跟进日期", "跟进日期", "engage date", "first engaged", "engaged date"],
        "close_date": [
            "结单日期", "预计成交日期", "成交日期", "结单时间", "签约日期", "close date", "closedate", "closing date",
            "expected close date", "closed date", "下单日期", "订单日期", "下单时间", "order date", "orderdate",
            "日期", "date",
        ],
        "loss_reason": ["丢单原因", "输单原因", "loss reason", "lost reason", "closed lost reason"],
    },
    "targets": {
        "period": [
            "期间", "周期", "考核期", "时间", "季度", "月份", "月度", "年度", "period", "quarter", "month",
            "fiscal period", "year",
        ],
        "year": ["年份", "年度", "年", "year", "fiscal year"],
        "region": ["区域", "大区", "地区", "片区", "region", "territory", "area"],
        "rep": ["销售", "负责人", "销售代表", "业务员", "销售员", "rep", "owner", "sales rep", "salesperson"],
        "product": ["产品", "产品线", "product", "product line"],
        "metric": ["指标", "指标名称", "考核指标", "metric", "kpi", "measure"],
        "target": [
            "目标值", "目标", "目标额", "目标金额", "目标销售额", "销售目标", "业绩目标", "任务额", "任务", "指标值",
            "考核值", "target", "quota", "goal", "target value", "sales target", "revenue target", "target amount",
        ],
    },
    "team": {
        "rep": ["销售", "负责人", "销售代表", "业务员", "销售员", "rep", "sales agent", "owner", "salesperson"],
        "manager": ["经理", "主管", "销售经理", "manager", "sales manager"],
        "region": ["区域", "大区", "region", "regional office", "office", "territory"],
    },
    "products": {
        "product": ["产品", "产品名称", "商品", "product", "product name"],
        "product_line": ["产品线", "系列", "series", "product line", "category"],
        "list_price": ["标准价", "单价", "价格", "sales price", "list price", "price", "msrp"],
    },
    "accounts": {
        "account": ["客户名称", "客户", "account", "account name", "company", "customer", "customer name"],
        "industry": ["行业", "所属行业", "sector", "industry"],
        "tier": ["客户等级", "等级", "客户级别", "tier", "segment", "customer tier"],
        "region": ["区域", "大区", "region", "office location"],
    },
}  # fmt: skip
# words of a status column in order data (STATUS, 订单状态): kept as a dimension, never read as a stage
STATUS_HEADERS = ("status", "order status", "状态", "订单状态")
# a line number column, ignored when comparing rows
ROW_ID_HEADERS = ("row id", "rowid", "row", "line id", "行号", "序号", "#", "no", "no.")
# columns that hold contact details, never a dimension
CONTACT_WORDS = (
    "phone", "tel", "telephone", "mobile", "fax", "email", "e mail", "address", "addressline", "url", "website",
    "contact", "电话", "手机", "传真", "邮箱", "地址", "网址", "联系人",
)  # fmt: skip

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

# words for the metric a target is set on (a 指标 column's values, or a word inside the target header)
TARGET_METRICS = {
    "销售额": "won_revenue", "业绩": "won_revenue", "收入": "won_revenue", "营收": "won_revenue",
    "成交额": "won_revenue", "签约额": "won_revenue", "赢单金额": "won_revenue", "revenue": "won_revenue",
    "sales": "won_revenue", "bookings": "won_revenue", "won revenue": "won_revenue", "won_revenue": "won_revenue",
    "赢单数": "won_deals", "成交数": "won_deals", "签单数": "won_deals", "订单数": "won_deals",
    "won deals": "won_deals", "deals won": "won_deals", "won_deals": "won_deals", "orders": "won_deals",
    "新客户": "new_customers", "新客户数": "new_customers", "新客": "new_customers",
    "new customers": "new_customers", "new logos": "new_customers", "new_customers": "new_customers",
    "新增商机": "pipeline_created", "新增商机金额": "pipeline_created", "商机金额": "pipeline_created",
    "pipeline": "pipeline_created", "pipeline created": "pipeline_created", "pipeline_created": "pipeline_created",
    "赢单率": "win_rate", "成交率": "win_rate", "win rate": "win_rate", "win_rate": "win_rate",
}  # fmt: skip
DEFAULT_TARGET_METRIC = "won_revenue"


class Mapping(BaseModel):
    """How a file's columns become Fupan's fields. Written by `fupan import --dry-run`, edited and passed back with
    `--mapping`; every key is optional and what is left out is recognised from the file."""

    model_config = ConfigDict(extra="forbid")

    kind: str | None = Field(None, description="opportunities, targets, team, products or accounts")
    layout: Layout | None = Field(None, description="crm, order_lines, targets_long, targets_wide or table")
    columns: dict[str, str] = Field(default_factory=dict, description="canonical field -> your column")
    constants: dict[str, str] = Field(default_factory=dict, description="a fixed value for every row")
    stage_map: dict[str, str] = Field(default_factory=dict, description="extra stage names -> canonical stage")
    date_format: str | list[str] | None = Field(None, description="strptime format(s); default: recognised")
    date_order: DateOrderSetting | dict[str, DateOrderSetting] | None = Field(
        None, description="month_first or day_first for 1/3/2024-style dates (all columns or per column)"
    )
    order_id: str | None = Field(None, description="column grouping order lines into one deal")
    row_id: str | None = Field(None, description="line id column ignored when looking for duplicate rows")
    currency: str | None = Field(None, description="ISO code of the amounts, e.g. CNY, USD")
    dimensions: list[str] | None = Field(None, description="columns kept as dimensions (default: every text column)")
    ignore: list[str] = Field(default_factory=list, description="columns never used")
    value_map: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="field -> {value in the file: value to store}, e.g. accepted spellings"
    )
    year: int | None = Field(None, ge=1900, le=2200, description="year of period names without one (1月, Q1)")
    periods: dict[str, str] = Field(default_factory=dict, description="wide targets: column -> period label")

    def formats(self) -> tuple[str, ...]:
        if self.date_format is None:
            return ()
        return (self.date_format,) if isinstance(self.date_format, str) else tuple(self.date_format)

    def order_for(self, column: str) -> DateOrderSetting | None:
        if isinstance(self.date_order, dict):
            return self.date_order.get(column)
        return self.date_order


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
        layout="order_lines",
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
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(f"mapping file: {problems}", file=str(path), hint=_MAPPING_HINT) from None
    except Exception as exc:  # noqa: BLE001 - any parse problem is the user's input
        raise InputError(f"cannot read mapping file: {exc}", file=str(path)) from None


_MAPPING_HINT = "keys: " + ", ".join(Mapping.model_fields)
