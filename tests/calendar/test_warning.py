"""In December, administrators are told when next year's official schedule is still missing."""

from datetime import date

from onewindow.calendar import selectors, services

from .factories import EXAMPLE_2027


def test_warning_in_december_when_next_year_is_missing(seeded):
    warning = selectors.missing_next_year_warning(today=date(2026, 12, 1))
    assert warning and "2027" in warning


def test_no_warning_in_november(seeded):
    assert selectors.missing_next_year_warning(today=date(2026, 11, 30)) is None


def test_no_warning_once_next_year_is_official(seeded):
    services.import_year(year=2027, days=EXAMPLE_2027, source_notice="示例通知")
    assert selectors.missing_next_year_warning(today=date(2026, 12, 1)) is None


def test_a_provisional_next_year_still_warns(seeded):
    services.import_year(year=2027, days=EXAMPLE_2027, source_notice="", official=False)
    assert selectors.missing_next_year_warning(today=date(2026, 12, 31)) is not None
