"""The Django admin enters a year through the same service (same rules, new version, audit)."""

from datetime import date

import pytest

from onewindow.calendar.models import CalendarDay, CalendarYear
from onewindow.calendar.templatetags.calendar_admin import calendar_missing_year_warning
from onewindow.orgs.models import User

from .test_seed import snapshot


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    client.force_login(user)
    return client


def year_form(days, *, year="2027", status="official", source="示例通知"):
    data = {"year": year, "status": status, "source_notice": source, "announced_on": "",
            "days-TOTAL_FORMS": str(len(days)), "days-INITIAL_FORMS": "0", "days-MIN_NUM_FORMS": "0",
            "days-MAX_NUM_FORMS": "1000"}
    for i, (day, kind, name) in enumerate(days):
        data.update({f"days-{i}-date": day, f"days-{i}-kind": kind, f"days-{i}-name": name})
    return data


def test_admin_adds_a_year_through_the_service(seeded, admin_client):
    response = admin_client.post("/admin/calendar/calendaryear/add/", year_form(
        [("2027-01-01", "holiday", "元旦"), ("2027-10-09", "makeup_workday", "国庆节")]))
    assert response.status_code == 302, response.content.decode()[:2000]
    year = CalendarYear.objects.get(year=2027)
    assert year.version == seeded + 1 and year.origin == "admin"
    assert CalendarDay.objects.filter(year=year).count() == 2


def test_admin_rejects_a_makeup_day_on_a_weekday_and_writes_nothing(seeded, admin_client):
    before = snapshot()
    response = admin_client.post("/admin/calendar/calendaryear/add/", year_form(
        [("2027-01-01", "holiday", "元旦"), ("2027-03-03", "makeup_workday", "")]))
    assert response.status_code == 200
    assert "调休上班日只能是星期六或星期日" in response.content.decode()
    assert snapshot() == before


def test_admin_edit_replaces_rows_and_bumps_version(seeded, admin_client):
    year = CalendarYear.objects.get(year=2026)
    days = list(year.days.order_by("date"))
    data = {"status": "official", "source_notice": year.source_notice, "announced_on": "",
            "days-TOTAL_FORMS": str(len(days)), "days-INITIAL_FORMS": str(len(days)),
            "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000"}
    for i, day in enumerate(days):
        data.update({f"days-{i}-id": day.pk, f"days-{i}-year": year.pk, f"days-{i}-date": day.date.isoformat(),
                     f"days-{i}-kind": day.kind, f"days-{i}-name": day.name})
        if day.date == date(2026, 10, 10):
            data[f"days-{i}-DELETE"] = "on"
    response = admin_client.post(f"/admin/calendar/calendaryear/{year.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    year.refresh_from_db()
    assert year.version == seeded + 1 and year.origin == "admin"
    assert not CalendarDay.objects.filter(date=date(2026, 10, 10)).exists()


def test_admin_index_uses_the_calendar_template_and_pages_render(seeded, admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "admin/calendar_index.html" in [t.name for t in response.templates]
    for url in ["/admin/calendar/calendaryear/", "/admin/calendar/weekendopening/add/",
                "/admin/calendar/centredayexception/"]:
        assert admin_client.get(url).status_code == 200, url


def test_admin_warning_tag_follows_the_selector(seeded):
    from onewindow.calendar import selectors

    assert calendar_missing_year_warning() == (selectors.missing_next_year_warning() or "")
