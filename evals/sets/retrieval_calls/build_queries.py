"""Builds calls_queries.jsonl + calls_qrels.tsv (and sample_notes_queries.jsonl + sample_notes_qrels.tsv
when a sample-company notes.csv exists). Queries are hand-written below; this script only adds ids, the
seeded dev/holdout split by paraphrase group, and per-query counts / base rates computed from the data.

    python build_queries.py [DATASET_DIR] [NOTES_CSV]
"""
import json
import random
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/datasets/insurance_sales_calls")
NOTES = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "sample_notes_seed7.csv"
SPLIT_SEED = 20250917

B = "buy"
NI = "customer not interested"
OB = "customer objections not handled"
IN = "no quote - ineligible customer"
MI = "process paused - customer needs to collect more information"
CO = "process paused - customer needs to consider the offer"
Q1 = {"from": "2025-01-01", "to": "2025-03-31"}
Q2 = {"from": "2025-04-01", "to": "2025-06-30"}
JUL_AUG = {"from": "2025-07-01", "to": "2025-08-31"}

# (group, kind, relevant_outcomes, date_filter, notes, [(lang, query), ...])
CALL_GROUPS = [
    ("consider_offer_words", "outcome_words", [CO], None,
     "Names the 'consider the offer' outcome directly: a quote or offer exists and the customer wants time.",
     [("en", "calls where the customer wanted to think it over"),
      ("en", "prospects who said they need time to consider the quote"),
      ("zh", "客户说要考虑一下的通话"),
      ("zh", "报价之后客户还在犹豫、想再考虑考虑的录音")]),
    ("consider_offer_review_later", "situation", [CO], None,
     "Typical 'consider the offer' ending without naming it: quote sent/emailed, customer will review and "
     "come back; no purchase, no missing information.",
     [("en", "we sent the quote by email and the customer said they'd look it over and get back to us"),
      ("en", "customer got a price but wasn't ready to finalize yet"),
      ("zh", "报价已经发到客户邮箱，客户说看完再回复"),
      ("zh", "客户拿到价格但暂时不想签，说之后再联系我们")]),
    ("consider_offer_comparing", "situation", [CO], None,
     "Comparison shopping before committing is a 'consider the offer' pause (customer holds our quote and "
     "weighs it against others).",
     [("en", "shoppers still waiting on quotes from other insurers before they commit"),
      ("en", "customer wants to compare our price with a couple of other quotes first"),
      ("zh", "客户还在货比三家，等别家报价出来再决定"),
      ("zh", "想先对比几家保险公司价格的客户")]),
    ("collect_info_words", "outcome_words", [MI], None,
     "Names the 'collect more information' outcome: process paused until the customer gathers details.",
     [("en", "prospects who had to collect more information before we could continue"),
      ("en", "calls paused because the customer needs to gather details first"),
      ("zh", "客户需要先补充资料才能继续的通话"),
      ("zh", "流程暂停，客户要回去收集更多信息")]),
    ("collect_info_missing_details", "situation", [MI], None,
     "Typifies 'collect more information': the quote cannot be finished because the customer lacks VIN, "
     "current policy, address or licence details.",
     [("en", "customer didn't have the VIN, policy documents or address handy"),
      ("en", "customer had to go find their current policy before we could quote"),
      ("zh", "客户手头没有车架号或现有保单信息，没法当场报价"),
      ("zh", "客户记不清地址和驾照号，只能下次补充")]),
    ("callback_scheduled", "situation", [MI, CO], None,
     "A scheduled callback / 'bad time, call me tomorrow' ends both paused outcomes (most often 'collect "
     "more information', also 'consider the offer'); both are relevant.",
     [("en", "customer was busy at work and asked us to call back tomorrow"),
      ("en", "calls that ended with a callback scheduled"),
      ("zh", "客户在忙，约好明天再回电的通话")]),
    ("paused_pipeline", "outcome_words", [CO, MI], None,
     "'Paused / still open / needs follow-up' covers both 'process paused' outcomes.",
     [("en", "deals that are paused but still open, who should we follow up with?"),
      ("en", "stalled calls worth a follow-up"),
      ("zh", "还没结论、需要继续跟进的客户"),
      ("zh", "处于暂停状态的商机通话")]),
    ("objections_not_handled", "outcome_words", [OB], None,
     "Names the 'customer objections not handled' outcome.",
     [("en", "objections the agent did not handle well"),
      ("en", "calls where the rep failed to overcome the customer's pushback"),
      ("zh", "销售没有处理好客户异议的通话"),
      ("zh", "客户提出顾虑后坐席没能化解")]),
    ("objection_privacy", "situation", [OB], None,
     "A specific objection (won't share date of birth / address) that the agent could not resolve: an "
     "'objections not handled' situation.",
     [("en", "caller refused to give their date of birth or address and the agent couldn't win them over"),
      ("zh", "客户不愿意提供个人信息，坐席也没说服他")]),
    ("ineligible_words", "outcome_words", [IN], None,
     "Names the 'no quote - ineligible customer' outcome.",
     [("en", "no quote because the customer was not eligible"),
      ("en", "prospects we could not insure"),
      ("zh", "客户不符合投保条件"),
      ("zh", "不符合承保条件、无法出报价的通话")]),
    ("ineligible_no_agent", "situation", [IN], None,
     "In this data most 'ineligible' calls end with 'no agent in your area' and an SMS link to rate online "
     "instead of a quote.",
     [("en", "no licensed agent available in the caller's area, so we just texted a link to get rates online"),
      ("zh", "当地没有可以对接的代理人，只能发短信链接让客户自己在线报价")]),
    ("ineligible_lapse", "situation", [IN], None,
     "Coverage lapse / no continuous insurance is a reason the agent cannot quote: ineligible.",
     [("en", "drivers we couldn't write a policy for because of a lapse in coverage"),
      ("zh", "客户断保时间太长，没法承保")]),
    ("bought", "outcome_words", [B], None,
     "Names the 'buy' outcome. Only 1 call has it, so the best possible precision@10 is 0.1; read these "
     "queries as 'is the one sale in the top 10'.",
     [("en", "who actually bought"),
      ("en", "calls that closed with a policy sold"),
      ("zh", "成交的通话"),
      ("zh", "客户当场投保付款的录音")]),
    ("almost_won", "situation", [B, CO], None,
     "'Close to signing' = the sale plus the calls paused with an offer on the table.",
     [("en", "hot leads that were close to signing"),
      ("zh", "差一点就成交的客户")]),
    ("not_interested_words", "outcome_words", [NI], None,
     "Names the 'customer not interested' outcome.",
     [("en", "not interested, hung up"),
      ("en", "prospects who flatly said no thanks"),
      ("zh", "客户没兴趣，直接挂电话"),
      ("zh", "客户明确拒绝的通话")]),
    ("not_interested_unsolicited", "situation", [NI], None,
     "'I never asked for a quote / you called me / stop calling' typifies 'customer not interested'.",
     [("en", "people who said they never asked for a quote and aren't shopping"),
      ("zh", "客户说自己没在找保险，是你们打给我的"),
      ("zh", "客户抱怨老是接到推销电话")]),
    ("not_interested_loyal", "situation", [NI], None,
     "Customer happy with / loyal to the current insurer and not switching: 'customer not interested'.",
     [("en", "customer happy with their current insurer and not switching"),
      ("zh", "客户对现在的保险公司很满意，不打算换")]),
    ("price_lost", "situation", [NI, OB], None,
     "Losing on price is labelled either 'not interested' (our rate could not beat theirs, customer declines) "
     "or 'objections not handled' (price pushback left unresolved); both are relevant.",
     [("en", "price objections we lost"),
      ("en", "we couldn't beat what the customer is paying now"),
      ("zh", "因为价格丢掉的客户"),
      ("zh", "我们的报价比客户现有保费还贵")]),
    ("dead_calls", "outcome_words", [NI, OB, IN], None,
     "Calls with no sale and nothing pending: not interested, objections not handled, or ineligible.",
     [("en", "which calls went nowhere?"),
      ("zh", "彻底没戏的通话"),
      ("zh", "丢单的通话")]),
    ("wasted_transfers", "situation", [NI, IN], None,
     "A transfer that was never a real prospect: either not eligible or not interested at all.",
     [("en", "wasted transfers: callers who were ineligible or had no interest"),
      ("zh", "转过来的客户要么不符合条件要么没兴趣")]),
    ("q1_consider", "filter", [CO], Q1,
     "'Consider the offer' restricted to calls dated 2025-01-01..2025-03-31 (first message timestamp).",
     [("en", "Q1 2025 calls where the customer wanted to think about the quote"),
      ("zh", "2025年第一季度客户说要再考虑的通话")]),
    ("q2_not_interested", "filter", [NI], Q2,
     "'Not interested' restricted to calls dated 2025-04-01..2025-06-30.",
     [("en", "customers who turned us down in April to June 2025"),
      ("zh", "2025年二季度明确表示不感兴趣的客户")]),
    ("julaug_collect_info", "filter", [MI], JUL_AUG,
     "'Collect more information' restricted to calls dated 2025-07-01..2025-08-31 (the last two months "
     "in the data).",
     [("en", "calls since July 2025 that are waiting on the customer to send more details"),
      ("zh", "2025年7月以来客户还需要补充信息的通话")]),
]

