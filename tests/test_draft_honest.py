"""Drafts a director would sign, on data the drafter has never seen: the sample company without its notes, the
public Superstore export (order lines, no notes, no reps, no losses), and the sample company re-targeted so
that every region beats — or misses — its target.

For each: no chain states an unsupported cause as a fact; no action or lesson is repeated; no artefact (a rate
on a tiny base, a change against a period the data cannot compare) reaches a chain or the summary; the summary
reads true; every number is grounded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent import tools
from agent.draft import span_for
from agent.draft_comparable import Comparability
from agent.playbook import load_playbook
from agent.workflows import draft_review
from fupan.evidence import parse_evidence_id
from fupan.report import ReviewDraft, WhyLink
from fupan.settings import load_settings
from knowledge.deps import Deps
from knowledge.sample_import import import_sample_company


def _copy_company(src: Path, dst: Path, *, target_factor: float = 1.0, rename_reps: bool = False) -> Path:
    """The sample company's files, with targets scaled or reps renamed the way another CRM would name them."""
    dst.mkdir(parents=True, exist_ok=True)
    reps: dict[str, str] = {}
    for name in ("opportunities.csv", "targets.csv", "team.csv", "products.csv", "accounts.csv"):
        with (src / name).open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            if name == "targets.csv":
                row["目标值"] = str(round(float(row["目标值"]) * target_factor))
            for col in ("负责人", "销售"):
                if rename_reps and col in row:
                    row[col] = reps.setdefault(row[col], f"销售{10 + len(reps)}")
        with (dst / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return dst


def _deps(folder: Path, workspace: Path) -> Deps:
    deps = Deps(settings=load_settings(workspace=workspace))
    import_sample_company(deps.sales, folder)
    return deps


@pytest.fixture(scope="module")
def worlds(
    sample_company: Path, tmp_path_factory: pytest.TempPathFactory, shared_datasets: Path
) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("honest")
    made: dict[str, Deps] = {
        "lantu": _deps(sample_company, tmp / "ws-lantu"),
        "beat": _deps(_copy_company(sample_company, tmp / "beat", target_factor=0.4), tmp / "ws-beat"),
        "miss": _deps(_copy_company(sample_company, tmp / "miss", target_factor=3.0), tmp / "ws-miss"),
        "digits": _deps(_copy_company(sample_company, tmp / "digits", rename_reps=True), tmp / "ws-digits"),
    }
    superstore = Deps(settings=load_settings(workspace=tmp / "ws-superstore"))
    superstore.sales.import_file(shared_datasets / "superstore" / "superstore.csv")  # as a user would
    made["superstore"] = superstore
    yield made
    for deps in made.values():
        deps.close()


CASES = [
    ("lantu", "2026Q3", "zh"),
    ("lantu", "2026Q3", "en"),
    ("beat", "2026Q3", "zh"),
    ("miss", "2026Q3", "en"),
    ("digits", "2026Q3", "zh"),
    ("superstore", "2019Q1", "en"),
    ("superstore", "2019Q4", "zh"),
]


@pytest.fixture(scope="module")
def drafts(worlds: dict) -> dict[tuple[str, str, str], ReviewDraft]:
    return {(w, p, lang): draft_review(worlds[w], p, language=lang) for w, p, lang in CASES}


def _text(draft: ReviewDraft) -> str:
    parts = [draft.summary]
    for c in draft.chains:
        parts += [c.problem, c.root_cause, c.finding, *(link.claim for link in c.links)]
    return "\n".join(parts)


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_no_chain_states_an_unsupported_cause_as_a_fact(drafts: dict, case: tuple) -> None:
    draft = drafts[case]
    book, lang = load_playbook(), draft.language
    assert draft.chains
    for chain in draft.chains:
        cause = book.cause(chain.cause_id)
        text = " ".join([chain.root_cause, *(link.claim for link in chain.links)])
        for link in chain.links:
            if link.grade == "figure":
                assert link.evidence and all(e.startswith("metric:") for e in link.evidence), link
            elif link.grade == "record":
                assert link.evidence, link
            else:
                assert not link.evidence and link.check and ("？" in link.claim or "?" in link.claim), link
        # the playbook's deeper whys are never stated: only asked
        assert not any(why in text for why in cause.why[lang][1:]), (chain.id, text)
        records = [link for link in chain.links if link.grade == "record"]
        if chain.hypothesis:
            assert cause.why[lang][0] not in text, chain.root_cause
            assert cause.question.get(lang) in chain.root_cause and chain.check
        else:
            cited = [e for link in records for e in link.evidence]
            assert any(e.startswith("note:") or ":loss_reason=" in e for e in cited), chain.id
        assert any(link.grade == "hypothesis" for link in chain.links), chain.id


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_no_action_or_lesson_is_repeated_and_unconfirmed_causes_are_checked_first(
    drafts: dict, case: tuple
) -> None:
    draft = drafts[case]
    chains = {c.id: c for c in draft.chains}
    keys = []
    for action in draft.actions:
        linked = [chains[c] for c in action.chains]
        assert linked, action.id
        keys.append((tuple(sorted({c.cause_id for c in linked})), any(c.kind == "success" for c in linked)))
        assert action.check_first == any(c.hypothesis for c in linked), action.id
        if action.check_first:
            first = action.action.split("。")[0] if draft.language == "zh" else action.action.split(". ")[0]
            assert "核实" in first or "check" in first.lower(), action.action
    assert len(keys) == len(set(keys)), keys
    assert len({a.action for a in draft.actions}) == len(draft.actions)
    contents = [lesson.content for lesson in draft.lessons]
    assert len(contents) == len(set(contents))
    failure_causes = [c for c in draft.chains if c.kind != "success"]
    assert len([x for x in draft.lessons if x.type == "failure"]) == len({c.cause_id for c in failure_causes})


def _metric_ids(ids: list[str]) -> list[tuple[str, str, tuple]]:
    out = []
    for eid in ids:
        kind, parts = parse_evidence_id(eid)
        if kind == "metric":
            out.append((str(parts["name"]), str(parts["period"]), tuple(sorted(dict(parts["dims"]).items()))))
    return out


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_no_artefact_in_a_chain_or_the_summary(worlds: dict, drafts: dict, case: tuple) -> None:
    deps, draft = worlds[case[0]], drafts[case]
    engine = tools.engine_for(deps)
    rule = Comparability(span_for(deps), engine)
    cited = [e for c in draft.chains for link in c.links for e in link.evidence]
    seen: dict[tuple, list[str]] = {}
    for metric, period, dims in _metric_ids(cited):
        if metric in ("gap", "achievement_rate", "target", "lost_deals"):
            continue  # against target, and the loss-reason shares (whose totals are checked as shares)
        value = engine.value(metric, period, dict(dims) or None)
        assert rule.value(value).ok, (metric, period, dims, rule.value(value).text("en"))
        seen.setdefault((metric, dims), []).append(period)
    for (metric, dims), periods in seen.items():
        for a in set(periods):
            for b in set(periods) - {a}:
                verdict = rule.change(
                    engine.value(metric, a, dict(dims) or None), engine.value(metric, b, dict(dims) or None)
                )
                assert verdict.ok, (metric, dims, a, b)
    assert draft.grounded, [f for f in draft.findings if f.severity == "error"]


def test_the_sample_companys_known_artefacts_stay_out(drafts: dict) -> None:
    draft = drafts[("lantu", "2026Q3", "zh")]
    text = _text(draft)
    assert "线索转商机率" not in text and "商机转订单率" not in text  # the quarter's deals are still open
    assert "2025Q3" not in text  # the first quarter with data is nobody's baseline
    notes = {g.metric: g.note for g in draft.goals if not g.segment}
    assert notes["repurchase_rate"].endswith("同比不可比：2025Q3 之前没有赢单记录，无法判断新老客户")
    assert (
        "环比不可比" in notes["conversion_lead_to_opportunity"]
        or "尚未稳定" in notes["conversion_lead_to_opportunity"]
    )


def test_the_mix_shift_is_a_figure_and_north_stays_a_hypothesis_without_notes(drafts: dict) -> None:
    draft = drafts[("lantu", "2026Q3", "zh")]
    north = next(c for c in draft.chains if c.segment == {"region": "华北"})
    mix = next(link for link in north.links if "ServiceBot" in link.claim)
    assert "ServiceBot 占赢单数的比重从 24.6% 升至 61.1%" in mix.claim and mix.grade == "figure"
    assert "metric:won_deals:2026Q3:product=ServiceBot:region=华北" in mix.evidence
    assert north.hypothesis and north.cause_id == "budget_freeze" and "ServiceBot" in north.root_cause
    east = next(c for c in draft.chains if c.segment == {"region": "华东"})
    assert not east.hypothesis and east.cause_id == "competitor_price_cut"  # the CRM's loss reasons say so
    reasons = next(link for link in east.links if link.grade == "record")
    assert "“竞品”占 44.8%（上季度 18.5%）" in reasons.claim


@pytest.mark.parametrize(("world", "lang"), [("beat", "zh"), ("beat", "en")])
def test_summary_when_every_region_beats_its_target(worlds: dict, world: str, lang: str) -> None:
    draft = draft_review(worlds[world], "2026Q3", language=lang)
    assert not [c for c in draft.chains if c.kind == "gap"]
    said = draft.summary
    if lang == "zh":
        assert "各区域均完成了目标，本期没有未完成的目标。" in said
        assert "最大的缺口" not in said and "未完成目标的有" not in said and "做得好的：" in said
    else:
        assert "Every region met its target: nothing was missed this period." in said
        assert "largest gap" not in said and "Missed target" not in said and "What went well:" in said
    assert said.index("做得好的" if lang == "zh" else "What went well") > said.index(
        "目标" if lang == "zh" else "target"
    )


@pytest.mark.parametrize(("world", "lang"), [("miss", "zh"), ("miss", "en")])
def test_summary_when_every_region_misses_its_target(worlds: dict, world: str, lang: str) -> None:
    draft = draft_review(worlds[world], "2026Q3", language=lang)
    gaps = [c for c in draft.chains if c.kind == "gap"]
    assert {c.segment["region"] for c in gaps} == {"华东", "华南", "华北"}
    assert not [c for c in draft.chains if c.kind == "success"]
    said = draft.summary
    if lang == "zh":
        assert "全部 3 个区域均未完成目标：" in said and "最大的缺口在" in said and "做得好的" not in said
        assert "各区域均完成了目标" not in said
    else:
        assert "All 3 regions missed target:" in said and "The largest gap is in" in said
        assert "What went well" not in said
    first = draft.chains[0]
    assert first.kind == "gap" and first.gap_share == max(c.gap_share or 0 for c in gaps)


def test_rep_names_with_digits_are_names_not_figures(drafts: dict) -> None:
    draft = drafts[("digits", "2026Q3", "zh")]
    assert "销售" in _text(draft) and any(
        ch.isdigit() for ch in "".join(c.segment.get("rep", "") for c in draft.chains)
    )
    assert draft.grounded, [f for f in draft.findings if f.check == "grounding"]


def test_order_data_without_losses_says_what_does_not_apply(drafts: dict) -> None:
    draft = drafts[("superstore", "2019Q1", "en")]
    notes = {g.metric: g.note for g in draft.goals if not g.segment}
    assert notes["win_rate"] == "the data record no lost deals, so it does not apply"
    assert notes["sales_cycle_median"].startswith("every won deal closed the day it was created")
    assert all(c.hypothesis for c in draft.chains)  # no notes, no loss reasons: every cause is to check
    assert "Win rate" not in _text(draft) and "win rate" not in _text(draft)
    # the export carries no currency sign: amounts are shown without a symbol rather than with a wrong one
    assert draft.summary.startswith("The company booked 123,145 in 2019Q1")


def test_links_written_before_grades_get_one_from_their_evidence() -> None:
    assert WhyLink(claim="x", evidence=["note:N1#0"]).grade == "record"
    assert WhyLink(claim="x", evidence=["metric:win_rate:2026Q3"]).grade == "figure"
    assert WhyLink(claim="x").grade == "hypothesis"
