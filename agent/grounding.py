"""The grounding check: every number in generated text must match a cited evidence value.

A figure matches when it equals, within the rounding it was rendered with (agent/numbers.py), one of:
- a cited metric value (sign ignored: a gap of -¥1,200,000 may be written "缺口 120万"),
- the change between two cited values of the same metric and segment (absolute, relative, or in points),
- a segment's share of a cited total of the same metric and period (its dims include the total's).
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


def check_grounding(text_by_location: dict[str, str], evidence: dict[str, Evidence]) -> list[Finding]:
    """Findings for every figure in the texts that no cited evidence supports."""
    allowed = _allowed_values(evidence)
    findings: list[Finding] = []
    for location, text in text_by_location.items():
        for fig in parse_figures(text or ""):
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
