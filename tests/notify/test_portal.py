"""我的消息: an applicant reads their own notifications on the portal, and nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.notify import services
from onewindow.notify.models import Notification
from tests.cases.factories import accepted_case, at, submit_online

pytestmark = pytest.mark.django_db

URL = "/my/notifications/"


def test_the_url_is_the_applicants_own_page():
    assert reverse("portal_cases:my_notifications") == URL


def test_applicants_see_only_their_own_notifications(world, client):
    mine = accepted_case(world, now=at(2026, 9, 30, 10))
    theirs = accepted_case(world, now=at(2026, 9, 30, 10), applicant=world.stranger_user.applicant)
    services.dispatch(now=at(2026, 9, 30, 10, 5))
    assert Notification.objects.count() == 2

    client.force_login(world.applicant_user)
    body = client.get(URL).content.decode()
    assert mine.number in body and "已受理，办结期限为" in body
    assert theirs.number not in body

    client.force_login(world.stranger_user)
    body = client.get(URL).content.decode()
    assert theirs.number in body and mine.number not in body


def test_the_page_is_for_applicants_only(world, client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal_account:login"))
    client.force_login(world.clerk)
    assert client.get(URL).status_code == 403


def test_reading_the_page_makes_no_notification(world, client):
    submit_online(world, now=at(2026, 9, 30, 9))
    accepted_case(world, now=at(2026, 9, 30, 10))
    client.force_login(world.applicant_user)
    body = client.get(URL).content.decode()
    assert "还没有消息" in body
    assert Notification.objects.count() == 0  # only the background dispatch makes them


def test_the_page_follows_the_visitors_language(world, client):
    case = accepted_case(world, now=at(2026, 9, 30, 10))
    services.dispatch(now=at(2026, 9, 30, 10, 5))
    client.force_login(world.applicant_user)
    client.cookies["django_language"] = "en"
    body = client.get(URL).content.decode()
    assert case.number in body and "已受理" not in body
