"""首席代表授权: a department lets its chief representative in the centre decide for it, on named items
or on all of its items, for a period. Only that department's head grants and revokes (a role check),
each on the department's audit chain (`department:<code>`), so the efficiency office sees who let whom
decide what, and when it ended. cases/access.py reads `covers` before a representative acts on a task.

Source: the chief-representative reform of the centres (首席代表制: a department authorises its
representative in writing, for named powers and a period)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from onewindow.orgs import selectors as orgs
from onewindow.orgs.models import Department, Role

from .models import Delegation, Item


def _chain(department: Department) -> str:
    return f"department:{department.code}"


def headed_department_ids(user) -> set[int]:
    """The departments `user` heads (部门负责人)."""
    return orgs.role_scopes(user, (Role.DEPARTMENT_HEAD,))[1]


def _require_head(user, department: Department) -> None:
    if department.pk not in headed_department_ids(user):
        raise PermissionDenied(_("只有%(dept)s的负责人才能授权或撤销该部门的首席代表授权") % {"dept": department.name})


def in_force(*, on: date) -> Q:
    """Delegations in force on `on`: not revoked, and the day inside their period."""
    return (Q(revoked_at__isnull=True) & (Q(valid_from__isnull=True) | Q(valid_from__lte=on))
            & (Q(valid_until__isnull=True) | Q(valid_until__gte=on)))


@dataclass(frozen=True)
class Scope:
    """What one delegation in force lets its representative decide: a department's tasks, on one item
    or (item_id None) on all of that department's items."""

    department_id: int
    item_id: int | None


def scopes(representative, *, on: date | None = None) -> list[Scope]:
    """The representative's delegations in force today (or `on`)."""
    on = on or timezone.localdate()
    rows = (Delegation.objects.filter(in_force(on=on), representative=representative)
            .values_list("department_id", "item_id").distinct())
    return [Scope(department_id, item_id) for department_id, item_id in rows]


def delegations_of(department: Department) -> QuerySet[Delegation]:
    """A department's delegations, those in force first, newest first."""
    return (Delegation.objects.filter(department=department)
            .select_related("item", "representative", "granted_by", "revoked_by")
            .order_by("revoked_at", "-granted_on", "-id"))


def grant_delegation(*, head, department: Department, representative, items=None, valid_from: date | None = None,
                     valid_until: date | None = None, now: datetime | None = None) -> list[Delegation]:
    """The department's head lets `representative` (a chief representative of the department) decide
    for it: on `items` (the department's own), or on all its items when none are named, from
    `valid_from` (default today) to `valid_until` (None: until revoked). One row per item; recorded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _require_head(head, department)
    if not Department.objects.filter(pk=department.pk, staff_roles__user=representative,
                                     staff_roles__role=Role.CHIEF_REPRESENTATIVE).exists():
        raise ValidationError(_("“%(u)s”不是%(dept)s的首席代表") % {"u": representative, "dept": department.name},
                              field="representative")
    valid_from = valid_from or today
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError(_("授权截止日 %(end)s 早于起始日 %(start)s") % {"end": valid_until, "start": valid_from},
                              field="valid_until")
    if valid_until is not None and valid_until < today:
        raise ValidationError(_("授权截止日 %(end)s 已经过去") % {"end": valid_until}, field="valid_until")
    chosen: list[Item | None] = list(items or [])
    for item in chosen:
        if item is not None and item.department_id != department.pk:
            raise ValidationError(_("事项“%(item)s”不属于%(dept)s，不能由该部门授权") % {
                "item": item.name, "dept": department.name}, field="items")
    if not chosen:
        chosen = [None]
    with transaction.atomic():
        rows = [Delegation.objects.create(department=department, item=item, representative=representative,
                                          granted_on=today, valid_from=valid_from, valid_until=valid_until,
                                          granted_by=head) for item in chosen]
        audit.record(chain_key=_chain(department), action="onewindow.delegation.granted", actor=head, now=now,
                     data={"representative": representative.get_username(),
                           "items": [item.code for item in chosen if item is not None] or "all",
                           "valid_from": valid_from.isoformat(),
                           "valid_until": valid_until.isoformat() if valid_until else None,
                           "delegations": [row.pk for row in rows]})
    return rows


def revoke_delegation(*, head, delegation_id: int, reason: str, now: datetime | None = None) -> Delegation:
    """The department's head ends a delegation today, with a reason; recorded. From then on the
    representative can no longer act on it."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("撤销授权必须写明理由"), field="reason")
    with transaction.atomic():
        row = (Delegation.objects.select_for_update(of=("self",)).select_related("department", "representative", "item")
               .filter(pk=delegation_id).first())
        if row is None:
            raise NotFound(_("没有编号为 %(id)s 的授权") % {"id": delegation_id}, field="delegation")
        _require_head(head, row.department)
        if row.revoked_at is not None:
            raise Conflict(_("该授权已于 %(t)s 撤销") % {"t": f"{timezone.localtime(row.revoked_at):%Y-%m-%d %H:%M}"})
        row.revoked_at, row.revoked_by, row.revoke_reason = now, head, reason[:300]
        row.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit.record(chain_key=_chain(row.department), action="onewindow.delegation.revoked", actor=head, now=now,
                     reason=reason, data={"delegation": row.pk, "representative": row.representative.get_username(),
                                          "item": row.item.code if row.item else "all"})
    return row


def department_items(department: Department) -> QuerySet[Item]:
    """The department's published items a delegation may name."""
    from .models import ItemStatus

    return Item.objects.filter(department=department, status=ItemStatus.ACTIVE).order_by("name", "id")
