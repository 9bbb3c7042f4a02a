"""record_many with the chain head the caller read in its own statement (cases' lock_case reads it with
the case): the same rows and hashes as without it, one statement less on PostgreSQL — and when another
writer appended after that read, the events go after theirs, never beside them."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onewindow.audit import services
from onewindow.audit.models import AuditChain, AuditEvent

pytestmark = pytest.mark.django_db


def _events(n: int, tag: str) -> list[dict]:
    return [{"action": "onewindow.test.step", "reason": f"{tag} {i}"} for i in range(n)]


def test_appending_on_a_known_head_writes_the_same_chain_in_one_statement(is_postgres):
    with transaction.atomic():
        services.record_many("case:K", _events(1, "first"))
    head = AuditChain.objects.get(key="case:K")
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        rows = services.record_many("case:K", _events(2, "then"), head=head)
    written = [q for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    if is_postgres:
        assert len(written) == 1
    assert [r.position for r in rows] == [2, 3] and all(r.pk for r in rows)
    assert head.length == 3 and head.head_hash == rows[-1].hash
    assert AuditChain.objects.get(key="case:K").head_hash == rows[-1].hash
    assert services.verify(chain_keys=["case:K"]).ok


def test_a_head_another_writer_moved_since_it_was_read_is_read_again_and_the_chain_still_verifies():
    with transaction.atomic():
        services.record_many("case:S", _events(1, "first"))
    stale = AuditChain.objects.get(key="case:S")
    with transaction.atomic():
        services.record_many("case:S", _events(2, "meanwhile"))  # another writer, after our read
    with transaction.atomic():
        rows = services.record_many("case:S", _events(1, "late"), head=stale)
    assert [r.position for r in rows] == [4]
    positions = list(AuditEvent.objects.filter(chain__key="case:S").order_by("position")
                     .values_list("position", "reason"))
    assert positions == [(1, "first 0"), (2, "meanwhile 0"), (3, "meanwhile 1"), (4, "late 0")]
    assert services.verify(chain_keys=["case:S"]).ok
