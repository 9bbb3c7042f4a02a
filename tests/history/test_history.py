"""The sample-history generator: N cases in every state, rows consistent with what the services
write, audit chains that verify, and the same history for the same seed."""

from datetime import date

import pytest
from django.db import transaction

from onewindow.audit.services import verify
from onewindow.cases import selectors, services
from onewindow.cases.models import (
    BundleApplication,
    Case,
    CaseCounter,
    CaseMaterial,
    Certificate,
    DenialFiling,
    SupplementRequest,
    Task,
)
from onewindow.cases.states import CaseState
from onewindow.catalog.models import Bundle, BundleItem, StageKind
from onewindow.history.generator import ensure_history, generate_history
from tests.cases.factories import at, build_world, make_item

START, END, NOW = date(2026, 6, 1), date(2026, 9, 30), at(2026, 9, 30, 18)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from onewindow.calendar.services import seed_official_calendar

    seed_official_calendar()
    w = build_world()
    # An item whose domain needs a special procedure (a site inspection: history/reasons.py).
    make_item(department=w.scjg, name="食品经营许可（新办）", committed=5,
              stages=[(1, StageKind.ACCEPTANCE, w.scjg, 0), (2, StageKind.REVIEW, w.scjg, 3),
                      (3, StageKind.DECISION, w.scjg, 2), (4, StageKind.DELIVERY, w.scjg, 0)],
              materials=[{"name": "食品经营许可申请书"}, {"name": "食品安全管理人员健康证明", "waivable": True}])
    bundle = Bundle.objects.create(code="kaidian", name="我要开小店")
    BundleItem.objects.create(bundle=bundle, item=w.licence, order=1)
    BundleItem.objects.create(bundle=bundle, item=w.paid, order=2)
    return w


def generate(size, seed=7):
    return generate_history(size=size, seed=seed, start=START, end=END, now=NOW)


def test_history_has_every_state_and_consistent_rows(world):
    summary = generate(1500)
    assert Case.objects.count() == summary["cases"] == 1500
    states = set(Case.objects.values_list("state", flat=True))
    assert states == set(CaseState.values)
    assert {"green", "yellow", "red"} <= set(summary["lights"])
    assert BundleApplication.objects.exists()

    concluded = Case.objects.filter(state=CaseState.CONCLUDED)
    assert not Task.objects.filter(case__in=concluded).exclude(state="approved").exists()
    assert not concluded.filter(concluded_at__isnull=True).exists()
    assert not concluded.filter(due_on__isnull=True).exists()
    # The licence item issues an e-certificate: every concluded licence case has one, and it verifies.
    licences = concluded.filter(item=world.licence)
    assert Certificate.objects.filter(case__in=licences).count() == licences.count() > 0
    certificate = Certificate.objects.first()
    assert selectors.verify_certificate(certificate.number) == certificate
    # Every "no" is filed with its reason.
    for state, kind in ((CaseState.REFUSED, "refusal"), (CaseState.DENIED, "denial")):
        cases = Case.objects.filter(state=state)
        assert DenialFiling.objects.filter(case__in=cases, kind=kind).count() == cases.count()
        assert not cases.filter(decision_reason="").exists()
    waiting = Case.objects.filter(state=CaseState.SUPPLEMENT_REQUESTED)
    assert SupplementRequest.objects.filter(case__in=waiting, supplied_at__isnull=True).count() == waiting.count()
    assert not CaseMaterial.objects.filter(status="waived", promised_by__isnull=True).exists()
    # Some concluded cases were late, most on time.
    late = [c for c in concluded.exclude(decided_at=None) if c.decided_at.date() > c.due_on]
    assert 0 < len(late) < concluded.count() / 4
    report = verify()
    assert report.ok, report.problems[:3]
    assert report.chains >= 1500


def test_numbers_continue_after_the_history(world):
    generate(200)
    last = CaseCounter.objects.get(centre=world.centre, day=END).last
    case = services.submit_case(item=world.licence, applicant=world.applicant, channel="online", centre=world.centre,
                                provided_material_ids=world.all_required(world.licence), now=NOW)
    assert case.number == f"DX01-20260930-{last + 1:04d}"


def _fingerprint():
    return sorted(Case.objects.values_list("number", "query_code", "state", "due_on", "item__code",
                                           "applicant__name"))


def test_same_seed_same_history(world):
    class Rollback(Exception):
        pass

    prints = []
    for _ in range(2):
        try:
            with transaction.atomic():
                generate(150, seed=11)
                prints.append(_fingerprint())
                raise Rollback
        except Rollback:
            pass
    assert prints[0] == prints[1] and len(prints[0]) == 150
    generate(150, seed=12)
    assert _fingerprint() != prints[0]


def test_ensure_history_only_when_there_are_no_cases(world):
    line = ensure_history(size=40)
    assert Case.objects.count() == 40 and "40" in line
    again = ensure_history(size=40)
    assert Case.objects.count() == 40 and "未生成" in again


def test_generator_needs_a_catalog(db):
    with pytest.raises(ValueError, match="onewindow init"):
        generate_history(size=5, start=START, end=END, now=NOW)
    with pytest.raises(ValueError):
        generate_history(size=0)


def _schema(tables):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                       "ORDER BY 1, 2", [tables])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, "
                       "condeferred FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
                       [tables])
        return indexes, cursor.fetchall()


