"""Helpers for the work-order tests: an office, two units with their staff, a calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from onewindow.complaints import services
from onewindow.orgs.models import Department, Role, User
from tests.factories import DepartmentFactory, make_staff

TZ = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, hour, tzinfo=TZ)


@dataclass
class Centre:
    office: User
    unit_a: Department
    unit_b: Department
    staff_a: User
    staff_b: User
    stranger: User


def build_centre() -> Centre:
    from onewindow.calendar.services import seed_official_calendar

    seed_official_calendar()
    unit_a = DepartmentFactory(name="东兴市市场监督管理局")
    unit_b = DepartmentFactory(name="东兴市城市管理综合执法局")
    return Centre(office=make_staff(Role.SUPERVISOR), unit_a=unit_a, unit_b=unit_b,
                  staff_a=make_staff(Role.APPROVER, department=unit_a),
                  staff_b=make_staff(Role.APPROVER, department=unit_b),
                  stranger=make_staff(Role.APPROVER))


def hotline_order(centre: Centre, *, kind="complaint", subkind="delay", anonymous=False, now=None, **extra):
    return services.register_order(
        actor=centre.office, kind=kind, subkind=subkind if kind == "complaint" else "", channel="hotline",
        text=extra.pop("text", "在政务服务中心办营业执照，窗口人员拖了两周也不给答复"),
        complainant_name="李明", complainant_phone="13877001234", anonymous=anonymous,
        now=now or at("2026-12-07"), **extra)
