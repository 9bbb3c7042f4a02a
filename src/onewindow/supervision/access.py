"""Who may do what in the efficiency office's work, on orgs' roles (as cases/access.py does):
supervisors (效能办监督人员) and administrators run the board, urge, inspect and hold to account; a
unit's approvers and chief representative answer its urgings and report its rectifications."""

from __future__ import annotations

from onewindow.orgs import selectors as orgs
from onewindow.orgs.models import Role

OFFICE_ROLES = frozenset({Role.SUPERVISOR.value, Role.ADMINISTRATOR.value})


def is_office(user) -> bool:
    """A member of the efficiency office (or an administrator)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(orgs.roles_of(user) & OFFICE_ROLES)


def department_ids(user) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return orgs.role_scopes(user, orgs.DEPARTMENT_ROLES)[1]


def speaks_for(user, department_id: int) -> bool:
    """An approver or chief representative of the department: may answer for it."""
    return department_id in department_ids(user)
