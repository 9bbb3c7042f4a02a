"""Reads on cases. Permission comes first, in the queryset: a stranger's case is simply not there
(NotFound, never "forbidden": existence is not revealed)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.calendar import selectors as calendar
from onewindow.core.errors import NotFound
from onewindow.orgs.models import Role

from . import access, deadlines
from .models import (
    BundleApplication,
    Case,
    CaseMaterialStatus,
    Certificate,
    FeeState,
    SpecialProcedure,
    Task,
)
from .numbering import normalise_query_code
from .results import is_genuine
from .states import OPEN_TASK_STATES, CaseState, TaskState

__all__ = ["Progress", "bundle_progress", "cases_visible_to", "get_bundle_by_query", "get_case_by_query",
           "get_case_for", "inbox", "light", "progress", "verify_certificate"]


def cases_visible_to(user) -> QuerySet[Case]:
    """Applicant: own cases (and an agent: cases assigned to them or to their key projects); clerk:
    the centre's cases; approver / chief representative: cases with a task of their department (or of
    an item delegated to them); supervisor / administrator: all."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if access.is_overseer(user):
        return Case.objects.all()
    condition = Q(applicant__user=user)
    held = access.roles(user)
    if Role.AGENT in held:
        condition |= Q(agent=user) | Q(project__agent=user)
    centres = access.clerk_centre_ids(user)
    if centres:
        condition |= Q(centre_id__in=centres)
    departments = access.department_ids(user)
    if departments:
        condition |= Q(Exists(Task.objects.filter(case=OuterRef("pk"), department_id__in=departments)))
    delegated = access.delegated_item_ids(user)
    if delegated:
        condition |= Q(item_id__in=delegated)
    return Case.objects.filter(condition)


def get_case_for(user, number: str) -> Case:
    case = (cases_visible_to(user).filter(number=(number or "").strip())
            .select_related("item", "applicant", "centre").first())
    if case is None:
        raise NotFound(_("没有找到办件 %(n)s") % {"n": number})
    return case


def inbox(user, *, state: str = "open") -> QuerySet[Task]:
    """The tasks of the user's departments (a chief representative: also of items delegated to them),
    oldest due first. state: "open" (in hand, including suspended), "done", "all" or a task state."""
    departments = access.department_ids(user)
    delegated = access.delegated_item_ids(user)
    if not departments and not delegated:
        return Task.objects.none()
    tasks = Task.objects.filter(Q(department_id__in=departments) | Q(case__item_id__in=delegated))
    if state == "open":
        tasks = tasks.filter(state__in=OPEN_TASK_STATES)
    elif state == "done":
        tasks = tasks.filter(state__in=[TaskState.APPROVED, TaskState.DENIED])
    elif state != "all":
        tasks = tasks.filter(state=state)
    from django.db.models import F

    return (tasks.select_related("case", "case__item", "case__applicant", "department")
            .order_by(F("due_on").asc(nulls_last=True), "id"))


def get_case_by_query(number: str, query_code: str) -> Case:
    """Public progress: number and query code, no sign-in. NotFound on any mismatch (compared in
    constant time, the same answer for an unknown number and a wrong code)."""
    case = (Case.objects.filter(number=(number or "").strip())
            .select_related("item", "applicant", "centre").first())
    expected = case.query_code if case is not None else "!" * 6
    if not hmac.compare_digest(expected.encode(), normalise_query_code(query_code).encode()) or case is None:
        raise NotFound(_("办件编号或查询码不正确"))
    return case


def get_bundle_by_query(number: str, query_code: str) -> BundleApplication:
    application = BundleApplication.objects.filter(number=(number or "").strip()).select_related("bundle").first()
    expected = application.query_code if application is not None else "!" * 6
    if not hmac.compare_digest(expected.encode(), normalise_query_code(query_code).encode()) or application is None:
        raise NotFound(_("一件事编号或查询码不正确"))
    return application


def verify_certificate(number: str, digest: str | None = None) -> Certificate | None:
    """Public check that certificate `number` is genuine: it exists and its content still matches its
    digest (and the digest shown on the document, when given). The caller shows its status."""
    certificate = (Certificate.objects.filter(number=(number or "").strip())
                   .select_related("holder", "issuer", "case").first())
    if certificate is None or not is_genuine(certificate):
        return None
    if digest is not None and not hmac.compare_digest(certificate.digest, (digest or "").strip().lower()):
        return None
    return certificate


