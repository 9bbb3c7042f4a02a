"""Builders for case tests: items with stages (parallel departments included) and materials, and a
small Dongxing-like world of centres, departments, staff and applicants (accounts from the shared
tests/factories.py)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import (
    Case,
    CaseMaterial,
    Certificate,
    DenialFiling,
    Extension,
    Fee,
    SpecialProcedure,
    SupplementRequest,
    Task,
)
from onewindow.catalog.models import Item, ItemKind, Material, MaterialSource, Stage, StageKind
from tests.factories import (
    ApplicantFactory,
    DepartmentFactory,
    ServiceCentreFactory,
    WindowFactory,
    make_applicant_user,
    make_staff,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
_codes = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """An aware moment in the centre's time zone."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_item(*, department, name: str | None = None, committed: int = 5, legal: int = 20, stages=None,
              materials=None, **fields) -> Item:
    """An active item. `stages`: [(step, kind, department, limit_days)]; `materials`: [dict of Material
    fields]. Online, post and window channels are offered unless overridden."""
    n = next(_codes)
    defaults = dict(
        code=f"TEST-ITEM-{n:05d}", name=name or f"测试事项{n}", kind=ItemKind.LICENSING, department=department,
        legal_limit_days=legal, committed_limit_days=committed, is_immediate=committed <= 1,
        channel_window=True, channel_online=True, channel_post=True, offers_post_delivery=True,
        max_visits=1, visit_reason="核验原件",
    )
    defaults.update(fields)
    item = Item.objects.create(**defaults)
    for order, spec in enumerate(materials or [], start=1):
        spec = dict(spec)
        spec.setdefault("required", True)
        if not spec["required"]:
            spec.setdefault("condition", "有相关情形时提交")
        Material.objects.create(item=item, order=order, **spec)
    for step, kind, dept, limit in stages or []:
        Stage.objects.create(item=item, step=step, kind=kind, name=_stage_name(kind), department=dept,
                             limit_days=limit)
    return item


def _stage_name(kind: str) -> str:
    return {StageKind.ACCEPTANCE: "受理", StageKind.REVIEW: "审查", StageKind.DECISION: "决定",
            StageKind.DELIVERY: "颁证与送达"}[kind]


def material(item: Item, name: str) -> Material:
    return item.materials.get(name=name)


@dataclass
class World:
    centre: object
    window: object
    other_centre: object
    scjg: object
    gaj: object
    zrzy: object
    clerk: object
    other_clerk: object
    approver_scj: object
    approver_gaj: object
    approver_zrzy: object
    chief_zrzy: object
    agent: object
    supervisor: object
    applicant_user: object
    applicant: object
    stranger_user: object
    licence: Item  # 2 parallel departments in step 2, result an e-certificate
    needs_licence: Item  # asks for the licence as a material
    immediate: Item
    instant: Item
    paid: Item  # has a fee

    def ids(self, item: Item, *names: str) -> list[int]:
        return [material(item, n).id for n in names]

    def all_required(self, item: Item) -> list[int]:
        return list(item.materials.filter(required=True).values_list("id", flat=True))


