"""The grounding check: every number in generated text must match a cited evidence value.

A figure matches when it equals, within the rounding it was rendered with (agent/numbers.py), one of:
- a cited metric value (sign ignored: a gap of -¥1,200,000 may be written "缺口 120万"),
- the change between two cited values of the same metric and segment (absolute, relative, or in points),
- a segment's share of a cited total of the same metric and period (its dims include the total's),
- a cited count of notes, or its share of the notes counted in the same scope (`count:notes:…`).
A figure that appears only in a cited note or lesson excerpt is a quote, not a computed figure: it is not an
error, but it is reported as a warning so a reviewer can see where it came from. Anything else is an error.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from agent.numbers import Figure, parse_figures
from fupan.evidence import Evidence, parse_metric_id
from fupan.report import Finding

_SMALL_COUNT = 10  # bare integers up to this are list positions and small counts, not figures


@dataclass
class _Allowed:
    plain: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    quoted: list[float] = field(default_factory=list)


def _metric_parts(ev: Evidence) -> tuple[str, str, dict[str, str]] | None:
    try:
        parsed = parse_metric_id(ev.id)
    except ValueError:
        return None
    return None if parsed is None else (parsed.name, parsed.period, dict(parsed.dims))


def _scope(ev: Evidence) -> str:
    """A count's period and dims (what `count:notes:` totals share with the counts they divide)."""
    return ev.id.split(":", 2)[2]


def _pair_values(a: Evidence, b: Evidence) -> tuple[list[float], list[float]]:
    """Derived figures for two values of the same metric: (plain changes, ratio-like figures)."""
    pa, pb = _metric_parts(a), _metric_parts(b)
    if pa is None or pb is None or pa[0] != pb[0] or a.value is None or b.value is None:
        return [], []
    plain: list[float] = []
    ratios: list[float] = []
    if pa[2] == pb[2]:  # same segment, another period (or the target line): a change
        delta = abs(a.value - b.value)
        plain.append(delta)
        ratios.append(delta)
        for base in (a.value, b.value):
            if base:
                ratios.append(abs(delta / base))
    elif pa[1] == pb[1]:  # same period: a segment's share of a total
        small, big = (a, b) if set(pb[2].items()) <= set(pa[2].items()) else (b, a)
        ps, pbig = _metric_parts(small), _metric_parts(big)
        if ps and pbig and set(pbig[2].items()) <= set(ps[2].items()) and big.value:
            ratios.append(abs(small.value / big.value))  # type: ignore[operator]
    return plain, ratios


def _driver_effects(metric_evs: list[Evidence]) -> list[float]:
    """Shapley effects of a revenue change computed from cited factors of two periods of one segment:
    won deals × average deal size, and closed deals (won + lost) × win rate × average deal size."""
    from agent.decompose import shapley

    table: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, float]] = {}
    for ev in metric_evs:
        parts = _metric_parts(ev)
        if parts is None or ev.value is None:
            continue
        name, period, dims = parts
        table.setdefault((period, tuple(sorted(dims.items()))), {})[name] = ev.value
    out: list[float] = []
    keys = sorted(table)
    for (p1, d1), (p2, d2) in itertools.permutations(keys, 2):
        if d1 != d2:
            continue
        a, b = table[(p1, d1)], table[(p2, d2)]
        if {"won_deals", "avg_deal_size"} <= a.keys() & b.keys():
            out += [abs(x) for x in shapley([b["won_deals"], b["avg_deal_size"]], [a["won_deals"], a["avg_deal_size"]])]
        trio = {"won_deals", "lost_deals", "win_rate", "avg_deal_size"}
        if trio <= a.keys() & b.keys():
            f0 = [b["won_deals"] + b["lost_deals"], b["win_rate"], b["avg_deal_size"]]
            f1 = [a["won_deals"] + a["lost_deals"], a["win_rate"], a["avg_deal_size"]]
            out += [abs(x) for x in shapley(f0, f1)]
    return out


def _allowed_values(evidence: dict[str, Evidence]) -> _Allowed:
    allowed = _Allowed()
    metric_evs = [ev for ev in evidence.values() if ev.kind == "metric" and ev.value is not None]
    for ev in metric_evs:
        allowed.plain.append(abs(ev.value))  # type: ignore[arg-type]
        if ev.unit == "ratio":
            allowed.ratios.append(abs(ev.value))  # type: ignore[arg-type]
    for a, b in itertools.combinations(metric_evs, 2):
        plain, ratios = _pair_values(a, b)
        allowed.plain += plain
        allowed.ratios += ratios
    counts = [ev for ev in evidence.values() if ev.kind == "count" and ev.value is not None]
    allowed.plain += [abs(ev.value) for ev in counts]  # type: ignore[arg-type]
    totals = {_scope(ev): ev.value for ev in counts if ev.id.startswith("count:notes:")}
    allowed.ratios += [ev.value / totals[_scope(ev)] for ev in counts if totals.get(_scope(ev))]  # type: ignore[operator]
    allowed.plain += _driver_effects(metric_evs)
    for ev in evidence.values():
        if ev.kind != "metric" and ev.text:
            for fig in parse_figures(ev.text):
                allowed.quoted.append(abs(fig.value))
    return allowed


def _near(fig: Figure, values: list[float]) -> bool:
    target = abs(fig.value)
    return any(abs(target - v) <= fig.tolerance + 1e-9 * max(1.0, v) for v in values)


def _is_grounded(fig: Figure, allowed: _Allowed) -> bool:
    if fig.kind in {"percent", "points"}:
        return _near(fig, allowed.ratios)
    if _near(fig, allowed.plain):
        return True
    # A bare decimal below 1 may be a ratio written as a decimal (0.412).
    return fig.kind == "plain" and abs(fig.value) < 1 and _near(fig, allowed.ratios)


def _skip(fig: Figure) -> bool:
    return fig.kind == "plain" and float(fig.value).is_integer() and abs(fig.value) <= _SMALL_COUNT


def _cited_names(evidence: dict[str, Evidence]) -> list[str]:
    """Names of the segments the evidence is about (products, reps, stores: GTK 500, 销售13, 2号店), longest
    first; their digits are part of a name, not figures."""
    names: set[str] = set()
    for ev in evidence.values():
        parts = _metric_parts(ev)
        if parts is not None:
            names |= {v for v in parts[2].values() if v and any(ch.isdigit() for ch in v)}
    return sorted(names, key=lambda n: (-len(n), n))


def _mask_names(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, " " * len(name))
    return text


def check_grounding(text_by_location: dict[str, str], evidence: dict[str, Evidence]) -> list[Finding]:
    """Findings for every figure in the texts that no cited evidence supports."""
    allowed = _allowed_values(evidence)
    names = _cited_names(evidence)
    findings: list[Finding] = []
    for location, text in text_by_location.items():
        for fig in parse_figures(_mask_names(text or "", names)):
            if _skip(fig) or _is_grounded(fig, allowed):
                continue
            if _near(fig, allowed.quoted):
                findings.append(
                    Finding(
                        check="grounding",
                        severity="warning",
                        location=location,
                        message="figure quoted from a note or lesson, not computed from the data",
                        value=fig.raw,
                    )
                )
                continue
            findings.append(
                Finding(
                    check="grounding",
                    location=location,
                    message="number matches no cited evidence value",
                    value=fig.raw,
                )
            )
    return findings
