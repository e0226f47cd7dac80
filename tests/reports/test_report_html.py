"""HTML and Markdown exports: well-formed, every citation link lands on an evidence entry, charts present."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from agent.reports import export_report, render_report_html
from agent.reports.citations import anchor
from agent.reports.fonts import cjk_font_family
from agent.reports.labels import label
from fupan.evidence import Evidence
from fupan.report import ChartSeries, ChartSpec, GoalResult, ReviewDraft

PNG = b"\x89PNG\r\n\x1a\n"


def _parse(html: str) -> etree._Element:
    """Strict XML parse: unclosed or misnested tags, bad entities or duplicate attributes raise."""
    return etree.fromstring(html.encode("utf-8"), etree.XMLParser(recover=False, resolve_entities=False))


def _links_and_ids(root: etree._Element) -> tuple[list[str], list[str]]:
    hrefs = [a.get("href") for a in root.iter("a") if (a.get("href") or "").startswith("#")]
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    return [h[1:] for h in hrefs], ids


@pytest.fixture(scope="module")
def html(drafts: dict[str, ReviewDraft]) -> dict[str, str]:
    return {lang: render_report_html(d) for lang, d in drafts.items()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_is_well_formed_and_no_citation_link_is_broken(html: dict[str, str], lang: str) -> None:
    root = _parse(html[lang])
    assert root.tag == "html" and root.get("lang") == ("zh-CN" if lang == "zh" else "en")
    targets, ids = _links_and_ids(root)
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert targets, "no citation links"
    assert set(targets) <= set(ids)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_citations_open_the_evidence(
    html: dict[str, str], drafts: dict[str, ReviewDraft], lang: str
) -> None:
    draft, root = drafts[lang], _parse(html[lang])
    entries = {li.get("data-evidence-id"): li for li in root.iter("li") if li.get("class") == "evidence"}
    assert set(draft.evidence) <= set(entries)
    for eid, ev in draft.evidence.items():
        li = entries[eid]
        assert li.get("id") == anchor(eid)
        text = "".join(li.itertext())
        if ev.sql:
            assert ev.sql.split("\n")[0] in text
        if ev.text:
            assert ev.text[:40] in text
    goal = draft.goals[0]
    row = next(iter(root.iterfind(".//table[@data-table='performance']/tbody/tr")))
    cited = [a.get("data-evidence-id") for a in row.iter("a")]
    assert cited == goal.evidence
    assert all(a.get("href") == "#" + anchor(a.get("data-evidence-id")) for a in row.iter("a"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_has_every_chart_with_its_citations(
    html: dict[str, str], drafts: dict[str, ReviewDraft], lang: str
) -> None:
    draft, root = drafts[lang], _parse(html[lang])
    figures = [f for f in root.iter("figure") if f.get("class") == "chart"]
    assert [f.get("data-kind") for f in figures] == [c.kind for c in draft.charts]
    assert {c.kind for c in draft.charts} == {"target_vs_actual", "funnel", "waterfall", "pareto", "trend"}
    for fig, chart in zip(figures, draft.charts, strict=True):
        img = fig.find("img")
        assert img.get("alt") == chart.title
        data = base64.b64decode(img.get("src").split(",", 1)[1])
        assert data.startswith(PNG) and len(data) > 5000
        caption = fig.find("figcaption")
        cited = {a.get("data-evidence-id") for a in caption.iter("a")}
        assert cited == {e for s in chart.series for e in s.evidence if e}
    assert html[lang].count(label("performance", lang)) >= 1


def test_a_citation_without_stored_evidence_still_has_a_target() -> None:
    known = "metric:won_revenue:2026Q3"
    draft = ReviewDraft(
        period="2026Q3",
        language="en",
        title="t",
        goals=[GoalResult(metric="won_revenue", label="Revenue", actual=5, evidence=[known, "note:x#0"])],
        charts=[
            ChartSpec(
                kind="trend",
                title="Revenue",
                categories=["2026Q3"],
                series=[ChartSeries(name="r", values=[5], evidence=[known])],
            )
        ],
        evidence={
            known: Evidence(id=known, kind="metric", value=5, unit="count", sql="SELECT 5"),
            "note:N7#0": Evidence(
                id="note:N7#0", kind="note", text="客户说竞品报价低 <20%> & 更快", source="notes.csv row 8"
            ),
        },
    )
    root = _parse(render_report_html(draft))
    targets, ids = _links_and_ids(root)
    assert anchor("note:x#0") in targets and set(targets) <= set(ids)
    missing = root.find(f".//li[@id='{anchor('note:x#0')}']")
    assert label("missing", "en") in "".join(missing.itertext())
    note = root.find(f".//li[@id='{anchor('note:N7#0')}']")
    assert note.find(".//blockquote").text == "客户说竞品报价低 <20%> & 更快"
    assert "notes.csv row 8" in "".join(note.itertext())


def test_markdown_links_land_on_anchors_and_images_exist(
    drafts: dict[str, ReviewDraft], tmp_path: Path
) -> None:
    draft = drafts["zh"]
    files = export_report(draft, "md", tmp_path / "复盘.md")
    text = (tmp_path / "复盘.md").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="(ev-[0-9a-f]+)"></a>', text))
    links = set(re.findall(r"\]\(#(ev-[0-9a-f]+)\)", text))
    assert links and links <= anchors
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(images) == len(draft.charts) == len(files) - 1
    assert all((tmp_path / img).read_bytes().startswith(PNG) for img in images)
    for goal in draft.goals:
        assert goal.note in text
    assert f"## {label('actions', 'zh')}" in text


def test_english_labels_in_an_english_report(drafts: dict[str, ReviewDraft], tmp_path: Path) -> None:
    export_report(drafts["zh"], "md", tmp_path / "r.md", language="en")
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "## Goal vs result" in text and "## Action plan tracking" in text and "目标与结果" not in text


def test_charts_find_a_cjk_font() -> None:
    family = cjk_font_family()
    assert family and ("CJK" in family or "Hei" in family or "Han" in family)


def test_cli_draft_export_is_not_save(tmp_path: Path) -> None:
    """--out writes a file and saves nothing; --save keeps one pending draft (the same content is not saved
    twice); --id exports a saved draft; the approved version is refused until one is approved."""
    import json

    fix = Path(__file__).resolve().parents[1] / "fixtures" / "sales"
    ws = ["--workspace", str(tmp_path / "ws")]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "api.cli", *ws, *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=180)

    assert run("import", str(fix / "opportunities_zh.csv")).returncode == 0
    assert run("import", str(fix / "targets.csv"), "--kind", "targets").returncode == 0
    out = run("--lang", "en", "draft", "--period", "2026Q3", "--out", str(tmp_path / "r.docx"))
    assert out.returncode == 0, out.stderr
    assert "not saved (use --save" in out.stdout
    assert run("draft", "--period", "2026Q3", "--out", str(tmp_path / "r.json")).returncode == 0
    draft = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    doc = Document(str(tmp_path / "r.docx"))
    assert any(p.text.endswith("2026Q3 sales review") for p in doc.paragraphs[:8])
    assert len(doc.tables) == 6 and len(doc.inline_shapes) == len(draft["charts"])
    from api.commands.draft import CLI_PRINCIPAL
    from fupan.settings import load_settings
    from knowledge.deps import Deps
    from knowledge.records_schemas import Principal

    deps = Deps(settings=load_settings(workspace=tmp_path / "ws"))
    try:  # two exports, no saved draft
        assert deps.records.list_drafts(Principal(**CLI_PRINCIPAL)) == []
    finally:
        deps.close()
    first = run("draft", "--period", "2026Q3", "--save")
    second = run("draft", "--period", "2026Q3", "--save")
    saved = re.findall(r"saved as pending draft (rv-[0-9a-f]+)", first.stdout + second.stdout)
    assert len(saved) == 2 and saved[0] == saved[1], first.stdout + second.stdout
    exported = run("draft", "--id", saved[0], "--out", str(tmp_path / "saved.xlsx"))
    assert exported.returncode == 0 and (tmp_path / "saved.xlsx").stat().st_size > 0
    approved = run("draft", "--id", saved[0], "--version", "approved", "--out", str(tmp_path / "a.pdf"))
    assert approved.returncode != 0 and "has no approved version yet" in approved.stderr
    bad = run("draft", "--period", "2026Q3", "--format", "rtf", "--out", str(tmp_path / "r.rtf"))
    assert bad.returncode == 2 and "--format 'rtf' is not a report format" in bad.stderr
    missing = run("draft", "--period", "2026Q3", "--format", "html")
    assert missing.returncode == 2 and "--format html needs --out" in missing.stderr
