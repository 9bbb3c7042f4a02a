"""`record_first`: the first event of a chain just brought into being (a new case) in two statements,
with exactly the rows and hashes `record` would write, and a chain that verifies."""

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
EVENT = {"action": "onewindow.case.submitted", "from_state": "submitted", "to_state": "submitted",
         "data": {"channel": "api", "materials": {"申请书": "provided"}, "when": WHEN.date()}, "now": WHEN}


def _rows(key: str) -> tuple:
    chain = AuditChain.objects.get(key=key)
    event = AuditEvent.objects.get(chain=chain)
    return ((chain.length, chain.head_hash),
            (event.position, event.occurred_at, event.actor_id, event.actor_label, event.action, event.from_state,
             event.to_state, event.reason, event.data, event.prev_hash, event.hash))


def test_the_first_event_is_what_record_would_have_written():
    clerk = UserFactory(username="clerk")
    with transaction.atomic():
        services.record(chain_key="case:SLOW", actor=clerk, **EVENT)
        services.record_first(chain_key="case:FAST", actor=clerk, **EVENT)
    assert _rows("case:FAST") == _rows("case:SLOW")
    assert _rows("case:FAST")[1][3] == "clerk"
    assert services.verify(chain_keys=["case:FAST"]).ok


def test_a_system_event_without_an_actor_is_the_same_too():
    with transaction.atomic():
        services.record(chain_key="case:SLOW", actor_label="系统", **EVENT)
        services.record_first(chain_key="case:FAST", actor_label="系统", **EVENT)
    assert _rows("case:FAST") == _rows("case:SLOW")


def test_the_first_event_costs_two_statements(is_postgres):
    if not is_postgres and not connection.features.can_return_columns_from_insert:
        pytest.skip("SQLite older than 3.35 takes record's path")
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        services.record_first(chain_key="case:COUNTED", **EVENT)
    assert len(ctx.captured_queries) == 2, [q["sql"] for q in ctx.captured_queries]


def test_later_events_follow_the_first_and_the_chain_verifies():
    with transaction.atomic():
        services.record_first(chain_key="case:G", **EVENT)
        services.record(chain_key="case:G", action="onewindow.case.accepted", from_state="submitted",
                        to_state="in_review")
    events = list(AuditEvent.objects.filter(chain__key="case:G").order_by("position"))
    assert [e.position for e in events] == [1, 2] and events[1].prev_hash == events[0].hash
    assert AuditChain.objects.get(key="case:G").length == 2
    assert services.verify().ok


def test_a_chain_that_exists_after_all_gets_the_event_appended():
    with transaction.atomic():
        services.record(chain_key="case:H", action="onewindow.test.step")
        services.record_first(chain_key="case:H", **EVENT)
    chain = AuditChain.objects.get(key="case:H")
    assert chain.length == 2 and [e.position for e in chain.events.order_by("position")] == [1, 2]
    assert services.verify().ok


@pytest.mark.django_db(transaction=True)
def test_recording_a_first_event_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        services.record_first(chain_key="case:I", **EVENT)
    assert not AuditChain.objects.filter(key="case:I").exists()
