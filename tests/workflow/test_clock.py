"""The generic clock (workflow/clock.py): stored dates and the light every page, count and filter
uses. The SQL form of each light (light_q, counts) is held equal to light() on the models that own a
clock, in their apps' tests."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from onewindow.workflow import clock
from onewindow.workflow.clock import Light, Unit

pytestmark = pytest.mark.django_db


def _item(**kw):
    fields = {name: None for name in clock.DEFAULT_FIELDS.stored()}
    fields.update(clock_limit=0, clock_extension=0, clock_paused_days=0, clock_unit=Unit.WORKING)
    fields.update(kw)
    return SimpleNamespace(**fields)


def test_a_working_day_clock_skips_the_weekend_and_turns_red_only_on_the_next_working_day(settings):
    settings.ONEWINDOW_YELLOW_DAYS, settings.ONEWINDOW_YELLOW_SHARE = 1, 0.2
    item = _item()
    # Monday 2026-03-02, 5 working days: due Monday 2026-03-09.
    dates = clock.start(item, on=date(2026, 3, 2), limit=5)
    assert dates.due_on == date(2026, 3, 9)
    assert item.clock_warn_on == date(2026, 3, 6)  # one day left (max(1, ceil(5 × 0.2)) = 1)
    assert item.clock_late_on == date(2026, 3, 10)
    assert clock.light(item, today=date(2026, 3, 5)) == Light.GREEN
    assert clock.light(item, today=date(2026, 3, 6)) == Light.YELLOW
    assert clock.light(item, today=date(2026, 3, 9)) == Light.YELLOW
    assert clock.light(item, today=date(2026, 3, 10)) == Light.RED
    assert clock.days_left(item, today=date(2026, 3, 10)) == -1


def test_a_friday_due_date_is_not_late_over_the_weekend():
    item = _item()
    clock.start(item, on=date(2026, 3, 2), limit=4)  # due Friday 6 March
    assert item.clock_due_on == date(2026, 3, 6)
    assert clock.light(item, today=date(2026, 3, 8)) == Light.YELLOW  # Sunday
    assert clock.light(item, today=date(2026, 3, 9)) == Light.RED


def test_the_yellow_threshold_is_the_larger_of_the_days_and_the_share(settings):
    settings.ONEWINDOW_YELLOW_DAYS, settings.ONEWINDOW_YELLOW_SHARE = 1, 0.2
    assert clock.yellow_threshold(3) == 1
    assert clock.yellow_threshold(20) == 4
    settings.ONEWINDOW_YELLOW_DAYS = 3
    assert clock.yellow_threshold(5) == 3


def test_an_immediate_limit_is_yellow_from_the_start_and_red_the_next_working_day():
    item = _item()
    clock.start(item, on=date(2026, 3, 6), limit=0)  # Friday, 即办
    assert item.clock_due_on == date(2026, 3, 6)
    assert clock.light(item, today=date(2026, 3, 6)) == Light.YELLOW
    assert clock.light(item, today=date(2026, 3, 9)) == Light.RED


def test_a_paused_clock_is_paused_not_late_and_its_dates_move_by_the_days_it_stood_still():
    item = _item()
    clock.start(item, on=date(2026, 3, 2), limit=5)
    clock.pause(item, on=date(2026, 3, 4))
    assert clock.light(item, today=date(2026, 3, 30)) == Light.PAUSED
    assert clock.days_left(item, today=date(2026, 3, 30)) == 3  # frozen at the pause
    moved = clock.resume(item, on=date(2026, 3, 11))  # Thu 5 … Wed 11: 5 working days
    assert moved == 5
    assert item.clock_paused_days == 5 and item.clock_paused_since is None
    assert item.clock_due_on == date(2026, 3, 16)
    assert clock.resume(item, on=date(2026, 3, 12)) == 0  # not paused: nothing moves


def test_natural_days_count_weekends_and_holidays():
    item = _item()
    clock.start(item, on=date(2026, 3, 2), limit=60, unit=Unit.NATURAL)
    assert item.clock_due_on == date(2026, 5, 1)
    assert item.clock_late_on == date(2026, 5, 2)
    assert item.clock_warn_on == date(2026, 4, 19)  # 12 days left (20 % of 60)


def test_a_stopped_clock_is_on_time_or_late_never_overdue():
    item = _item()
    clock.start(item, on=date(2026, 3, 2), limit=5)
    clock.stop(item, on=date(2026, 3, 9))
    assert clock.light(item, today=date(2026, 4, 1)) == Light.ON_TIME
    clock.stop(item, on=date(2026, 3, 10))
    assert clock.light(item, today=date(2026, 4, 1)) == Light.LATE


def test_an_extension_moves_the_dates_and_must_be_positive():
    item = _item()
    clock.start(item, on=date(2026, 3, 2), limit=5)
    clock.extend(item, days=10)
    assert item.clock_due_on == date(2026, 3, 23)
    with pytest.raises(ValueError):
        clock.extend(item, days=0)


def test_a_clock_never_started_has_no_light_and_an_unknown_light_is_refused():
    assert clock.light(_item(), today=date(2026, 3, 2)) is None
    with pytest.raises(ValueError):
        clock.light_q("purple", today=date(2026, 3, 2))
