"""Fupan's own paraphrase queries over the shared insurance calls (issue 15, round 3), labelled from the data.

Written for the search work, without reading the independent set's holdout queries: each query names the
call outcomes (`conversations.csv` labels) whose calls answer it; relevance (the call's outcome label) and base
rates are computed from `conversations.csv` by `label()` below, never by the search engine. Queries are
grouped (`group`) by the need they express; each group has English and Chinese phrasings, and the phrasings
are of three kinds: `outcome_words` (names the outcome in other words), `situation` (describes a scene seen in
the transcripts), `objection` (what the customer objected to; relevant = the outcomes such calls end in).

    .venv/bin/python evals/sets/retrieval_calls/own_paraphrases.py   # rewrites own_queries.jsonl
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

CONSIDER = "process paused - customer needs to consider the offer"
COLLECT = "process paused - customer needs to collect more information"
NOT_INTERESTED = "customer not interested"
OBJECTIONS = "customer objections not handled"
INELIGIBLE = "no quote - ineligible customer"
BUY = "buy"

# group → (relevant outcomes, [(lang, kind, query)])
QUERIES: dict[str, tuple[list[str], list[tuple[str, str, str]]]] = {
    "own_consider_family": (
        [CONSIDER],
        [
            ("en", "situation", "customer wants to talk it over with their spouse before deciding"),
            ("en", "outcome_words", "leads still mulling over the offer we gave them"),
            ("zh", "situation", "客户要先和家里人商量一下再决定"),
            ("zh", "outcome_words", "客户对报价还没拿定主意"),
        ],
    ),
    "own_consider_sleep_on_it": (
        [CONSIDER],
        [
            ("en", "situation", "they got the price and said they would sleep on it"),
            ("en", "outcome_words", "undecided prospects reviewing the proposal"),
            ("zh", "situation", "听完价格后客户说回去想想"),
            ("zh", "outcome_words", "报价已给出，等客户做决定"),
        ],
    ),
    "own_collect_documents": (
        [COLLECT],
        [
            ("en", "situation", "customer did not have the vehicle or license details at hand"),
            ("en", "outcome_words", "quote on hold until the caller finds the missing information"),
            ("zh", "situation", "客户手头没有驾照和车辆信息，要找到以后再联系"),
            ("zh", "outcome_words", "等客户把缺的资料找齐再继续的通话"),
        ],
    ),
    "own_collect_policy_papers": (
        [COLLECT],
        [
            ("en", "situation", "caller has to look up their current policy paperwork first"),
            ("zh", "situation", "客户得先查一下现在保单上的信息"),
            ("zh", "outcome_words", "信息不全，暂时没法继续报价"),
        ],
    ),
    "own_objections_personal_data": (
        [OBJECTIONS],
        [
            (
                "en",
                "objection",
                "caller got annoyed by all the personal questions and the rep could not calm them",
            ),
            ("en", "outcome_words", "concerns the salesperson failed to address"),
            ("zh", "objection", "客户嫌问的个人问题太多，销售没能打消顾虑"),
            ("zh", "outcome_words", "客户的异议没有被处理好"),
        ],
    ),
    "own_ineligible_no_carrier": (
        [INELIGIBLE],
        [
            ("en", "situation", "none of our carriers would write a policy for this driver"),
            ("en", "outcome_words", "callers who did not qualify for coverage"),
            ("zh", "situation", "没有一家保险公司愿意给这个司机承保"),
            ("zh", "outcome_words", "不满足条件、给不了报价的客户"),
        ],
    ),
    "own_ineligible_history": (
        [INELIGIBLE],
        [
            ("en", "situation", "we could not quote because of the driver's insurance history"),
            ("zh", "situation", "因为之前的保险记录问题，无法为客户报价"),
            ("zh", "outcome_words", "不具备投保资格的来电"),
        ],
    ),
    "own_not_interested_no_need": (
        [NOT_INTERESTED],
        [
            ("en", "outcome_words", "people who were not interested in switching at all"),
            ("en", "situation", "caller said they did not need a new policy and ended the call"),
            ("zh", "outcome_words", "对我们的产品完全没兴趣的客户"),
            ("zh", "situation", "客户说不需要，就结束了通话"),
        ],
    ),
    "own_not_interested_rate": (
        [NOT_INTERESTED],
        [
            ("en", "situation", "our rate came out higher than their current premium so they passed"),
            ("zh", "situation", "报出来的价格比客户现在交的还高，客户就不要了"),
        ],
    ),
    "own_lost_on_price": (
        [NOT_INTERESTED, OBJECTIONS],
        [
            ("en", "objection", "customers who said our insurance was too expensive"),
            ("en", "objection", "price pushback that ended the sale"),
            ("zh", "objection", "客户嫌保费太贵"),
            ("zh", "objection", "价格异议导致没成交的通话"),
        ],
    ),
    "own_follow_up": (
        [CONSIDER, COLLECT],
        [
            ("en", "outcome_words", "open deals we still need to follow up on"),
            ("en", "situation", "calls that ended with a promise to get back to us"),
            ("zh", "outcome_words", "还需要跟进的未结案通话"),
            ("zh", "situation", "客户答应之后再回复我们的通话"),
        ],
    ),
    "own_sale": (
        [BUY],
        [
            ("en", "outcome_words", "the call where the customer signed up for a policy"),
            ("en", "situation", "customer paid and joined on the call"),
            ("zh", "outcome_words", "客户当场买了保险的通话"),
            ("zh", "outcome_words", "签单成功的录音"),
        ],
    ),
    "own_no_deal": (
        [NOT_INTERESTED, OBJECTIONS, INELIGIBLE],
        [
            ("en", "outcome_words", "calls that ended without any chance of a sale"),
            ("zh", "outcome_words", "没有成交希望的通话"),
        ],
    ),
    "own_unqualified_or_uninterested": (
        [NOT_INTERESTED, INELIGIBLE],
        [
            ("en", "outcome_words", "leads that were either not eligible or not interested"),
            ("zh", "outcome_words", "不符合条件或者没兴趣的线索"),
        ],
    ),
}


# written after the search was tuned on the groups above and measured once, never tuned on (split "fresh")
FRESH: dict[str, tuple[list[str], list[tuple[str, str, str]]]] = {
    "fresh_consider": (
        [CONSIDER],
        [
            ("en", "situation", "prospect asked for a few days to decide"),
            ("zh", "situation", "客户说过两天再给答复"),
            ("en", "situation", "customer wanted to run the numbers with their partner"),
            ("zh", "situation", "客户想回家跟老婆再讨论一下报价"),
        ],
    ),
    "fresh_collect": (
        [COLLECT],
        [
            ("en", "situation", "caller needs to dig up their current policy number before we can quote"),
            ("zh", "situation", "客户要回去找车辆资料，之后再报价"),
            ("en", "situation", "waiting on the customer for driver details"),
            ("zh", "situation", "客户还没提供完整的驾驶员信息"),
        ],
    ),
    "fresh_not_interested": (
        [NOT_INTERESTED],
        [
            ("en", "situation", "customer said they're fine with what they have"),
            ("zh", "situation", "客户表示目前的保险挺好，不想换"),
            ("en", "situation", "person didn't want a quote and ended the conversation"),
            ("zh", "outcome_words", "客户直接说不用了"),
        ],
    ),
    "fresh_objections": (
        [OBJECTIONS],
        [
            ("en", "objection", "rep couldn't get past the customer's worries"),
            ("zh", "objection", "客户有疑虑，销售没解决"),
            ("en", "objection", "caller was suspicious about why we needed their details"),
            ("zh", "objection", "客户怀疑我们为什么要他的信息，最后没谈下去"),
        ],
    ),
    "fresh_ineligible": (
        [INELIGIBLE],
        [
            ("en", "outcome_words", "drivers we had to turn away"),
            ("zh", "outcome_words", "我们没法给他上保险的司机"),
            ("en", "situation", "caller's situation meant we couldn't offer a policy"),
            ("zh", "situation", "因为客户情况特殊，没办法出保单"),
        ],
    ),
    "fresh_sale": (
        [BUY],
        [
            ("en", "outcome_words", "successful sale on the phone"),
            ("zh", "outcome_words", "电话里直接成交的客户"),
        ],
    ),
    "fresh_in_progress": (
        [CONSIDER, COLLECT],
        [
            ("en", "outcome_words", "deals still in progress"),
            ("zh", "outcome_words", "还在进行中的单子"),
        ],
    ),
}


def _shared() -> Path:
    return Path(os.environ.get("FUPAN_SHARED", Path(__file__).resolve().parents[4] / "shared"))


def label(conversations: Path) -> dict[str, str]:
    """conversation id → outcome label, as conversations.csv gives it."""
    with conversations.open(encoding="utf-8", newline="") as f:
        return {r["conversation_id"]: r["outcome"] for r in csv.DictReader(f)}


def build(conversations: Path) -> list[dict[str, object]]:
    outcomes = label(conversations)
    rows: list[dict[str, object]] = []
    n = 0
    groups = [(g, q, "own") for g, q in QUERIES.items()] + [(g, q, "fresh") for g, q in FRESH.items()]
    for group, (relevant, phrasings), split in groups:
        ids = sorted(c for c, o in outcomes.items() if o in relevant)
        for lang, kind, text in phrasings:
            n += 1
            rows.append(
                {
                    "id": f"own-{n:03d}",
                    "query": text,
                    "lang": lang,
                    "split": split,
                    "kind": kind,
                    "paraphrase_group": group,
                    "relevant_outcomes": relevant,
                    "base_rate": round(len(ids) / len(outcomes), 4),
                }
            )
    return rows


if __name__ == "__main__":
    import sys

    out = Path(__file__).with_name("own_queries.jsonl")
    rows = build(_shared() / "datasets" / "insurance_sales_calls" / "conversations.csv")
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if "--print" in sys.argv:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")
        print(f"{len(rows)} queries → {out}")
