"""`record_many`: an action's events appended to an existing chain together — one lock of the chain
head, one insert, one head update (the update rides on the insert on PostgreSQL) — with exactly the
rows and hashes one `record` per event would write; `record` itself is the one-event case."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onewindow.audit import services
from onewindow.audit.models import AuditChain, AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 11, 25, 9, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))


def _events(actor) -> list[dict]:
    return [
        {"action": "onewindow.case.task_approved", "actor": actor, "reason": "审查通过", "from_state": "in_progress",
         "to_state": "in_progress", "data": {"task": 7, "due_on": WHEN.date()}, "now": WHEN},
        {"action": "onewindow.case.approved", "actor": actor, "from_state": "in_progress", "to_state": "approved",
         "now": WHEN},
        {"action": "onewindow.case.certificate_issued", "actor_label": "系统", "data": {"certificate": "X-1"},
         "from_state": "approved", "to_state": "approved", "now": WHEN},
    ]


def _rows(key: str) -> tuple:
    chain = AuditChain.objects.get(key=key)
    events = [(e.position, e.occurred_at, e.actor_id, e.actor_label, e.action, e.from_state, e.to_state, e.reason,
               e.data, e.prev_hash, e.hash) for e in AuditEvent.objects.filter(chain=chain).order_by("position")]
    return (chain.length, chain.head_hash), events


def _started(key: str) -> None:
    services.record(chain_key=key, action="onewindow.case.submitted", to_state="submitted", now=WHEN)


def test_events_recorded_together_are_what_recording_them_one_by_one_writes():
    clerk = UserFactory(username="clerk")
    with transaction.atomic():
        _started("case:ONE")
        _started("case:MANY")
        for event in _events(clerk):
            services.record(chain_key="case:ONE", **event)
        written = services.record_many("case:MANY", _events(clerk))
    assert _rows("case:MANY") == _rows("case:ONE")
    assert [e.position for e in written] == [2, 3, 4]
    assert [e.pk for e in written] == list(AuditEvent.objects.filter(chain__key="case:MANY", position__gt=1)
                                           .order_by("position").values_list("pk", flat=True))
    assert services.verify().ok


def test_appending_to_a_chain_costs_three_statements_whatever_the_number_of_events(is_postgres):
    with transaction.atomic():
        _started("case:COUNTED")
        with CaptureQueriesContext(connection) as one:
            services.record(chain_key="case:COUNTED", **_events(None)[0])
        with CaptureQueriesContext(connection) as three:
            services.record_many("case:COUNTED", _events(None))
    expected = 2 if is_postgres else 3
    assert len(one.captured_queries) == expected, [q["sql"] for q in one.captured_queries]
    assert len(three.captured_queries) == expected, [q["sql"] for q in three.captured_queries]
    assert AuditChain.objects.get(key="case:COUNTED").length == 5
    assert services.verify(chain_keys=["case:COUNTED"]).ok


def test_events_recorded_together_start_a_chain_that_does_not_exist_yet():
    with transaction.atomic():
        services.record_many("case:NEW", _events(None))
    assert AuditChain.objects.get(key="case:NEW").length == 3
    assert services.verify(chain_keys=["case:NEW"]).ok


def test_nothing_to_record_writes_nothing():
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        assert services.record_many("case:EMPTY", []) == []
    assert ctx.captured_queries == []
    assert not AuditChain.objects.filter(key="case:EMPTY").exists()


@pytest.mark.django_db(transaction=True)
def test_recording_events_together_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        services.record_many("case:OUTSIDE", _events(None))
    assert not AuditChain.objects.filter(key="case:OUTSIDE").exists()
