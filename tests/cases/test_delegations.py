"""Issue 16: chief representatives (首席代表) act only for the departments that delegated to them. A
delegation names the department, the items (or all of them) and the period; only that department's
head grants or revokes it, and both are on the audit trail."""

from datetime import date

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.cases import selectors, services
from onewindow.cases.models import Task
from onewindow.catalog import delegations
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from tests.factories import make_staff

from .factories import accepted_case, at, task_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def head_zrzy(world):
    return make_staff("department_head", department=world.zrzy, username="head.zrzy")


@pytest.fixture
def head_gaj(world):
    return make_staff("department_head", department=world.gaj, username="head.gaj")


def test_a_representative_cannot_approve_another_departments_parallel_task_on_their_own_delegation(world, head_zrzy):
    """The old hole: a delegation of the item let the representative approve every department's task."""
    delegations.grant_delegation(head=head_zrzy, department=world.zrzy, representative=world.chief_zrzy,
                                 items=[world.needs_licence], now=at(2026, 9, 1))
    case = accepted_case(world)  # the licence: scjg and gaj review in parallel
    gaj_task = task_of(case, world.gaj, 2)
    with pytest.raises(PermissionDenied):
        services.approve_task(approver=world.chief_zrzy, task=gaj_task, now=at(2026, 10, 8))
    assert gaj_task not in list(selectors.inbox(world.chief_zrzy))
    assert Task.objects.get(pk=gaj_task.pk).state == "open"


def test_a_delegation_of_all_the_departments_items_lets_the_representative_decide_them(world, head_zrzy):
    case = accepted_case(world, world.paid)  # natural resources' own item
    task = task_of(case, world.zrzy, 1)
    with pytest.raises(PermissionDenied):  # the role alone is not a delegation
        services.approve_task(approver=world.chief_zrzy, task=task, now=at(2026, 10, 8))
    delegations.grant_delegation(head=head_zrzy, department=world.zrzy, representative=world.chief_zrzy,
                                 now=at(2026, 9, 1))
    assert task in list(selectors.inbox(world.chief_zrzy))
    services.approve_task(approver=world.chief_zrzy, task=task, now=at(2026, 10, 8))
    assert Task.objects.get(pk=task.pk).completed_by == world.chief_zrzy


def test_only_the_departments_head_grants_and_the_grant_is_recorded(world, head_zrzy, head_gaj):
    for who in (head_gaj, world.approver_zrzy, world.chief_zrzy, world.supervisor):
        with pytest.raises(PermissionDenied):
            delegations.grant_delegation(head=who, department=world.zrzy, representative=world.chief_zrzy)
    with pytest.raises(ValidationError) as error:  # not natural resources' representative
        delegations.grant_delegation(head=head_gaj, department=world.gaj, representative=world.chief_zrzy)
    assert error.value.field == "representative"
    with pytest.raises(ValidationError) as error:  # another department's item
        delegations.grant_delegation(head=head_zrzy, department=world.zrzy, representative=world.chief_zrzy,
                                     items=[world.licence])
    assert error.value.field == "items"
    rows = delegations.grant_delegation(head=head_zrzy, department=world.zrzy, representative=world.chief_zrzy,
                                        items=[world.paid], valid_until=date(2099, 12, 31))
    event = AuditEvent.objects.get(chain__key="department:dx-zrzy", action="onewindow.delegation.granted")
    assert event.actor_id == head_zrzy.pk and event.data["items"] == [world.paid.code]
    assert rows[0].granted_by == head_zrzy


def test_an_expired_or_revoked_delegation_no_longer_lets_the_representative_act(world, head_zrzy):
    case = accepted_case(world, world.paid)
    task = task_of(case, world.zrzy, 1)
    expired = delegations.grant_delegation(head=head_zrzy, department=world.zrzy, representative=world.chief_zrzy,
                                           valid_from=date(2026, 9, 1), valid_until=date(2026, 9, 30),
                                           now=at(2026, 9, 1))[0]
    assert expired.valid_until == date(2026, 9, 30)
    assert delegations.scopes(world.chief_zrzy, on=date(2026, 10, 8)) == []
    row = delegations.grant_delegation(head=head_zrzy, department=world.zrzy, representative=world.chief_zrzy,
                                       now=at(2026, 9, 1))[0]
    with pytest.raises(ValidationError):
        delegations.revoke_delegation(head=head_zrzy, delegation_id=row.pk, reason=" ")
    delegations.revoke_delegation(head=head_zrzy, delegation_id=row.pk, reason="人员调整")
    with pytest.raises(Conflict):
        delegations.revoke_delegation(head=head_zrzy, delegation_id=row.pk, reason="再次撤销")
    with pytest.raises(PermissionDenied):
        services.approve_task(approver=world.chief_zrzy, task=task)
    revoked = AuditEvent.objects.get(chain__key="department:dx-zrzy", action="onewindow.delegation.revoked")
    assert revoked.reason == "人员调整" and revoked.actor_id == head_zrzy.pk
