"""Who may do what to a case. Used by the services (every write checks it) and by the selectors
(every read filters by it), so pages and API cannot disagree.

- applicant: their own cases (and an agent assigned to the case or its key project acts for them);
- window clerk: the cases of the centres they work at;
- approver: tasks of their departments; chief representative: the tasks a delegation in force from
  a department covers (catalog/delegations.py);
- supervisor / administrator: read everything (they act through their own services)."""

from __future__ import annotations

from django.db.models import Q

from onewindow.catalog import delegations
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


def approver_department_ids(user) -> set[int]:
    """The departments whose tasks the account decides as their approver."""
    return orgs.role_scopes(user, (Role.APPROVER,))[1]


def delegation_scopes(user) -> list[delegations.Scope]:
    """A chief representative's delegations in force today (department, and item or all its items)."""
    if Role.CHIEF_REPRESENTATIVE not in roles(user):
        return []
    return delegations.scopes(user)


def delegated_tasks_q(user, *, prefix: str = "") -> Q | None:
    """The tasks a chief representative's delegations in force cover, as a filter on Task (or, with
    `prefix` such as "tasks__", on a model reaching tasks); None without any."""
    condition = None
    for scope in delegation_scopes(user):
        term = Q(**{f"{prefix}department_id": scope.department_id})
        if scope.item_id is not None:
            term &= Q(**{f"{prefix}case__item_id": scope.item_id})
        condition = term if condition is None else condition | term
    return condition


def can_handle_task(user, task) -> bool:
    """An approver of the task's department, or a chief representative holding a delegation in force
    from that department that covers the case's item. Without one a representative is refused, even
    on a parallel task of an item another department delegated (首席代表 act only for those who
    delegated to them)."""
    if task.department_id in approver_department_ids(user):
        return True
    return any(scope.department_id == task.department_id and scope.item_id in (None, task.case.item_id)
               for scope in delegation_scopes(user))


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
