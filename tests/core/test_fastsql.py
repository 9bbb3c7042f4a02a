"""core/fastsql.py: statements compiled once must read and write exactly what the ORM would — every
field type our hot paths use (JSON, aware datetimes, dates, booleans, decimals, nullable foreign keys),
on SQLite and PostgreSQL — and send one statement each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from onewindow.cases.models import Case, CaseMaterial, Certificate, Fee, IdempotencyRecord
from onewindow.core import fastsql
from tests.cases.factories import at, build_world, submit_online

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_select_reads_what_the_orm_reads_for_every_field_type():
    w = build_world()
    case = submit_online(w, form={"面积": 80, "nested": {"a": [1, "二"]}}, now=at(2026, 9, 30, 9, 15))
    Case.objects.filter(pk=case.pk).update(due_on=date(2026, 10, 20), due_provisional=True)
    select = fastsql.Select(Case, "{number} = %s")

    with CaptureQueriesContext(connection) as queries:
        ours = select.first([case.number])

    assert len(queries) == 1
    assert _fields(ours) == _fields(Case.objects.get(pk=case.pk))
    assert ours.form_data == {"面积": 80, "nested": {"a": [1, "二"]}}
    assert ours.submitted_at == at(2026, 9, 30, 9, 15) and ours.submitted_at.tzinfo is not None
    assert ours.due_on == date(2026, 10, 20) and ours.due_provisional is True
    assert ours._state.adding is False and ours._state.db == "default"
    assert select.first(["no-such-number"]) is None


def test_select_joins_related_rows_as_select_related_does():
    w = build_world()
    case = submit_online(w)
    select = fastsql.Select(Case, "{number} = %s AND {item.code} = %s", related=("item", "applicant"))

    with CaptureQueriesContext(connection) as queries:
        ours = select.first([case.number, w.licence.code])
        item_name, applicant_name = ours.item.name, ours.applicant.name

    assert len(queries) == 1  # the related objects came with the row
    assert (item_name, applicant_name) == (w.licence.name, w.applicant.name)
    assert _fields(ours.item) == _fields(w.licence.__class__.objects.get(pk=w.licence.pk))
    assert select.first([case.number, "another-code"]) is None


def test_select_follows_a_key_of_a_related_row_and_attaches_a_row_no_key_leads_to():
    from onewindow.audit.models import AuditChain

    w = build_world()
    case, other = submit_online(w), submit_online(w)
    AuditChain.objects.filter(key=f"case:{other.number}").update(key="elsewhere")  # no chain of its own: None
    select = fastsql.Select(Case, "{id} IN (%s, %s)", order_by=("id",), related=("item", "item__department"),
                            attach=("chain", AuditChain, "{chain.key} = 'case:' || {number}"))

    with CaptureQueriesContext(connection) as queries:
        rows = select.all([case.pk, other.pk])
        department = rows[0].item.department

    assert len(queries) == 1  # the item's department and the chain came with the row
    assert department.pk == w.licence.department_id and department.name == w.licence.department.name
    assert rows[0].chain.key == f"case:{case.number}" and rows[0].chain.length == 1
    assert rows[1].chain is None


def test_a_nullable_foreign_key_is_joined_outer_and_read_as_none_when_empty():
    w = build_world()
    online, at_window = submit_online(w), submit_online(w)
    Case.objects.filter(pk=at_window.pk).update(window=w.window)
    select = fastsql.Select(Case, "{id} IN (%s, %s)", order_by=("id",), related=("window",))

    with CaptureQueriesContext(connection) as queries:
        rows = select.all([online.pk, at_window.pk])
        windows = [row.window for row in rows]

    assert len(queries) == 1  # both rows, the missing window read as None without another query
    assert [row.pk for row in rows] == [online.pk, at_window.pk]
    assert windows[0] is None and windows[1].pk == w.window.pk and windows[1].number == w.window.number


def test_select_orders_and_limits():
    w = build_world()
    first, second = submit_online(w, now=at(2026, 9, 30, 9)), submit_online(w, now=at(2026, 9, 30, 10))
    newest = fastsql.Select(Case, "{applicant} = %s", order_by=("-submitted_at",), limit=1)
    every = fastsql.Select(Case, "{applicant} = %s", order_by=("id",))

    assert newest.first([w.applicant.pk]).pk == second.pk
    assert [c.pk for c in every.all([w.applicant.pk])] == [first.pk, second.pk]


def test_select_names_an_unknown_field_at_once():
    with pytest.raises(KeyError, match="nosuch"):
        fastsql.Select(Case, "{nosuch} = %s").all(["x"])


def test_insert_writes_what_save_writes_and_sets_the_key():
    w = build_world()
    case = submit_online(w)
    fee = Fee(case=case, description="不动产登记费", amount=Decimal("80.50"))

    with CaptureQueriesContext(connection) as queries:
        fastsql.insert(fee)

    assert len(queries) == 1
    assert fee.pk is not None and fee._state.adding is False
    stored = Fee.objects.get(pk=fee.pk)
    assert _fields(stored) == _fields(fee)
    assert stored.amount == Decimal("80.50")


def test_insert_applies_auto_now_add_and_defaults():
    w = build_world()
    case = submit_online(w)
    record = fastsql.insert(IdempotencyRecord(key="k-1", principal="user:1", request_digest="d" * 64, case=case))

    stored = IdempotencyRecord.objects.get(pk=record.pk)
    assert stored.created_at is not None and stored.created_at == record.created_at
    assert stored.case_id == case.pk and stored.bundle_application_id is None


def test_insert_many_is_one_statement_and_keeps_the_order_of_the_keys():
    w = build_world()
    case = submit_online(w)
    before = set(CaseMaterial.objects.values_list("id", flat=True))
    rows = [CaseMaterial(case=case, name=f"材料{i}", status="provided", note="一" * i) for i in range(5)]

    with CaptureQueriesContext(connection) as queries:
        fastsql.insert_many(rows)

    assert len(queries) == 1
    assert all(row.pk not in before for row in rows)
    assert [CaseMaterial.objects.get(pk=row.pk).name for row in rows] == [f"材料{i}" for i in range(5)]
    assert fastsql.insert_many([]) == []


def test_a_refused_insert_raises_and_leaves_nothing():
    w = build_world()
    case = submit_online(w)
    fastsql.insert(IdempotencyRecord(key="same", principal="p", request_digest="d"))
    count = IdempotencyRecord.objects.count()

    with pytest.raises(IntegrityError), transaction.atomic():
        fastsql.insert(IdempotencyRecord(key="same", principal="p", request_digest="e", case=case))

    assert IdempotencyRecord.objects.count() == count


def test_update_writes_only_the_named_fields():
    w = build_world()
    case = submit_online(w)
    record = fastsql.insert(IdempotencyRecord(key="k-2", principal="p", request_digest="d"))
    record.case = case
    record.request_digest = "changed in memory only"

    with CaptureQueriesContext(connection) as queries:
        fastsql.update(record, ["case"])

    assert len(queries) == 1
    stored = IdempotencyRecord.objects.get(pk=record.pk)
    assert stored.case_id == case.pk and stored.request_digest == "d"


def test_where_parameters_compare_dates_like_the_orm():
    w = build_world()
    case = submit_online(w)
    Certificate.objects.create(number="C-1", certificate_type="yyzz", title="营业执照", holder=w.applicant, case=case,
                               issuer=w.scjg, issued_on=date(2026, 1, 1), valid_until=date(2026, 6, 30), digest="x")
    Certificate.objects.create(number="C-2", certificate_type="yyzz", title="营业执照", holder=w.applicant, case=case,
                               issuer=w.scjg, issued_on=date(2026, 2, 1), valid_until=None, digest="y")
    valid = fastsql.Select(Certificate, "{holder} = %s AND ({valid_until} IS NULL OR {valid_until} >= %s)",
                           order_by=("issued_on",))

    assert [c.number for c in valid.all([w.applicant.pk, date(2026, 7, 1)])] == ["C-2"]
    assert [c.number for c in valid.all([w.applicant.pk, date(2026, 6, 30)])] == ["C-1", "C-2"]


def test_insert_many_keeps_json_nulls_and_dates_of_every_row():
    w = build_world()
    case = submit_online(w)
    rows = [Certificate(number=f"C-{i}", certificate_type="yyzz", title="营业执照", holder=w.applicant, case=case,
                        issuer=w.scjg, issued_on=date(2026, 1, 1 + i), valid_until=None if i % 2 else date(2027, 1, 1),
                        data={"序号": i, "名单": ["甲", None]}, digest="d") for i in range(3)]

    fastsql.insert_many(rows)

    for row in rows:
        stored = Certificate.objects.get(pk=row.pk)
        assert (stored.number, stored.issued_on, stored.valid_until, stored.data) == \
            (row.number, row.issued_on, row.valid_until, row.data)
