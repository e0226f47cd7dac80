"""An external question set in the CRM eval format, on data imported as a user would (README "Import"), graded
in the independent set's four classes (correct, clarified, refused, wrong) per language.

The set and the data stay outside the repository (the Maven Analytics CRM export is not ours to redistribute):

    python -m evals.crm_external --data /work/crm_data --set /work/independent_evals/crm [--split dev|holdout|all]
        [--show wrong,refused] [--out graded.jsonl]

The set's format (its README): questions.jsonl {id, lang, question, split}; expected.jsonl {id, kind: number |
ranking | table | refuse | clarify, answer, unit, tolerance}. Percentages and percentage points are compared
as ratios; a number may be the answer's value or, for a change question, its change.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from evals.independent import Case, Graded, grade, matches
from fupan.answers import Answer
from fupan.settings import Settings
from knowledge.deps import Deps

_RATIO_UNITS = {"%", "pp"}


def _tol(exp: dict[str, Any], value: float) -> float:
    t = exp.get("tolerance") or {}
    tol = max(float(t.get("abs", 0.0)), float(t.get("rel", 0.0)) * abs(value))
    return tol / 100 if exp.get("unit") in _RATIO_UNITS else tol


def _scaled(exp: dict[str, Any], value: float) -> float:
    return float(value) / 100 if exp.get("unit") in _RATIO_UNITS else float(value)


def to_case(q: dict[str, Any], exp: dict[str, Any]) -> Case:
    """One question of the external set as a `Case` of the independent grader."""
    kind, ans = exp["kind"], exp["answer"]
    expect: dict[str, Any]
    if kind == "number":
        v = _scaled(exp, ans)
        expect = {"type": "number", "value": v, "tol": _tol(exp, float(ans))}
    elif kind == "ranking":
        items = [{"name": str(n), "value": _scaled(exp, v)} for n, v in ans]
        expect = {"type": "ranking_prefix", "items": items, "tol": _tol(exp, max(abs(float(v)) for _, v in ans))}
    elif kind == "table" and isinstance(exp.get("unit"), dict):  # a decomposition: one change per driver
        tols = exp.get("tolerance") or {}
        expect = {"type": "decompose", "items": {k: float(v) for k, v in ans.items()},
                  "tol": {k: _tol({"tolerance": tols.get(k)}, float(v)) for k, v in ans.items()}}  # fmt: skip
    elif kind == "table":
        items = [{"name": str(n), "value": _scaled(exp, v)} for n, v in ans.items()]
        expect = {"type": "breakdown", "items": items, "tol": _tol(exp, max(abs(float(v)) for v in ans.values()))}
    elif kind == "refuse":
        expect = {"type": "refuse"}
    else:
        expect = {"type": "clarify", "any_of": []}
    return Case(id=q["id"], dataset="crm", lang=q["lang"], question=q["question"], category=kind, expect=expect,
                split=q.get("split", "dev"))  # fmt: skip


def _match(answer: Answer, expect: dict[str, Any]) -> tuple[bool, str]:
    named = answer.answers
    if expect["type"] == "number":
        tol = float(expect["tol"])
        for key in ("value", "change", "pct_change"):
            got = named.get(key)
            if got not in (None, "") and abs(float(got) - expect["value"]) <= tol + 1e-9:
                return True, ""
        return False, f"value/change {named.get('value')}/{named.get('change')} vs {expect['value']}"
    if expect["type"] == "ranking_prefix":
        got = [(str(n), float(v)) for n, v in json.loads(named.get("items") or "[]") if v not in (None, "")]
        want = [(i["name"], i["value"]) for i in expect["items"]]
        k = min(len(got), len(want))
        ok = k >= 1 and all(_same(_name(g[0]), _name(w[0])) and abs(g[1] - w[1]) <= expect["tol"] + 1e-9 for g, w in zip(got[:k], want[:k], strict=True))
        return ok, f"ranking {got[:4]} vs {want[:4]}"
    if expect["type"] == "breakdown":
        got = {_name(n): float(v) for n, v in json.loads(named.get("items") or "[]") if v not in (None, "")}
        q = answer.query
        if not got and q is not None and named.get("current") and named.get("base") and q.periods and q.base:
            got = {_name(q.periods[0]): float(named["current"]), _name(q.base): float(named["base"])}  # two periods
        want = {_name(i["name"]): i["value"] for i in expect["items"]}
        ok = len(got) == len(want) and all(
            any(_same(g, w) and abs(gv - wv) <= expect["tol"] + 1e-9 for g, gv in got.items()) for w, wv in want.items()
        )
        return ok, f"breakdown {sorted(got.items())[:6]} vs {sorted(want.items())[:6]}"
    if expect["type"] == "decompose":
        return _match_decompose(answer, expect)
    return matches(answer, expect)


_DRIVER_KEYS = {"won_deals_change": "won_deals", "avg_deal_size_change": "avg_deal_size"}


def _match_decompose(answer: Answer, expect: dict[str, Any]) -> tuple[bool, str]:
    """A "fewer deals or smaller deals" answer: each driver's change (current − base, from the answer's table
    rows [driver, base, current, effect]) and the total change, each within its own tolerance."""
    got: dict[str, float] = {}
    rows = answer.table.rows if answer.table is not None else []
    for row in rows:
        for key, driver in _DRIVER_KEYS.items():
            if len(row) >= 3 and row[0] == driver and row[1] is not None and row[2] is not None:
                got[key] = float(row[2]) - float(row[1])
    change = answer.answers.get("total_change")
    if change not in (None, ""):
        got["won_revenue_change"] = float(change)
    ok = all(k in got and abs(got[k] - v) <= expect["tol"][k] + 1e-9 for k, v in expect["items"].items())
    return ok, f"decompose {got} vs {expect['items']}"


def _name(name: object) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def _same(got: str, want: str) -> bool:
    """Names as the data spells them: the set corrects the export's typos ('technolgy' is technology), so a
    name one edit away from a long expected name is the same name."""
    if got == want:
        return True
    if min(len(got), len(want)) < 8 or abs(len(got) - len(want)) > 1:
        return False
    from agent.router_spelling import distance

    return distance(got, want, 1) <= 1


def import_as_a_user(deps: Deps, data: Path, tmp: Path) -> None:
    """The four files one by one, as the README's import section shows: a dry run proposes the pipeline's
    mapping (amounts in USD); the user accepts it with the spelling the import warned about (the pipeline's
    `GTXPro` is the products table's `GTX Pro`) as a value_map, then imports the team, product and account
    tables."""
    pipeline = data / "sales_pipeline.csv"
    mapping_out = tmp / "sales_pipeline.mapping.yaml"
    deps.sales.import_file(pipeline, currency="USD", dry_run=True, mapping_out=mapping_out)
    text = mapping_out.read_text("utf-8") + '\nvalue_map:\n  product: {"GTXPro": "GTX Pro"}\n'
    mapping_out.write_text(text, encoding="utf-8")
    deps.sales.import_file(pipeline, mapping=mapping_out)
    for name in ("sales_teams.csv", "products.csv", "accounts.csv"):
        deps.sales.import_file(data / name)


def run(settings: Settings, data: Path, set_dir: Path, split: str = "dev") -> list[Graded]:
    from agent.ask_flow import answer_query
    from agent.workflows import ask
    from evals.scorecard import eval_settings

    questions = [json.loads(line) for line in (set_dir / "questions.jsonl").read_text("utf-8").splitlines() if line]
    expected = {
        e["id"]: e for e in (json.loads(line) for line in (set_dir / "expected.jsonl").read_text("utf-8").splitlines() if line)
    }
    cases = [to_case(q, expected[q["id"]]) for q in questions if split == "all" or q.get("split") == split]
    out: list[Graded] = []
    with tempfile.TemporaryDirectory(prefix="fupan-crm-") as tmp:
        deps = Deps(settings=eval_settings(settings, Path(tmp) / "ws", "deterministic"))
        try:
            import_as_a_user(deps, data, Path(tmp))
            for case in cases:
                def rerun(query: Any, case: Case = case) -> Answer | None:
                    try:
                        return answer_query(deps, case.question, query)
                    except Exception:  # noqa: BLE001
                        return None

                try:
                    answer = ask(deps, case.question, language=case.lang)
                except Exception as exc:  # noqa: BLE001 — a crash is a wrong answer
                    out.append(grade(case, None, f"{type(exc).__name__}: {exc}"[:200], rerun, _match))
                    continue
                out.append(grade(case, answer, "", rerun, _match))
        finally:
            deps.close()
    return out


def main(argv: list[str] | None = None) -> None:
    from fupan.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m evals.crm_external")
    parser.add_argument("--data", type=Path, required=True, help="folder with the four CRM CSV files")
    parser.add_argument("--set", type=Path, required=True, help="folder with questions.jsonl and expected.jsonl")
    parser.add_argument("--split", default="dev", choices=["dev", "holdout", "all"])
    parser.add_argument("--show", default="wrong", help="comma-separated classes to list")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    graded = run(load_settings(), args.data, args.set, args.split)
    show = set(args.show.split(",")) if args.show else set()
    for g in graded:
        if g.verdict in show and g.split == "dev":
            print(f"{g.verdict} {g.id} {g.question} [{g.status}] {g.restatement}\n    {g.detail}")
    groups: dict[str, list[Graded]] = defaultdict(list)
    for g in graded:
        groups[g.lang].append(g)
        groups["all"].append(g)
    print(f"split {args.split}: group n correct clarified refused wrong")
    for name, items in sorted(groups.items()):
        c = Counter(g.verdict for g in items)
        print(f"  {name:4} {len(items):4} " + " ".join(f"{c.get(v, 0) / len(items):7.1%}" for v in ("correct", "clarified", "refused", "wrong")))
    if args.out:
        args.out.write_text("".join(g.model_dump_json() + "\n" for g in graded), encoding="utf-8")


if __name__ == "__main__":
    main()
