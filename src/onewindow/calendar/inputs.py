"""Checking the dates and limits people type (CLI and API share these, so both say the same thing).
Every failure is a ValidationError naming the field and the reason in one line."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationError

from . import selectors
from .index import Deadline, OutOfRange, Span

MAX_LIMIT = 250  # about one year of working days; no legal limit is longer
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def calendar_range(today: date | None = None) -> tuple[date, date]:
    today = today or date.today()
    return selectors.FIRST_DAY, date(today.year + selectors.YEARS_AHEAD, 12, 31)


def parse_day(value, *, field: str = "date", today: date | None = None) -> date:
    """A YYYY-MM-DD date inside the calendar (2004-01-01 to December 31 of this year + 2)."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        day = value
    else:
        text = str(value if value is not None else "").strip()
        if not text:
            raise ValidationError(_("缺少日期（格式 YYYY-MM-DD）"), field=field)
        if not _ISO.match(text):
            raise ValidationError(_("%(value)s 不是 YYYY-MM-DD 格式的日期") % {"value": text}, field=field)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("%(value)s 不是有效日期（没有这一天）") % {"value": text}, field=field) from None
    first, last = calendar_range(today)
    if not first <= day <= last:
        raise ValidationError(_("%(value)s 超出日历范围（%(first)s 至 %(last)s）") % {
            "value": day.isoformat(), "first": first.isoformat(), "last": last.isoformat()}, field=field)
    return day


def parse_limit(value, *, field: str = "days") -> int:
    """A time limit in working days: a whole number from 0 to MAX_LIMIT."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValidationError(_("%(value)s 不是整数：时限以工作日计，应为 0 至 %(max)s 的整数") % {
                "value": text or "''", "max": MAX_LIMIT}, field=field)
        number = int(text)
    if number < 0:
        raise ValidationError(_("时限不能为负数：%(value)s") % {"value": number}, field=field)
    if number > MAX_LIMIT:
        raise ValidationError(_("时限 %(value)s 个工作日过长：最多 %(max)s") % {"value": number, "max": MAX_LIMIT},
                              field=field)
    return number


def add(start: date, days: int) -> Deadline:
    """selectors.add_working_days with the index's range error turned into a ValidationError."""
    try:
        return selectors.add_working_days(start, days)
    except OutOfRange:
        raise ValidationError(_("%(start)s 之后 %(days)s 个工作日超出日历范围") % {
            "start": start.isoformat(), "days": days}, field="days") from None


def between(start: date, end: date) -> Span:
    try:
        return selectors.working_days_between(start, end)
    except OutOfRange:
        raise ValidationError(_("日期超出日历范围"), field="end") from None
