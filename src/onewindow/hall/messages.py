"""The text messages of the hall, in plain Chinese: a booking's code and when to come, a cancellation.
Composed here and handed to the SMS backend by the page that made the change (after its commit)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .booking import cancel_deadline
from .config import half_day_bounds, hall_of, local
from .models import Appointment


def booked_text(appointment: Appointment) -> str:
    hall = hall_of(appointment.centre)
    start, end = half_day_bounds(hall, appointment.day, appointment.half_day)
    return _("【一窗通办】预约成功：%(day)s %(half)s（%(start)s—%(end)s）到%(centre)s办理“%(item)s”，"
             "预约码 %(code)s。请在时段内到大厅取号机输入预约码签到取号，预约号优先叫号。"
             "如需取消，请在 %(deadline)s 前登录政务服务网操作。") % {
        "day": appointment.day.strftime("%m-%d"), "half": appointment.get_half_day_display(),
        "start": local(start).strftime("%H:%M"), "end": local(end).strftime("%H:%M"),
        "centre": appointment.centre.name, "item": appointment.item.name, "code": appointment.code,
        "deadline": local(cancel_deadline(hall, appointment)).strftime("%m-%d %H:%M")}


def cancelled_text(appointment: Appointment) -> str:
    return _("【一窗通办】您 %(day)s %(half)s在%(centre)s办理“%(item)s”的预约（%(code)s）已取消。") % {
        "day": appointment.day.strftime("%m-%d"), "half": appointment.get_half_day_display(),
        "centre": appointment.centre.name, "item": appointment.item.name, "code": appointment.code}
