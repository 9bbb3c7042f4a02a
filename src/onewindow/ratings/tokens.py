"""Signed rating links: the link in a notice, on the applicant's progress page and on the window's pad
names one service (kind, id) and is signed with the site's key, so it cannot be altered to rate
another's service. The link expires (default 90 days: ONEWINDOW_RATING_LINK_DAYS)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from onewindow.core.errors import NotFound

SALT = "onewindow.ratings.link"
DEFAULT_DAYS = 90


def _max_age() -> int:
    return int(getattr(settings, "ONEWINDOW_RATING_LINK_DAYS", DEFAULT_DAYS)) * 86400


def make(kind: str, subject_id: int, source: str) -> str:
    return signing.dumps({"k": str(kind), "i": int(subject_id), "s": str(source)}, salt=SALT, compress=True)


def read(token: str) -> tuple[str, int, str]:
    """(kind, id, source) of a link made by `make`; NotFound for a forged, altered or expired one."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=_max_age())
        return str(data["k"]), int(data["i"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("评价链接无效或已过期", field="token") from None


def link(kind: str, subject_id: int, source: str) -> str:
    """The absolute rating link (for a text message or a printed notice)."""
    from django.urls import reverse

    return f"{settings.SITE_URL}{reverse('portal_ratings:rate', args=[make(kind, subject_id, source)])}"


def case_link(number: str) -> str | None:
    """The notice's rating link of the case numbered `number` (None when there is no such case)."""
    from .subjects import case_id_for_number

    case_id = case_id_for_number(number)
    return None if case_id is None else link("case", case_id, "notice")
