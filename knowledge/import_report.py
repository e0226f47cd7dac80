"""What an import tells the user: every rejected row, every warning, and how the file was read."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Issue(BaseModel):
    file: str
    row: int | None = Field(None, description="line in the file (header = 1)")
    column: str | None = None
    value: str | None = None
    reason: str


class FieldMatch(BaseModel):
    """How a canonical field was matched to a column of the file."""

    field: str
    column: str | None = None
    constant: str | None = None
    confidence: float = Field(1.0, ge=0, le=1)
    why: str = ""


class DimensionFound(BaseModel):
    """A dimension the import keeps: the user's header, its names, where it lives and how many values it has."""

    id: str
    header: str
    name_zh: str
    name_en: str
    origin: str
    key: str | None = None
    values: int = 0


class MeasureFound(BaseModel):
    """A numeric column the import keeps as a measure: its header, names, unit and default aggregation."""

    id: str
    header: str
    name_zh: str
    name_en: str
    unit: str
    aggregation: str
    derived: str | None = None


class ImportReport(BaseModel):
    file: str
    kind: str
    kind_basis: str = Field("", description="why this kind: 'given' or the headers that decided it")
    layout: str = Field("", description="crm, order_lines, targets_long, targets_wide, table")
    snapshot_id: str = ""
    encoding: str = ""
    delimiter: str = ""
    currency: str = Field("", description="ISO code of the amounts ('' = unknown)")
    currency_basis: str = ""
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejected: list[Issue] = Field(default_factory=list)
    warnings: list[Issue] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="how the file was read: layout, dates, defaults")
    columns: dict[str, str] = Field(default_factory=dict, description="canonical field -> source column")
    matches: list[FieldMatch] = Field(default_factory=list)
    unused: dict[str, str] = Field(default_factory=dict, description="column -> why it is not used")
    dimensions: list[DimensionFound] = Field(default_factory=list)
    measures: list[MeasureFound] = Field(default_factory=list, description="numeric columns kept as measures")
    suggested_value_map: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="likely spellings of the same names: field -> {here: in the other table}"
    )
    mapping_file: str = Field("", description="where --dry-run wrote the proposed mapping")
    dry_run: bool = False
    unchanged: bool = Field(False, description="the same file was already the current data")
