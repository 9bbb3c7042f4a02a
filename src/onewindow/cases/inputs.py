"""Small checks of the input the case services take (from pages, API and CLI alike): each bad value
raises ValidationError naming the field and the reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationError


def moment(now: datetime | None) -> datetime:
    """The moment of an action, in UTC (as the database returns it, so the audit chain's hashes
    recompute identically). A naive datetime is read in the centre's time zone."""
    if now is None:
        return timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now)
    return now.astimezone(UTC)


def local_day(now: datetime) -> date:
    return timezone.localdate(now)


def required_text(value, *, field: str, message: str, max_length: int | None = None) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if not text:
        raise ValidationError(message, field=field)
    if max_length and len(text) > max_length:
        raise ValidationError(_("不能超过 %(n)s 个字") % {"n": max_length}, field=field)
    return text


def to_int(value, *, field: str, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool):
        raise ValidationError(_("应为整数"), field=field)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise ValidationError(_("应为整数，收到“%(v)s”") % {"v": value}, field=field) from None
    if minimum is not None and number < minimum:
        raise ValidationError(_("不能小于 %(n)s") % {"n": minimum}, field=field)
    if maximum is not None and number > maximum:
        raise ValidationError(_("不能大于 %(n)s") % {"n": maximum}, field=field)
    return number


def to_date(value, *, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(_("日期格式应为 YYYY-MM-DD，收到“%(v)s”") % {"v": value}, field=field) from None


def id_set(values, *, field: str) -> set[int]:
    if values is None:
        return set()
    if isinstance(values, str | bytes | int) or not hasattr(values, "__iter__"):
        raise ValidationError(_("应为材料编号的列表"), field=field)
    return {to_int(v, field=field, minimum=1) for v in values}
