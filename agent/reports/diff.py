"""What changed between two versions of a review: field by field, with the changed words marked.

    changes = report_diff(v1, v2, lang="zh")
    for c in changes: c.location, c.label, c.before, c.after, c.pieces   # pieces: [(op, text)], op = same/del/ins

Fields compared: title, summary, goals (note), root-cause chains (problem, why-links, root cause, verification,
category), lessons (type, content, scenario), action items (every SMART field). Items are matched by id; an item
only in one version is added or removed. Text is split into words for English and characters for Chinese, so
a changed figure inside a sentence is marked, not the whole sentence.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel

from agent.numbers import fmt
from agent.reports.labels import category_label, label
from fupan.report import ActionItem, ReviewDraft

Op = Literal["same", "del", "ins"]
_TOKENS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9_.,%¥$+\-]+|\s+|.", re.S)


class Change(BaseModel):
    location: str
    label: str
    kind: Literal["changed", "added", "removed"]
    before: str = ""
    after: str = ""
    pieces: list[tuple[Op, str]] = []


def word_diff(before: str, after: str) -> list[tuple[Op, str]]:
    """`before` → `after` as runs of kept, deleted and inserted text."""
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    out: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("ins", "".join(b[j1:j2])))
    return out


def _action_fields(item: ActionItem, lang: str, unit: str) -> Iterator[tuple[str, str]]:
    yield "action", item.action
    yield "owner", item.owner
    yield "deadline", item.deadline.isoformat()
    yield "baseline", fmt(item.baseline, unit, lang)
    yield "action_target", fmt(item.target, unit, lang)
    yield "resources", item.resources
    yield "checkpoint", item.checkpoint
    yield "status", label(item.status, lang)


def _unit(report: ReviewDraft, item: ActionItem) -> str:
    return next((ev.unit for e in item.evidence if (ev := report.evidence.get(e)) and ev.unit), "") or ""


def _fields(report: ReviewDraft, lang: str) -> dict[str, tuple[str, str]]:
    """location → (label, text) of every field a person reads."""
    out: dict[str, tuple[str, str]] = {
        "title": ("标题" if lang == "zh" else "Title", report.title),
        "summary": (label("summary", lang), report.summary),
    }
    for g in report.goals:
        seg = ",".join(f"{k}={v}" for k, v in g.segment.items())
        if g.note:
            out[f"goals[{g.metric}:{seg}].note"] = (
                f"{g.label} {seg} · {label('note', lang)}".strip(),
                g.note,
            )
    for c in report.chains:
        out[f"chains[{c.id}].problem"] = (f"{c.id} · {label('problem', lang)}", c.problem)
        for i, link in enumerate(c.links, start=1):
            out[f"chains[{c.id}].links[{i}]"] = (f"{c.id} · {i}. Why", link.claim)
        out[f"chains[{c.id}].root_cause"] = (f"{c.id} · {label('root_cause', lang)}", c.root_cause)
        out[f"chains[{c.id}].verification"] = (f"{c.id} · {label('verification', lang)}", c.verification)
        out[f"chains[{c.id}].category"] = (
            f"{c.id} · {label('category', lang)}",
            category_label(c.category, lang),
        )
    for x in report.lessons:
        out[f"lessons[{x.id}].type"] = (f"{x.id} · {label('type', lang)}", label(x.type, lang))
        out[f"lessons[{x.id}].content"] = (f"{x.id} · {label('content', lang)}", x.content)
        out[f"lessons[{x.id}].scenario"] = (f"{x.id} · {label('scenario', lang)}", x.scenario)
    for a in report.actions:
        for name, text in _action_fields(a, lang, _unit(report, a)):
            out[f"actions[{a.id}].{name}"] = (f"{a.id} · {label(name, lang)}", text)
    return out


def report_diff(before: ReviewDraft, after: ReviewDraft, *, lang: str = "zh") -> list[Change]:
    """Every field that differs between two versions, in reading order."""
    a, b = _fields(before, lang), _fields(after, lang)
    changes = []
    for location in list(a) + [k for k in b if k not in a]:
        if location in a and location in b:
            if a[location][1] != b[location][1]:
                changes.append(
                    Change(
                        location=location,
                        label=b[location][0],
                        kind="changed",
                        before=a[location][1],
                        after=b[location][1],
                        pieces=word_diff(a[location][1], b[location][1]),
                    )
                )
        elif location in b:
            changes.append(
                Change(location=location, label=b[location][0], kind="added", after=b[location][1])
            )
        else:
            changes.append(
                Change(location=location, label=a[location][0], kind="removed", before=a[location][1])
            )
    return changes
