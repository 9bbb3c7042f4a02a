"""The forecast before a light turns yellow: the chance from the history of cases still open on their
last green day, the flag relative to the base rate, and its precision and recall on the history."""

from datetime import date

import pytest

from onewindow.calendar import selectors as calendar
from onewindow.cases import services
from onewindow.supervision import forecast
from onewindow.workflow import clock
from tests.cases.factories import accepted_case, at, open_tasks

pytestmark = pytest.mark.django_db


def _decided(world, item, approver, accepted: date, after_days: int):
    case = accepted_case(world, item, now=at(accepted.year, accepted.month, accepted.day, 10))
    day = calendar.add_working_days(accepted, after_days).due_on
    services.approve_task(approver=approver, task=open_tasks(case)[0], opinion="同意",
                          now=at(day.year, day.month, day.day, 15))
    return case


def _history(world, *, start: date, count: int = 8):
    """`count` late cases of 不动产登记 (自然资源局, 5 days) and `count` on-time ones of the 食品经营备案
    (市场监管局, 3 days), every one still open on its last green day."""
    for n in range(count):
        accepted = calendar.add_working_days(start, n).due_on
        _decided(world, world.paid, world.approver_zrzy, accepted, 7)  # due after 5: late
        _decided(world, world.instant, world.approver_scj, accepted, 2)  # 3 days: on time, open on day 0


def test_the_last_green_day_is_the_day_before_yellow():
    # 5 working days, yellow at 1 left (the clock's default: max(1 day, 20 %)): green until 3 days are
    # used — 9 October, the make-up Saturday 10 October, 12 October — and yellow from the next one.
    assert forecast.last_green_day(date(2026, 9, 30), 5) == date(2026, 10, 12)
    assert clock.compute(date(2026, 9, 30), 5).warn_on == date(2026, 10, 13)


def test_a_green_case_of_an_item_that_usually_runs_late_is_flagged_with_why(world):
    _history(world, start=date(2026, 6, 1))
    table = forecast.history_table(before=date(2026, 10, 12))
    assert table.base == 0.5
    assert table.chance(world.paid.pk, world.zrzy.pk, False).share == 1.0
    assert table.flags(1.0) and not table.flags(0.0)
    risky = accepted_case(world, world.paid, now=at(2026, 10, 9, 10))
    calm = accepted_case(world, world.instant, now=at(2026, 10, 12, 10))
    risks = forecast.at_risk(today=date(2026, 10, 12))
    assert [r.number for r in risks] == [risky.number]
    assert "8 件中 8 件超期" in risks[0].why and calm.number not in {r.number for r in risks}


def test_precision_and_recall_are_measured_on_the_history(world):
    _history(world, start=date(2026, 5, 4))  # the table the replay judges with
    _history(world, start=date(2026, 8, 3), count=3)  # the window replayed
    quality = forecast.measure(today=date(2026, 10, 12))
    assert (quality.replayed, quality.flagged, quality.late, quality.flagged_late) == (6, 3, 3, 3)
    assert quality.precision == 1.0 and quality.recall == 1.0
    assert quality.as_dict()["window_start"] == "2026-07-14"
