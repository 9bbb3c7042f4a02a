"""The audit trail's hash chain detects tampering done behind the application's back, in SQL: an edited
event, a deleted event in the middle, and a deleted last event (truncation, caught by the chain head).
`onewindow audit verify` then exits non-zero naming the chain, and leaves untouched chains alone.

Nothing here needs PostgreSQL, so it runs on both engines whenever the fault suite runs."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from onewindow import cli
from onewindow.audit import services as audit
from onewindow.audit.models import AuditChain, AuditEvent

pytestmark = pytest.mark.fault

TAMPERED = "case:DX01-20261125-0042"
UNTOUCHED = "case:DX01-20261125-0043"


@pytest.fixture
def chains(db):
    with transaction.atomic():
        for key in (TAMPERED, UNTOUCHED):
            audit.record(chain_key=key, action="onewindow.case.submitted", to_state="submitted")
            audit.record(chain_key=key, action="onewindow.case.accepted", from_state="submitted",
                         to_state="in_progress", reason="材料齐全")
            audit.record(chain_key=key, action="onewindow.case.refused", from_state="in_progress",
                         to_state="refused", reason="不符合条件")
    assert audit.verify().ok


def sql(statement: str, *params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def event_id(position: int) -> int:
    return AuditEvent.objects.get(chain__key=TAMPERED, position=position).pk


def verify_cli(capsys) -> tuple[int, str, str]:
    code = cli.main(["audit", "verify"])
    out, err = capsys.readouterr()
    return code, out, err


def test_untampered_trail_verifies(chains, capsys):
    code, out, err = verify_cli(capsys)
    assert code == 0, err
    assert "audit trail intact: 2 chains, 6 events" in out


def test_an_edited_reason_is_detected(chains, capsys):
    assert sql(f"UPDATE {AuditEvent._meta.db_table} SET reason = %s WHERE id = %s", "材料不齐", event_id(2)) == 1
    report = audit.verify()
    assert report.problems == [f"{TAMPERED}: event #2 (onewindow.case.accepted) was altered"]
    code, out, err = verify_cli(capsys)
    assert code == 2
    assert f"{TAMPERED}: event #2 (onewindow.case.accepted) was altered" in out
    assert UNTOUCHED not in out
    assert err.count("\n") == 1 and "audit trail is NOT intact: 1 problem(s)" in err


def test_an_edited_data_field_is_detected(chains):
    sql(f"UPDATE {AuditEvent._meta.db_table} SET to_state = %s WHERE id = %s", "approved", event_id(3))
    assert [p for p in audit.verify().problems if "was altered" in p] == [
        f"{TAMPERED}: event #3 (onewindow.case.refused) was altered"]


def test_a_deleted_middle_event_is_detected(chains, capsys):
    assert sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", event_id(2)) == 1
    problems = audit.verify().problems
    assert f"{TAMPERED}: event #2 is missing" in problems
    assert f"{TAMPERED}: event #3 does not follow the one before it" in problems
    assert all(p.startswith(TAMPERED) for p in problems)
    code, out, _err = verify_cli(capsys)
    assert code == 2 and f"{TAMPERED}: event #2 is missing" in out


def test_a_deleted_last_event_is_detected_by_the_chain_head(chains, capsys):
    # Truncation leaves a chain whose every remaining link is valid: only the head gives it away.
    assert sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", event_id(3)) == 1
    assert audit.verify().problems == [f"{TAMPERED}: chain head says 3 events, found 2"]
    code, out, _err = verify_cli(capsys)
    assert code == 2 and f"{TAMPERED}: chain head says 3 events, found 2" in out


def test_truncation_with_a_forged_head_length_is_still_detected_by_the_head_hash(chains):
    sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", event_id(3))
    sql(f"UPDATE {AuditChain._meta.db_table} SET length = 2 WHERE key = %s", TAMPERED)
    problems = audit.verify().problems
    assert len(problems) == 1 and problems[0].startswith(f"{TAMPERED}: chain head"), problems