def build_world() -> World:
    centre = ServiceCentreFactory(code="DX01", name="东兴市政务服务中心")
    window = WindowFactory(centre=centre, number="1")
    other_centre = ServiceCentreFactory(code="JPZ01", name="江平镇便民服务中心")
    scjg = DepartmentFactory(code="dx-scjg", name="东兴市市场监督管理局")
    gaj = DepartmentFactory(code="dx-gaj", name="东兴市公安局")
    zrzy = DepartmentFactory(code="dx-zrzy", name="东兴市自然资源局")
    applicant_user = make_applicant_user(username="zhangsan")
    licence = make_item(
        department=scjg, name="个体工商户设立登记", committed=5, legal=20, extension_days=10,
        result_name="营业执照", result_certificate_type="yyzz",
        stages=[(1, StageKind.ACCEPTANCE, scjg, 0), (2, StageKind.REVIEW, scjg, 2), (2, StageKind.REVIEW, gaj, 2),
                (3, StageKind.DECISION, scjg, 2), (4, StageKind.DELIVERY, scjg, 0)],
        materials=[{"name": "设立登记申请书"}, {"name": "经营场所证明", "waivable": True},
                   {"name": "消防安全承诺书", "waivable": True},
                   {"name": "身份证明", "source": MaterialSource.DATA_SHARING},
                   {"name": "委托书", "required": False, "condition": "委托他人办理时提交"}],
    )
    needs_licence = make_item(
        department=zrzy, name="临时占用道路许可", committed=5,
        stages=[(1, StageKind.REVIEW, zrzy, 5)],
        materials=[{"name": "申请表"}, {"name": "营业执照", "certificate_type": "yyzz"}],
    )
    immediate = make_item(department=gaj, name="户籍证明开具", committed=0, legal=1,
                          stages=[(1, StageKind.ACCEPTANCE, gaj, 0), (2, StageKind.REVIEW, gaj, 0)],
                          materials=[{"name": "申请表"}])
    instant = make_item(
        department=scjg, name="食品经营许可（仅销售预包装食品）备案", committed=3, result_name="备案凭证",
        result_certificate_type="spba",
        instant_approval_rules=[{"field": "area", "op": "lte", "value": 100, "label": "经营面积不超过100平方米"},
                                {"field": "applicant.bad_credit", "op": "falsy", "label": "无失信记录"}],
        stages=[(1, StageKind.REVIEW, scjg, 3)], materials=[{"name": "备案表"}],
    )
    paid = make_item(department=zrzy, name="不动产登记", committed=5, has_fee=True, fee_amount="80.00",
                     fee_description="不动产登记费", stages=[(1, StageKind.REVIEW, zrzy, 5)],
                     materials=[{"name": "登记申请书"}])
    return World(
        centre=centre, window=window, other_centre=other_centre, scjg=scjg, gaj=gaj, zrzy=zrzy,
        clerk=make_staff("window_clerk", centre=centre, username="clerk"),
        other_clerk=make_staff("window_clerk", centre=other_centre, username="clerk.jp"),
        approver_scj=make_staff("approver", department=scjg, username="approver.scj"),
        approver_gaj=make_staff("approver", department=gaj, username="approver.gaj"),
        approver_zrzy=make_staff("approver", department=zrzy, username="approver.zrzy"),
        chief_zrzy=make_staff("chief_representative", department=zrzy, username="chief.zrzy"),
        agent=make_staff("agent", centre=centre, username="agent"),
        supervisor=make_staff("supervisor", username="supervisor"),
        applicant_user=applicant_user, applicant=applicant_user.applicant,
        stranger_user=make_applicant_user(username="lisi"),
        licence=licence, needs_licence=needs_licence, immediate=immediate, instant=instant, paid=paid,
    )


def new_applicant(**fields):
    return ApplicantFactory(**fields)


def snapshot(case: Case | None = None) -> dict:
    """Everything a refused action must leave as it was."""
    result = {
        "cases": Case.objects.count(),
        "tasks": list(Task.objects.order_by("id").values_list("id", "state", "due_on")),
        "events": AuditEvent.objects.count(),
        "materials": list(CaseMaterial.objects.order_by("id").values_list("id", "status", "promised_by")),
        "denials": DenialFiling.objects.count(),
        "supplements": list(SupplementRequest.objects.order_by("id").values_list("id", "supplied_at")),
        "procedures": list(SpecialProcedure.objects.order_by("id").values_list("id", "ended_on")),
        "extensions": Extension.objects.count(),
        "fees": list(Fee.objects.order_by("id").values_list("id", "state")),
        "certificates": Certificate.objects.count(),
    }
    if case is not None:
        fresh = Case.objects.get(pk=case.pk)
        result["case"] = (fresh.state, fresh.due_on, fresh.paused_days, fresh.extension_days, fresh.paused_since,
                          fresh.visit_count, fresh.concluded_at, fresh.agent_id)
    return result


def submit_online(w: World, item: Item | None = None, *, provided=None, form=None, now=None, applicant=None,
                  **kwargs) -> Case:
    """A case submitted online by the applicant (all required materials handed in unless `provided`)."""
    from onewindow.cases import services

    item = item or w.licence
    applicant = applicant or w.applicant
    return services.submit_case(
        item=item, applicant=applicant, channel="online", centre=w.centre, form_data=form or {},
        provided_material_ids=w.all_required(item) if provided is None else provided,
        submitted_by=applicant.user, now=now or at(2026, 9, 30, 9), **kwargs)


def accepted_case(w: World, item: Item | None = None, *, now=None, **kwargs) -> Case:
    from onewindow.cases import services

    now = now or at(2026, 9, 30, 10)
    case = submit_online(w, item, now=now, **kwargs)
    return services.accept_case(clerk=w.clerk, case=case, now=now)


def open_tasks(case: Case, step: int | None = None) -> list[Task]:
    tasks = Task.objects.filter(case=case, state="open").select_related("department", "case").order_by("id")
    if step is not None:
        tasks = tasks.filter(step=step)
    return list(tasks)


def task_of(case: Case, department, step: int | None = None) -> Task:
    tasks = Task.objects.filter(case=case, department=department).select_related("case", "department")
    if step is not None:
        tasks = tasks.filter(step=step)
    return tasks.order_by("-step").first()
