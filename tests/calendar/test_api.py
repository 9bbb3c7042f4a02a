"""GET /api/v1/workdays/add and /between: the same arithmetic, with the provisional flag and version."""

import pytest


def test_add_returns_due_date_flag_and_version(seeded, client):
    response = client.get("/api/v1/workdays/add", {"date": "2026-09-30", "days": "5"})
    assert response.status_code == 200
    assert response.json() == {"start": "2026-09-30", "days": 5, "due_on": "2026-10-13",
                               "provisional": False, "calendar_version": seeded}


def test_add_in_a_year_without_schedule_is_provisional(seeded, client):
    body = client.get("/api/v1/workdays/add", {"date": "2026-12-31", "days": "1"}).json()
    assert body["due_on"] == "2027-01-04" and body["provisional"] is True


def test_between_returns_count(seeded, client):
    response = client.get("/api/v1/workdays/between", {"start": "2026-09-30", "end": "2026-10-12"})
    assert response.json() == {"working_days": 4, "provisional": False, "calendar_version": seeded}
    body = client.get("/api/v1/workdays/between", {"start": "2028-01-05", "end": "2028-01-04"}).json()
    assert body["working_days"] == -1 and body["provisional"] is True


@pytest.mark.parametrize(("path", "params", "field", "needle"), [
    ("add", {"date": "2026-02-30", "days": "3"}, "date", "不是有效日期"),
    ("add", {"days": "3"}, "date", "缺少日期"),
    ("add", {"date": "2026-02-03", "days": "x"}, "days", "不是整数"),
    ("add", {"date": "2026-02-03", "days": "-2"}, "days", "负数"),
    ("add", {"date": "2026-02-03", "days": "999"}, "days", "最多 250"),
    ("add", {"date": "1999-01-01", "days": "1"}, "date", "超出日历范围"),
    ("between", {"start": "2026-01-01", "end": "nope"}, "end", "YYYY-MM-DD"),
    ("between", {"start": "2040-01-01", "end": "2026-01-01"}, "start", "超出日历范围"),
])
def test_bad_input_is_400_json_naming_the_field(seeded, client, path, params, field, needle):
    response = client.get(f"/api/v1/workdays/{path}", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field and needle in body["message"]
