"""Booking a half-day's place: capacity per window and half-day, open days only (5+2 weekend openings
for the listed items), cancellation until the cut-off with the place returned, the no-shows."""

from datetime import date

import pytest

from onewindow.audit.selectors import events_for
from onewindow.calendar.models import CentreDayException, WeekendOpening
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from onewindow.hall import selectors, services
from onewindow.hall.booking import chain_key
from onewindow.hall.models import Appointment, AppointmentState, HallWindow
from tests.factories import ApplicantFactory

from .world import at

MONDAY = date(2026, 11, 16)
NOW = at(2026, 11, 13, 15)  # the Friday before, mid-afternoon


def book(w, *, applicant=None, item=None, centre=None, day=MONDAY, half_day="am", now=NOW, **extra):
    applicant = applicant or w.person
    return services.book_appointment(applicant=applicant, item=item or w.county_item, centre=centre or w.county,
                                     day=day, half_day=half_day, booked_by=applicant.user, now=now, **extra)


def strangers(n):
    return [ApplicantFactory() for _ in range(n)]


def test_a_booking_takes_a_place_on_the_window_with_the_most_left(w):
    first = book(w)
    assert first.state == AppointmentState.BOOKED and first.window.number == "1"
    assert len(first.code) == 8 and first.code.isalnum() and not set(first.code) & set("01OIL")
    second = book(w, applicant=w.other)
    assert second.window.number == "2"  # window 1 has one place left, window 2 two
    assert first.category.letter == "A" and first.phone == w.person.phone
    [event] = events_for(chain_key(first))
    assert event.action == "onewindow.appointment.booked" and event.data["window"] == "1"


def test_capacity_is_the_places_of_the_windows_serving_the_queue(w):
    # Queue A is served by windows 1–3 with 2 places each per half-day: 6 places.
    for applicant in strangers(6):
        book(w, applicant=applicant)
    with pytest.raises(Conflict) as refused:
        book(w)
    assert refused.value.field == "half_day" and "已满" in refused.value.message
    assert Appointment.objects.count() == 6
    assert sorted(Appointment.objects.values_list("window__number", flat=True)) == ["1", "1", "2", "2", "3", "3"]
    # The afternoon and queue B (window 4) have their own places.
    book(w, half_day="pm")
    book(w, applicant=w.other, item=w.estate_item)
    assert Appointment.objects.filter(window__number="4").count() == 1


def test_a_window_with_no_places_takes_no_appointments(w):
    services.set_window_places(window_id=w.window("4").pk, places=0)
    with pytest.raises(Conflict) as refused:
        book(w, item=w.estate_item)
    assert "已满" in refused.value.message
    with pytest.raises(ValidationError) as bad:
        services.set_window_places(window_id=w.window("4").pk, places=-1)
    assert bad.value.field == "places"
    assert HallWindow.objects.get(window=w.window("4")).appointment_places == 0


def test_cancelling_returns_the_place_at_once(w):
    taken = [book(w, applicant=a) for a in strangers(6)]
    with pytest.raises(Conflict):
        book(w)
    cancelled = services.cancel_appointment(appointment=taken[2], actor=taken[2].applicant.user or w.clerk,
                                            reason="另有安排", now=NOW)
    assert cancelled.state == AppointmentState.CANCELLED and cancelled.cancel_reason == "另有安排"
    again = book(w)
    assert again.window_id == taken[2].window_id  # the freed place, on the freed window
    assert [e.action for e in events_for(chain_key(cancelled))] == [
        "onewindow.appointment.booked", "onewindow.appointment.cancelled"]


def test_the_applicant_cancels_until_the_cut_off_and_staff_until_the_half_day_ends(w):
    appointment = book(w)  # Monday morning, 08:00; the cut-off is 60 minutes before: 07:00
    with pytest.raises(Conflict) as late:
        services.cancel_appointment(appointment=appointment, actor=w.person_user, now=at(2026, 11, 16, 7, 1))
    assert "取消截止" in late.value.message and "0770-7688888" in late.value.message
    assert Appointment.objects.get(pk=appointment.pk).state == AppointmentState.BOOKED
    services.cancel_appointment(appointment=appointment, actor=w.clerk, reason="电话取消", now=at(2026, 11, 16, 9))
    assert Appointment.objects.get(pk=appointment.pk).state == AppointmentState.CANCELLED
    with pytest.raises(Conflict) as twice:
        services.cancel_appointment(appointment=appointment, actor=w.person_user, now=NOW)
    assert "已取消" in twice.value.message


def test_nobody_else_may_cancel_an_appointment(w):
    appointment = book(w)
    for stranger in (w.other_user, w.township_clerk):
        with pytest.raises(PermissionDenied):
            services.cancel_appointment(appointment=appointment, actor=stranger, now=NOW)
    assert Appointment.objects.get(pk=appointment.pk).state == AppointmentState.BOOKED


def test_only_open_days_can_be_booked(w):
    with pytest.raises(ValidationError) as holiday:
        book(w, day=date(2026, 10, 2), now=at(2026, 9, 28))  # National Day
    assert holiday.value.field == "day" and "不开放" in holiday.value.message
    makeup = book(w, day=date(2026, 10, 10), now=at(2026, 10, 8))  # a make-up working Saturday
    assert makeup.day == date(2026, 10, 10)
    with pytest.raises(ValidationError) as saturday:
        book(w, day=date(2026, 11, 21), now=at(2026, 11, 16, 10))  # an ordinary Saturday: the hall is closed
    assert "不开放" in saturday.value.message
    CentreDayException.objects.create(centre=w.county, date=date(2026, 11, 17), is_open=False, note="停电检修")
    with pytest.raises(ValidationError):
        book(w, day=date(2026, 11, 17))
    assert Appointment.objects.count() == 1


