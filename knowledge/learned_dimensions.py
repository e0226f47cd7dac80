"""Dimensions learned from the data: the user's own columns, named by their headers, with a word in the other
language from the dictionaries (`dictionaries/dimensions.tsv` first, then the search glossary `glossary.tsv`).

`COUNTRY` becomes the dimension `country` (名称 国家), `国家` the dimension `country` too; a header the
dictionaries do not know keeps its own name in both languages and an id made from it. A column of a side table
becomes an attribute of that table's key (an account's 行业, a rep's office): its id is the canonical field or
the header's, prefixed by the key when it would clash (`account_region`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from fupan.dimensions import CORE_DIMENSIONS, DimensionDef, dimension_id

_DICT_DIR = Path(__file__).parent / "dictionaries"
# Columns of the opportunities view and names the metric SQL uses: never a learned dimension's id.
RESERVED = {
    "opportunity_id", "order_id", "name", "stage", "amount", "created_date", "engaged_date", "close_date",
    "loss_reason", "snapshot_id", "deal_head", "first_won", "won_in_period", "num", "den", "base", "n", "u",
    "s1", "wp", "b", "o", "t", "f", "acc", "prod", "period", "metric", "target", "account_first_won",
    # DuckDB's reserved words
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
    "check", "collate", "column", "constraint", "create", "default", "deferrable", "desc", "describe",
    "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from", "group", "having",
    "in", "initially", "intersect", "into", "lambda", "lateral", "leading", "limit", "not", "null", "offset",
    "on", "only", "or", "order", "pivot", "pivot_longer", "pivot_wider", "placing", "primary", "qualify",
    "references", "returning", "select", "show", "some", "summarize", "symmetric", "table", "then", "to",
    "trailing", "true", "union", "unique", "unpivot", "using", "variadic", "when", "where", "window", "with",
}  # fmt: skip
_KEY_ZH = {"account": "客户", "rep": "销售", "product": "产品"}
_KEY_EN = {"account": "account", "rep": "rep", "product": "product"}


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, list[str]], dict[str, str]]:
    """(English word → Chinese words, Chinese word → English word); dimensions.tsv wins over glossary.tsv."""
    en_zh: dict[str, list[str]] = {}
    zh_en: dict[str, str] = {}
    for name in ("dimensions.tsv", "glossary.tsv"):
        path = _DICT_DIR / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            en, _, zh = line.partition("\t")
            en = en.strip().lower()
            if not en or not zh.strip():
                continue
            words = zh.split()
            en_zh.setdefault(en, words)
            for w in words:
                zh_en.setdefault(w, en)
    return en_zh, zh_en


def _cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def plain(header: str) -> str:
    """`REGIONAL_OFFICE` → `regional office`, `Sub-Category` → `sub category`: the header as a word."""
    return re.sub(r"[\s_\-./]+", " ", header.strip()).strip().lower()


def translate(header: str) -> tuple[str | None, list[str]]:
    """(the English word for the header, its Chinese words), when the dictionaries know it."""
    en_zh, zh_en = _dictionary()
    if _cjk(header):
        en = zh_en.get(header.strip())
        return en, [header.strip()]
    word = plain(header)
    for candidate in (word, word.replace(" ", ""), _singular(word)):
        if candidate in en_zh:
            return candidate, en_zh[candidate]
    compact = {k.replace(" ", ""): k for k in en_zh}
    key = compact.get(word.replace(" ", ""))
    return (key, en_zh[key]) if key else (None, [])


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _plural(word: str) -> str:
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """English words of headers: the dictionaries' and the mapping synonyms', for splitting `CUSTOMERNAME`."""
    from knowledge.mapping import SYNONYMS

    words = {w for key in _dictionary()[0] for w in key.split()}
    for fields in SYNONYMS.values():
        for names in fields.values():
            words |= {w for n in names if n.isascii() for w in plain(n).split()}
    return frozenset(w for w in words if len(w) >= 2)


def split_compound(word: str) -> str:
    """`customername` → `customer name`, `dealsize` → `deal size` when it splits wholly into known words."""
    vocab = _vocabulary() - {word}
    best: dict[int, list[str]] = {0: []}
    for i in range(1, len(word) + 1):
        for j in range(max(0, i - 14), i):
            if j in best and word[j:i] in vocab and (i not in best or len(best[j]) + 1 < len(best[i])):
                best[i] = [*best[j], word[j:i]]
    parts = best.get(len(word))
    return " ".join(parts) if parts and len(parts) > 1 else word


def _display(header: str) -> str:
    """An English header as a name: shouting and snake case softened (`DEAL_SIZE` → `deal size`,
    `CUSTOMERNAME` → `customer name`)."""
    if header.isupper() or "_" in header or header.islower():
        return " ".join(split_compound(w) for w in plain(header).split())
    return header.strip()


def learned(header: str, *, taken: set[str], origin: str = "data", key: str | None = None,
            field: str | None = None, values: int | None = None) -> DimensionDef:
    """A dimension for one column of the user's file (`origin` data) or of a side table (`attribute` of `key`)."""
    en, zh_words = translate(header)
    # the user's word first (`sector`), the canonical field only when the header gives no ASCII id (`行业`)
    base = dimension_id(en or (plain(header) if not _cjk(header) else "") or field or "", ())
    taken_all = taken | RESERVED
    if key and (base in taken_all or base == "dim"):
        base = f"{key}_{base}"
    dim_id = dimension_id(base, taken_all)
    if _cjk(header):
        name_zh = header.strip()
        name_en = en or (field.replace("_", " ") if field else header.strip())
    else:
        name_en = _display(header)
        name_zh = zh_words[0] if zh_words else name_en
    if key and dim_id.startswith(f"{key}_"):  # a qualified attribute: say whose it is
        name_zh = name_zh if name_zh.startswith(_KEY_ZH[key]) else _KEY_ZH[key] + name_zh
        name_en = name_en if name_en.startswith(_KEY_EN[key]) else f"{_KEY_EN[key]} {name_en}"
    words = _words(header, en, zh_words, name_zh, name_en)
    return DimensionDef(
        id=dim_id,
        name_zh=name_zh[:60],
        name_en=name_en[:60],
        words=tuple(words),
        origin="attribute" if key else "data",  # type: ignore[arg-type]
        header=header,
        key=key,
        cardinality=values,
    )


def _words(header: str, en: str | None, zh_words: list[str], *names: str) -> list[str]:
    out: list[str] = []
    for w in (header.strip(), plain(header), *names, *(zh_words or []), en or ""):
        w = w.strip()
        if w and w.lower() not in (x.lower() for x in out):
            out.append(w)
    if en and " " not in en and not _cjk(en) and not en.endswith("s"):
        out.append(_plural(en))
    return out


def core_with_header(dim_id: str, header: str) -> DimensionDef:
    """A core dimension named by the user's header (`TERRITORY` for region): the header in its language."""
    core = next(d for d in CORE_DIMENSIONS if d.id == dim_id)
    extra = [header.strip(), plain(header)]
    en, zh_words = translate(header)
    if en:
        extra += [en, *zh_words]
    words = tuple(dict.fromkeys([*extra, *core.words]))
    update: dict[str, object] = {"header": header, "words": words}
    if _cjk(header):
        update["name_zh"] = header.strip()[:60]
    else:
        update["name_en"] = _display(header)[:60]
    return core.model_copy(update=update)
