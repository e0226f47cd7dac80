"""One message catalogue for Chinese and English: named slots, rendered once, in the language asked for.

    say("report.summary", "zh")                                   # 概述
    say("page.n_drafts", "en", n=3)                               # 3 reviews
    say("draft.title", lang, scope="华东", period="2026Q3")        # 华东 2026Q3 销售复盘报告
    words = Messages("page", lang); words("n_drafts", n=3); words.inbox

The messages live in `fupan/messages/<namespace>.yaml`, one `key: [中文, English]` a line: `report` (the report
files' headings and columns), `page` (the reviewer's page) and `draft` (the drafter's sentences). A `{slot}` is
filled by name with `str.format`, and only the text of the language asked for is formatted, so a sentence is never
built twice. A key the catalogue lacks renders as itself: a missing word shows in the output, it never fails it.

Text that lives in data rather than in these files (the playbook's causes, knowledge/playbook.yaml) is a `Text`:
the same pair of languages, picked by the same rule.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

FOLDER = Path(__file__).with_name("messages")


@functools.cache
def catalogue() -> dict[str, tuple[str, str]]:
    """Every message, by `namespace.key`."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted(FOLDER.glob("*.yaml")):
        for key, pair in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            zh, en = pair
            out[f"{path.stem}.{key}"] = (str(zh), str(en))
    return out


def say(key: str, lang: str, **slots: object) -> str:
    """The message `key` (`namespace.key`) in `lang` (zh, else English), its slots filled by name."""
    pair = catalogue().get(key)
    if pair is None:
        return key.partition(".")[2] or key
    text = pick(pair, lang)
    return text.format(**slots) if slots else text


def pick(pair: tuple[str, str], lang: str) -> str:
    """The text of a (中文, English) pair in `lang`: Chinese for zh, else English."""
    return pair[0] if lang == "zh" else pair[1]


class Text(BaseModel):
    """A message kept in data (`zh:` and `en:`), rendered like the catalogue's."""

    model_config = ConfigDict(extra="forbid")
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return pick((self.zh, self.en), lang)

    def inline(self, lang: str) -> str:
        """Inside a sentence: English lower-cased, Chinese as it is."""
        return self.zh if lang == "zh" else self.en.lower()


class Messages:
    """One namespace in one language, for code and templates: `m("n_drafts", n=3)`, `m.inbox`."""

    def __init__(self, namespace: str, lang: str) -> None:
        self.namespace, self.lang = namespace, lang

    def __call__(self, key: str, **slots: object) -> str:
        return say(f"{self.namespace}.{key}", self.lang, **slots)

    def __getattr__(self, key: str) -> str:
        if key.startswith("__"):
            raise AttributeError(key)
        return self(key)