# Sample-company notes (seed 7). relevance = note topic.
NOTE_GROUPS = [
    ("cheaper_competitor", ["competitor_price_cut"],
     "Losing to / pressure from the competitor's price cut (云帆软件) is topic competitor_price_cut.",
     [("en", "customers who switched to the competitor because it was cheaper"),
      ("zh", "竞品降价导致丢单的记录")]),
    ("quote_too_high", ["price", "competitor_price_cut"],
     "'Our quote is too expensive' appears in price notes and in competitor_price_cut notes.",
     [("en", "client says our quote is too high and wants a discount")]),
    ("budget", ["budget"],
     "Budget cuts / frozen spending / starting with a smaller package is topic budget.",
     [("en", "budget cuts forcing customers to buy a smaller starter package"),
      ("zh", "客户预算不足，项目缩小先买入门版")]),
    ("decision_delay", ["decision_delay"],
     "Approval stuck, long decision chain, tender process: topic decision_delay.",
     [("en", "approval is stuck and the decision keeps getting postponed"),
      ("zh", "客户内部审批流程长，签约推迟")]),
    ("product_gap", ["product_gap"],
     "Missing feature / unsupported integration / customisation request: topic product_gap.",
     [("en", "missing features or integrations the product doesn't support"),
      ("zh", "产品功能不满足客户需求，需要定制开发")]),
    ("referral", ["referral"],
     "Leads from the customer referral programme: topic referral.",
     [("en", "leads that came from customer referrals"),
      ("zh", "转介绍带来的新客户")]),
    ("why_won", ["success"],
     "Notes on won deals and why they were won: topic success.",
     [("en", "why did we win? notes on closed-won deals")]),
    ("relationship", ["relationship"],
     "Good relationship, renewal or expansion opportunity: topic relationship.",
     [("zh", "客户关系好、有续约或扩容机会的拜访")]),
    ("follow_up", ["follow_up"],
     "No reply / contact changed / need to re-engage: topic follow_up.",
     [("zh", "客户很久没回复，需要加强跟进")]),
    ("competitor_eval", ["competitor"],
     "Evaluating rival vendors or switching cost from a competitor's system (not the price cut): topic competitor.",
     [("en", "prospect is also evaluating rival vendors that have a local delivery team")]),
]


