"""Chunking: Chinese and English sentence boundaries, speaker turns kept whole, no text lost."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.chunking import chunk_text, detect_language, split_sentences, text_size
from knowledge.doc_index import evidence_id_for
from knowledge.documents import Document


def _letters(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "客户说价格太高了。他们要等下季度预算！能否再降5%？",
            ["客户说价格太高了。", "他们要等下季度预算！", "能否再降5%？"],
        ),
        ("竞品降价；我们跟进。", ["竞品降价；", "我们跟进。"]),
        (
            "Price is too high. They wait for budget! Can we cut 5%?",
            ["Price is too high.", "They wait for budget!", "Can we cut 5%?"],
        ),
        (
            "The deal is 3.5 million. Mr. Smith signs, e.g. next week.",
            ["The deal is 3.5 million.", "Mr. Smith signs, e.g. next week."],
        ),
        ("客户说 price is high. 我们再报价。", ["客户说 price is high.", "我们再报价。"]),
        ("line one\nline two", ["line one", "line two"]),
    ],
)
def test_sentences_split_at_zh_and_en_boundaries(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_chunks_pack_whole_sentences_up_to_the_size() -> None:
    sentence = "客户反馈竞品降价百分之十五。"  # 13 CJK characters
    chunks = chunk_text(sentence * 10, max_size=30)
    assert all(text_size(c) <= 30 for c in chunks)
    assert all(c.endswith("。") for c in chunks)  # never cut inside a sentence
    assert [c.count("。") for c in chunks] == [2, 2, 2, 2, 2]


def test_speaker_turns_stay_whole_and_on_their_own_lines() -> None:
    turns = [
        "Agent: Hello, this is Sam from the insurer. Do you have a minute?",
        "Customer: Yes. I got your quote. It is more than I pay now.",
        "Agent: I understand. Let me check the discount options.",
        "客户：我需要再考虑一下。",
        "Customer: I will think about it and call back.",
    ]
    chunks = chunk_text("\n".join(turns), max_size=25)
    lines = [line for c in chunks for line in c.splitlines()]
    assert lines == turns  # every turn intact, in order, none merged or split
    assert len(chunks) > 1


def test_a_unit_longer_than_the_size_is_split_without_losing_text() -> None:
    text = "价格" * 100 + "，" + "预算" * 30
    chunks = chunk_text(text, max_size=50)
    assert all(text_size(c) <= 50 for c in chunks)
    assert "".join(chunks) == text


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["价格太高。", "竞品降价了！", "决策链很长；", "预算冻结？", "客户，", "Mr."]),
            st.text(alphabet="abc xyz.!?\n", min_size=1, max_size=30),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=3, max_value=60),
)
def test_chunking_keeps_every_character_in_order(parts: list[str], size: int) -> None:
    text = "".join(parts)
    chunks = chunk_text(text, max_size=size)
    assert _letters("".join(chunks)) == _letters(text)
    assert all(c.strip() for c in chunks)


def test_language_detection() -> None:
    assert detect_language("客户觉得报价太高, CRM renewal") == "zh"
    assert detect_language("The customer wants a discount 折扣") == "en"


def test_chunk_ids_are_stable_note_doc_n() -> None:
    note = Document(doc_id="N-7", kind="call_note", text="x")
    lesson = Document(doc_id="L-3", kind="lesson", text="x")
    assert [evidence_id_for(note, n) for n in range(3)] == ["note:N-7#0", "note:N-7#1", "note:N-7#2"]
    assert evidence_id_for(lesson, 0) == "lesson:L-3"
    text = "客户反馈竞品降价。" * 40
    assert chunk_text(text) == chunk_text(text)  # same text, same chunks, same ids
