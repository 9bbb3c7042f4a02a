"""The seeded calendar cross-checked against a second, independent package (`holidays`)."""

from datetime import date

import chinese_calendar
import holidays
import pytest

from onewindow.calendar.models import CalendarDay


def ours(year):
    rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
    weekday_holidays = {d for d, kind in rows if kind == "holiday" and d.weekday() < 5}
    makeup = {d for d, kind in rows if kind == "makeup_workday"}
    return weekday_holidays, makeup


def theirs(year):
    china = holidays.China(years=year)
    return ({d for d in china if d.weekday() < 5}, {d for d in china.weekend_workdays if d.year == year})


@pytest.mark.parametrize("year", range(2020, 2027))
def test_recent_years_agree_with_the_holidays_package(seeded, year):
    # Every official holiday on a weekday and every make-up working day agree. (Weekend days inside a
    # holiday period are not compared: `holidays` lists only some of them, and they are off anyway.)
    assert ours(year) == theirs(year)


def test_all_seeded_years_agree_after_the_documented_correction(seeded):
    for year in range(2004, 2027):
        assert ours(year) == theirs(year), year


def test_known_disagreement_2005_12_31_is_real_and_corrected():
    # The one real disagreement between the packages over 2004-2026: Saturday 2005-12-31 was a make-up
    # working day (国办发明电〔2005〕35号, the 2006 schedule: "12月31日（星期六）上班"). `holidays` has it;
    # chinesecalendar 1.11 does not. services.SEED_CORRECTIONS adds it to our table. If a later
    # chinesecalendar fixes it, this test tells us the correction can go.
    assert date(2005, 12, 31) in holidays.China(years=2005).weekend_workdays
    assert date(2005, 12, 31) not in chinese_calendar.workdays