def split_for(groups, seed, stratum=lambda g: ""):
    """Seeded split by paraphrase group: within each stratum (calls: the first relevant outcome) the group
    names are sorted, shuffled with one random.Random(seed), and round(n/3) of them go to holdout."""
    strata = {}
    for g in groups:
        strata.setdefault(stratum(g), []).append(g[0])
    rng = random.Random(seed)
    out = {}
    for key in sorted(strata):
        names = sorted(strata[key])
        rng.shuffle(names)
        n_hold = round(len(names) / 3)
        for j, n in enumerate(names):
            out[n] = "holdout" if j < n_hold else "dev"
    return out


def call_table():
    conv = pd.read_csv(DATA / "conversations.csv")
    msgs = pd.read_csv(DATA / "messages.csv", usecols=["conversation_id", "timestamp"], parse_dates=["timestamp"])
    start = msgs.groupby("conversation_id").timestamp.min().rename("call_date").dt.normalize()
    return conv.join(start, on="conversation_id")


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def build_calls():
    calls = call_table()
    labels = set(calls.outcome)
    splits = split_for(CALL_GROUPS, SPLIT_SEED, stratum=lambda g: g[2][0])
    rows, qrels = [], []
    i = 0
    for group, kind, rel, date_filter, notes, queries in CALL_GROUPS:
        assert set(rel) <= labels, rel
        mask = calls.outcome.isin(rel)
        if date_filter:
            in_range = calls.call_date.between(pd.Timestamp(date_filter["from"]), pd.Timestamp(date_filter["to"]))
            mask &= in_range
        rel_ids = calls.conversation_id[mask].tolist()
        for lang, text in queries:
            i += 1
            qid = f"call-{i:03d}"
            row = {
                "id": qid, "query": text, "lang": lang,
                "relevant_outcomes": rel,
                "paraphrase_group": group, "split": splits[group], "kind": kind,
                "notes": notes,
                "n_relevant": len(rel_ids),
                "base_rate": round(len(rel_ids) / len(calls), 4),
                "ideal_p_at_10": min(len(rel_ids), 10) / 10,
            }
            if date_filter:
                row["date_filter"] = {**date_filter, "field": "call date = first message timestamp in messages.csv"}
                row["base_rate_within_filter"] = round(len(rel_ids) / int(in_range.sum()), 4)
            rows.append(row)
            qrels += [(qid, cid) for cid in rel_ids]
    write_jsonl(HERE / "calls_queries.jsonl", rows)
    pd.DataFrame(qrels, columns=["query_id", "conversation_id"]).to_csv(HERE / "calls_qrels.tsv", sep="\t", index=False)
    return rows


