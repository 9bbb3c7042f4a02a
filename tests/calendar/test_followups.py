"""A calendar change is followed by the work of the apps above it, which the calendar does not import:
settings.CALENDAR_CHANGE_FOLLOWUPS names them (wired at the composition root, onewindow.ops)."""

from datetime import date

import pytest
from django.test import override_settings

from onewindow.calendar import services

CALLS: list[tuple[str, int]] = []


def first_followup(*, version: int) -> list[str]:
    CALLS.append(("first", version))
    return [f"first {version}"]


def second_followup(*, version: int) -> list[str]:
    CALLS.append(("second", version))
    return [f"second {version}", "second again"]


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


@override_settings(CALENDAR_CHANGE_FOLLOWUPS=[f"{__name__}.first_followup", f"{__name__}.second_followup"])
def test_followups_run_in_the_order_settings_list_them_with_the_new_version():
    assert services.run_change_followups(version=7) == ["first 7", "second 7", "second again"]
    assert CALLS == [("first", 7), ("second", 7)]


@override_settings(CALENDAR_CHANGE_FOLLOWUPS=[])
def test_without_followups_nothing_runs_and_nothing_is_reported():
    assert services.run_change_followups(version=7) == []


@override_settings(CALENDAR_CHANGE_FOLLOWUPS=["onewindow.ops.followups.no_such_function"])
def test_a_misnamed_followup_fails_loudly_instead_of_being_skipped():
    with pytest.raises(ImportError, match="no_such_function"):
        services.run_change_followups(version=7)


def test_the_installed_followup_recomputes_the_provisional_deadlines(seeded):
    """The project's own wiring: importing a year reports how many provisional deadlines changed."""
    result = services.import_year(year=2027, source_notice="测试用 2027 年安排（非正式）", official=True,
                                  today=date(2026, 12, 1),
                                  days=[(date(2027, 1, d), "holiday", "元旦") for d in (1, 2, 3, 4)])
    assert result.changed
    assert services.run_change_followups(version=result.calendar_year.version) == [
        "重新计算在办件期限 open deadlines recomputed: 0"]