def test_bulk_load_leaves_every_index_and_constraint_as_it_was(world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("indexes are dropped and rebuilt on PostgreSQL only")
    tables = ["cases_case", "cases_task", "cases_casematerial", "audit_auditevent", "audit_auditchain",
              "orgs_applicant", "cases_certificate", "cases_fee"]
    before = _schema(tables)
    summary = generate(300)
    assert summary["indexes_rebuilt"] > 10
    after = _schema(tables)
    assert set(after[0]) ^ set(before[0]) == set()
    assert after == before


def test_two_simulation_processes_write_one_consistent_history(world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("several simulation processes on PostgreSQL only")
    summary = generate_history(size=3000, seed=5, start=START, end=END, now=NOW, processes=2)
    assert summary["processes"] == 2 and summary["cases"] == Case.objects.count() == 3000
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 3000
    certificates = list(Certificate.objects.values_list("number", flat=True))
    assert len(set(certificates)) == len(certificates) > 0
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    concluded = Case.objects.filter(state=CaseState.CONCLUDED)
    assert not Task.objects.filter(case__in=concluded).exclude(state="approved").exists()
    report = verify()
    assert report.ok, report.problems[:3]
    assert report.chains >= 3000
    # Ids continue after the blocks both processes used; numbers after the counters they saved.
    case = services.submit_case(item=world.licence, applicant=world.applicant, channel="online", centre=world.centre,
                                provided_material_ids=world.all_required(world.licence), now=NOW)
    assert case.id > max(Case.objects.exclude(pk=case.pk).values_list("id", flat=True))
    last = CaseCounter.objects.get(centre=world.centre, day=END).last
    assert case.number == f"DX01-20260930-{last:04d}"


def test_a_duplicate_case_number_fails_the_whole_load(world, monkeypatch):
    # On PostgreSQL the unique constraints are built at the end of the load: a duplicate must still fail
    # it (at the ADD CONSTRAINT) and leave nothing behind.
    from django.db import IntegrityError

    from onewindow.history import bulkload, generator

    # Whatever earlier tests left in pg_class.reltuples (CREATE INDEX updates it in place), drop and
    # rebuild everything here.
    monkeypatch.setattr(bulkload, "REBUILD_SHARE", 0.0)
    monkeypatch.setattr(generator._Generator, "number_for", lambda self, centre_id, centre_code, day: "DUP-0001")
    with pytest.raises(IntegrityError):
        generate(30)
    assert not Case.objects.exists()


def test_bulk_load_keeps_the_commit_durable(world):
    from django.db import connection

    from onewindow.history import bulkload

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL bulk-load settings")
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        server = cursor.fetchone()[0]
        with transaction.atomic():
            bulkload.prepare(cursor)
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == server == "on"


def test_audit_copy_lines_escape_what_copy_would_read_as_control(world):
    # The audit events go to PostgreSQL as hand-made COPY text: a backslash, tab or newline in a reason,
    # a label or the data must arrive as written, and the chain must verify.
    from datetime import UTC, datetime

    from django.db import connection

    from onewindow.audit.digest import canonical_json
    from onewindow.audit.models import AuditChain, AuditEvent
    from onewindow.history import chains
    from onewindow.history.rows import WRITE_ORDER, row_defs
    from onewindow.history.writer import BulkWriter

    tricky = 'a\\b\tc\nd\re "q"'
    moment = datetime(2026, 9, 1, 2, 3, 4, 5, tzinfo=UTC)
    with transaction.atomic():
        writer = BulkWriter(row_defs().values())
        writer.start(background=False)
        chains.write_chain(writer, "case:TRICKY-1", [
            (moment, None, tricky, "onewindow.case.submitted", "", "submitted", tricky,
             canonical_json({"note": tricky, "n": 1})),
            (moment, None, "系统", "onewindow.case.accepted", "submitted", "in_progress", "", "{}"),
        ])
        if connection.vendor == "postgresql":
            assert writer.tables[AuditEvent].lines  # the COPY-text path is the one under test
        writer.flush_all(WRITE_ORDER)
        writer.finish()
    chain = AuditChain.objects.get(key="case:TRICKY-1")
    first = AuditEvent.objects.get(chain=chain, position=1)
    assert (first.actor_label, first.reason, first.data, first.occurred_at) == (tricky, tricky, {"note": tricky,
                                                                                                  "n": 1}, moment)
    report = verify(chain_keys=[chain.key])
    assert report.ok and report.events == 2, report.problems


def test_cases_at_a_township_centre_are_of_items_delegated_to_it(world):
    from onewindow.catalog.models import CentreLevel, Item
    from tests.factories import ServiceCentreFactory, WindowFactory

    township = ServiceCentreFactory(code="TS01", name="江平镇便民服务中心", level=CentreLevel.TOWNSHIP)
    WindowFactory(centre=township, number="1")
    Item.objects.exclude(pk=world.licence.pk).update(delegated_down_to=CentreLevel.TOWNSHIP)
    generate(600)
    at_township = set(Case.objects.filter(centre=township).values_list("item_id", flat=True))
    assert at_township and world.licence.pk not in at_township  # 就近办: only the items delegated there
    assert Case.objects.filter(item=world.licence).exists()
