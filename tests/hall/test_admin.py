"""The hall's administration: a hall manager (an administrator) sets the queues and each window's
appointment places; appointments and tickets are records, read there and never edited."""

import pytest
from django.urls import reverse

from onewindow.hall import services
from onewindow.hall.models import Appointment, HallWindow, Ticket
from tests.catalog.factories import make_admin


@pytest.fixture
def admin_client(client, w):
    client.force_login(make_admin())
    return client


def test_the_admin_pages_of_the_hall_open(admin_client, w):
    services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.clerk)
    for name, args in (("hall_hall_changelist", []), ("hall_hall_change", [w.hall.pk]),
                       ("hall_hallwindow_changelist", []), ("hall_appointment_changelist", []),
                       ("hall_ticket_changelist", []), ("hall_ticket_change", [Ticket.objects.get().pk])):
        assert admin_client.get(reverse(f"admin:{name}", args=args)).status_code == 200, name


def test_a_window_gets_its_queues_and_places_in_the_admin(admin_client, w):
    hall_window = HallWindow.objects.get(window=w.window("3"))
    queue_b = w.hall.categories.get(letter="B")
    url = reverse("admin:hall_hallwindow_change", args=[hall_window.pk])
    response = admin_client.post(url, {"categories": [c.pk for c in hall_window.categories.all()] + [queue_b.pk],
                                       "appointment_places": 6})
    assert response.status_code == 302, response.content.decode()[:2000]
    hall_window.refresh_from_db()
    assert hall_window.appointment_places == 6 and queue_b in hall_window.categories.all()
    bad = admin_client.post(url, {"categories": [queue_b.pk], "appointment_places": -1})
    assert bad.status_code == 200 and HallWindow.objects.get(pk=hall_window.pk).appointment_places == 6


def test_records_are_not_edited_in_the_admin(admin_client, w):
    assert admin_client.get(reverse("admin:hall_appointment_add")).status_code == 403
    assert admin_client.get(reverse("admin:hall_ticket_add")).status_code == 403
    assert not Appointment.objects.exists()
