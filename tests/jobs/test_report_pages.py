"""报表 in the workbench: a centre's reports for the staff of that centre and for the overseers only;
to everyone else a report does not exist (404), and the files stream only through the view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.jobs import services
from tests.cases.factories import at
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(world, media_root):
    dx = services.build_report(centre=world.centre, period="2026-10", now=at(2026, 11, 1))
    jp = services.build_report(centre=world.other_centre, period="2026-10", now=at(2026, 11, 1))
    return dx, jp


def file_url(report, fmt="pdf"):
    return reverse("workbench:report_file", args=[report.pk, fmt])


def test_centre_staff_list_and_download_their_centres_reports_only(world, reports, client):
    dx, jp = reports
    client.force_login(world.clerk)  # a clerk of 东兴
    body = client.get(reverse("workbench:reports")).content.decode()
    assert file_url(dx) in body and file_url(jp) not in body
    pdf = client.get(file_url(dx))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert 'filename="DX01-2026-10-report.pdf"' in pdf["Content-Disposition"]
    csv = client.get(file_url(dx, "csv"))
    assert csv.status_code == 200 and 'filename="DX01-2026-10-report.csv"' in csv["Content-Disposition"]
    assert client.get(file_url(jp)).status_code == 404
    assert client.get(file_url(dx, "xls")).status_code == 404


def test_an_agent_of_the_centre_sees_its_reports_too(world, reports, client):
    client.force_login(world.agent)
    assert client.get(file_url(reports[0])).status_code == 200
    assert client.get(file_url(reports[1])).status_code == 404


def test_overseers_see_every_centres_reports(world, reports, client):
    administrator = make_staff("administrator", username="admin")
    for user in (world.supervisor, administrator):
        client.force_login(user)
        body = client.get(reverse("workbench:reports")).content.decode()
        assert all(file_url(report) in body for report in reports)
        assert client.get(file_url(reports[1], "csv")).status_code == 200


def test_everyone_else_finds_no_report(world, reports, client):
    for user in (world.approver_scj, world.chief_zrzy, world.applicant_user):
        client.force_login(user)
        assert client.get(reverse("workbench:reports")).status_code == 404, user
        assert client.get(file_url(reports[0])).status_code == 404, user
    client.logout()
    response = client.get(file_url(reports[0]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("workbench:login"))
