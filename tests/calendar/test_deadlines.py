"""Due dates on the seeded official calendar (国务院办公厅 notices as carried by chinesecalendar)."""

from datetime import date

from onewindow.calendar import selectors


def test_makeup_saturday_2026_10_10_counts_as_a_working_day(seeded):
    assert selectors.is_workday(date(2026, 10, 10))
    assert selectors.add_working_days(date(2026, 10, 9), 1).due_on == date(2026, 10, 10)


def test_national_day_2026_is_oct_1_to_7_with_sep_20_and_oct_10_worked(seeded):
    # The 2026 notice: "国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。"
    # (Oct 8 is an ordinary Thursday: 2026's Mid-Autumn Festival is a separate Sep 25-27 period.)
    for day in range(1, 8):
        assert not selectors.is_workday(date(2026, 10, day))
    assert selectors.is_workday(date(2026, 10, 8))
    assert selectors.is_workday(date(2026, 9, 20))  # a Sunday
    deadline = selectors.add_working_days(date(2026, 9, 30), 5)
    assert deadline.due_on == date(2026, 10, 13)  # Oct 8, 9, 10 (Sat), 12, 13
    assert deadline.provisional is False
    assert deadline.calendar_version == seeded


def test_spring_festival_2026_period_and_makeup_saturdays(seeded):
    # Feb 15 (Sun) - Feb 23 (Mon) off; Feb 14 (Sat) and Feb 28 (Sat) worked.
    assert selectors.is_workday(date(2026, 2, 14))
    assert not any(selectors.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert selectors.is_workday(date(2026, 2, 28))
    assert selectors.add_working_days(date(2026, 2, 13), 1).due_on == date(2026, 2, 14)
    assert selectors.add_working_days(date(2026, 2, 14), 1).due_on == date(2026, 2, 24)
    # 20 working days (Administrative Licensing Law Art. 42) accepted just before the festival:
    # Feb 13, 14 (Sat), 24-27, 28 (Sat), Mar 2-6, 9-13, 16, 17, 18.
    assert selectors.add_working_days(date(2026, 2, 12), 20).due_on == date(2026, 3, 18)


def test_limit_of_zero_days_is_due_the_same_day(seeded):
    deadline = selectors.add_working_days(date(2026, 10, 3), 0)
    assert deadline.due_on == date(2026, 10, 3)
    assert deadline.provisional is False


def test_between_counts_after_start_up_to_end_and_reverses_sign(seeded):
    assert selectors.working_days_between(date(2026, 9, 30), date(2026, 10, 12)).working_days == 4
    assert selectors.working_days_between(date(2026, 10, 12), date(2026, 9, 30)).working_days == -4
    assert selectors.working_days_between(date(2026, 5, 6), date(2026, 5, 6)).working_days == 0


def test_unannounced_year_is_provisional_with_statutory_holidays(seeded):
    # 2027 has no official schedule yet: New Year's Day (statutory) is off, the answer is provisional.
    assert not selectors.is_workday(date(2027, 1, 1))
    deadline = selectors.add_working_days(date(2026, 12, 30), 1)
    assert deadline.due_on == date(2026, 12, 31)
    assert deadline.provisional is False
    deadline = selectors.add_working_days(date(2026, 12, 31), 1)
    assert deadline.due_on == date(2027, 1, 4)
    assert deadline.provisional is True
    assert selectors.provisional_years(date(2026, 12, 31), date(2027, 1, 4)) == [2027]
