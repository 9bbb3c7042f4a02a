"""Who may do what to a case. Used by the services (every write checks it) and by the selectors
(every read filters by it), so pages and API cannot disagree.

- applicant: their own cases (and an agent assigned to the case or its key project acts for them);
- window clerk: the cases of the centres they work at;
- approver / chief representative: tasks of their departments (a chief representative also the
  tasks of items delegated to them);
- supervisor / administrator: read everything (they act through their own services)."""

from __future__ import annotations

from onewindow.catalog.models import Delegation
from onewindow.orgs import selectors as orgs
from onewindow.orgs.models import Role

OVERSEER_ROLES = {Role.SUPERVISOR.value, Role.ADMINISTRATOR.value}


def roles(user) -> set[str]:
    return orgs.roles_of(user)


def is_overseer(user) -> bool:
    return bool(roles(user) & OVERSEER_ROLES)


def clerk_centre_ids(user) -> set[int]:
    """The centres where the account is a window clerk (no query once its roles are looked up)."""
    return orgs.role_scopes(user, (Role.WINDOW_CLERK,))[0]


def is_clerk_of(user, centre_id: int) -> bool:
    return centre_id in clerk_centre_ids(user)


def department_ids(user) -> set[int]:
    """The departments the account acts for as approver or chief representative (orgs.departments_of;
    no query once its roles are looked up)."""
    return orgs.role_scopes(user, orgs.DEPARTMENT_ROLES)[1]


def delegated_item_ids(user) -> set[int]:
    if Role.CHIEF_REPRESENTATIVE not in roles(user):
        return set()
    return set(Delegation.objects.filter(representative=user).values_list("item_id", flat=True))


def can_handle_task(user, task) -> bool:
    """An approver of the task's department, or a chief representative the item is delegated to."""
    if task.department_id in department_ids(user):
        return True
    return task.case.item_id in delegated_item_ids(user)


def is_agent(user) -> bool:
    return Role.AGENT in roles(user)


def acts_for_applicant(user, case) -> bool:
    """The applicant's own account, or the agent assigned to the case or to its key project."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if case.applicant.user_id is not None and case.applicant.user_id == user.id:
        return True
    if case.agent_id == user.id:
        return True
    return bool(case.project_id and case.project.agent_id == user.id)
