"""Reads on cases. Permission comes first, in the queryset: a stranger's case is simply not there
(NotFound, never "forbidden": existence is not revealed)."""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case as DjangoCase
from django.db.models import CharField, DateField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.calendar import selectors as calendar
from onewindow.core.errors import NotFound
from onewindow.orgs.models import Role

from . import access, deadlines
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
from .numbering import normalise_query_code
from .results import is_genuine
from .states import FINAL_CASE_STATES, OPEN_TASK_STATES, CaseState, TaskState

__all__ = ["Progress", "bundle_progress", "cases_visible_to", "filter_by_light", "get_bundle_by_query",
           "get_case_by_query", "get_case_for", "inbox", "inbox_list", "light", "with_light", "progress", "verify_certificate", "with_progress_facts"]


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


def _one(rows: QuerySet):
    """The row of a query on a unique column, or None (no ORDER BY, unlike first())."""
    return next(iter(rows[:1]), None)


def get_case_for(user, number: str) -> Case:
    case = _one(with_progress_facts(cases_visible_to(user).filter(number=(number or "").strip())
                                    .select_related("item", "applicant", "centre")))
    if case is None:
        raise NotFound(_("没有找到办件 %(n)s") % {"n": number})
    return case


def inbox(user, *, state: str = "open") -> QuerySet[Task]:
    """The tasks of the user's departments (a chief representative: also of items delegated to them),
    oldest due first. state: "open" (in hand, including suspended), "done", "all" or a task state.

    "open" is served by the partial index task_open_inbox_idx (department, due_on, id where the task
    is open or suspended): one department's first page is read in index order and stops after a page.
    The join to the case is only made when items are delegated (an empty "or" would keep it)."""
    departments = access.department_ids(user)
    delegated = access.delegated_item_ids(user)
    if not departments and not delegated:
        return Task.objects.none()
    condition = Q()
    if departments:
        condition |= Q(department_id__in=sorted(departments))
    if delegated:
        condition |= Q(case__item_id__in=sorted(delegated))
    tasks = Task.objects.filter(condition)
    if state == "open":
        tasks = tasks.filter(state__in=sorted(OPEN_TASK_STATES))  # the index's condition, in its order
    elif state == "done":
        tasks = tasks.filter(state__in=[TaskState.APPROVED, TaskState.DENIED])
    elif state != "all":
        tasks = tasks.filter(state=state)
    return (tasks.select_related("case", "case__item", "case__applicant", "department")
            .order_by(F("due_on").asc(nulls_last=True), "id"))


# What a row of the inbox page shows (the task, its case's number, item, applicant and clock).
INBOX_LIST_FIELDS = ("id", "case_id", "name", "department_id", "state", "due_on", "department__name", "case__number",
                     "case__item_id", "case__applicant_id", "case__state", "case__accepted_on", "case__due_on",
                     "case__due_provisional", "case__committed_limit_days", "case__extension_days",
                     "case__paused_days", "case__paused_since", "case__decided_at", "case__concluded_at",
                     "case__item__name", "case__applicant__name")


def inbox_list(user, *, state: str = "open") -> QuerySet[Task]:
    """inbox() reading only the columns of the inbox page (INBOX_LIST_FIELDS): a third less work per
    row for the database and for Python than whole rows of four tables."""
    return inbox(user, state=state).only(*INBOX_LIST_FIELDS)


# What the progress page reads of a case (progress() and the track page): the rest of the row (the form
# data, the item's catalog texts, the applicant, the centre) stays in the database.
PROGRESS_FIELDS = ("id", "number", "query_code", "item_id", "item__name", "state", "channel", "submitted_at",
                   "accepted_on", "committed_limit_days", "extension_days", "paused_days", "paused_since", "due_on",
                   "due_provisional", "decided_at", "concluded_at", "visit_count", "instant_rule", "delivery_method",
                   "tracking_number", "decision_reason", "bundle_application_id")


def get_case_by_query(number: str, query_code: str, *, for_progress: bool = False) -> Case:
    """Public progress: number and query code, no sign-in. NotFound on any mismatch (compared in
    constant time, the same answer for an unknown number and a wrong code). for_progress: read only
    what the progress page shows (PROGRESS_FIELDS; other fields would each cost a query)."""
    cases = Case.objects.filter(number=(number or "").strip())
    cases = (cases.select_related("item").only(*PROGRESS_FIELDS) if for_progress
             else cases.select_related("item", "applicant", "centre"))
    case = _one(with_progress_facts(cases))
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


# The light in SQL, for filtering a list of cases by it. Total limits above this are rare enough (the
# law's longest is 45 + 15 working days) to be judged in Python, like cases whose clock is stopped.
LIGHT_SQL_MAX_LIMIT = 250
_LIGHT_FIELDS = ("id", "state", "accepted_on", "due_on", "paused_since", "paused_days", "committed_limit_days",
                 "extension_days", "decided_at", "concluded_at")


