"""A clock any work item can own: a limit counted on the working-day calendar (or in natural days),
pauses, extensions, and the light — every light decided from dates stored on the row.

A work item (a case, a stage, a complaint work order, an urging, a rectification, a project stage)
either inherits the abstract model `Clocked` (fields named `clock_*`) or maps its own columns with a
`ClockFields` (cases keep `accepted_on`, `due_on`, … ). Writes go through `start`, `pause`, `resume`,
`extend`, `stop` and `recompute`, which store three dates whenever the clock changes:

    due_on   the last day of the limit: started_on + (limit + extension + paused days) days
    warn_on  the first day the light is yellow: when at most max(yellow days, ⌈share × limit⌉) days
             of the limit remain (settings ONEWINDOW_YELLOW_DAYS, default 1; ONEWINDOW_YELLOW_SHARE,
             default 0.2 — issue 17's "one working day or 20 %, whichever is larger")
    late_on  the first day the light is red: the first working day after due_on (a weekend after a
             Friday due date is not yet late), or the day after it for natural days

so every page, count and filter decides a light by comparing stored, indexable dates with today:

    paused   paused_since is set (a supplement, a special procedure): never late while it stands
    red      open, not paused, late_on <= today              — "overdue" means open and past due
    yellow   open, not paused, warn_on <= today < late_on
    green    open, not paused, today < warn_on
    on_time  stopped on or before due_on                    (concluded: its own figures)
    late     stopped after due_on                            (concluded late: not "overdue")

`light()` judges one row in Python and `light_q()` gives the same rule as a Q for a queryset; the
tests hold them equal on both databases. docs/time-limits.md explains the counting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.calendar import selectors as calendar


class Unit(models.TextChoices):
    """How a limit is counted: working days (Administrative Licensing Law Art. 82) or natural days."""

    WORKING = "working", _("工作日")
    NATURAL = "natural", _("自然日")


class Light(models.TextChoices):
    GREEN = "green", _("正常")
    YELLOW = "yellow", _("临近期限")
    RED = "red", _("已超期")
    PAUSED = "paused", _("暂停计时")
    ON_TIME = "on_time", _("按时办结")
    LATE = "late", _("超期办结")


OPEN_LIGHTS = (Light.GREEN, Light.YELLOW, Light.RED, Light.PAUSED)
DEFAULT_YELLOW_DAYS = 1
DEFAULT_YELLOW_SHARE = 0.2


def yellow_days() -> int:
    return int(getattr(settings, "ONEWINDOW_YELLOW_DAYS", DEFAULT_YELLOW_DAYS))


def yellow_share() -> float:
    return float(getattr(settings, "ONEWINDOW_YELLOW_SHARE", DEFAULT_YELLOW_SHARE))


def yellow_threshold(total_days: int) -> int:
    """Days left at or below which a clock of `total_days` shows yellow."""
    return max(yellow_days(), math.ceil(total_days * yellow_share()))


@dataclass(frozen=True)
class ClockFields:
    """The names of a work item's clock columns."""

    started_on: str = "clock_started_on"
    limit: str = "clock_limit"
    unit: str = "clock_unit"
    extension: str = "clock_extension"
    paused_since: str = "clock_paused_since"
    paused_days: str = "clock_paused_days"
    due_on: str = "clock_due_on"
    warn_on: str = "clock_warn_on"
    late_on: str = "clock_late_on"
    stopped_on: str = "clock_stopped_on"

    def stored(self) -> list[str]:
        """The columns the clock writes (for save(update_fields=…))."""
        return [self.extension, self.paused_since, self.paused_days, self.due_on, self.warn_on,
                self.late_on, self.stopped_on, self.started_on, self.limit, self.unit]


DEFAULT_FIELDS = ClockFields()


class Clocked(models.Model):
    """The clock's columns for a new work item. Subclasses add the indexes their lists need, usually
    (clock_stopped_on, clock_late_on) and (clock_stopped_on, clock_warn_on)."""

    clock_started_on = models.DateField(_("计时起始日"), null=True, blank=True)
    clock_limit = models.PositiveIntegerField(_("时限"), default=0)
    clock_unit = models.CharField(_("时限单位"), max_length=8, choices=Unit.choices, default=Unit.WORKING)
    clock_extension = models.PositiveIntegerField(_("延长"), default=0)
    clock_paused_since = models.DateField(_("暂停计时起"), null=True, blank=True)
    clock_paused_days = models.PositiveIntegerField(_("暂停天数"), default=0)
    clock_due_on = models.DateField(_("期限"), null=True, blank=True)
    clock_warn_on = models.DateField(_("黄灯起始日"), null=True, blank=True)
    clock_late_on = models.DateField(_("超期起始日"), null=True, blank=True)
    clock_stopped_on = models.DateField(_("计时结束日"), null=True, blank=True)

    class Meta:
        abstract = True


