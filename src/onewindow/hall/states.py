"""The states of an appointment and of a ticket, and the one table of allowed transitions for each.
Every change goes through hall.services, which locks the row, checks this table and writes."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.core.errors import Conflict

from .models import AppointmentState, TicketState

# action -> (states it may start from, state it leads to)
APPOINTMENT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "cancel": (frozenset({AppointmentState.BOOKED}), AppointmentState.CANCELLED),
    "check_in": (frozenset({AppointmentState.BOOKED}), AppointmentState.CHECKED_IN),
    "mark_no_show": (frozenset({AppointmentState.BOOKED}), AppointmentState.NO_SHOW),
}

TICKET_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "call": (frozenset({TicketState.WAITING}), TicketState.CALLED),
    "recall": (frozenset({TicketState.CALLED}), TicketState.CALLED),
    "finish": (frozenset({TicketState.CALLED}), TicketState.DONE),
    "skip": (frozenset({TicketState.CALLED}), TicketState.NO_SHOW),
    # The day's end: a ticket nobody called left the hall; one called and never closed was served.
    "expire": (frozenset({TicketState.WAITING}), TicketState.NO_SHOW),
    "close": (frozenset({TicketState.CALLED}), TicketState.DONE),
}

ACTION_LABELS = {
    "cancel": gettext_lazy("取消预约"),
    "check_in": gettext_lazy("签到取号"),
    "mark_no_show": gettext_lazy("记为爽约"),
    "call": gettext_lazy("叫号"),
    "recall": gettext_lazy("重呼"),
    "finish": gettext_lazy("办结"),
    "skip": gettext_lazy("过号"),
    "expire": gettext_lazy("过号"),
    "close": gettext_lazy("办结"),
}


def require_appointment(state: str, action: str, *, code: str) -> str:
    """The state `action` leads to; Conflict naming the appointment's state when it is not allowed."""
    allowed, target = APPOINTMENT_TRANSITIONS[action]
    if state not in allowed:
        raise Conflict(_("预约 %(code)s 当前为“%(state)s”，不能%(action)s") % {
            "code": code, "state": AppointmentState(state).label, "action": ACTION_LABELS[action]}, field="state")
    return target


def require_ticket(state: str, action: str, *, display: str) -> str:
    allowed, target = TICKET_TRANSITIONS[action]
    if state not in allowed:
        raise Conflict(_("%(display)s 号当前为“%(state)s”，不能%(action)s") % {
            "display": display, "state": TicketState(state).label, "action": ACTION_LABELS[action]}, field="state")
    return target
