"""Dimensions: the columns a question, a draft or a report can filter and group by.

A `DimensionDef` names one column of the `opportunities` view. Six are built in (the core: region, rep,
manager, product, lead source, account); every other text column of the user's export, and every column of a
side table (an account's sector, a rep's office), becomes a dimension *learned from the data* at import, named
by the user's own header, with a synonym in the other language where the glossary knows one.

The `DimensionRegistry` is the one list of them. Everything that used to spell the six names (engine, ask,
draft, tools, reports, page) asks the registry instead. Words for a dimension found in the data (the user's
header) are listed first and win over the built-in words: a name found in the data beats any built-in alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fupan.errors import InputError

DimensionOrigin = Literal["core", "data", "attribute"]
MeasureUnit = Literal["money", "count", "ratio", "number", "days"]
Aggregation = Literal["sum", "mean"]
_ID = r"^[a-z][a-z0-9_]{0,62}$"


class DimensionDef(BaseModel):
    """One dimension: its column, its names in both languages and the words users call it by."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(..., pattern=_ID, description="column name in the opportunities view (SQL-safe)")
    name_zh: str = Field(..., min_length=1, max_length=60)
    name_en: str = Field(..., min_length=1, max_length=60)
    words: tuple[str, ...] = Field((), description="words users call it by, both languages, header first")
    origin: DimensionOrigin = "core"
    header: str | None = Field(None, description="the user's own column header, for learned dimensions")
    key: str | None = Field(None, description="for a side-table attribute: the dimension it describes")
    targetable: bool = Field(False, description="targets can be set per value of this dimension")
    cardinality: int | None = Field(None, ge=0, description="distinct values in the data when learned")

    def label(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


class MeasureDef(BaseModel):
    """A numeric column of the user's file other than the amount (profit, quantity, discount, cost …), kept at
    import as a *learned measure*: the engine sums or averages it over order lines for any period, filter and
    grouping. `derived` is set for a measure computed at import from two columns (days from one date to another)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(..., pattern=_ID, description="column name in the opportunities view (SQL-safe)")
    header: str = Field(..., min_length=1, description="the user's own column header")
    name_zh: str = Field(..., min_length=1, max_length=60)
    name_en: str = Field(..., min_length=1, max_length=60)
    unit: MeasureUnit = "number"
    aggregation: Aggregation = Field("sum", description="the default aggregation when the question names none")
    words: tuple[str, ...] = Field((), description="words users call it by, both languages, header first")
    margin: bool = Field(False, description="a profit-like money measure: its ratio to the amount is a margin")
    derived: str | None = Field(None, description="how a derived measure is computed, e.g. 'Ship Date − Order Date'")

    def label(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


CORE_DIMENSIONS: tuple[DimensionDef, ...] = (
    DimensionDef(
        id="region",
        name_zh="区域",
        name_en="region",
        words=("区域", "地区", "大区", "片区", "region", "regions", "area", "areas"),
        targetable=True,
    ),
    DimensionDef(
        id="rep",
        name_zh="销售",
        name_en="rep",
        words=(
            "销售", "销售员", "销售代表", "业务员", "负责人", "rep", "reps", "salesperson", "salespeople",
            "seller", "sellers", "sales rep", "sales reps", "sales agent", "sales agents", "agent", "agents",
        ),
        targetable=True,
    ),
    DimensionDef(
        id="manager",
        name_zh="经理",
        name_en="manager",
        words=("经理", "主管", "团队", "manager", "managers", "team", "teams"),
        targetable=True,
    ),
    DimensionDef(
        id="product",
        name_zh="产品",
        name_en="product",
        words=("产品", "产品线", "product", "products"),
        targetable=True,
    ),
    DimensionDef(
        id="lead_source",
        name_zh="线索来源",
        name_en="lead source",
        words=("线索来源", "来源", "lead source", "lead sources", "source", "sources"),
    ),
    DimensionDef(
        id="account",
        name_zh="客户",
        name_en="account",
        words=("客户", "account", "accounts", "customer", "customers", "client", "clients"),
    ),
)
CORE_IDS: tuple[str, ...] = tuple(d.id for d in CORE_DIMENSIONS)

# Columns of a CRM export kept beside the canonical fields, registered as dimensions when the export has them:
# the export's own stage names (Prospecting, 商务谈判 …; the canonical stage, won/lost/lead …, decides what a deal
# counts in) and its loss reasons (丢单原因, Loss Reason).
STAGE_NAME = "stage_name"
BLANK_LABEL = {"zh": "（空）", "en": "(blank)"}  # a segment whose value is blank: its own row, never merged or dropped


def blank_label(language: str) -> str:
    return BLANK_LABEL["zh" if language == "zh" else "en"]


LOSS_REASON = "loss_reason"


def stage_dimension(header: str | None) -> DimensionDef:
    """The export's stage column as the user spells its values, named by the user's header."""
    return DimensionDef(
        id=STAGE_NAME,
        name_zh="阶段",
        name_en="stage",
        words=(
            "阶段", "销售阶段", "商机阶段", "stage", "stages", "deal stage", "deal stages", "sales stage",
            "sales stages", "pipeline stage", "pipeline stages", "opportunity stage",
        ),
        origin="data",
        header=header,
    )


def loss_reason_dimension(header: str | None) -> DimensionDef:
    """The export's loss-reason column (why a lost deal was lost), named by the user's header."""
    return DimensionDef(
        id=LOSS_REASON,
        name_zh="丢单原因",
        name_en="loss reason",
        words=(
            "丢单原因", "输单原因", "丢单的原因", "输单的原因", "丢单理由", "输单理由", "loss reason",
            "loss reasons", "lost reason", "lost reasons", "reason lost", "reasons lost",
        ),
        origin="data",
        header=header,
    )


def dimension_id(header: str, taken: Iterable[str] = ()) -> str:
    """A SQL-safe id for a learned column: 'Regional Office' → 'regional_office', '国家' → 'dim_1' style
    fallback when nothing ASCII is left; never one of `taken`."""
    base = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    if not base or not base[0].isalpha():
        base = f"dim_{base}" if base else "dim"
    base = base[:50]
    used, candidate, i = set(taken), base, 2
    while candidate in used:
        candidate, i = f"{base}_{i}", i + 1
    return candidate


def _plain(header: str | None) -> str:
    """`REGIONAL_OFFICE` → `regional office`: a header as the word users type."""
    return re.sub(r"[\s_\-./]+", " ", header or "").strip().lower()


class DimensionRegistry:
    """The dimensions of one data snapshot, core first, then learned ones in the order of the user's file."""

    def __init__(
        self, dimensions: Iterable[DimensionDef] = CORE_DIMENSIONS, measures: Iterable[MeasureDef] = ()
    ) -> None:
        self._dims: dict[str, DimensionDef] = {}
        for d in dimensions:
            if d.id in self._dims:
                raise ValueError(f"dimension {d.id!r} defined twice")
            self._dims[d.id] = d
        self._measures: dict[str, MeasureDef] = {}
        for m in measures:
            if m.id in self._measures or m.id in self._dims:
                raise ValueError(f"measure {m.id!r} defined twice")
            self._measures[m.id] = m

    def __contains__(self, dim_id: object) -> bool:
        return dim_id in self._dims

    def __iter__(self) -> Iterator[DimensionDef]:
        return iter(self._dims.values())

    def __len__(self) -> int:
        return len(self._dims)

    def ids(self) -> list[str]:
        return list(self._dims)

    def get(self, dim_id: str) -> DimensionDef:
        """The dimension `dim_id`; an InputError naming the known ones otherwise."""
        if dim_id not in self._dims:
            raise InputError(f"unknown dimension {dim_id!r}", hint=f"dimensions in the data: {', '.join(self._dims)}")
        return self._dims[dim_id]

    def label(self, dim_id: str, language: str) -> str:
        d = self._dims.get(dim_id)
        return d.label(language) if d else dim_id

    def targetable(self) -> list[str]:
        return [d.id for d in self if d.targetable]

    def words(self) -> list[tuple[str, str]]:
        """(lower-cased word, dimension id), longest first. The user's own headers win (a name found in the
        data beats any built-in alias), then built-in and dictionary words; a side-table attribute's words come
        last, so an account's `区域` column never takes `区域` from the deals' own region."""
        ranked: dict[str, tuple[int, str]] = {}
        for d in self:
            own = {_plain(d.header), (d.header or "").strip().lower()} - {""}
            for w in (d.header or "", d.name_zh, d.name_en, *d.words):
                key = w.strip().lower()
                rank = 2 if d.origin == "attribute" else (0 if key in own else 1)
                if key and (key not in ranked or rank < ranked[key][0]):
                    ranked[key] = (rank, d.id)
        return sorted(((w, dim) for w, (_, dim) in ranked.items()), key=lambda p: (-len(p[0]), p[0]))

    def with_dimensions(self, extra: Iterable[DimensionDef]) -> DimensionRegistry:
        """A new registry with `extra` added (a learned def replaces a core one of the same id)."""
        merged = dict(self._dims)
        for d in extra:
            merged[d.id] = d
        return DimensionRegistry(merged.values(), self._measures.values())

    # ---- measures ------------------------------------------------------------------------------------------
    @property
    def measures(self) -> tuple[MeasureDef, ...]:
        """The learned measures of the data (numeric columns other than the amount), in the file's order."""
        return tuple(self._measures.values())

    def measure(self, measure_id: str) -> MeasureDef:
        """The measure `measure_id`; an InputError naming the known ones otherwise."""
        if measure_id not in self._measures:
            known = ", ".join(self._measures) or "none"
            raise InputError(f"unknown measure {measure_id!r}", hint=f"measures in the data: {known}")
        return self._measures[measure_id]

    def measure_words(self) -> list[tuple[str, str]]:
        """(lower-cased word, measure id), longest first; a word two measures share is listed for both."""
        pairs: dict[tuple[str, str], None] = {}
        for m in self._measures.values():
            for w in (m.header, _plain(m.header), m.name_zh, m.name_en, *m.words):
                key = w.strip().lower()
                if key:
                    pairs[(key, m.id)] = None
        return sorted(pairs, key=lambda p: (-len(p[0]), p[0], p[1]))

    def with_measures(self, measures: Iterable[MeasureDef]) -> DimensionRegistry:
        """A new registry with these measures (replacing any it had)."""
        return DimensionRegistry(self._dims.values(), measures)
