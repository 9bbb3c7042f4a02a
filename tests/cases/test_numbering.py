"""Case, bundle and certificate numbers: one counter row per centre and day (per certificate type and
year), bumped by one statement that commits at once, so a rolled-back intake leaves a gap, never a
repeated number."""

import threading
from datetime import date

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onewindow.cases import numbering
from onewindow.cases.models import CaseCounter, CertificateCounter
from tests.factories import ServiceCentreFactory

DAY = date(2026, 11, 25)


@pytest.mark.django_db
def test_case_numbers_count_per_centre_and_day():
    dx, jp = ServiceCentreFactory(code="DX01"), ServiceCentreFactory(code="JPZ01")
    assert [numbering.allocate_case_number(dx, DAY) for _ in range(3)] == [
        "DX01-20261125-0001", "DX01-20261125-0002", "DX01-20261125-0003"]
    assert numbering.allocate_case_number(jp, DAY) == "JPZ01-20261125-0001"
    assert numbering.allocate_case_number(dx, date(2026, 11, 26)) == "DX01-20261126-0001"
    assert numbering.allocate_bundle_number(dx, DAY) == "YJS-DX01-20261125-0004"  # the same counter
    assert CaseCounter.objects.get(centre=dx, day=DAY).last == 4


@pytest.mark.django_db
def test_certificate_numbers_count_per_type_and_year():
    numbers = [numbering.allocate_certificate_number(certificate_type="yyzz", year=2026, prefix="DX")
               for _ in range(2)]
    numbers.append(numbering.allocate_certificate_number(certificate_type="yyzz", year=2027, prefix="DX"))
    numbers.append(numbering.allocate_certificate_number(certificate_type="spba", year=2026, prefix="DX"))
    assert numbers == ["DX-YYZZ-2026-000001", "DX-YYZZ-2026-000002", "DX-YYZZ-2027-000001", "DX-SPBA-2026-000001"]
    assert CertificateCounter.objects.get(certificate_type="yyzz", year=2026).last == 2


@pytest.mark.django_db
def test_a_number_costs_one_statement(is_postgres):
    if not is_postgres and not connection.features.can_return_columns_from_insert:
        pytest.skip("SQLite older than 3.35 has no INSERT … RETURNING")
    centre = ServiceCentreFactory(code="DX01")
    numbering.allocate_case_number(centre, DAY)
    with CaptureQueriesContext(connection) as ctx:
        assert numbering.allocate_case_number(centre, DAY) == "DX01-20261125-0002"
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_a_number_is_committed_at_once_and_a_rolled_back_intake_leaves_a_gap():
    centre = ServiceCentreFactory(code="DX01")
    assert numbering.allocate_case_number(centre, DAY) == "DX01-20261125-0001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert numbering.allocate_case_number(centre, DAY) == "DX01-20261125-0002"
        raise RuntimeError("the intake failed")
    # Inside a transaction the bump is part of it: rolled back with it (the next number repeats it) …
    assert numbering.allocate_case_number(centre, DAY) == "DX01-20261125-0002"
    # … while outside one it is committed before the intake's own transaction starts: a gap.
    number = numbering.allocate_case_number(centre, DAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        raise RuntimeError("the intake failed")
    assert number == "DX01-20261125-0003"
    assert numbering.allocate_case_number(centre, DAY) == "DX01-20261125-0004"
    assert CaseCounter.objects.get(centre=centre, day=DAY).last == 4


@pytest.mark.postgres_only
@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                    reason="needs PostgreSQL: concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_numbers_allocated_at_once_are_all_different():
    centre = ServiceCentreFactory(code="DX01")
    barrier = threading.Barrier(8)
    numbers: list = []

    def allocate():
        try:
            barrier.wait()
            numbers.extend(numbering.allocate_case_number(centre, DAY) for _ in range(5))
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(numbers) == [f"DX01-20261125-{n:04d}" for n in range(1, 41)]
