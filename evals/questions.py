"""The exact-answer question set: ≥ 150 questions about the sample company, zh and en, with answers computed
independently with pandas (evals/truth.py), and their robustness variants (paraphrase, other language, typo).

    python -m evals.questions            # regenerate evals/sets/questions.jsonl and robustness.jsonl (seed 7)

Shapes: value, compare (QoQ / YoY), trend, top-N, why (gap to target), funnel, breakdown. A top-N question whose
first two segments tie is left out (its answer would not be exact).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from evals.question_model import EvalQuestion, dabench
from evals.truth import SampleTruth, shift_quarter

SETS = Path(__file__).resolve().parent / "sets"
QUESTIONS_FILE = SETS / "questions.jsonl"
ROBUSTNESS_FILE = SETS / "robustness.jsonl"
LATEST = "2026Q3"

UNIT = {
    "won_revenue": "CNY",
    "target": "CNY",
    "gap": "CNY",
    "avg_deal_size": "CNY",
    "achievement_rate": "ratio",
    "win_rate": "ratio",
    "conversion_lead_to_opportunity": "ratio",
    "conversion_opportunity_to_order": "ratio",
    "won_deals": "count",
    "lost_deals": "count",
    "new_customers": "count",
    "sales_cycle_median": "days",
}
TOLERANCE = {"CNY": 0.01, "ratio": 0.0001, "count": 0.0, "days": 0.01, "label": 0.0}

METRIC_WORDS = {  # metric → ([zh words], [en words]); templates rotate through them
    "won_revenue": (["销售额", "业绩"], ["revenue", "bookings"]),
    "win_rate": (["赢单率", "成交率"], ["win rate", "close rate"]),
    "won_deals": (["赢单数", "成交数"], ["won deals", "deals won"]),
    "lost_deals": (["丢单数", "输单数"], ["lost deals", "deals lost"]),
    "avg_deal_size": (["客单价", "平均成交金额"], ["average deal size", "average order value"]),
    "target": (["目标值", "目标"], ["target", "quota"]),
    "achievement_rate": (["达成率", "完成率"], ["achievement rate", "attainment"]),
    "gap": (["缺口", "差距"], ["gap", "shortfall"]),
    "sales_cycle_median": (["销售周期", "成交周期"], ["sales cycle", "median sales cycle"]),
    "new_customers": (["新客户数", "新增客户"], ["new customers", "new logos"]),
}
REGION_EN = {"华东": "East", "华南": "South", "华北": "North"}
PERIOD_WORDS = {  # quarter → ([zh phrasings], [en phrasings])
    "2026Q3": (["三季度", "2026年第三季度", "2026Q3"], ["Q3 2026", "2026Q3", "Q3"]),
    "2026Q2": (["二季度", "2026Q2", "上季度"], ["Q2 2026", "last quarter", "2026Q2"]),
    "2026Q1": (["2026年第一季度", "一季度"], ["Q1 2026", "2026Q1"]),
    "2025Q4": (["2025年第四季度", "2025Q4"], ["Q4 2025", "2025Q4"]),
    "2025Q3": (["2025年第三季度", "2025Q3"], ["Q3 2025", "2025Q3"]),
}
DIM_WORDS = {"rep": ("销售", "rep"), "product": ("产品", "product"), "region": ("区域", "region")}


def _pick(options: list[str], i: int) -> str:
    return options[i % len(options)]


def _seg(filters: dict[str, str], lang: str) -> str:
    if not filters:
        return "全公司" if lang == "zh" else "the company"
    value = next(iter(filters.values()))
    return value if lang == "zh" else REGION_EN.get(value, value)


def _possessive(filters: dict[str, str]) -> str:
    return f"{_seg(filters, 'en')}'s"


class _Spec:
    """What a question asks, before it is worded."""

    def __init__(
        self, shape: str, metric: str, period: str, filters: dict[str, str], **extra: object
    ) -> None:
        self.shape, self.metric, self.period, self.filters = shape, metric, period, filters
        self.by: str | None = extra.get("by")  # type: ignore[assignment]
        self.base: str | None = extra.get("base")  # type: ignore[assignment]
        self.order: str = str(extra.get("order", "desc"))


def word(spec: _Spec, lang: str, i: int) -> str:
    """The question for a spec in one language; `i` picks among the phrasings."""
    zh = lang == "zh"
    m = _pick(METRIC_WORDS.get(spec.metric, ([spec.metric], [spec.metric]))[0 if zh else 1], i)
    p = _pick(PERIOD_WORDS[spec.period][0 if zh else 1], i)
    s = _seg(spec.filters, lang)
    return _WORDERS[spec.shape](spec, zh, m, p, s, i)


def _value(spec: _Spec, zh: bool, m: str, p: str, s: str, i: int) -> str:
    if zh:
        return _pick([f"{s}{p}{m}是多少?", f"{p} {s}的{m}", f"{s} {p} {m}"], i)
    return _pick(
        [f"What was {_possessive(spec.filters)} {m} in {p}?", f"{m} for {s} in {p}", f"{s} {m} {p}"], i
    )


def _compare(spec: _Spec, zh: bool, m: str, p: str, s: str, i: int) -> str:
    if spec.base == "yoy":
        return (
            f"{s}{p}{m}同比变化"
            if zh
            else f"How did {_possessive(spec.filters)} {m} in {p} compare year over year?"
        )
    if zh:
        return _pick([f"{s}{p}{m}环比", f"{s}{p}的{m}比上季度变化多少?"], i)
    return _pick(
        [
            f"How did {_possessive(spec.filters)} {m} change from Q2 to Q3 2026?",
            f"{s} {m} {p} vs previous quarter",
        ],
        i,
    )


def _trend(spec: _Spec, zh: bool, m: str, p: str, s: str, i: int) -> str:
    if zh:
        return _pick([f"{s}{m}趋势", f"{s}各季度{m}走势"], i)
    return _pick([f"{s} {m} trend", f"Show {_possessive(spec.filters)} {m} trend over the quarters"], i)


def _top(spec: _Spec, zh: bool, m: str, p: str, s: str, i: int) -> str:
    dim_zh, dim_en = DIM_WORDS[spec.by or "rep"]
    if spec.order == "asc":
        return f"{p}{m}最低的{dim_zh}是哪个?" if zh else f"Which {dim_en} had the lowest {m} in {p}?"
    if zh:
        return _pick([f"{p}{m}最高的{dim_zh}是哪个?", f"{p}哪个{dim_zh}的{m}最高?"], i)
    return _pick([f"Which {dim_en} had the highest {m} in {p}?", f"top {dim_en} by {m} in {p}"], i)


def _why(spec: _Spec, zh: bool, m: str, p: str, s: str, i: int) -> str:
    if zh:
        return _pick([f"{p}{s}为什么没完成目标?", f"{s}{p}目标达成情况怎么样，原因是什么?"], i)
    return _pick(
        [
            f"Why did {s} miss its {p} target?",
            f"Explain {_possessive(spec.filters)} result against target in {p}",
        ],
        i,
    )


def _funnel(spec: _Spec, zh: bool, m: str, p: str, s: str, i: int) -> str:
    if zh:
        return _pick([f"{s}{p}漏斗", f"{p}{s}各阶段转化情况"], i)
    return _pick([f"{p} funnel in {s}", f"Show the {p} funnel for {s}"], i)


def _breakdown(spec: _Spec, zh: bool, m: str, p: str, s: str, i: int) -> str:
    dim_zh, dim_en = DIM_WORDS[spec.by or "region"]
    return _pick([f"{p}各{dim_zh}{m}", f"{p}按{dim_zh}看{m}"], i) if zh else f"{m} by {dim_en} in {p}"


_WORDERS = {
    "value": _value,
    "compare": _compare,
    "trend": _trend,
    "top": _top,
    "why": _why,
    "funnel": _funnel,
    "breakdown": _breakdown,
}

SEGMENTS: list[dict[str, str]] = [{}, {"region": "华东"}, {"region": "华南"}, {"region": "华北"}]
VALUE_METRICS = list(METRIC_WORDS)
OTHER_QUARTERS = ["2026Q2", "2026Q1", "2025Q4", "2025Q3"]


def _expected(spec: _Spec, truth: SampleTruth) -> tuple[dict[str, float | str], dict[str, str]] | None:
    """Answer name → expected value (and its unit) for a spec; None when a value is undefined or tied."""
    unit = UNIT.get(spec.metric, "ratio")
    if spec.shape == "value":
        v = truth.value(spec.metric, spec.period, spec.filters)
        return None if v is None else ({spec.metric: v}, {spec.metric: unit})
    if spec.shape == "compare":
        base = shift_quarter(spec.period, -4 if spec.base == "yoy" else -1)
        cur, old = (
            truth.value(spec.metric, spec.period, spec.filters),
            truth.value(spec.metric, base, spec.filters),
        )
        if cur is None or old is None:
            return None
        return {"current": cur, "base": old, "change": cur - old}, dict.fromkeys(
            ("current", "base", "change"), unit
        )
    if spec.shape == "trend":
        points = {q: truth.value(spec.metric, q, spec.filters) for q in ("2025Q3", "2026Q1", "2026Q3")}
        if any(v is None for v in points.values()):
            return None
        return points, dict.fromkeys(points, unit)  # type: ignore[return-value]
    if spec.shape == "top":
        ranked = sorted(
            truth.by(spec.metric, spec.period, spec.by or "rep", spec.filters).items(), key=lambda kv: kv[1]
        )
        if spec.order == "desc":
            ranked.reverse()
        if len(ranked) < 2 or abs(ranked[0][1] - ranked[1][1]) < 1e-9:
            return None
        return {"top_1": ranked[0][0]}, {"top_1": "label"}
    if spec.shape == "why":
        return _why_expected(spec, truth)
    if spec.shape == "funnel":
        names = ("conversion_lead_to_opportunity", "conversion_opportunity_to_order", "win_rate")
        got = {n: truth.value(n, spec.period, spec.filters) for n in names}
        return None if None in got.values() else (got, dict.fromkeys(names, "ratio"))  # type: ignore[return-value]
    values = truth.by(spec.metric, spec.period, spec.by or "region", spec.filters)
    return values, dict.fromkeys(values, unit)  # type: ignore[return-value]


def _why_expected(spec: _Spec, truth: SampleTruth) -> tuple[dict[str, float | str], dict[str, str]] | None:
    gap = truth.value("gap", spec.period, spec.filters)
    rate = truth.value("achievement_rate", spec.period, spec.filters)
    if gap is None or rate is None:
        return None
    answers: dict[str, float | str] = {"gap": gap, "achievement_rate": rate}
    units = {"gap": "CNY", "achievement_rate": "ratio"}
    if not spec.filters:
        gaps = {r: truth.value("gap", spec.period, {"region": r}) or 0.0 for r in REGION_EN}
        worst = min(gaps, key=lambda r: gaps[r])
        if gaps[worst] < 0:
            answers["worst_region"], units["worst_region"] = worst, "label"
    return answers, units


def specs() -> Iterator[_Spec]:
    """Every question the set asks, in a fixed order."""
    for mi, metric in enumerate(VALUE_METRICS):
        for si, seg in enumerate(SEGMENTS):
            yield _Spec("value", metric, LATEST, seg)
            yield _Spec("value", metric, OTHER_QUARTERS[(mi + si) % 4], seg)
    for metric, seg, period in [
        ("won_revenue", {"rep": "张伟"}, LATEST),
        ("win_rate", {"rep": "林娜"}, "2026Q2"),
        ("sales_cycle_median", {"rep": "周航"}, LATEST),
        ("won_deals", {"product": "ServiceBot"}, LATEST),
        ("won_revenue", {"product": "FlowERP"}, "2026Q2"),
        ("avg_deal_size", {"product": "DataHub"}, LATEST),
    ]:
        yield _Spec("value", metric, period, seg)
    for metric in ("won_revenue", "win_rate", "avg_deal_size", "won_deals"):
        for seg in SEGMENTS:
            yield _Spec("compare", metric, LATEST, seg, base="previous")
    for seg in SEGMENTS:
        yield _Spec("compare", "won_revenue", LATEST, seg, base="yoy")
    for metric in ("won_revenue", "win_rate", "avg_deal_size"):
        for seg in SEGMENTS:
            yield _Spec("trend", metric, LATEST, seg)
    for metric in ("won_revenue", "win_rate", "won_deals", "avg_deal_size"):
        for by in ("rep", "product", "region"):
            for period in (LATEST, "2026Q2"):
                yield _Spec("top", metric, period, {}, by=by)
    for by in ("rep", "product", "region"):
        yield _Spec("top", "win_rate", LATEST, {}, by=by, order="asc")
    for seg in SEGMENTS:
        for period in (LATEST, "2026Q2"):
            yield _Spec("why", "won_revenue", period, seg)
            yield _Spec("funnel", "conversion_opportunity_to_order", period, seg)
    for metric, by in [
        ("achievement_rate", "region"),
        ("won_revenue", "region"),
        ("win_rate", "region"),
        ("won_revenue", "product"),
        ("avg_deal_size", "product"),
        ("new_customers", "region"),
    ]:
        yield _Spec("breakdown", metric, LATEST, {}, by=by)


def _round(value: float | str, unit: str) -> float | str:
    if isinstance(value, str):
        return value
    return round(float(value), 6 if unit == "ratio" else 2)


def _question(
    qid: str,
    spec: _Spec,
    lang: str,
    text: str,
    answers: dict[str, float | str],
    units: dict[str, str],
    group: str,
    variant: str,
) -> EvalQuestion:
    rounded = {k: _round(v, units[k]) for k, v in answers.items()}
    return EvalQuestion(
        id=qid,
        question=text,
        language=lang,  # type: ignore[arg-type]
        shape=spec.shape,  # type: ignore[arg-type]
        metric=spec.metric,
        period=spec.period,
        filters=spec.filters,
        by=spec.by,
        answers=rounded,
        tolerance={k: TOLERANCE[units[k]] for k in rounded},
        dabench=dabench(rounded, {k: units[k] for k in rounded}),
        group=group,
        variant=variant,  # type: ignore[arg-type]
    )


def typo(text: str, rng: random.Random) -> str:
    """One realistic slip: two adjacent letters swapped in an English word, or a doubled character and
    full-width punctuation in Chinese."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        hanzi = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
        i = rng.choice(hanzi)
        return (text[: i + 1] + text[i] + text[i + 1 :]).replace("?", "？").replace(" ", "")
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return text.lower()
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def build_sets(truth: SampleTruth, seed: int = 7) -> tuple[list[EvalQuestion], list[EvalQuestion]]:
    """(questions, robustness variants). Every 4th answered base question gets three variants."""
    rng = random.Random(seed)
    base: list[EvalQuestion] = []
    variants: list[EvalQuestion] = []
    per_shape: dict[str, int] = {}
    for n, spec in enumerate(specs()):
        expected = _expected(spec, truth)
        if expected is None:
            continue
        answers, units = expected
        per_shape[spec.shape] = per_shape.get(spec.shape, -1) + 1
        k = per_shape[spec.shape]
        lang = "zh" if (k + k // 2) % 2 == 0 else "en"
        qid = f"Q{len(base) + 1:03d}"
        base.append(_question(qid, spec, lang, word(spec, lang, n), answers, units, qid, "base"))
        if len(base) % 4 != 1:
            continue
        other = "en" if lang == "zh" else "zh"
        for suffix, v_lang, text, variant in [
            ("p", lang, word(spec, lang, n + 1), "paraphrase"),
            ("l", other, word(spec, other, n), "other_language"),
            ("t", lang, typo(word(spec, lang, n), rng), "typo"),
        ]:
            variants.append(_question(f"{qid}{suffix}", spec, v_lang, text, answers, units, qid, variant))
    return base, variants


def write_jsonl(path: Path, rows: list[EvalQuestion]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(q.model_dump(), ensure_ascii=False, sort_keys=True) for q in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_jsonl(path: Path) -> list[EvalQuestion]:
    return [
        EvalQuestion.model_validate_json(line)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line
    ]


def generate_sets(
    company: Path | None = None, seed: int = 7
) -> tuple[list[EvalQuestion], list[EvalQuestion]]:
    """Build the sets from a generated sample company (generated into a temp folder when not given)."""
    if company is not None:
        return build_sets(SampleTruth.load(company), seed)
    from evals.sample_company import generate

    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), seed=seed)
        return build_sets(SampleTruth.load(Path(tmp)), seed)


def main(argv: list[str]) -> None:
    seed = int(argv[0]) if argv else 7
    questions, variants = generate_sets(seed=seed)
    write_jsonl(QUESTIONS_FILE, questions)
    write_jsonl(ROBUSTNESS_FILE, variants)
    print(f"{len(questions)} questions → {QUESTIONS_FILE}; {len(variants)} variants → {ROBUSTNESS_FILE}")


if __name__ == "__main__":
    main(sys.argv[1:])
