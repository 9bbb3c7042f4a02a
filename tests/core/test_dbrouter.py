"""The read/write split (core/dbrouter.py): reads go to the replica only inside reads_from_replica, never
inside a transaction, never for sessions/cache/tokens, never for a browser that has just written; writes
always go to the primary; a replica that does not answer is skipped. In tests the `replica` alias
mirrors the test database (its own connection to the same data), so what is checked here is where
each query is sent."""

from __future__ import annotations

import threading

import pytest
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.calendar.services import seed_official_calendar
from onewindow.core.dbrouter import (
    PIN_COOKIE,
    READ_DB_HEADER,
    REPLICA_ALIAS,
    current_read_alias,
    reads_from_replica,
)
from onewindow.orgs.models import Department, StaffRole
from tests.factories import DepartmentFactory, make_staff

REPLICA_DB = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA_ALIAS])


@pytest.fixture
def replica(settings):
    """A configured replica (the alias mirrors the test database)."""
    settings.REPLICA_ENABLED = True
    yield connections[REPLICA_ALIAS]
    # The test database is dropped at the end of the run: no connection may stay open to it.
    connections[REPLICA_ALIAS].close()


def queries_on(alias):
    return CaptureQueriesContext(connections[alias])


@pytest.mark.django_db
def test_without_a_replica_everything_reads_from_the_primary():
    with reads_from_replica() as alias:
        assert alias == DEFAULT_DB_ALIAS
        assert Department.objects.all().db == DEFAULT_DB_ALIAS


@REPLICA_DB
def test_reads_go_to_the_replica_only_inside_the_block_and_writes_always_to_the_primary(replica):
    DepartmentFactory(code="d-one", name="一局")
    assert Department.objects.all().db == DEFAULT_DB_ALIAS
    with reads_from_replica() as alias:
        assert alias == REPLICA_ALIAS
        with queries_on(REPLICA_ALIAS) as on_replica, queries_on(DEFAULT_DB_ALIAS) as on_primary:
            names = list(Department.objects.values_list("name", flat=True))
            DepartmentFactory(code="d-two", name="二局")
        assert names == ["一局"]
        assert any("SELECT" in q["sql"] for q in on_replica.captured_queries)
        assert not any("INSERT" in q["sql"] for q in on_replica.captured_queries)
        assert any("INSERT" in q["sql"] for q in on_primary.captured_queries)
    assert Department.objects.all().db == DEFAULT_DB_ALIAS and current_read_alias() == DEFAULT_DB_ALIAS


@REPLICA_DB
def test_an_object_read_from_the_replica_does_not_keep_reading_there_after_the_block(replica):
    make_staff("approver", department=DepartmentFactory(code="d-one", name="一局"), username="a1")
    with reads_from_replica():
        role = StaffRole.objects.get(user__username="a1")
    assert role._state.db == REPLICA_ALIAS
    with queries_on(REPLICA_ALIAS) as on_replica:
        assert role.department.name == "一局"
    assert not on_replica.captured_queries


@REPLICA_DB
def test_inside_a_transaction_reads_stay_on_the_primary(replica):
    with reads_from_replica(), transaction.atomic():
        created = DepartmentFactory(code="d-new", name="新局")
        assert current_read_alias() == DEFAULT_DB_ALIAS
        assert Department.objects.get(pk=created.pk).name == "新局"  # sees its own uncommitted row
    with transaction.atomic(), reads_from_replica() as alias:
        assert alias == DEFAULT_DB_ALIAS


@REPLICA_DB
def test_sessions_and_the_cache_are_never_read_from_the_replica(replica):
    with reads_from_replica():
        assert Session.objects.all().db == DEFAULT_DB_ALIAS
        assert Department.objects.all().db == REPLICA_ALIAS


@REPLICA_DB
def test_the_choice_is_per_thread_and_nested_blocks_restore_it(replica):
    seen = {}
    with reads_from_replica():
        worker = threading.Thread(target=lambda: seen.setdefault("other thread", current_read_alias()))
        worker.start()
        worker.join()
        with reads_from_replica() as inner:
            assert inner == REPLICA_ALIAS
        assert current_read_alias() == REPLICA_ALIAS
    assert seen == {"other thread": DEFAULT_DB_ALIAS} and current_read_alias() == DEFAULT_DB_ALIAS


@REPLICA_DB
def test_a_replica_that_does_not_answer_is_skipped(replica, tmp_path):
    good = connections[REPLICA_ALIAS]
    broken = dict(good.settings_dict)
    if good.vendor == "postgresql":
        broken.update(HOST="127.0.0.1", PORT="1", OPTIONS={"connect_timeout": 2})
    else:
        broken["NAME"] = str(tmp_path / "no-such-dir" / "replica.sqlite3")
    connections[REPLICA_ALIAS] = load_backend(broken["ENGINE"]).DatabaseWrapper(broken, REPLICA_ALIAS)
    try:
        with reads_from_replica() as alias:
            assert alias == DEFAULT_DB_ALIAS
            assert Department.objects.count() == 0
    finally:
        connections[REPLICA_ALIAS].close()
        connections[REPLICA_ALIAS] = good


@REPLICA_DB
def test_the_dashboard_reads_from_the_replica_unless_the_browser_just_wrote(replica, settings):
    seed_official_calendar()
    settings.SERVER_ID = "app-7"
    client = Client()
    client.force_login(make_staff("supervisor", username="supervisor"))
    url = reverse("workbench:dashboard")
    response = client.get(url)
    assert response.status_code == 200
    assert response[READ_DB_HEADER] == REPLICA_ALIAS and response["X-Onewindow-Server"] == "app-7"
    # Any write (here: switching the language) pins this browser to the primary for a few seconds.
    written = client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert written.cookies[PIN_COOKIE]["max-age"] == settings.REPLICA_PIN_SECONDS
    assert client.get(url)[READ_DB_HEADER] == DEFAULT_DB_ALIAS
    del client.cookies[PIN_COOKIE]  # the cookie expired
    assert client.get(url)[READ_DB_HEADER] == REPLICA_ALIAS


@pytest.mark.django_db
def test_no_server_header_and_no_pin_cookie_by_default():
    response = Client().post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "X-Onewindow-Server" not in response and PIN_COOKIE not in response.cookies
