"""5+2 weekend service: when a centre's hall is open. It never changes the legal working-day count."""

from datetime import date

from onewindow.calendar import selectors
from onewindow.calendar.models import CentreDayException, WeekendOpening

from .factories import make_centre

SATURDAY = date(2026, 11, 28)
SUNDAY = date(2026, 11, 29)


def test_centre_without_weekend_opening_is_closed_on_weekends(seeded):
    centre = make_centre()
    assert selectors.is_centre_open(centre, date(2026, 11, 27))  # Friday
    assert not selectors.is_centre_open(centre, SATURDAY)


def test_weekend_opening_opens_the_hall_but_not_the_working_day_count(seeded):
    centre = make_centre()
    WeekendOpening.objects.create(centre=centre, weekday=5, hours="09:00-12:00")
    assert selectors.is_centre_open(centre, SATURDAY)
    assert not selectors.is_centre_open(centre, SUNDAY)
    assert not selectors.is_workday(SATURDAY)
    assert selectors.add_working_days(date(2026, 11, 27), 1).due_on == date(2026, 11, 30)


def test_weekend_opening_pauses_during_a_holiday_period_unless_an_exception_says_so(seeded):
    centre = make_centre()
    WeekendOpening.objects.create(centre=centre, weekday=5)
    assert not selectors.is_centre_open(centre, date(2026, 10, 3))  # Saturday inside National Day
    CentreDayException.objects.create(centre=centre, date=date(2026, 10, 3), is_open=True, note="集中办证")
    assert selectors.is_centre_open(centre, date(2026, 10, 3))


def test_makeup_working_day_opens_every_centre_and_an_exception_can_close_a_day(seeded):
    centre = make_centre(weekend_service=False)
    assert selectors.is_centre_open(centre, date(2026, 10, 10))  # make-up Saturday
    CentreDayException.objects.create(centre=centre, date=date(2026, 11, 26), is_open=False, note="停电")
    assert not selectors.is_centre_open(centre, date(2026, 11, 26))
    assert selectors.is_workday(date(2026, 11, 26))
