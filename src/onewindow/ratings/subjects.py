"""What can be rated, read from the app that owns it: a service named by (kind, id) becomes a
`Subject` — who served, which unit answers for it, who was served, whether it can be rated now.

Cases are read here from the cases app, window visits through hall's selectors. Complaint work orders
plug in with one resolver: when the complaints app offers `complaints.selectors.rating_subject(order_id)`
(returning the fields of `Subject`, or None for an order not closed), add
`SubjectKind.COMPLAINT: _complaint` to RESOLVERS below. Until then rating a complaint says so (404)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.models import Case, Channel
from onewindow.cases.states import CaseState
from onewindow.core.errors import NotFound
from onewindow.hall import selectors as hall_selectors
from onewindow.hall.models import TicketState

from .states import Mode, SubjectKind

# A case ends with a result the applicant can judge: concluded, denied (不予许可) or refused (不予受理).
RATEABLE_CASE_STATES = (CaseState.CONCLUDED, CaseState.DENIED, CaseState.REFUSED)
SERVED_TICKET_STATES = (TicketState.CALLED, TicketState.DONE)


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    label: str
    title: str
    mode: str
    rateable: bool
    not_rateable_reason: str = ""
    department_id: int | None = None
    department_name: str = ""
    centre_id: int | None = None
    window_id: int | None = None
    item_id: int | None = None
    clerk_id: int | None = None
    applicant_id: int | None = None
    applicant_user_id: int | None = None
    staff_ids: frozenset[int] = frozenset()  # the staff who served: they may not rate it
    served_on: date | None = None


def _case(case_id: int) -> Subject | None:
    case = (Case.objects.filter(pk=case_id)
            .select_related("item__department", "applicant", "centre", "window").first())
    if case is None:
        return None
    ended = case.state in RATEABLE_CASE_STATES
    staff = {pk for pk in (case.accepted_by_id, case.submitted_by_id, case.agent_id) if pk}
    staff |= set(case.tasks.exclude(completed_by=None).values_list("completed_by_id", flat=True))
    if case.applicant.user_id is not None:
        staff.discard(case.applicant.user_id)  # an applicant who enters their own case online is not staff
    moment = case.concluded_at or case.decided_at
    return Subject(
        kind=SubjectKind.CASE, id=case.pk, label=case.number, title=case.item.name,
        mode=Mode.ONLINE if case.channel in (Channel.ONLINE, Channel.API) else Mode.IN_PERSON,
        rateable=ended, not_rateable_reason="" if ended else _("办件尚未办结，办结后才能评价"),
        department_id=case.item.department_id, department_name=case.item.department.name,
        centre_id=case.centre_id, window_id=case.window_id, item_id=case.item_id, clerk_id=case.accepted_by_id,
        applicant_id=case.applicant_id, applicant_user_id=case.applicant.user_id, staff_ids=frozenset(staff),
        served_on=timezone.localtime(moment).date() if moment else None)


def _visit(ticket_id: int) -> Subject | None:
    ticket = hall_selectors.ticket_by_id(ticket_id)
    if ticket is None:
        return None
    served = ticket.state in SERVED_TICKET_STATES and ticket.window_id is not None
    item = ticket.item
    applicant = ticket.appointment.applicant if ticket.appointment_id and ticket.appointment else None
    return Subject(
        kind=SubjectKind.VISIT, id=ticket.pk, label=f"{ticket.day:%Y-%m-%d} {ticket.display}",
        title=item.name if item is not None else ticket.category.name, mode=Mode.IN_PERSON,
        rateable=served, not_rateable_reason="" if served else _("该号尚未办理，办理后才能评价"),
        department_id=item.department_id if item is not None else None,
        department_name=item.department.name if item is not None else "",
        centre_id=ticket.centre_id, window_id=ticket.window_id, item_id=ticket.item_id, clerk_id=ticket.clerk_id,
        applicant_id=applicant.pk if applicant else None, applicant_user_id=applicant.user_id if applicant else None,
        staff_ids=frozenset({ticket.clerk_id} if ticket.clerk_id else set()), served_on=ticket.day)


RESOLVERS: dict[str, Callable[[int], Subject | None]] = {
    SubjectKind.CASE: _case,
    SubjectKind.VISIT: _visit,
}


def resolve(kind: str, subject_id: int) -> Subject:
    """The service `kind`/`subject_id` as a Subject; NotFound when there is no such service (or its
    kind is not rateable yet)."""
    resolver = RESOLVERS.get(kind)
    if resolver is None:
        raise NotFound(_("暂不支持评价此类服务"), field="kind")
    subject = resolver(int(subject_id))
    if subject is None:
        raise NotFound(_("没有找到要评价的服务"), field="id")
    return subject


def served_recently(window_id: int, *, now: datetime | None = None) -> list[Subject]:
    """The visits a window's rating pad offers: served now or just finished."""
    return [s for t in hall_selectors.served_at_window(window_id, now=now) if (s := _visit(t.pk)) is not None]


def cases_concluded_at_window(window_id: int, *, now: datetime | None = None, within_minutes: int = 30) -> list[Subject]:
    """Cases the window concluded on the spot in the last `within_minutes` (即办件): the pad offers them too."""
    now = timezone.localtime(now or timezone.now())
    ids = (Case.objects.filter(window_id=window_id, state__in=RATEABLE_CASE_STATES,
                               concluded_at__gte=now - timedelta(minutes=within_minutes), concluded_at__lte=now)
           .order_by("-concluded_at").values_list("pk", flat=True)[:3])
    return [s for pk in ids if (s := _case(pk)) is not None]


def case_id_for_number(number: str) -> int | None:
    return Case.objects.filter(number=number).values_list("pk", flat=True).first()