def light(case: Case, *, today: date | None = None) -> str:
    """green / yellow / red (see deadlines.light)."""
    return deadlines.light(case, today=today or timezone.localdate())


# -- progress in plain Chinese --------------------------------------------------------------------------

@dataclass
class ProgressTask:
    department: str
    name: str
    state: str
    state_label: str
    due_on: date | None
    completed_at: object = None
    opinion: str = ""


@dataclass
class ProgressStep:
    step: int
    name: str
    state: str  # done, denied, suspended, open, cancelled, waiting: for pages to style, in any language
    state_label: str
    tasks: list[ProgressTask]


@dataclass
class OwedItem:
    kind: str  # "supplement", "waived_material", "fee"
    text: str
    due: date | None = None


@dataclass
class Progress:
    number: str
    item_name: str
    state: str
    state_label: str
    summary: str
    channel_label: str
    submitted_at: object
    accepted_on: date | None
    due_on: date | None
    limit_days: int
    working_days_used: int
    working_days_left: int | None
    clock_paused: bool
    paused_reason: str
    provisional: bool
    provisional_note: str
    light: str
    steps: list[ProgressStep] = field(default_factory=list)
    owed: list[OwedItem] = field(default_factory=list)
    delivery_method: str = ""
    delivery_label: str = ""
    tracking_number: str = ""
    certificates: list[str] = field(default_factory=list)
    decision_reason: str = ""
    concluded_at: object = None
    visit_count: int = 0
    instant_rules: list[str] = field(default_factory=list)
    bundle_number: str = ""


def _step_status(states: set[str]) -> tuple[str, str]:
    """A step's state (one word) and its label, from the states of its parallel tasks."""
    if states <= {TaskState.APPROVED}:
        return "done", _("已完成")
    if TaskState.DENIED in states:
        return "denied", _("不予通过")
    if states & {TaskState.SUSPENDED}:
        return "suspended", _("特别程序中")
    if states & {TaskState.OPEN}:
        return "open", _("办理中")
    if states <= {TaskState.CANCELLED}:
        return "cancelled", _("已终止")
    return "waiting", _("未开始")


def _summary(case: Case, used: int, left: int | None, paused_reason: str) -> str:
    due = (_("%(y)d年%(m)d月%(d)d日") % {"y": case.due_on.year, "m": case.due_on.month, "d": case.due_on.day}
           if case.due_on else "")
    state = case.state
    if state == CaseState.SUBMITTED:
        return _("您的申请已提交，等待窗口工作人员审核受理。")
    if state == CaseState.SUPPLEMENT_REQUESTED and case.accepted_on is None:
        return _("您的申请材料需要补正，请按补正告知一次性补齐；补齐后我们再受理。")
    if state in (CaseState.IN_PROGRESS, CaseState.SUPPLEMENT_REQUESTED, CaseState.SUSPENDED):
        text = _("您的申请正在审批中：已用 %(used)s 个工作日，还剩 %(left)s 个工作日，办结期限为 %(due)s。") % {
            "used": used, "left": max(left or 0, 0), "due": due}
        if left is not None and left < 0:
            text = _("您的申请正在审批中，已超过办结期限 %(due)s %(n)s 个工作日，效能办正在督办。") % {
                "due": due, "n": -left}
        if paused_reason:
            text += _("目前计时暂停（%(why)s），暂停期间不计入办理时限。") % {"why": paused_reason}
        return text
    if state == CaseState.APPROVED:
        return _("您的申请已批准，等待领取或送达结果。")
    if state == CaseState.CONCLUDED:
        return _("您的申请已办结。")
    if state == CaseState.DENIED:
        return _("您的申请未获许可，理由见下方；如有异议可依法申请行政复议或提起行政诉讼。")
    if state == CaseState.REFUSED:
        return _("您的申请未予受理，理由见下方。")
    return _("您已撤回申请。")


