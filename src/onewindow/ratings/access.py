"""Who may act on ratings: the responsible unit (a department's approvers and chief representatives, or
for a visit with no department the clerks of the centre), and the efficiency office (supervisors)."""

from __future__ import annotations

from onewindow.orgs import selectors as orgs
from onewindow.orgs.models import Role

OFFICE_ROLES = (Role.SUPERVISOR,)
CENTRE_UNIT_ROLES = (Role.WINDOW_CLERK,)


def is_office(user) -> bool:
    return bool(orgs.roles_of(user) & {str(r) for r in OFFICE_ROLES})


def is_staff(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and orgs.is_staff_member(user)


def unit_scope(user) -> tuple[set[int], set[int]]:
    """(department ids, centre ids) the account answers for as a responsible unit."""
    departments = orgs.role_scopes(user, orgs.DEPARTMENT_ROLES)[1]
    centres = orgs.role_scopes(user, CENTRE_UNIT_ROLES)[0]
    return departments, centres


def is_unit_of(user, rectification) -> bool:
    departments, centres = unit_scope(user)
    if rectification.department_id is not None:
        return rectification.department_id in departments
    return rectification.centre_id in centres