class _Deadline(Protocol):
    @property
    def due_on(self) -> date: ...
    @property
    def provisional(self) -> bool: ...
    @property
    def calendar_version(self) -> int: ...


class Adder(Protocol):
    def __call__(self, start: date, days: int, /) -> _Deadline: ...


@dataclass(frozen=True)
class Dates:
    due_on: date
    warn_on: date
    late_on: date
    provisional: bool
    calendar_version: int


def _add(start: date, days: int, unit: str, add: Adder | None = None) -> tuple[date, bool, int]:
    if unit == Unit.NATURAL:
        version = add(start, 0).calendar_version if add is not None else calendar.current_version()
        return start + timedelta(days=days), False, version
    deadline = (add or calendar.add_working_days)(start, max(0, days))
    return deadline.due_on, deadline.provisional, deadline.calendar_version


def compute(started_on: date, total_days: int, unit: str = Unit.WORKING, *, add: Adder | None = None,
            threshold: int | None = None) -> Dates:
    """The stored dates of a clock started on `started_on` that may use `total_days` (limit +
    extension + paused days): counting starts the day after the start; 0 days is the same day.
    `add`: a working-day adder bound once (calendar index `add`) for callers computing many rows (the
    sample history); `threshold`: the yellow threshold, when the caller computed it once for many rows."""
    if threshold is None:
        threshold = yellow_threshold(total_days)
    due_on, provisional, version = _add(started_on, total_days, unit, add)
    if total_days <= threshold:
        warn_on = started_on
    else:
        warn_on = _add(started_on, total_days - threshold, unit, add)[0]
    late_on = _add(started_on, total_days + 1, unit, add)[0]
    return Dates(due_on, warn_on, late_on, provisional, version)


def days_between(since: date, until: date, unit: str = Unit.WORKING) -> int:
    """Days after `since` up to and including `until`, in the unit (negative when until < since)."""
    if unit == Unit.NATURAL:
        return (until - since).days
    return calendar.working_days_between(since, until).working_days


def recompute(item: Any, fields: ClockFields = DEFAULT_FIELDS) -> Dates | None:
    """Store due_on, warn_on and late_on from the clock's start, limit, extension and paused days.
    A clock not started (no start date) has none."""
    started = getattr(item, fields.started_on)
    if started is None:
        setattr(item, fields.due_on, None)
        setattr(item, fields.warn_on, None)
        setattr(item, fields.late_on, None)
        return None
    total = (getattr(item, fields.limit) or 0) + (getattr(item, fields.extension) or 0) \
        + (getattr(item, fields.paused_days) or 0)
    dates = compute(started, total, getattr(item, fields.unit) or Unit.WORKING)
    setattr(item, fields.due_on, dates.due_on)
    setattr(item, fields.warn_on, dates.warn_on)
    setattr(item, fields.late_on, dates.late_on)
    return dates


def start(item: Any, *, on: date, limit: int, unit: str = Unit.WORKING,
          fields: ClockFields = DEFAULT_FIELDS) -> Dates:
    """Start the clock on `on` with `limit` days (not saved)."""
    setattr(item, fields.started_on, on)
    setattr(item, fields.limit, limit)
    setattr(item, fields.unit, unit)
    setattr(item, fields.extension, 0)
    setattr(item, fields.paused_days, 0)
    setattr(item, fields.paused_since, None)
    setattr(item, fields.stopped_on, None)
    dates = recompute(item, fields)
    assert dates is not None
    return dates


def pause(item: Any, *, on: date, fields: ClockFields = DEFAULT_FIELDS) -> None:
    """Stop the clock from `on` (the day itself was used). Pausing a paused clock changes nothing."""
    if getattr(item, fields.paused_since) is None and getattr(item, fields.stopped_on) is None:
        setattr(item, fields.paused_since, on)


