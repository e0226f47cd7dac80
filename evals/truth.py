"""Ground truth for the eval questions, computed with pandas straight from the sample company's CSVs.

Definitions follow the glossary (/work/shared/GLOSSARY.md) and the README's metric table, written here
independently of the metric engine: win rate = won ÷ (won + lost) by close date in the period; revenue = sum
of won amounts closed in the period; achievement = revenue ÷ target; gap = revenue − target; average deal size =
revenue ÷ won deals; sales cycle = median days from first engagement (else creation) to close of won deals;
new customers = accounts whose first ever won deal closed in the period; lead→opportunity = share of deals
created in the period past the lead stage; opportunity→order = share of those won.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

QUARTERS = ("2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3")
COLUMN = {"region": "区域", "rep": "负责人", "product": "产品"}
WON, LOST, LEAD = "赢单", "输单", "线索"


def quarter_bounds(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) of a quarter label such as 2026Q3."""
    year, q = int(label[:4]), int(label[-1])
    start = pd.Timestamp(year=year, month=3 * q - 2, day=1)
    return start, start + pd.DateOffset(months=3)


def shift_quarter(label: str, n: int) -> str:
    index = int(label[:4]) * 4 + int(label[-1]) - 1 + n
    return f"{index // 4}Q{index % 4 + 1}"


@dataclass
class SampleTruth:
    """The sample company's opportunities and targets, and the glossary metrics over them."""

    opps: pd.DataFrame
    targets: pd.DataFrame

    @classmethod
    def load(cls, folder: Path) -> SampleTruth:
        opps = pd.read_csv(folder / "opportunities.csv", dtype=str)
        opps["金额"] = opps["金额"].astype(float)
        for col in ("创建日期", "首次跟进日期", "结单日期"):
            opps[col] = pd.to_datetime(opps[col])
        team = pd.read_csv(folder / "team.csv", dtype=str).rename(
            columns={"销售": "负责人", "区域": "团队区域"}
        )
        opps = opps.merge(team[["负责人", "团队区域"]], on="负责人", how="left")
        opps["区域"] = opps["区域"].fillna(opps["团队区域"])
        targets = pd.read_csv(folder / "targets.csv", dtype=str)
        targets["目标值"] = targets["目标值"].astype(float)
        return cls(opps=opps, targets=targets)

    def _segment(self, filters: dict[str, str]) -> pd.DataFrame:
        rows = self.opps
        for dim, value in filters.items():
            rows = rows[rows[COLUMN[dim]] == value]
        return rows

    def closed(self, period: str, stage: str, filters: dict[str, str]) -> pd.DataFrame:
        start, end = quarter_bounds(period)
        rows = self._segment(filters)
        return rows[(rows["阶段"] == stage) & (rows["结单日期"] >= start) & (rows["结单日期"] < end)]

    def created(self, period: str, filters: dict[str, str]) -> pd.DataFrame:
        start, end = quarter_bounds(period)
        rows = self._segment(filters)
        return rows[(rows["创建日期"] >= start) & (rows["创建日期"] < end)]

    def target(self, period: str, filters: dict[str, str]) -> float | None:
        if set(filters) - {"region"}:
            return None
        rows = self.targets[(self.targets["期间"] == period) & (self.targets["指标"] == "销售额")]
        if "region" in filters:
            rows = rows[rows["区域"] == filters["region"]]
        return float(rows["目标值"].sum()) if len(rows) else None

    def new_customers(self, period: str, filters: dict[str, str]) -> float:
        won = self.opps[self.opps["阶段"] == WON]
        first = won.sort_values("结单日期").groupby("客户名称", as_index=False).first()
        start, end = quarter_bounds(period)
        first = first[(first["结单日期"] >= start) & (first["结单日期"] < end)]
        for dim, value in filters.items():
            first = first[first[COLUMN[dim]] == value]
        return float(len(first))

    def value(self, metric: str, period: str, filters: dict[str, str] | None = None) -> float | None:
        """One glossary metric for a quarter and segment; None when it is undefined (no deals, no target)."""
        filters = filters or {}
        won, lost = self.closed(period, WON, filters), self.closed(period, LOST, filters)
        revenue = float(won["金额"].sum())
        target = self.target(period, filters)
        if metric == "won_revenue":
            return revenue
        if metric == "won_deals":
            return float(len(won))
        if metric == "lost_deals":
            return float(len(lost))
        if metric == "win_rate":
            return len(won) / (len(won) + len(lost)) if len(won) + len(lost) else None
        if metric == "avg_deal_size":
            return revenue / len(won) if len(won) else None
        if metric == "target":
            return target
        if metric == "achievement_rate":
            return revenue / target if target else None
        if metric == "gap":
            return revenue - target if target is not None else None
        if metric == "sales_cycle_median":
            start = won["首次跟进日期"].fillna(won["创建日期"])
            days = (won["结单日期"] - start).dt.days
            return float(days.median()) if len(days) else None
        if metric == "new_customers":
            return self.new_customers(period, filters)
        if metric in {"conversion_lead_to_opportunity", "conversion_opportunity_to_order"}:
            created = self.created(period, filters)
            past = created[created["阶段"] != LEAD]
            if metric == "conversion_lead_to_opportunity":
                return len(past) / len(created) if len(created) else None
            return float((past["阶段"] == WON).sum()) / len(past) if len(past) else None
        raise KeyError(f"no ground truth for metric {metric!r}")

    def by(
        self, metric: str, period: str, dim: str, filters: dict[str, str] | None = None
    ) -> dict[str, float]:
        """The metric for each value of `dim` (values with an undefined metric left out)."""
        filters = filters or {}
        values = sorted(self._segment(filters)[COLUMN[dim]].dropna().unique())
        out = {}
        for v in values:
            got = self.value(metric, period, {**filters, dim: v})
            if got is not None:
                out[str(v)] = got
        return out
