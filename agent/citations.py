"""Citation resolution: every id a result cites must parse, be present, and resolve to the same figure."""

from __future__ import annotations

from fupan.evidence import Evidence, parse_evidence_id
from fupan.report import Finding
from knowledge.deps import Deps


def _finding(location: str, message: str, value: str) -> Finding:
    return Finding(check="citation", location=location, message=message, value=value)


def resolve_one(deps: Deps | None, ev: Evidence) -> str | None:
    """None when the evidence resolves; otherwise why it does not."""
    kind, _ = parse_evidence_id(ev.id)
    if deps is None:
        return None
    if kind == "metric":
        from agent.tools import engine_for

        fresh = engine_for(deps).resolve(ev.id)
        if fresh.value is None and ev.value is None:
            return None
        if (
            fresh.value is None
            or ev.value is None
            or abs(fresh.value - ev.value) > 1e-6 * max(1.0, abs(ev.value))
        ):
            return f"re-running gives {fresh.value}, the draft has {ev.value}"
        return None
    if kind == "count":
        from agent.themes import recount

        fresh_count = recount(deps, ev.id)
        return None if fresh_count == ev.value else f"re-counting gives {fresh_count}, the answer has {ev.value}"
    if ev.id.startswith("note:pasted-"):
        return None if ev.text else "pasted note has no text"
    hit = deps.docs.get(ev.id)
    return None if hit is not None else "not found in the knowledge base"


def check_citations(
    deps: Deps | None, cited: dict[str, list[str]], evidence: dict[str, Evidence]
) -> list[Finding]:
    """`cited` maps a location to the ids it cites; each must be in `evidence` and resolve."""
    findings: list[Finding] = []
    for location, ids in cited.items():
        for evidence_id in ids:
            try:
                parse_evidence_id(evidence_id)
            except ValueError:
                findings.append(_finding(location, "malformed evidence id", evidence_id))
                continue
            if evidence_id not in evidence:
                findings.append(_finding(location, "cited id has no evidence record", evidence_id))
    resolved: set[str] = set()
    for ev in evidence.values():
        if ev.id in resolved:
            continue
        resolved.add(ev.id)
        try:
            problem = resolve_one(deps, ev)
        except Exception as exc:  # noqa: BLE001 — any failure to re-run is a finding, not a crash
            problem = f"{type(exc).__name__}: {exc}"
        if problem:
            findings.append(_finding("evidence", problem, ev.id))
    return findings
