"""Themes: what customers raise most in the call and visit notes of a period and scope, each count citing
its notes.

`answer_themes(deps, query)` answers a `MetricQuery` with `operation="themes"`: it reads every note of the
period (and the query's filters), mines them with the drafter's signal code (agent/signals.py: price,
competitor, budget, product gap, decision delay, objection, ...) and counts the *documents* raising each
signal (a call that mentions price in five passages counts once). Every count is evidence of kind `count`
(`count:price:2026Q3:region=华东`, value = the count, metadata = the notes counted), and the answer cites
a few of those notes by their `note:` ids; `recount` re-runs a count for citation checks.

`ask_themes(deps, question)` is the hook `ask` uses for a question that is clearly about themes ("这个季度客户最
常提的异议是什么?", "top objections this quarter"): the period and filters come from agent/search_scope.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.numbers import fmt
from agent.signals import Note, mine_signals, top_competitor
from fupan.answers import Answer, AnswerTable
from fupan.evidence import Evidence, count_evidence_id, parse_evidence_id
from fupan.messages import say
from fupan.query import MetricQuery
from knowledge.deps import Deps
from knowledge.documents import NOTE_KINDS, SearchFilters

# the signals counted; each is named by the catalogue's `themes.signal_<signal>` (fupan/messages/themes.yaml)
SIGNALS = (
    "price",
    "competitor",
    "budget",
    "product_gap",
    "decision_delay",
    "objection",
    "follow_up",
    "resources",
    "success",
)
# what a question asks about → the signals counted
GROUPS: dict[str, tuple[str, ...]] = {
    "objections": ("price", "competitor", "budget", "product_gap", "decision_delay", "objection"),
    "competitors": ("competitor",),
    "loss_reasons": ("price", "competitor", "budget", "product_gap", "decision_delay"),
    "needs": ("product_gap",),
    "all": SIGNALS,
}
_GROUP_WORDS = (
    ("competitors", r"竞品|竞争对手|友商|competitors?|rivals?"),
    (
        "loss_reasons",
        r"丢单原因|输单原因|丢单理由|为什么丢|loss reasons?|why (?:we|did we) lose|reasons? (?:we|for) los",
    ),
    ("needs", r"需求|功能|needs|feature requests?|missing features?"),
    ("objections", r"异议|顾虑|担心|反对意见|objections?|concerns?|push-?back"),
    ("all", r"主题|话题|提到最多|最常提|themes?|topics?|signals?"),
)
_THEMES_QUESTION = re.compile(
    r"最常|最多|常见|主要|哪些|排名|前\s*\d|top\b|most\b|common|frequent|main\b|biggest|what (?:are|were) the",
    re.I,
)
# the note fields a query's dimension filters name (the sales dimension `account` is a note's customer)
_FIELD_OF = {
    "region": "region",
    "rep": "rep",
    "product": "product",
    "account": "customer",
    "customer": "customer",
}


@dataclass
class Theme:
    signal: str
    notes: list[str] = field(default_factory=list)  # the evidence id of each counted note (one per document)
    excerpts: dict[str, str] = field(default_factory=dict)
    competitors: list[str] = field(default_factory=list)


def themes_group(question: str) -> str | None:
    """The signal group a question asks to count, or None when it is not a themes question."""
    for group, words in _GROUP_WORDS:
        if re.search(words, question, re.I) and _THEMES_QUESTION.search(question):
            return group
    return None


def count_themes(deps: Deps, filters: SearchFilters) -> tuple[list[str], dict[str, Theme]]:
    """(every note document in scope, signal → Theme) over the call and visit notes the filters keep."""
    chunks = deps.docs.scan(filters.model_copy(update={"kinds": list(NOTE_KINDS)}))
    documents = list(dict.fromkeys(c.doc_id for c in chunks))
    themes: dict[str, Theme] = {}
    seen: set[tuple[str, str]] = set()
    notes = [
        Note(
            evidence_id=c.evidence_id,
            text=c.text,
            date=c.date,
            **{k: v for k, v in c.fields.items() if k in Note.model_fields},
        )
        for c in chunks
    ]
    doc_of = {c.evidence_id: c.doc_id for c in chunks}
    for signal in mine_signals(notes):
        key = (signal.kind, doc_of[signal.evidence_id])
        theme = themes.setdefault(signal.kind, Theme(signal=signal.kind))
        if signal.competitor:
            theme.competitors.append(signal.competitor)
        if key in seen:
            continue
        seen.add(key)
        theme.notes.append(signal.evidence_id)
        theme.excerpts[signal.evidence_id] = signal.excerpt
    return documents, themes


def _filters(query: MetricQuery) -> tuple[SearchFilters, dict[str, str], str]:
    """The search filters, the dims for count ids and the period label of a themes query."""
    fields = {_FIELD_OF[d]: v[0] for d, v in query.filters.items() if d in _FIELD_OF and len(v) == 1}
    first, last = (query.periods[0], query.periods[-1]) if query.periods else (None, None)
    label = first if first == last else f"{first}~{last}"
    return SearchFilters(period_from=first, period_to=last, **fields), fields, label or "all"


def answer_themes(deps: Deps, query: MetricQuery, *, question: str = "", group: str = "objections") -> Answer:
    """The most frequent signals in the notes of the query's period and filters; see the module docstring."""
    if not query.periods:
        from agent.search_scope import current_quarter

        query = query.model_copy(update={"periods": [current_quarter(deps)]})
    lang = query.language
    filters, dims, label = _filters(query)
    documents, themes = count_themes(deps, filters)
    signals = [s for s in GROUPS.get(group, GROUPS["objections"]) if s in themes]
    ranked = sorted(signals, key=lambda s: (-len(themes[s].notes), s))
    where = _where(dims, lang)
    if not documents:
        text = say("themes.no_notes", lang, label=label, where=where)
        return Answer(
            question=question, language=lang, text=text, status="unanswerable", missing=text, query=query
        )
    evidence: dict[str, Evidence] = {}
    total = _count_evidence("notes", label, dims, documents, lang, evidence)
    rows, parts = [], []
    for i, signal in enumerate(ranked[:6], 1):
        theme = themes[signal]
        cid = _count_evidence(signal, label, dims, theme.notes, lang, evidence)
        cited = theme.notes[:3]
        for note_id in cited:
            evidence[note_id] = Evidence(id=note_id, kind="note", text=theme.excerpts[note_id])
        parts.append(_theme_line(i, theme, cid, len(documents), lang))
        share = round(len(theme.notes) / len(documents), 4)
        rows.append([say(f"themes.signal_{signal}", lang), len(theme.notes), share, theme.excerpts[cited[0]]])
    head = say("themes.head", lang, label=label, where=where, n=len(documents), total=total)
    joined = say("draft.clause_sep", lang).join(parts)
    text = (
        say("themes.raised_most", lang, head=head, parts=joined)
        if parts
        else say("themes.none_raised", lang, head=head)
    )
    columns = [say(f"themes.col_{c}", lang) for c in ("theme", "notes", "share", "example")]
    table = AnswerTable(
        columns=columns, rows=rows, evidence=[count_evidence_id(s, label, dims) for s in ranked[:6]]
    )
    return Answer(
        question=question,
        language=lang,
        text=text,
        query=query,
        table=table,
        evidence=evidence,
        answers={s: str(len(themes[s].notes)) for s in ranked},
    )


