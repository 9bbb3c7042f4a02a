"""Who may see and act on a work order. The efficiency office (supervisors, administrators) registers,
dispatches, follows up and closes, and sees everything — the complainant's name even when anonymous;
a unit's staff (approvers, chief representatives of the department) see the orders dispatched to their
department, never an anonymous complainant's name or contacts; the complainant proves who they are with
the order's number and query code (or is the account that filed it)."""

from __future__ import annotations

from dataclasses import dataclass

from onewindow.orgs import selectors as orgs
from onewindow.orgs.models import Role

OFFICE_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class Complainant:
    """The person who filed the order, proved by number and query code (public page, API, Open311)."""

    order_id: int

    def get_username(self) -> str:
        return "complainant"


def is_office(user) -> bool:
    if isinstance(user, Complainant):
        return False
    return bool(orgs.roles_of(user) & {str(r) for r in OFFICE_ROLES})


def unit_ids(user) -> set[int]:
    if isinstance(user, Complainant):
        return set()
    return orgs.role_scopes(user, orgs.DEPARTMENT_ROLES)[1]


def is_unit_of(user, order) -> bool:
    return order.department_id is not None and order.department_id in unit_ids(user)


def is_complainant(actor, order) -> bool:
    if isinstance(actor, Complainant):
        return actor.order_id == order.pk
    return (order.complainant_user_id is not None and getattr(actor, "is_authenticated", False)
            and actor.pk == order.complainant_user_id)


def sees_identity(user, order) -> bool:
    """Whether `user` may see who complained: the office always, the unit only when not anonymous."""
    return is_office(user) or is_complainant(user, order) or (not order.anonymous and is_unit_of(user, order))
