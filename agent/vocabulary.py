"""The router's vocabulary of the data: dimension values and their display names, the calendar of months, the
workspace aliases and what the data can answer (targets, losses). Built once per data snapshot and aliases file,
and shared by the question router (agent/ask_flow.py), the tools' restatement (agent/tools.py) and the workflows.
"""

from __future__ import annotations

from typing import Any

from agent.engine import engine_for
from agent.router_periods import Calendar
from agent.router_scan import lexical_index
from agent.router_vocab import LOSS_REASON, Vocabulary, build_vocabulary
from knowledge.deps import Deps


def vocabulary_for(deps: Deps) -> Vocabulary:
    """The router vocabulary for the current data snapshot and aliases file (cached per both)."""
    from knowledge.workspace_aliases import aliases_path, load_aliases

    path = aliases_path(deps.settings)
    stamp = path.stat().st_mtime_ns if path.is_file() else 0
    version = f"{deps.sales.current_snapshot_id()}:{stamp}"
    return deps.cached_for("vocabulary", version, lambda: _build(deps, load_aliases(deps.settings)))


def _build(deps: Deps, aliases: Any) -> Vocabulary:
    import pypinyin  # noqa: F401 — loaded with the vocabulary (0.5 s, once a process): the homophone check of the
    # first Chinese question would otherwise pay it inside an answer

    engine = engine_for(deps)
    registry = deps.sales.dimensions()
    values: dict[str, list[str]] = {}
    for dim in [*registry.ids(), LOSS_REASON.id]:  # loss reasons: a column the engine groups by (router_vocab)
        try:
            values[dim] = list(engine.dimension_values(dim))
        except Exception:  # noqa: BLE001 — a dimension the engine cannot read yet has no values
            values[dim] = []
    con = engine.con
    months = [
        str(r[0])
        for r in con.execute(
            "SELECT DISTINCT strftime(d, '%Y-%m') FROM (SELECT close_date AS d FROM opportunities UNION ALL "
            "SELECT created_date FROM opportunities) WHERE d IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    counts = con.execute("SELECT count(*), count(region), count(rep), count(product) FROM targets").fetchone()
    has_targets = bool(counts and counts[0])
    target_dims = tuple(d for d, n in zip(("region", "rep", "product"), (counts or [0, 0, 0, 0])[1:], strict=True) if n)
    has_losses = bool(con.execute("SELECT count(*) FROM opportunities WHERE stage = 'lost'").fetchone()[0])  # type: ignore[index]
    calendar = Calendar(tuple(months), deps.settings.fiscal_year_start_month)
    vocab = build_vocabulary(
        registry, values, calendar, aliases=aliases, has_targets=has_targets, has_losses=has_losses,
        target_dims=target_dims,
    )  # fmt: skip
    # its lookups built now, with the vocabulary, not inside the first question that needs them (~0.1 s at
    # 50,000 names): values by dimension, names in pinyin, value words, homophone candidates, the word index
    vocab.values_of("")
    vocab.pinyin_values()
    lexical_index(vocab)
    _ = vocab.value_words, vocab.cjk_metric_dim_words
    return vocab
