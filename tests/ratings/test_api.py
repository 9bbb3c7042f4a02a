"""The ratings API: the public statistics, and a rectification acted on through the registry's union body."""

import pytest

from .helpers import NOW, concluded_case, rate_case

pytestmark = pytest.mark.django_db


def test_public_statistics_per_department(client, w):
    rate_case(concluded_case(w), 5, rater=w.applicant_user)
    day = NOW.date().isoformat()
    rows = client.get(f"/api/v1/ratings/statistics?by=department&start={day}&end={day}").json()
    assert rows == [{"id": w.dept_a.pk, "name": w.dept_a.name, "ratings": 1, "satisfied": 1, "dissatisfied": 0,
                     "score_sum": 100, "satisfaction": 100.0}]
    bad = client.get(f"/api/v1/ratings/statistics?start={day}&end=2000-01-01")
    assert bad.status_code == 400 and bad.json()["field"] == "end"


def test_the_unit_acts_on_its_rectification_and_a_stranger_gets_404(client, w):
    r = rate_case(concluded_case(w), 1, rater=w.applicant_user).rectification
    client.force_login(w.approver_a)
    offered = client.get(f"/api/v1/rectifications/{r.pk}/actions").json()
    assert [a["action"] for a in offered] == ["record_follow_up", "submit", "appeal"]
    missing = client.post(f"/api/v1/rectifications/{r.pk}/actions", {"action": "record_follow_up",
                                                                     "params": {"note": ""}},
                          content_type="application/json")
    assert missing.status_code == 400 and missing.json()["field"] == "params.note"
    done = client.post(f"/api/v1/rectifications/{r.pk}/actions", {"action": "record_follow_up",
                                                                  "params": {"note": "已回访"}},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "open"
    client.force_login(w.approver_b)
    assert client.get(f"/api/v1/rectifications/{r.pk}/actions").status_code == 404
