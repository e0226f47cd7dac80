"""The message catalogue (fupan/messages.py): every message in both languages with the same named slots, every
key the code asks for present, and a message rendered only in the language asked for."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from fupan.messages import Messages, Text, catalogue, pick, say

ROOT = Path(__file__).resolve().parents[1]


def _slots(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_with_the_same_slots() -> None:
    messages = catalogue()
    assert {key.partition(".")[0] for key in messages} == {
        "actions",
        "ask",
        "chain",
        "draft",
        "goals",
        "page",
        "report",
        "themes",
        "tree",
    }
    for key, (zh, en) in messages.items():
        assert bool(zh.strip()) == bool(en.strip()), key  # blank in both (a status that shows nothing) or in neither
        assert _slots(zh) == _slots(en), key


def test_every_key_the_code_asks_for_is_in_the_catalogue() -> None:
    asked = set()
    for path in [*ROOT.glob("agent/**/*.py"), *ROOT.glob("api/**/*.py")]:
        asked |= set(re.findall(r'\bsay\(\s*"([a-z_]+\.[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert asked, "no say() call found: the scan is broken"
    assert sorted(asked - set(catalogue())) == []


def test_slots_are_filled_by_name_in_the_language_asked_only() -> None:
    assert say("draft.title", "zh", scope="华东", period="2026Q3") == "华东 2026Q3 销售复盘报告"
    assert say("draft.title", "en", period="2026Q3", scope="East") == "East 2026Q3 sales review"
    assert say("page.n_drafts", "en", n=3) == "3 reviews"
    assert say("report.summary", "zh") == "概述"
    with pytest.raises(KeyError):  # a slot the message names must be given
        say("draft.title", "en", period="2026Q3")


def test_an_unknown_key_renders_as_itself_and_namespaces_bind_a_language() -> None:
    assert say("report.no_such_word", "en") == "no_such_word"
    words = Messages("page", "zh")
    assert words.inbox == "审阅箱" and words("n_drafts", n=2) == "2 份"
    assert Messages("report", "en").performance == "Goal vs result"


def test_text_kept_in_data_picks_its_language_like_the_catalogue() -> None:
    title = Text(zh="竞品降价抢单", en="Competitor price cuts")
    assert title.get("zh") == "竞品降价抢单" and title.get("en") == "Competitor price cuts"
    assert title.inline("en") == "competitor price cuts" and title.inline("zh") == "竞品降价抢单"
    assert [pick(("中", "en"), lang) for lang in ("zh", "en", "fr")] == ["中", "en", "en"]
