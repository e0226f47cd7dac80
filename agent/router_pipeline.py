"""Open-pipeline questions: "open deals by stage", "what share of the open pipeline is in negotiation",
"各阶段在手商机多少".

Open deals are counted as of the export: the data holds each deal's current stage only, so an open-deal figure
has no period of its own. A reading of one is given the whole data span (its restatement says "as of the
export"); a question about open deals at the end of an earlier period is refused, since those are not known.
Words that only say "now" (right now, currently, 目前) are what "as of the export" explains; "amount(s)" /
金额 asks for the open pipeline's amount rather than its deal count; "by stage" / 各阶段 groups by the
export's own stage names (the dimension `stage_name`), not the won/lost funnel.
"""

from __future__ import annotations

import re

from agent.metric_def import OPEN_METRICS
from agent.router_scan import Scan
from agent.router_vocab import Vocabulary, load_builtin_words
from fupan.dimensions import STAGE_NAME
from fupan.periods import parse_period
from fupan.query import MetricQuery

_NOW = re.compile(
    r"\b(?:right\s+now|now|currently|current|today|at\s+the\s+moment|as\s+of\s+(?:now|today)|at\s+present|"
    r"(?:as\s+of\s+)?the\s+export)\b|目前|现在|当前|眼下|此刻|截至目前|截至导出|至今",
    re.I,
)
_AMOUNT = re.compile(r"\b(?:amounts?|values?|\$|dollars?|how\s+much)\b|金额|多少钱|价值", re.I)
_COUNT = re.compile(r"\b(?:how\s+many|count|number)\b|多少个|几个|多少笔|几笔|笔数|个数", re.I)
_BY_STAGE = re.compile(r"各阶段|每个阶段|分阶段|按阶段|\b(?:by|per|each|every)\s+(?:deal\s+|sales\s+|pipeline\s+)?stages?\b", re.I)


def _open(s: Scan) -> bool:
    return any(h.what in OPEN_METRICS for h in s.metrics)


def mark_words(s: Scan) -> None:
    """'right now', '目前': explained by an open-deal reading (as of the export); 'amounts', 'by stage' too."""
    if not _open(s):
        return
    for pattern in (_NOW, _AMOUNT, _COUNT, _BY_STAGE):
        for m in pattern.finditer(s.text):
            if pattern is _BY_STAGE:  # the funnel cue (各阶段) is this grouping here
                s.cues.pop("funnel", None)
            s.mark(m.start(), m.end())


def adjust(s: Scan, drafts: list[MetricQuery], vocab: Vocabulary) -> list[MetricQuery] | str:
    """Open-deal readings as of the export (see the module docstring); a refusal for an earlier period."""
    if not _open(s) or vocab.calendar.empty:
        return drafts
    if STAGE_NAME not in vocab.dims:  # order lines: every row is a sale
        return _no_stages(s.lang)
    whole = vocab.calendar.all_time().label
    out: list[MetricQuery] = []
    for q in drafts:
        if not set(q.metrics) & set(OPEN_METRICS):
            out.append(q)
            continue
        if refusal := _earlier_period(s, q, vocab):
            return refusal
        q = _as_of_export(s, q, whole, vocab)
        if q not in out:
            out.append(q)
    return out


def _as_of_export(s: Scan, q: MetricQuery, whole: str, vocab: Vocabulary) -> MetricQuery:
    metrics = list(q.metrics)
    if _AMOUNT.search(s.text) and not _COUNT.search(s.text):
        metrics = ["open_pipeline" if m == "open_deals" else m for m in metrics]
    update: dict[str, object] = {"metrics": list(dict.fromkeys(metrics)), "periods": [whole], "base": None}
    by_stage = _BY_STAGE.search(s.text) and STAGE_NAME in vocab.dims
    if q.operation in {"funnel", "value", "trend"} and by_stage:
        update.update(operation="breakdown", group_by=[STAGE_NAME])
    elif q.operation == "trend":
        update["operation"] = "value"
    return q.model_copy(update=update)


def _no_stages(lang: str) -> str:
    """The data has no stage column: the unavailable topic's own message (knowledge/aliases.yaml)."""
    for entry in load_builtin_words()["unavailable"]:
        if entry.get("unless") == STAGE_NAME:
            return str(entry[lang])
    return "这份数据没有阶段列，没有未关闭的商机。" if lang == "zh" else "This data has no stage column, so it has no open deals."


def _earlier_period(s: Scan, q: MetricQuery, vocab: Vocabulary) -> str:
    """Open deals at the end of a period before the export are not in the data: said, not answered."""
    if not s.periods.spans:
        return ""
    cal = vocab.calendar
    for label in q.periods:
        try:
            p = parse_period(label, cal.fy)
        except Exception:  # noqa: BLE001 — an unreadable label is the router's own concern
            continue
        if p.end < cal.end:
            last = cal.months[-1]
            return (
                f"数据只记录每个商机的当前阶段，所以只能回答导出时（数据至 {last}）的在手商机，无法回答 {label} 期末的。"
                if s.lang == "zh"
                else f"The data keeps each deal's current stage only, so open deals are known as of the export "
                f"(data to {last}), not at the end of {label}."
            )
    return ""