def resume(item: Any, *, on: date, fields: ClockFields = DEFAULT_FIELDS) -> int:
    """Restart a paused clock on `on`: the days it stood still (after the pause began, up to and
    including `on`) move every date by as much. Returns those days (0 if it was not paused)."""
    since = getattr(item, fields.paused_since)
    if since is None:
        return 0
    paused = max(0, days_between(since, on, getattr(item, fields.unit) or Unit.WORKING))
    setattr(item, fields.paused_days, (getattr(item, fields.paused_days) or 0) + paused)
    setattr(item, fields.paused_since, None)
    recompute(item, fields)
    return paused


def extend(item: Any, *, days: int, fields: ClockFields = DEFAULT_FIELDS) -> Dates | None:
    """Grant `days` more (an extension approved by the head of the body, Art. 42)."""
    if days <= 0:
        raise ValueError("an extension is a positive number of days")
    setattr(item, fields.extension, (getattr(item, fields.extension) or 0) + days)
    return recompute(item, fields)


def stop(item: Any, *, on: date, fields: ClockFields = DEFAULT_FIELDS) -> None:
    """The work item is done (concluded, answered, closed) on `on`; a pause still standing ends."""
    setattr(item, fields.stopped_on, on)
    setattr(item, fields.paused_since, None)


def light(item: Any, *, today: date, fields: ClockFields = DEFAULT_FIELDS) -> Light | None:
    """The item's light from its stored dates; None for a clock never started."""
    due_on = getattr(item, fields.due_on)
    if due_on is None:
        return None
    stopped = getattr(item, fields.stopped_on)
    if stopped is not None:
        return Light.ON_TIME if stopped <= due_on else Light.LATE
    if getattr(item, fields.paused_since) is not None:
        return Light.PAUSED
    if getattr(item, fields.late_on) <= today:
        return Light.RED
    if getattr(item, fields.warn_on) <= today:
        return Light.YELLOW
    return Light.GREEN


def light_q(wanted: str, *, today: date, fields: ClockFields = DEFAULT_FIELDS, prefix: str = "") -> Q:
    """The rows whose light() is `wanted`, as a Q on stored dates (prefix: "stage__" for a relation).
    "open" is every open light; "overdue" is red (open and past due)."""
    f = {name: prefix + getattr(fields, name) for name in ("due_on", "warn_on", "late_on", "stopped_on",
                                                          "paused_since")}
    started = Q(**{f["due_on"] + "__isnull": False})
    running = started & Q(**{f["stopped_on"] + "__isnull": True})
    ticking = running & Q(**{f["paused_since"] + "__isnull": True})
    if wanted == "open":
        return running
    if wanted == Light.PAUSED:
        return running & Q(**{f["paused_since"] + "__isnull": False})
    if wanted in (Light.RED, "overdue"):
        return ticking & Q(**{f["late_on"] + "__lte": today})
    if wanted == Light.YELLOW:
        return ticking & Q(**{f["warn_on"] + "__lte": today, f["late_on"] + "__gt": today})
    if wanted == Light.GREEN:
        return ticking & Q(**{f["warn_on"] + "__gt": today})
    if wanted == Light.ON_TIME:
        return started & Q(**{f["stopped_on"] + "__lte": models.F(f["due_on"])})
    if wanted == Light.LATE:
        return started & Q(**{f["stopped_on"] + "__gt": models.F(f["due_on"])})
    raise ValueError(f"unknown light: {wanted!r}")


def counts(queryset: QuerySet[Any], *, today: date, fields: ClockFields = DEFAULT_FIELDS,
           prefix: str = "") -> dict[str, int]:
    """How many rows show each light, in one query, by the same conditions as light_q — so a
    dashboard's count always equals the length of the list its filter gives."""
    aggregates = {str(value): Count("pk", filter=light_q(value, today=today, fields=fields, prefix=prefix))
                  for value in Light.values}
    return {key: int(value) for key, value in queryset.aggregate(**aggregates).items()}


def days_left(item: Any, *, today: date, fields: ClockFields = DEFAULT_FIELDS) -> int | None:
    """Days of the limit left (negative when overdue); frozen while paused; None when not started."""
    due_on = getattr(item, fields.due_on)
    if due_on is None:
        return None
    unit = getattr(item, fields.unit) or Unit.WORKING
    end = getattr(item, fields.stopped_on) or getattr(item, fields.paused_since) or today
    return days_between(end, due_on, unit)
