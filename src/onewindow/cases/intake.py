"""Intake (一窗受理): the clerk's decision on a submission (cases/submission.py) — accept, accept with waiver
(容缺), supplement request (补正) or refusal (不予受理) — and the window's own screen, where an application
is entered and decided in one go. Each service locks the case, checks who acts, and calls the steps
(steps/acceptance.py, steps/decision.py).

Sources: Administrative Licensing Law Art. 32 (incomplete materials: tell everything at once; refusal
in writing with reasons), Art. 42 and 82 (limits in working days from the day after acceptance);
provincial waiver-acceptance rules (main materials complete, written promise, no bad-credit applicants;
the catch-up date within the material's term in the catalog, steps/materials.py)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.errors import PermissionDenied, ValidationError
from onewindow.orgs.models import ServiceCentre

from . import access, numbering
from .inputs import local_day, moment, required_text
from .models import Case, Channel
from .steps.acceptance import accept_locked, refuse_locked, request_supplement_locked
from .steps.decision import decide_if_immediate
from .steps.materials import missing_defects
from .steps.submission import create_case, prepare_submission
from .transitions import audit_batch, lock_case, released

DECISIONS = ("accept", "accept_with_waiver", "supplement", "refuse")
INTAKE_CHANNELS = (Channel.WINDOW, Channel.POST)


def accept_case(*, clerk, case: Case, waivers: dict | None = None, provided_material_ids=(),
                promise_note: str = "", now: datetime | None = None) -> Case:
    """受理: the case gets its due date (committed limit, working days from the day after acceptance,
    Art. 42/82) and its first step's tasks. Required materials must be complete, except waivable ones
    the applicant promises in writing to supply by a date (容缺受理)."""
    now = moment(now)
    if not access.is_clerk_of(clerk, case.centre_id):
        raise PermissionDenied(_("只有受理中心的窗口人员才能受理该办件"))
    with transaction.atomic():
        locked = lock_case(case)
        with audit_batch(locked):
            accept_locked(locked, clerk=clerk, waivers=waivers, provided_material_ids=provided_material_ids,
                          promise_note=promise_note, now=now)
            decide_if_immediate(locked, clerk=clerk, now=now)
    return released(locked)  # read under the lock and changed here: as the database now has it


def refuse_case(*, clerk, case: Case, reason: str, now: datetime | None = None) -> Case:
    """不予受理: a written reason is required (Art. 32); the refusal is filed for the efficiency office
    (否定报备)."""
    now = moment(now)
    if not access.is_clerk_of(clerk, case.centre_id):
        raise PermissionDenied(_("只有受理中心的窗口人员才能作出不予受理决定"))
    required_text(reason, field="reason", message=_("不予受理必须写明理由"))
    with transaction.atomic():
        refuse_locked(lock_case(case), clerk=clerk, reason=reason, now=now)
    return Case.objects.get(pk=case.pk)


def _clerk_centre(clerk, window):
    if window is not None:
        return window.centre
    centres = sorted(access.clerk_centre_ids(clerk))
    if len(centres) != 1:
        raise ValidationError(_("请选择受理窗口（您在多个中心或没有窗口岗位）"), field="window")
    return ServiceCentre.objects.get(pk=centres[0])


def intake_at_window(*, clerk, item, applicant, form_data=None, provided_material_ids=(), decision: str,
                     waivers=None, defects=None, reason: str = "", window=None, promise_note: str = "",
                     channel: str = Channel.WINDOW, now: datetime | None = None) -> Case:
    """The window clerk's screen: the application is entered and decided in one go — accept, accept
    with waiver, supplement request (every missing material listed when no defects are given) or
    refusal. Handed in at the window (channel window, one visit; immediate items accepted here are
    concluded the same day) or received by post (邮寄收件: no visit, the result posted by default)."""
    now = moment(now)
    if channel not in INTAKE_CHANNELS:
        raise ValidationError(_("收件方式应为窗口当面或邮寄收件（%(all)s），而不是“%(c)s”") % {
            "all": ", ".join(INTAKE_CHANNELS), "c": channel}, field="channel")
    if decision not in DECISIONS:
        raise ValidationError(_("受理决定应为：%(all)s") % {"all": ", ".join(DECISIONS)}, field="decision")
    if decision == "refuse":
        required_text(reason, field="reason", message=_("不予受理必须写明理由"))
    if decision == "accept_with_waiver" and not waivers:
        raise ValidationError(_("容缺受理必须列明容缺材料及承诺补齐日期"), field="waivers")
    centre = _clerk_centre(clerk, window)
    if not access.is_clerk_of(clerk, centre.id):
        raise PermissionDenied(_("只有本中心的窗口人员才能在窗口录入申请"))
    sub = prepare_submission(item=item, applicant=applicant, channel=channel, centre=centre, form_data=form_data,
                             provided_material_ids=provided_material_ids, files=None, submitted_by=clerk,
                             window=window, agent=None, project=None, now=now)
    number = numbering.allocate_case_number(centre, local_day(now))
    with transaction.atomic():
        case = lock_case(create_case(sub, number=number, query_code=numbering.new_query_code(), now=now))
        if decision in ("accept", "accept_with_waiver"):
            with audit_batch(case):
                accept_locked(case, clerk=clerk, waivers=waivers, promise_note=promise_note, now=now)
                decide_if_immediate(case, clerk=clerk, now=now)
        elif decision == "supplement":
            request_supplement_locked(case, actor=clerk, defects=defects or missing_defects(case), now=now)
        else:
            refuse_locked(case, clerk=clerk, reason=reason, now=now)
    return Case.objects.get(pk=case.pk)
