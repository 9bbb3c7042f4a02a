"""Reads on the daily check and the reports. Reports are for the staff of their centre (any role
scoped to it: clerks, agents) and for the overseers (supervisors, administrators); to anyone else a
report is simply not there (NotFound, never "forbidden")."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Role

from .models import DailySnapshot, Report

OVERSEER_ROLES = {Role.SUPERVISOR.value, Role.ADMINISTRATOR.value}


def reports_visible_to(user) -> QuerySet[Report]:
    roles = org_selectors.roles_of(user)
    if not roles:
        return Report.objects.none()
    reports = Report.objects.select_related("centre").order_by("-period", "centre__code")
    if roles & OVERSEER_ROLES:
        return reports
    return reports.filter(centre__in=org_selectors.centres_of(user))


def get_report_for(user, pk: int) -> Report:
    report = reports_visible_to(user).filter(pk=pk).first()
    if report is None:
        raise NotFound(_("没有找到该报表"))
    return report


def snapshots(day: date) -> QuerySet[DailySnapshot]:
    """The daily check of `day`, one row per department, the most overdue first."""
    return (DailySnapshot.objects.filter(day=day).select_related("department")
            .order_by("-overdue_tasks", "-warning_tasks", "department__code"))


def latest_check_day() -> date | None:
    return DailySnapshot.objects.order_by("-day").values_list("day", flat=True).first()


def can_see_reports(user) -> bool:
    """Overseers, and staff scoped to a centre (clerks, agents): the reports page is theirs."""
    roles = org_selectors.roles_of(user)
    return bool(roles & OVERSEER_ROLES) or (bool(roles) and org_selectors.centres_of(user).exists())