def _yellow_threshold(limit: int) -> int:
    return max(deadlines.yellow_working_days(), math.ceil(limit * deadlines.yellow_share()))


def _last_workday_upto(day: date) -> date:
    for _step in range(60):
        if calendar.is_workday(day):
            return day
        day -= timedelta(days=1)
    return day


def _light_expression(today: date) -> tuple[DjangoCase, Q]:
    """The light of deadlines.light as an SQL expression over a case row, and the rows it cannot judge
    (their clock stopped before today, or a limit above LIGHT_SQL_MAX_LIMIT: judged in Python).

    From the stored due date: due_on = accepted_on + limit + paused days (docs/time-limits.md), so the
    working days left while the clock runs are the working days from today to due_on. Red: due_on
    before the last working day up to today. Yellow: fewer than threshold + 1 working days after today,
    the threshold depending on the case's limit (one date per threshold, computed here once)."""
    thresholds: dict[int, int] = {}  # threshold -> the largest limit having it
    for n in range(LIGHT_SQL_MAX_LIMIT + 1):
        thresholds[_yellow_threshold(n)] = n
    yellow_before = DjangoCase(*[When(light_limit__lte=n, then=Value(calendar.add_working_days(today, k + 1).due_on))
                                 for k, n in sorted(thresholds.items(), key=lambda kv: kv[1])],
                               output_field=DateField())
    # Accepted today: nothing used yet, so yellow exactly when the whole limit is within its threshold.
    whole_limit_yellow = [n for n in range(LIGHT_SQL_MAX_LIMIT + 1) if n <= _yellow_threshold(n)]
    final = sorted({*FINAL_CASE_STATES, CaseState.APPROVED})
    expression = DjangoCase(
        When(Q(due_on__isnull=True) | Q(accepted_on__isnull=True), then=Value("green")),
        When(decided_at__isnull=False, light_decided_on__gt=F("due_on"), then=Value("red")),
        When(decided_at__isnull=False, then=Value("green")),
        When(state__in=[CaseState.CONCLUDED, CaseState.DENIED], light_concluded_on__gt=F("due_on"), then=Value("red")),
        When(state__in=final, then=Value("green")),
        When(accepted_on__gte=today, light_limit__in=whole_limit_yellow, then=Value("yellow")),
        When(accepted_on__gte=today, then=Value("green")),
        When(due_on__lt=_last_workday_upto(today), then=Value("red")),
        When(due_on__lt=yellow_before, then=Value("yellow")),
        default=Value("green"), output_field=CharField(),
    )
    running = Q(due_on__isnull=False, accepted_on__isnull=False, decided_at__isnull=True) & ~Q(state__in=final)
    in_python = running & (Q(paused_since__lt=today) | Q(light_limit__gt=LIGHT_SQL_MAX_LIMIT))
    return expression, in_python


def with_light(cases: QuerySet[Case], *, today: date | None = None) -> QuerySet[Case]:
    """The cases annotated with `clock_light`: green / yellow / red by the rule of deadlines.light,
    computed in SQL from the stored due dates — except for the rows filter_by_light judges in Python."""
    today = today or timezone.localdate()
    expression, _in_python = _light_expression(today)
    return cases.annotate(
        light_limit=F("committed_limit_days") + F("extension_days"),
        light_decided_on=TruncDate("decided_at"), light_concluded_on=TruncDate("concluded_at"),
    ).annotate(clock_light=expression)


def filter_by_light(cases: QuerySet[Case], wanted: str, *, today: date | None = None) -> QuerySet[Case]:
    """The accepted cases among `cases` whose light (deadlines.light) is `wanted`, decided in SQL from
    the stored due dates. The few rows SQL cannot judge — a clock stopped before today (supplement or
    special procedure: the days left are frozen at the stop), or a limit above LIGHT_SQL_MAX_LIMIT —
    are read (only their clock fields) and judged by deadlines.light: as many as clocks stand still
    today, however many cases the table holds."""
    today = today or timezone.localdate()
    _expression, in_python = _light_expression(today)
    accepted = with_light(cases.filter(accepted_on__isnull=False), today=today)
    stopped = [row.pk for row in accepted.filter(in_python).select_related(None).only(*_LIGHT_FIELDS).order_by()
               if deadlines.light(row, today=today) == wanted]
    return accepted.filter((Q(clock_light=wanted) & ~in_python) | Q(pk__in=stopped))


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
    return annotated if annotated is not None else case.bundle_application.number


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
        certificates=(list(case.certificates.values_list("number", flat=True))
                      if _may_have(case, "certificates") else []),
        decision_reason=case.decision_reason, concluded_at=case.concluded_at, visit_count=case.visit_count,
        instant_rules=rules, bundle_number=_bundle_number(case),
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
