"""The department inbox reads one page of tasks in a fixed number of queries (no query per row), and
its open tab is served by the partial index on open tasks (department, due_on, id)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.cases import selectors

from .cases import accepted_case
from .world import make_world

pytestmark = pytest.mark.django_db

# session, user, roles, departments, the count for the pager, the page of tasks with case, item,
# applicant and department.
MAX_QUERIES = 6


@pytest.fixture
def w():
    return make_world()


def _queries(client) -> tuple[int, str]:
    client.get(reverse("workbench:inbox"))  # calendar index, templates
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("workbench:inbox"))
    assert response.status_code == 200
    # The calendar index checks its version at most every 2 s (timing-dependent): not the page's own.
    return (len([q for q in captured.captured_queries if '"calendar_' not in q["sql"]]),
            response.content.decode())


def test_the_inbox_page_is_a_fixed_number_of_queries_whatever_the_number_of_tasks(client, w):
    client.force_login(w.approver_a)
    first = accepted_case(w)
    few, body = _queries(client)
    assert first.number in body and few <= MAX_QUERIES
    for _ in range(30):  # more than a page
        accepted_case(w)
    many, body = _queries(client)
    assert many == few
    assert "第 1 / 2 页" in body


def test_the_open_inbox_asks_for_exactly_the_partial_index_condition(w):
    """task_open_inbox_idx is partial on state IN ('open', 'suspended'): SQLite uses such an index only
    when the query repeats its condition term for term, so the selector asks in that order, and joins
    the case only for delegated items."""
    accepted_case(w)
    sql, params = selectors.inbox(w.approver_a, state="open").query.sql_with_params()
    assert [p for p in params if p in ("open", "suspended")] == ["open", "suspended"]
    assert "cases_case" not in sql.split(" WHERE ", 1)[1]