def test_a_weekend_opening_takes_only_the_items_listed_for_weekend_service(w):
    WeekendOpening.objects.create(centre=w.county, weekday=5, hours="09:00-12:00")
    saturday, now = date(2026, 11, 21), at(2026, 11, 16, 10)
    with pytest.raises(ValidationError) as refused:
        book(w, day=saturday, now=now)
    assert refused.value.field == "day" and "5+2" in refused.value.message
    assert book(w, item=w.weekend_item, day=saturday, now=now).day == saturday


def test_a_half_day_begun_or_beyond_the_horizon_cannot_be_booked(w):
    with pytest.raises(ValidationError) as begun:
        book(w, now=at(2026, 11, 16, 8, 0))  # Monday morning has just begun
    assert begun.value.field == "half_day"
    assert book(w, half_day="pm", now=at(2026, 11, 16, 8)).half_day == "pm"
    with pytest.raises(ValidationError) as far:
        book(w, day=date(2026, 11, 23))  # 10 days ahead; the hall takes 7
    assert far.value.field == "day" and "7 天" in far.value.message
    with pytest.raises(ValidationError) as bad:
        book(w, half_day="evening")
    assert bad.value.field == "half_day"


def test_one_booking_per_item_and_day_and_a_limit_on_active_ones(w):
    book(w)
    with pytest.raises(Conflict) as twice:
        book(w, half_day="pm")
    assert "无需重复预约" in twice.value.message
    book(w, day=date(2026, 11, 17))
    book(w, day=date(2026, 11, 18))
    with pytest.raises(Conflict) as limit:
        book(w, day=date(2026, 11, 19))
    assert "3 个未使用的预约" in limit.value.message
    assert Appointment.objects.filter(applicant=w.person).count() == 3


def test_an_undelegated_item_cannot_be_booked_at_a_township_centre(w):
    with pytest.raises(ValidationError) as refused:
        book(w, centre=w.township)
    assert refused.value.field == "centre"
    assert "江平镇便民服务中心不受理" in refused.value.message and "东兴市政务服务中心" in refused.value.message
    near = book(w, item=w.township_item, centre=w.township)
    assert near.centre == w.township and near.window.centre == w.township
    assert [c.code for c in selectors.bookable_centres(w.township_item)] == ["DX01", "JPZ01"]
    assert [c.code for c in selectors.bookable_centres(w.county_item)] == ["DX01"]


def test_a_centre_without_a_hall_and_items_not_done_at_a_window_are_refused(w):
    from tests.factories import ServiceCentreFactory

    with pytest.raises(NotFound) as no_hall:
        book(w, centre=ServiceCentreFactory(code="NOHALL", name="无大厅中心"))
    assert no_hall.value.field == "centre"
    w.county_item.channel_window = False
    w.county_item.save()
    with pytest.raises(ValidationError) as online_only:
        book(w)
    assert online_only.value.field == "item" and "在线申请" in online_only.value.message


def test_a_clerk_books_for_someone_who_phoned_but_an_applicant_only_for_themself(w):
    by_phone = services.book_appointment(applicant=w.other, item=w.county_item, centre=w.county, day=MONDAY,
                                         half_day="am", booked_by=w.clerk, now=NOW)
    assert by_phone.booked_by == w.clerk
    with pytest.raises(PermissionDenied):
        services.book_appointment(applicant=w.other, item=w.county_item, centre=w.county, day=MONDAY,
                                  half_day="pm", booked_by=w.person_user, now=NOW)


def test_the_text_message_is_sent_after_the_commit(w, django_capture_on_commit_callbacks):
    sent = []
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(w, notify=sent.append)
    assert sent == [appointment]


def test_the_sweep_marks_no_shows_when_the_half_day_has_ended(w):
    morning, afternoon = book(w), book(w, applicant=w.other, half_day="pm")
    assert services.mark_no_shows(now=at(2026, 11, 16, 11, 59)) == 0
    assert services.mark_no_shows(now=at(2026, 11, 16, 12, 0)) == 1
    assert Appointment.objects.get(pk=morning.pk).state == AppointmentState.NO_SHOW
    assert Appointment.objects.get(pk=afternoon.pk).state == AppointmentState.BOOKED
    report = services.sweep(now=at(2026, 11, 17, 1))
    assert report["no_shows"] == 1 and Appointment.objects.get(pk=afternoon.pk).state == AppointmentState.NO_SHOW
    assert services.sweep(now=at(2026, 11, 17, 2))["no_shows"] == 0  # idempotent
    assert [e.action for e in events_for(chain_key(morning))][-1] == "onewindow.appointment.no_show"


def test_the_slots_show_places_left_and_why_a_half_day_cannot_be_booked(w):
    WeekendOpening.objects.create(centre=w.county, weekday=5)
    for applicant in strangers(6):
        book(w, applicant=applicant, half_day="pm")
    days = selectors.slots(w.hall, w.county_item, now=at(2026, 11, 16, 10))
    assert days[0].day == MONDAY and [s.reason for s in days[0].slots] == ["past", "full"]
    assert [d.day.isoformat() for d in days] == [
        "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-23"]
    saturday = days[5]
    assert saturday.weekend_service and [s.reason for s in saturday.slots] == ["weekend", "weekend"]
    assert days[1].slots[0].places_left == 6 and days[1].slots[0].bookable
    weekend_item_days = selectors.slots(w.hall, w.weekend_item, now=at(2026, 11, 16, 10))
    assert weekend_item_days[5].slots[0].bookable
