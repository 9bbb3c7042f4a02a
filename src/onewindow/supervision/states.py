"""The states of the efficiency office's own work items and their transition tables (workflow.machine):
an urging (督办) is answered by the unit and closed by the office; a rectification (整改) is reported done
by the unit and verified (or sent back) by the office."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import Machine, transition


class UrgingState(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


URGING_MACHINE = Machine("urging", states=UrgingState, transitions={
    "answer": transition({UrgingState.OPEN}, UrgingState.ANSWERED, _("答复督办"), "answered"),
    "close": transition({UrgingState.ANSWERED}, UrgingState.CLOSED, _("督办办结"), "closed"),
    "reopen": transition({UrgingState.ANSWERED}, UrgingState.OPEN, _("退回重新答复"), "reopened"),
})


class RectificationState(models.TextChoices):
    OPEN = "open", _("整改中")
    REPORTED = "reported", _("已报整改结果")
    VERIFIED = "verified", _("整改到位")


RECTIFICATION_MACHINE = Machine("rectification", states=RectificationState, transitions={
    "report": transition({RectificationState.OPEN}, RectificationState.REPORTED, _("报送整改结果"), "reported"),
    "verify": transition({RectificationState.REPORTED}, RectificationState.VERIFIED, _("确认整改到位"), "verified"),
    "send_back": transition({RectificationState.REPORTED}, RectificationState.OPEN, _("退回继续整改"), "sent_back"),
})
