"""A NUL character anywhere in a request is refused with 400 before it reaches a view: PostgreSQL
refuses NUL in text, so without this gate a `%00` in any URL was a database error and a 500 (found
by the API fuzzer on PostgreSQL)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [
    "/track/?number=A%00B&code=ABCDEF", "/certificates/A%00B/", "/items/A%00B/", "/items/?q=%00",
    "/api/v1/progress/A%00B?query_code=ABCDEF", "/api/v1/certificates/A%00B", "/api/v1/items/A%00B",
    "/api/v1/items?q=%00",
])
def test_nul_in_path_or_query_is_a_400(url):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json()["code"] == "invalid"


def test_nul_in_form_and_json_bodies_is_a_400():
    client = Client(raise_request_exception=False)
    assert client.post("/staff/login/", {"username": "a\x00b", "password": "x"}).status_code == 400
    assert client.post("/api/v1/cases", data='{"item": "A\\u0000"}', content_type="application/json").status_code == 400


def test_ordinary_requests_pass():
    client = Client()
    assert client.get("/items/?q=%E8%90%A5%E4%B8%9A%2500").status_code == 200  # a literal "%00" typed in
    assert client.get("/api/v1/items?q=abc").status_code == 200
