"""Report wording in Chinese and English: headings, table columns, statuses, fishbone categories. The words are
the `report` namespace of the message catalogue (fupan/messages/report.yaml)."""

from __future__ import annotations

from fupan.messages import Messages, say


def label(key: str, lang: str) -> str:
    """The word for `key` in `lang` (zh or en); the key itself when unknown."""
    return say(f"report.{key}", lang)


def grade_label(grade: str, lang: str) -> str:
    """[数据] / [记录] / [待核实] — what supports a link of a root-cause chain."""
    return label(grade, lang)


def category_label(category: str, lang: str) -> str:
    return label("resources_cat" if category == "resources" else category, lang)


class Labels(Messages):
    """Attribute access for templates: `L.performance`, `L("done")`."""

    def __init__(self, lang: str) -> None:
        super().__init__("report", lang)