def progress(case: Case, *, today: date | None = None) -> Progress:
    """What the applicant's progress page shows: each step with its departments, what is owed, the due
    date and the time used and left, whether the clock is paused, delivery — in plain Chinese."""
    today = today or timezone.localdate()
    used = deadlines.working_days_used(case, today=today)
    left = deadlines.working_days_left(case, today=today)
    paused_reason = ""
    if case.state == CaseState.SUSPENDED:
        procedure = SpecialProcedure.objects.filter(case=case, ended_on__isnull=True).first()
        paused_reason = (_("%(kind)s，预计 %(due)s 前结束") % {"kind": procedure.get_kind_display(), "due": procedure.due_on}
                         if procedure else _("特别程序"))
    elif case.state == CaseState.SUPPLEMENT_REQUESTED and case.paused_since is not None:
        paused_reason = _("等待补正材料")

    steps: dict[int, list[Task]] = {}
    for task in case.tasks.select_related("department").order_by("step", "id"):
        steps.setdefault(task.step, []).append(task)
    step_rows = []
    for step, tasks in sorted(steps.items()):
        state, state_label = _step_status({t.state for t in tasks})
        step_rows.append(ProgressStep(
            step=step, name="、".join(dict.fromkeys(t.name for t in tasks)), state=state, state_label=state_label,
            tasks=[ProgressTask(department=t.department.name, name=t.name, state=t.state,
                                state_label=t.get_state_display(), due_on=t.due_on,
                                completed_at=t.completed_at, opinion=t.opinion) for t in tasks]))

    owed: list[OwedItem] = []
    if case.state == CaseState.SUPPLEMENT_REQUESTED:
        request = case.supplement_requests.filter(supplied_at__isnull=True).order_by("-requested_at").first()
        for defect in (request.defects if request else []):
            owed.append(OwedItem("supplement", _("补正：%(name)s（%(reason)s）") % defect))
    for row in case.materials.filter(status=CaseMaterialStatus.WAIVED):
        owed.append(OwedItem("waived_material", _("容缺材料“%(name)s”，请于 %(d)s 前补齐") % {
            "name": row.name, "d": row.promised_by}, row.promised_by))
    for fee in case.fees.filter(state=FeeState.UNPAID):
        owed.append(OwedItem("fee", _("待缴费用：%(d)s %(a)s 元") % {"d": fee.description, "a": fee.amount}))

    provisional_note = ""
    if case.due_provisional and case.due_on:
        provisional_note = calendar.provisional_warning(calendar.provisional_years(case.accepted_on, case.due_on))
    rules = [r.get("label", "") for r in (case.instant_rule or {}).get("rules", [])]
    return Progress(
        number=case.number, item_name=case.item.name, state=case.state, state_label=case.get_state_display(),
        summary=_summary(case, used, left, paused_reason), channel_label=case.get_channel_display(),
        submitted_at=case.submitted_at, accepted_on=case.accepted_on, due_on=case.due_on,
        limit_days=deadlines.total_limit(case), working_days_used=used, working_days_left=left,
        clock_paused=bool(paused_reason), paused_reason=paused_reason, provisional=case.due_provisional,
        provisional_note=provisional_note, light=deadlines.light(case, today=today), steps=step_rows, owed=owed,
        delivery_method=case.delivery_method,
        delivery_label=case.get_delivery_method_display() if case.delivery_method else "",
        tracking_number=case.tracking_number,
        certificates=list(case.certificates.values_list("number", flat=True)),
        decision_reason=case.decision_reason, concluded_at=case.concluded_at, visit_count=case.visit_count,
        instant_rules=rules, bundle_number=case.bundle_application.number if case.bundle_application_id else "",
    )


@dataclass
class BundleProgress:
    number: str
    bundle_name: str
    cases: list[Progress]
    due_on: date | None  # the latest due date of its cases (they run in parallel)
    all_accepted: bool
    provisional: bool
    summary: str


def bundle_progress(application: BundleApplication, *, today: date | None = None) -> BundleProgress:
    """One tracker for a bundle application: each case's progress and one combined due date, the
    latest of the cases' (the items run in parallel, so the longest counts, not the sum)."""
    cases = list(application.cases.select_related("item", "applicant", "centre", "bundle_application")
                 .order_by("number"))
    rows = [progress(case, today=today) for case in cases]
    dues = [case.due_on for case in cases if case.due_on]
    all_accepted = bool(cases) and all(case.accepted_on for case in cases)
    due_on = max(dues) if dues else None
    done = sum(1 for case in cases if case.state == CaseState.CONCLUDED)
    summary = _("共 %(n)s 个事项，已办结 %(done)s 个。") % {"n": len(cases), "done": done}
    if due_on:
        summary += _("全部办结期限：%(d)s。") % {"d": due_on}
    return BundleProgress(number=application.number, bundle_name=application.bundle.name, cases=rows, due_on=due_on,
                          all_accepted=all_accepted, provisional=any(case.due_provisional for case in cases),
                          summary=summary)
