"""Deal-size bands: a dimension computed from the amount, so a review can ask "is it the small deals?".

Bands follow a fixed 1-3-10 scale (…, 10,000-30,000, 30,000-100,000, 100,000-300,000, …), the same for every
data set and every period, so a band named in an evidence id (`metric:win_rate:2026Q3:deal_size_band=30000-100000`)
always re-runs to the same rows. The metric engine accepts `deal_size_band` (and `loss_reason`, a plain column) as
analysis dimensions next to the data's own; `source_sql` adds the band column to the opportunities rows.
"""

from __future__ import annotations

from agent.numbers import fmt_money

DEAL_SIZE_BAND = "deal_size_band"
_EDGES = (
    100,
    300,
    1_000,
    3_000,
    10_000,
    30_000,
    100_000,
    300_000,
    1_000_000,
    3_000_000,
    10_000_000,
    30_000_000,
    100_000_000,
)


def _label(i: int) -> str:
    if i == 0:
        return f"<{_EDGES[0]}"
    if i == len(_EDGES):
        return f"{_EDGES[-1]}+"
    return f"{_EDGES[i - 1]}-{_EDGES[i]}"


BANDS: tuple[str, ...] = tuple(_label(i) for i in range(len(_EDGES) + 1))


def band_sql(column: str = "amount") -> str:
    """The SQL expression giving a row's band (NULL when the amount is unknown)."""
    whens = " ".join(f"WHEN {column} < {edge} THEN '{_label(i)}'" for i, edge in enumerate(_EDGES))
    return f"CASE WHEN {column} IS NULL THEN NULL {whens} ELSE '{_label(len(_EDGES))}' END"


def source_sql(dims: set[str] | list[str]) -> str:
    """What to select opportunities from: the view, or the view with the band column when a band is used."""
    if DEAL_SIZE_BAND not in set(dims):
        return "opportunities"
    return f"(SELECT *, {band_sql()} AS {DEAL_SIZE_BAND} FROM opportunities) AS opportunities"


def band_bounds(band: str) -> tuple[float | None, float | None]:
    """(lower, upper) of a band label; None for an open end."""
    if band.startswith("<"):
        return None, float(band[1:])
    if band.endswith("+"):
        return float(band[:-1]), None
    lo, hi = band.split("-", 1)
    return float(lo), float(hi)


def band_label(band: str, lang: str, currency: str | None = "CNY") -> str:
    """'3万–10万' / '¥30,000–100,000' in the data's currency (no symbol when it is not known: `money`);
    'under …' / '… and above' for the open ends."""
    try:
        lo, hi = band_bounds(band)
    except ValueError:
        return band
    cur = None if currency == "money" else currency

    def money(v: float) -> str:
        return fmt_money(v, lang, cur)

    if lo is None and hi is not None:
        return f"{money(hi)} 以下" if lang == "zh" else f"under {money(hi)}"
    if hi is None and lo is not None:
        return f"{money(lo)} 及以上" if lang == "zh" else f"{money(lo)} and above"
    return f"{money(lo or 0)}–{money(hi or 0)}"
