"""A CJK-capable font for matplotlib (fonts-noto-cjk, installed by scripts/setup.sh), found once."""

from __future__ import annotations

import functools
import logging
import warnings

log = logging.getLogger(__name__)

_PREFERRED = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


@functools.cache
def cjk_font_family() -> str | None:
    """The family name of an installed CJK font, or None (with a warning: Chinese labels render as boxes)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in _PREFERRED:
        if family in names:
            return family
    for f in font_manager.fontManager.ttflist:
        if "CJK" in f.name or "Han" in f.name:
            return f.name
    warnings.warn(
        "no CJK font found for charts; Chinese labels will not render. "
        "Install one with: sudo apt-get install fonts-noto-cjk (scripts/setup.sh does this)",
        stacklevel=2,
    )
    return None
