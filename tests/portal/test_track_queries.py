"""The public progress page (/track/) reads a case in a fixed, small number of queries: the case with
what it owes and whether it has certificates in one query, its tasks in one more — whatever the case
holds and however many cases the table has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.workbench.cases import accepted_case, concluded_case, submitted_online_case
from tests.workbench.world import make_world

pytestmark = pytest.mark.django_db

# The rate limiter's cache statements (ONEWINDOW_CACHE_URL=db:// in production) are not counted: they
# are the same for every page and depend on the cache backend; nor is the calendar index's version
# check (at most every 2 s, timing-dependent).
MAX_QUERIES = {"submitted": 1, "accepted": 2, "concluded": 3}


@pytest.fixture
def w():
    return make_world()


def _page_queries(client, case) -> tuple[list[str], str]:
    url = reverse("portal_cases:track")
    client.get(url, {"number": case.number, "code": case.query_code})  # calendar index, templates
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"number": case.number, "code": case.query_code})
    assert response.status_code == 200
    own = [q["sql"] for q in captured.captured_queries
           if "onewindow_cache" not in q["sql"] and '"calendar_' not in q["sql"] and q["sql"] not in ("BEGIN", "COMMIT", "ROLLBACK")
           and not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]
    return own, response.content.decode()


def test_progress_page_of_a_submitted_case_is_one_query(client, w):
    case = submitted_online_case(w)
    queries, body = _page_queries(client, case)
    assert case.number in body
    assert len(queries) <= MAX_QUERIES["submitted"], queries


def test_progress_page_of_an_accepted_case_is_the_case_and_its_tasks(client, w):
    case = accepted_case(w)
    queries, body = _page_queries(client, case)
    assert case.number in body and w.dept_a.name in body and w.dept_b.name in body
    assert len(queries) <= MAX_QUERIES["accepted"], queries


def test_progress_page_of_a_concluded_case_adds_only_its_certificates(client, w):
    case = concluded_case(w)
    queries, body = _page_queries(client, case)
    numbers = list(case.certificates.values_list("number", flat=True))
    assert numbers and all(number in body for number in numbers)
    assert len(queries) <= MAX_QUERIES["concluded"], queries
