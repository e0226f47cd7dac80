"""The outcomes a search query names in managers' words, English and Chinese, negations read."""

from __future__ import annotations

import pytest

from knowledge.field_intents import intents, lexicon

CONSIDER = "customer needs to think about the offer before deciding"
COLLECT = "customer needs to collect more information first"
NOT_INTERESTED = "customer not interested"
INELIGIBLE = "customer is not eligible, no quote possible"
BOUGHT = "customer bought"
LOST = "the customer was lost"


@pytest.mark.parametrize(
    ("query", "meant"),
    [
        ("calls where the customer wanted to sleep on it", [CONSIDER]),
        ("客户要和家里人商量一下", [CONSIDER]),
        ("客户还没拿定主意", [CONSIDER]),  # a negated cue that is itself the meaning
        ("quote on hold until they find the paperwork", [COLLECT, "the process is paused until a follow-up with the customer"]),
        ("客户手头没有资料", [COLLECT]),
        ("prospects who said no thanks", [NOT_INTERESTED]),
        ("customers who didn't qualify", [INELIGIBLE]),
        ("不符合条件或者没兴趣的线索", [NOT_INTERESTED, INELIGIBLE]),
        ("the call where the customer signed up", [BOUGHT]),
        ("没成交的通话", [LOST]),  # 成交 after 没 is not a sale
        ("calls with no sale", [LOST]),
        ("the customer said not yet", []),  # "said no" takes no inflection: "not" is another word
        ("the prospect considered it", [CONSIDER]),  # a longer word does ("consider" + ed)
        ("what did customers in East say about price", []),
        ("我们的报价比客户现在交的还贵", ["customer rejected our price"]),
        ("竞品便宜", []),
    ],
)  # fmt: skip
def test_intents_of_a_query(query: str, meant: list[str]) -> None:
    assert intents(query) == meant


def test_the_lexicon_is_bilingual_and_names_no_dataset_value() -> None:
    """Every outcome has English and Chinese cues; descriptions are phrases, not a dataset's labels."""
    entries = lexicon()
    assert len(entries) >= 6
    for description, cues in entries:
        assert any(c.isascii() for c in cues) and any(not c.isascii() for c in cues), description
        assert " - " not in description
