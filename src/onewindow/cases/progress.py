"""A case's progress in plain Chinese, for the applicant's progress page, the API and the CLI: its
steps, what is owed, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.calendar import selectors as calendar

from . import deadlines
from .models import (
    BundleApplication,
    Case,
    CaseMaterial,
    CaseMaterialStatus,
    Certificate,
    Fee,
    FeeState,
    SpecialProcedure,
    Task,
)
from .states import CaseState, TaskState

# -- progress in plain Chinese --------------------------------------------------------------------------

def with_progress_facts(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The case rows annotated with what `progress` would otherwise ask in separate queries: whether
    the case has tasks, waived materials, unpaid fees, certificates, and its bundle application's
    number. Each is an index probe inside the one case query; progress() then skips the queries
    whose answer is "none" (most cases owe nothing and most have no certificate yet)."""
    case = OuterRef("pk")
    return cases.annotate(
        progress_has_tasks=Exists(Task.objects.filter(case=case)),
        progress_has_waived=Exists(CaseMaterial.objects.filter(case=case, status=CaseMaterialStatus.WAIVED)),
        progress_has_unpaid=Exists(Fee.objects.filter(case=case, state=FeeState.UNPAID)),
        progress_has_certificates=Exists(Certificate.objects.filter(case=case)),
        progress_bundle_number=F("bundle_application__number"),
    )


def _may_have(case: Case, fact: str) -> bool:
    """False only when the row was read by with_progress_facts and says there is none."""
    return getattr(case, f"progress_has_{fact}", True)


def _bundle_number(case: Case) -> str:
    if not case.bundle_application_id:
        return ""
    annotated = getattr(case, "progress_bundle_number", None)
    if annotated is not None:
        return str(annotated)
    return case.bundle_application.number if case.bundle_application is not None else ""


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
    light: str | None
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
    limit_unit: str = "working"  # the unit of limit_days, used and left: working or natural days


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
        natural = case.limit_unit == "natural"
        text = (_("您的申请正在审批中：已用 %(used)s 个自然日，还剩 %(left)s 个自然日，办结期限为 %(due)s。") if natural
                else _("您的申请正在审批中：已用 %(used)s 个工作日，还剩 %(left)s 个工作日，办结期限为 %(due)s。")) % {
            "used": used, "left": max(left or 0, 0), "due": due}
        if left is not None and left < 0 and not paused_reason:
            # Only what is so: an overdue case shows red to the efficiency office (case list, dashboard);
            # nothing urges it on the applicant's behalf yet (no urging record exists). A paused clock
            # is not overdue while it stands.
            text = (_("您的申请正在审批中，已超过办结期限 %(due)s %(n)s 个自然日，已在效能监督中标记为超期。") if natural
                    else _("您的申请正在审批中，已超过办结期限 %(due)s %(n)s 个工作日，已在效能监督中标记为超期。")) % {
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
    used = deadlines.days_used(case, today=today)
    left = deadlines.days_left(case, today=today)
    paused_reason = ""
    if case.state == CaseState.SUSPENDED:
        procedure = SpecialProcedure.objects.filter(case=case, ended_on__isnull=True).first()
        paused_reason = (_("%(kind)s，预计 %(due)s 前结束") % {"kind": procedure.get_kind_display(), "due": procedure.due_on}
                         if procedure else _("特别程序"))
    elif case.state == CaseState.SUPPLEMENT_REQUESTED and case.paused_since is not None:
        paused_reason = _("等待补正材料")

    steps: dict[int, list[Task]] = {}
    tasks = case.tasks.select_related("department").order_by("step", "id") if _may_have(case, "tasks") else []
    for task in tasks:
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
    waived = case.materials.filter(status=CaseMaterialStatus.WAIVED) if _may_have(case, "waived") else []
    for row in waived:
        owed.append(OwedItem("waived_material", _("容缺材料“%(name)s”，请于 %(d)s 前补齐") % {
            "name": row.name, "d": row.promised_by}, row.promised_by))
    for fee in (case.fees.filter(state=FeeState.UNPAID) if _may_have(case, "unpaid") else []):
        owed.append(OwedItem("fee", _("待缴费用：%(d)s %(a)s 元") % {"d": fee.description, "a": fee.amount}))

    provisional_note = ""
    if case.due_provisional and case.due_on and case.accepted_on:
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
        certificates=(list(case.certificates.values_list("number", flat=True))
                      if _may_have(case, "certificates") else []),
        decision_reason=case.decision_reason, concluded_at=case.concluded_at, visit_count=case.visit_count,
        limit_unit=case.limit_unit, instant_rules=rules, bundle_number=_bundle_number(case),
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
    cases = list(with_progress_facts(application.cases.select_related("item", "applicant", "centre"))
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
