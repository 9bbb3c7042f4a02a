from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from onewindow.audit import services
from onewindow.audit.models import AuditChain, AuditEvent

pytestmark = pytest.mark.django_db


def _append(key, n, **kwargs):
    with transaction.atomic():
        for i in range(n):
            services.record(chain_key=key, action="onewindow.test.step", reason=f"step {i}", **kwargs)


def test_events_of_a_chain_are_numbered_and_linked():
    _append("case:A", 3)
    events = list(AuditEvent.objects.filter(chain__key="case:A").order_by("position"))
    assert [e.position for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert AuditChain.objects.get(key="case:A").head_hash == events[2].hash
    assert services.verify().ok


def test_an_event_recorded_with_a_local_time_zone_still_verifies():
    shanghai = datetime(2026, 10, 10, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    _append("case:B", 2, now=shanghai)
    assert services.verify().ok


def test_an_edited_event_is_detected():
    _append("case:C", 3)
    AuditEvent.objects.filter(chain__key="case:C", position=2).update(reason="quietly changed")
    report = services.verify()
    assert not report.ok and "case:C: event #2" in report.problems[0]


def test_a_deleted_last_event_is_detected_by_the_chain_head():
    _append("case:D", 3)
    AuditEvent.objects.filter(chain__key="case:D", position=3).delete()
    report = services.verify()
    assert not report.ok and any("chain head says 3 events, found 2" in p for p in report.problems)


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        services.record(chain_key="case:E", action="onewindow.test.step")
    assert not AuditChain.objects.filter(key="case:E").exists()


def test_a_replaced_last_hash_is_reported_as_a_head_mismatch():
    _append("case:F", 2)
    AuditChain.objects.filter(key="case:F").update(head_hash="0" * 64)
    report = services.verify()
    assert report.problems == ["case:F: chain head hash does not match the last event"]
