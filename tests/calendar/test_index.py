"""The in-memory index on its own (no database): the arithmetic and the provisional flag."""

from datetime import date

import pytest

from onewindow.calendar.index import Deadline, OutOfRange, Span, WorkdayIndex


def small_index(official=frozenset({2026})):
    # 2026 with National Day Oct 1-7 off and Saturday Oct 10 a make-up working day; 2027 provisional.
    holidays = {date(2026, 10, d) for d in range(1, 8)}
    return WorkdayIndex(first=date(2026, 1, 1), last=date(2027, 12, 31), holidays=holidays,
                        makeup_workdays={date(2026, 10, 10)}, official_years=set(official), version=7)


def test_add_counts_from_the_next_day_and_skips_holidays():
    index = small_index()
    assert index.add(date(2026, 9, 30), 1) == Deadline(date(2026, 10, 8), False, 7)
    assert index.add(date(2026, 10, 9), 1).due_on == date(2026, 10, 10)  # make-up Saturday
    assert index.add(date(2026, 10, 10), 1).due_on == date(2026, 10, 12)  # ordinary Sunday skipped


def test_add_zero_is_the_same_day_even_on_a_holiday():
    index = small_index()
    assert index.add(date(2026, 10, 3), 0) == Deadline(date(2026, 10, 3), False, 7)
    assert index.add(date(2027, 3, 3), 0).provisional is True


def test_add_rejects_negative_and_out_of_range():
    index = small_index()
    with pytest.raises(ValueError, match="negative"):
        index.add(date(2026, 5, 6), -1)
    with pytest.raises(OutOfRange):
        index.add(date(2025, 12, 31), 1)
    with pytest.raises(OutOfRange):
        index.add(date(2027, 12, 20), 30)  # due date beyond the calendar


def test_between_is_antisymmetric_and_zero_on_the_same_day():
    index = small_index()
    forward = index.between(date(2026, 9, 30), date(2026, 10, 12))
    assert forward == Span(4, False, 7)  # Oct 8, Oct 9, the make-up Saturday Oct 10, Monday Oct 12
    assert index.between(date(2026, 10, 12), date(2026, 9, 30)).working_days == -4
    assert index.between(date(2026, 6, 1), date(2026, 6, 1)).working_days == 0


def test_provisional_when_the_span_touches_a_year_without_schedule():
    index = small_index()
    assert index.add(date(2026, 12, 28), 5) == Deadline(date(2027, 1, 4), True, 7)
    assert index.add(date(2026, 12, 1), 5).provisional is False
    assert index.between(date(2027, 1, 5), date(2026, 12, 1)).provisional is True
    assert small_index(official={2026, 2027}).add(date(2026, 12, 28), 5).provisional is False


def test_add_and_between_agree_everywhere():
    index = small_index()
    start = date(2026, 9, 1)
    for n in range(1, 60):
        due = index.add(start, n).due_on
        assert index.between(start, due).working_days == n
        assert index.is_workday(due)