def _where(dims: dict[str, str], lang: str) -> str:
    """The filters of a themes query in brackets, or nothing."""
    scope = say("draft.list_sep", lang).join(dims.values())
    return say("themes.scope", lang, scope=scope) if scope else ""


def _theme_line(i: int, theme: Theme, cid: str, documents: int, lang: str) -> str:
    """'1. 价格 3 条（37.5%）[count:…]，如 [note:…]': one theme of the answer, its count and a few notes cited."""
    rival = top_competitor_name(theme)
    return say(
        "themes.theme_line",
        lang,
        i=i,
        name=say(f"themes.signal_{theme.signal}", lang),
        n=len(theme.notes),
        share=fmt(len(theme.notes) / documents, "ratio", lang),
        cid=cid,
        also=say("themes.mostly", lang, rival=rival) if rival else "",
        refs=" ".join(f"[{n}]" for n in theme.notes[:3]),
    )


def top_competitor_name(theme: Theme) -> str | None:
    from agent.signals import Signal

    return top_competitor(
        Signal(kind="competitor", evidence_id="x", excerpt="", keywords=[], competitor=c)
        for c in theme.competitors
    )


def _count_evidence(
    name: str, label: str, dims: dict[str, str], notes: list[str], lang: str, evidence: dict[str, Evidence]
) -> str:
    cid = count_evidence_id(name, label, dims)
    what = say(f"themes.signal_{name}", lang)
    evidence[cid] = Evidence(
        id=cid,
        kind="count",
        label=f"{label} {what}",
        value=float(len(notes)),
        unit="count",
        metadata={"notes": ",".join(notes)},
    )
    return cid


def recount(deps: Deps, evidence_id: str) -> float:
    """Re-run the count an id names (for citation checks)."""
    kind, parts = parse_evidence_id(evidence_id)
    if kind != "count":
        raise ValueError(f"{evidence_id!r} is not a count")
    period = str(parts["period"])
    first, _, last = period.partition("~")
    dims = dict(parts["dims"])  # type: ignore[arg-type,call-overload]
    filters = SearchFilters(
        period_from=None if period == "all" else first,
        period_to=None if period == "all" else (last or first),
        **{k: v for k, v in dims.items() if k in _FIELD_OF.values()},
    )
    documents, themes = count_themes(deps, filters)
    name = str(parts["name"])
    return float(len(documents) if name == "notes" else len(themes[name].notes) if name in themes else 0)


def ask_themes(deps: Deps, question: str, *, language: str | None = None) -> Answer | None:
    """The themes answer for a question that is clearly about themes, else None (the `ask` hook)."""
    group = themes_group(question)
    if group is None or deps.docs.count() == 0:
        return None
    from agent.search_scope import scope_of

    scope = scope_of(question, deps)
    f = scope.filters
    first, last = f.period_from, f.period_to
    if first or last:  # an open range ("since July") runs to the latest quarter, or from the first note's
        from agent.router_periods import quarter_label
        from agent.search_scope import current_quarter

        start = deps.docs.date_range()[0]
        last = last or current_quarter(deps)
        first = first or (quarter_label(start.year, (start.month - 1) // 3 + 1) if start else last)
    periods = [p for p in dict.fromkeys([first, last]) if p]
    dims = {
        d: [f.values(field)[0]]
        for d, field in (
            ("region", "region"),
            ("rep", "rep"),
            ("product", "product"),
            ("account", "customer"),
        )
        if f.values(field)
    }
    query = MetricQuery(
        operation="themes", periods=periods, filters=dims, language=language or scope.language
    )
    answer = answer_themes(deps, query, question=question, group=group)
    answer.restatement = _restate(query, group)
    return answer


def _restate(query: MetricQuery, group: str) -> str:
    """How a themes question was read: what is counted, where, when."""
    _, dims, label = _filters(query)
    lang = query.language
    what = say(f"themes.group_{group}", lang)
    return say("themes.read_as", lang, label=label, where=_where(dims, lang), what=what)
