"""Search fields for Chinese names: full pinyin and initials, lower case, so "yyzz" or "yingyezhizhao"
finds 营业执照. Latin letters and digits in a name are kept as they are (lower case); punctuation is
dropped, so the fields hold only [a-z0-9]."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_KEEP = re.compile(r"[^a-z0-9]+")


def _clean(chunk: str) -> str:
    return _KEEP.sub("", unicodedata.normalize("NFKC", chunk).lower())


def pinyin_fields(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of `name`, e.g. 营业执照 -> ("yingyezhizhao", "yyzz")."""
    name = name or ""
    full = "".join(_clean(p) for p in lazy_pinyin(name, style=Style.NORMAL, errors="default"))
    initials = "".join(_clean(p) for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default"))
    return full, initials


def normalise_name(name: str) -> str:
    """A material name reduced for comparison: full-width folded, spaces, punctuation and book-title
    marks removed, lower case (《居民身份证》 and 居民身份证 are the same document)."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    return "".join(ch for ch in text if ch.isalnum())
