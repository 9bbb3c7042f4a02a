"""Search fields for Chinese names: full pinyin and initials, lower case, so "yyzz" or "yingyezhizhao"
finds 营业执照. Latin letters and digits in a name are kept as they are (lower case); punctuation is
dropped, so the fields hold only [a-z0-9]."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

_KEEP = re.compile(r"[^a-z0-9]+")


def _clean(chunk: str) -> str:
    return _KEEP.sub("", unicodedata.normalize("NFKC", chunk).lower())


def pinyin_fields(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of `name`, e.g. 营业执照 -> ("yingyezhizhao", "yyzz")."""
    # Imported here, not at module level: pypinyin's dictionaries cost ~57 MB per process, and only
    # writes (catalog edits, imports) need them; searches compare against the stored fields.
    from pypinyin import Style, lazy_pinyin

    name = name or ""
    full = "".join(_clean(p) for p in lazy_pinyin(name, style=Style.NORMAL, errors="default"))
    initials = "".join(_clean(p) for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default"))
    return full, initials


def item_search_fields(name: str, result_name: str = "") -> tuple[str, str]:
    """The stored search fields of an item: its name's pinyin and initials, then (after a space, so a
    query never spans the two) those of its result, because people search for what they want to get
    (营业执照, "yyzz") as often as for the item's formal name (个体工商户设立登记)."""
    full, initials = pinyin_fields(name)
    if result_name:
        result_full, result_initials = pinyin_fields(result_name)
        full, initials = f"{full} {result_full}", f"{initials} {result_initials}"
    return full[:400], initials[:120]


def normalise_name(name: str) -> str:
    """A material name reduced for comparison: full-width folded, spaces, punctuation and book-title
    marks removed, lower case (《居民身份证》 and 居民身份证 are the same document)."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    return "".join(ch for ch in text if ch.isalnum())


def unit_days(days, unit: str) -> str:
    """A number of days in an item's limit unit: "5 个工作日" or "60 个自然日" (catalog.models.LimitUnit)."""
    if unit == "natural":
        return _("%(n)s 个自然日") % {"n": days}
    return _("%(n)s 个工作日") % {"n": days}


def limit_text(days, unit: str, *, immediate: bool = False) -> str:
    """How a committed limit is said to the public: "即办" for an immediate item (done on the spot,
    whatever the number), otherwise the days in their unit."""
    if immediate:
        return _("即办")
    return unit_days(days, unit)
