"""Issue 16: special procedures committed in advance. The item lists the procedures it may need with
their limits and the notice shows them; an approver starts a listed one within its limit; anything
else is an exception with a required reason, listed for the efficiency office (selectors.exceptions)."""

import pytest

from onewindow.cases import selectors, services
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.models import ItemProcedure

from .factories import accepted_case, at, task_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(world):
    ItemProcedure.objects.create(item=world.licence, kind="site_inspection", limit_days=5, note="经营场所需核实的")
    return world


def test_the_notice_shows_the_committed_procedures_with_their_limits(committed):
    notice = catalog_selectors.one_time_notice(committed.licence)
    assert [p.text for p in notice.special_procedures] == ["现场勘验：不超过 5 个工作日"]


def test_a_listed_procedure_within_its_limit_starts_without_an_exception(committed):
    case = accepted_case(committed)
    procedure = services.start_special_procedure(
        approver=committed.approver_scj, task=task_of(case, committed.scjg, 2), kind="site_inspection",
        limit_days=5, reason="核实经营场所", now=at(2026, 10, 8))
    assert not procedure.is_exception and procedure.committed_limit_days == 5
    assert not selectors.exceptions().exists()


@pytest.mark.parametrize(("kind", "days", "words"), [
    ("hearing", 10, "事项未承诺“听证”程序"),
    ("site_inspection", 8, "超过承诺的 5 个工作日"),
])
def test_anything_beyond_the_commitment_is_an_exception_with_its_reason_listed_for_the_office(committed, kind,
                                                                                              days, words):
    case = accepted_case(committed)
    task = task_of(case, committed.scjg, 2)
    procedure = services.start_special_procedure(
        approver=committed.approver_scj, task=task, kind=kind, limit_days=days, reason="需要",
        exception_reason="场地分散，需分批勘验", now=at(2026, 10, 8))
    assert procedure.is_exception
    listed = list(selectors.exceptions(department=committed.scjg))
    assert listed == [procedure]
    assert words in listed[0].exception_reason and "场地分散" in listed[0].exception_reason


def test_without_its_own_reason_the_exception_keeps_the_start_reason(committed):
    case = accepted_case(committed)
    procedure = services.start_special_procedure(
        approver=committed.approver_scj, task=task_of(case, committed.scjg, 2), kind="expert_review",
        limit_days=10, reason="技术方案复杂，需专家评审", now=at(2026, 10, 8))
    assert procedure.is_exception and "技术方案复杂" in procedure.exception_reason
    assert list(selectors.exceptions(since=procedure.started_on)) == [procedure]
    assert not selectors.exceptions(until=procedure.started_on.replace(year=2025)).exists()
