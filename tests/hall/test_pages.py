"""The hall's pages: the public queue page and screen, booking and cancelling on the public site (with
the text message), the window's calling page and the kiosk. Bad input gets a clear message and
changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.catalog.models import CentreLevel, Item
from onewindow.hall import selectors, services
from onewindow.hall.models import Appointment, AppointmentState, Ticket, TicketState
from tests.factories import make_staff


@pytest.fixture
def sms(settings, tmp_path):
    settings.NOTIFY_BACKEND = "log"
    settings.NOTIFY_LOG_FILE = tmp_path / "sms-outbox.log"
    return settings.NOTIFY_LOG_FILE


def first_bookable(w, item, centre=None):
    hall = selectors.hall_for_centre(centre or w.county)
    return next(slot for day in selectors.slots(hall, item) for slot in day.slots if slot.bookable)


def slot_value(slot) -> str:
    return f"{slot.day.isoformat()}/{slot.half_day}"


# -- the public hall page and screen ------------------------------------------------------------------

def test_the_hall_page_shows_the_queue_now(client, w):
    for _i in range(3):
        services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.clerk)
    services.call_next(window=w.window("1"), clerk=w.clerk)
    response = client.get("/hall/DX01/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "综合受理" in body and "不动产登记" in body and "约 20 分钟" in body  # 2 waiting × 10 min ÷ 1 window
    assert "A001" in body and "1 号窗口" in body and 'hx-trigger="every 20s"' in body
    live = client.get("/hall/DX01/", headers={"HX-Request": "true"})
    assert live.status_code == 200 and "<html" not in live.content.decode() and "A001" in live.content.decode()
    listing = client.get("/hall/").content.decode()
    assert "东兴市政务服务中心" in listing and "江平镇便民服务中心" in listing
    assert client.get("/hall/NOPE/").status_code == 404


def test_the_hall_screen_polls_and_shows_the_latest_call(client, w):
    services.take_ticket(centre=w.county, item=w.estate_item, issued_by=w.clerk)
    services.call_next(window=w.window("4"), clerk=w.clerk)
    page = client.get("/hall/DX01/screen/").content.decode()
    assert 'hx-trigger="every 3s"' in page and "hall-screen.js" in page and "cdn" not in page.lower()
    board = client.get("/hall/DX01/screen/", headers={"HX-Request": "true"}).content.decode()
    assert "B001" in board and "4 号窗口" in board and "请 B001 号到 4 号窗口办理" in board


# -- booking on the public site -----------------------------------------------------------------------

def test_booking_needs_an_applicant_account(client, w):
    response = client.get(f"/appointments/book/{w.county_item.code}/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    client.force_login(w.clerk)
    assert client.get(f"/appointments/book/{w.county_item.code}/").status_code == 403
    client.force_login(w.person_user)
    assert client.get("/appointments/book/NO-SUCH-ITEM/").status_code == 404


def test_an_applicant_books_a_half_day_gets_the_code_by_text_and_a_printable_slip(client, w, sms,
                                                                                  django_capture_on_commit_callbacks):
    client.force_login(w.person_user)
    page = client.get(f"/appointments/book/{w.county_item.code}/").content.decode()
    assert "东兴市政务服务中心" in page and "江平镇便民服务中心" not in page  # not delegated to the township
    slot = first_bookable(w, w.county_item)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/appointments/book/{w.county_item.code}/",
                               {"centre": "DX01", "slot": slot_value(slot)})
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/my/appointments/{appointment.code}/"
    assert (appointment.day, appointment.half_day, appointment.applicant) == (slot.day, slot.half_day, w.person)
    text = sms.read_text()
    assert appointment.code in text and "预约成功" in text and w.person.phone not in text  # phone masked
    slip = client.get(response["Location"]).content.decode()
    assert appointment.code in slip and '<svg class="qr"' in slip and "取消预约" in slip
    mine = client.get("/my/appointments/").content.decode()
    assert appointment.code in mine


def test_a_bad_or_full_slot_is_refused_beside_the_choice(client, w):
    client.force_login(w.person_user)
    url = f"/appointments/book/{w.county_item.code}/"
    for bad in ("", "tomorrow/am", "2026-13-01/am", "2026-11-16/evening"):
        response = client.post(url, {"centre": "DX01", "slot": bad})
        assert response.status_code == 400, bad
        assert 'id="slot-errors"' in response.content.decode()
    slot = first_bookable(w, w.county_item)
    for number in ("1", "2", "3"):
        services.set_window_places(window_id=w.window(number).pk, places=0)
    response = client.post(url, {"centre": "DX01", "slot": slot_value(slot)})
    assert response.status_code == 400 and "已满" in response.content.decode()
    assert Appointment.objects.count() == 0


def test_a_delegated_item_offers_the_township_and_the_nearest_is_chosen(client, w):
    w.person.address = "东兴市江平镇江平大道 9 号"
    w.person.save()
    client.force_login(w.person_user)
    page = client.get(f"/appointments/book/{w.township_item.code}/").content.decode()
    assert "江平镇便民服务中心 ✓" not in page  # the mark is drawn by CSS; the chosen centre is marked current
    assert 'href="?centre=JPZ01" aria-current="true"' in page
    slot = first_bookable(w, w.township_item, w.township)
    client.post(f"/appointments/book/{w.township_item.code}/", {"centre": "JPZ01", "slot": slot_value(slot)})
    assert Appointment.objects.get().centre == w.township
    # An item not delegated there cannot be booked there, whatever the form says.
    response = client.post(f"/appointments/book/{w.county_item.code}/", {"centre": "JPZ01", "slot": slot_value(slot)})
    assert response.status_code == 400 and "请先选择办理的中心" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_the_applicant_cancels_and_the_place_is_free_again(client, w, sms, django_capture_on_commit_callbacks):
    client.force_login(w.person_user)
    slot = first_bookable(w, w.county_item)
    client.post(f"/appointments/book/{w.county_item.code}/", {"centre": "DX01", "slot": slot_value(slot)})
    appointment = Appointment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/my/appointments/{appointment.code}/cancel/", {"reason": "临时有事"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED and appointment.cancel_reason == "临时有事"
    assert "已取消" in sms.read_text()
    after = [s for d in selectors.slots(selectors.hall_for_centre(w.county), w.county_item) for s in d.slots
             if (s.day, s.half_day) == (slot.day, slot.half_day)][0]
    assert after.places_left == slot.places_left


def test_nobody_else_sees_or_cancels_an_appointment_and_a_late_one_is_refused(client, w):
    yesterday = timezone.localdate() - timedelta(days=1)
    appointment = Appointment.objects.create(
        code="LATE2345", centre=w.county, item=w.county_item, category=w.hall.categories.get(letter="A"),
        window=w.window("1"), applicant=w.person, day=yesterday, half_day="pm", booked_at=timezone.now())
    client.force_login(w.other_user)
    assert client.get("/my/appointments/LATE2345/").status_code == 404
    assert client.post("/my/appointments/LATE2345/cancel/").status_code == 404
    client.force_login(w.person_user)
    page = client.get("/my/appointments/late2345/").content.decode()
    assert "已过自行取消的时间" in page and "0770-7688888" in page
    response = client.post("/my/appointments/LATE2345/cancel/", {"reason": ""})
    assert response.status_code == 400 and "取消截止" in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).state == AppointmentState.BOOKED


def test_the_notice_lists_where_an_item_can_be_handled_and_offers_booking(client, w):
    page = client.get(f"/items/{w.township_item.code}/").content.decode()
    assert "可办理的中心" in page and "江平镇便民服务中心" in page and "江平镇江平大道 36 号" in page
    assert f"/appointments/book/{w.township_item.code}/" in page
    county_only = client.get(f"/items/{w.county_item.code}/").content.decode()
    assert "江平镇便民服务中心" not in county_only


def test_applying_online_for_a_delegated_item_lets_the_applicant_choose_the_centre(client, w):
    item = w.township_item
    item.online_depth = 3
    item.save()
    client.force_login(w.person_user)
    form = client.get(f"/apply/{item.code}/").content.decode()
    assert 'name="centre"' in form and "江平镇便民服务中心" in form
    response = client.post(f"/apply/{item.code}/", {"token": "t-1", "centre": "JPZ01"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Case.objects.get().centre == w.township
    bad = client.post(f"/apply/{item.code}/", {"token": "t-2", "centre": "XX99"})
    assert bad.status_code == 400 and Case.objects.count() == 1
    Item.objects.filter(pk=item.pk).update(delegated_down_to=CentreLevel.COUNTY)
    assert 'name="centre"' not in client.get(f"/apply/{item.code}/").content.decode()


# -- the window and the kiosk ------------------------------------------------------------------------

def test_a_clerk_calls_the_next_number_from_the_calling_page(client, w):
    services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.clerk)
    services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.clerk)
    client.force_login(w.clerk)
    assert "1 号窗口" in client.get("/staff/hall/").content.decode()  # choose a window first
    page = client.get(f"/staff/hall/?window={w.window('1').pk}").content.decode()
    assert "叫号" in page and "2 人等候" in page
    url = f"/staff/hall/windows/{w.window('1').pk}/call/"
    panel = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "A001" in panel and "<html" not in panel and "办结并叫下一位" in panel
    assert client.post(url).status_code == 302  # without JavaScript: back to the page
    assert list(Ticket.objects.order_by("number").values_list("state", flat=True)) == [TicketState.DONE,
                                                                                        TicketState.CALLED]
    quiet = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "暂无等候的号" in quiet
    assert client.post(f"/staff/hall/windows/{w.window('1').pk}/fly/").status_code == 404


def test_only_the_centres_clerks_use_its_calling_page(client, w):
    services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.clerk)
    client.force_login(w.township_clerk)
    assert client.post(f"/staff/hall/windows/{w.window('1').pk}/call/").status_code == 404
    client.force_login(make_staff("approver"))
    assert client.get("/staff/hall/").status_code == 404
    client.force_login(w.person_user)
    assert client.get("/staff/hall/").status_code == 404
    assert Ticket.objects.get().state == TicketState.WAITING


def test_the_kiosk_hands_out_tickets_and_checks_appointments_in(client, w):
    client.force_login(w.clerk)
    page = client.get("/staff/hall/kiosk/").content.decode()
    assert "综合受理" in page and "不动产登记" in page and 'name="code"' in page
    queue_b = w.hall.categories.get(letter="B")
    response = client.post("/staff/hall/kiosk/", {"category": queue_b.pk})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/hall/kiosk/tickets/{ticket.pk}/"
    slip = client.get(response["Location"]).content.decode()
    assert "B001" in slip and "打印号票" in slip
    bad = client.post("/staff/hall/kiosk/", {"code": "NOPE2345"})
    assert bad.status_code == 400 and "没有找到预约码 NOPE2345" in bad.content.decode()
    assert client.post("/staff/hall/kiosk/", {"category": "999999"}).status_code == 400
    assert Ticket.objects.count() == 1
    client.force_login(w.township_clerk)
    assert client.get(f"/staff/hall/kiosk/tickets/{ticket.pk}/").status_code == 404


def test_the_hall_page_and_screen_in_english(client, w, settings):
    services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/hall/DX01/").content.decode()
    assert "The queue now" in page and "When it is quiet" in page and "waiting" in page
    board = client.get("/hall/DX01/screen/").content.decode()
    assert "Now serving" in board and "No number called yet" in board