def build_notes():
    if not NOTES.exists():
        print(f"(no {NOTES}; notes queries not written)")
        return []
    notes = pd.read_csv(NOTES)
    topics = set(notes.topic)
    splits = split_for(NOTE_GROUPS, SPLIT_SEED)
    rows, qrels = [], []
    i = 0
    for group, rel, why, queries in NOTE_GROUPS:
        assert set(rel) <= topics, rel
        rel_ids = notes.note_id[notes.topic.isin(rel)].tolist()
        for lang, text in queries:
            i += 1
            qid = f"note-{i:03d}"
            rows.append({
                "id": qid, "query": text, "lang": lang, "relevant_topics": rel,
                "paraphrase_group": group, "split": splits[group], "notes": why,
                "n_relevant": len(rel_ids), "base_rate": round(len(rel_ids) / len(notes), 4),
            })
            qrels += [(qid, nid) for nid in rel_ids]
    write_jsonl(HERE / "sample_notes_queries.jsonl", rows)
    pd.DataFrame(qrels, columns=["query_id", "note_id"]).to_csv(HERE / "sample_notes_qrels.tsv", sep="\t", index=False)
    return rows


if __name__ == "__main__":
    for name, rows in (("calls", build_calls()), ("notes", build_notes())):
        if not rows:
            continue
        df = pd.DataFrame(rows)
        print(f"{name}: {len(df)} queries, {df.paraphrase_group.nunique()} groups")
        print("  by lang:", df.lang.value_counts().to_dict())
        print("  by split (queries):", df.split.value_counts().to_dict(),
              " (groups):", df.drop_duplicates("paraphrase_group").split.value_counts().to_dict())
        print("  holdout by lang:", df[df.split == "holdout"].lang.value_counts().to_dict())
