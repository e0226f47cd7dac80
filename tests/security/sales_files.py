"""Small sales files of every kind for the import-safety probes: a good file, one that keeps only one row
(so importing it would remove most of the good rows), a header-only file and one whose rows are all rejected."""

from __future__ import annotations

from pathlib import Path

HEADERS = {
    "opportunities": "商机编号,商机名称,客户名称,负责人,区域,产品,线索来源,阶段,金额,创建日期,首次跟进日期,结单日期,丢单原因",
    "targets": "期间,区域,指标,目标值",
    "team": "销售,经理,区域",
    "products": "产品,产品线,标准价",
    "accounts": "客户名称,行业,客户等级,区域",
}
GOOD = {
    "opportunities": [
        f"S{i},A{i},客户{i},张三,华东,P1,官网,赢单,{100 + i}.00,2026-07-01,,2026-07-1{i},"
        for i in range(1, 5)
    ],
    "targets": [
        "2026Q3,华东,销售额,300",
        "2026Q3,华南,销售额,200",
        "2026Q3,华北,销售额,100",
        "2026Q4,华东,销售额,400",
    ],
    "team": ["张三,赵经理,华东", "李四,钱经理,华南", "王五,孙经理,华北", "赵六,孙经理,华北"],
    "products": ["P1,平台,100", "P2,平台,200", "P3,服务,300", "P4,服务,400"],
    "accounts": [
        "客户1,制造,大客户,华东",
        "客户2,零售,普通客户,华东",
        "客户3,零售,普通客户,华南",
        "客户4,制造,大客户,华北",
    ],
}
ONE_OTHER = {
    "opportunities": ["T9,B9,客户9,李四,华南,P2,官网,赢单,900.00,2026-08-01,,2026-08-11,"],
    "targets": ["2027Q1,华东,销售额,999"],
    "team": ["钱七,周经理,华东"],
    "products": ["P9,硬件,900"],
    "accounts": ["客户9,能源,大客户,华南"],
}
ALL_REJECTED = {  # kinds whose rows can fail validation (team and accounts take any text)
    "opportunities": ["S1,A1,客户1,张三,华东,P1,官网,赢单,12x,2026-07-01,,2026-07-11,"],
    "targets": ["2026Q3,华东,销售额,很多", "2026Q9,华南,销售额,200"],
    "products": ["P1,平台,免费"],
}


def write(folder: Path, kind: str, rows: list[str], name: str) -> Path:
    path = folder / f"{kind}-{name}.csv"
    path.write_text("\n".join([HEADERS[kind], *rows]) + "\n", encoding="utf-8")
    return path
