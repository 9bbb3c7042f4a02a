"""Supplement requests (补正): one notice listing every defect at once; the clock stops until the
applicant supplies (Administrative Licensing Law Art. 32: incomplete materials are told once, in full).
Each service checks who acts, locks the case and calls the steps (steps/acceptance.py, steps/clock.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.errors import PermissionDenied, ValidationError

from . import access, deadlines
from .inputs import id_set, local_day, moment
from .models import Case, CaseMaterialStatus, SupplementRequest, Task
from .states import CaseState, TaskState
from .steps.acceptance import pending_supplement, request_supplement_locked
from .steps.clock import resume_clock
from .steps.materials import mark_provided
from .transitions import lock_case, require, transition


def request_supplement(*, actor, case: Case, defects: list[dict], now: datetime | None = None) -> SupplementRequest:
    """At intake (clerk of the centre, case submitted) or in review (approver of an open task of the
    case: the clock stops until the applicant supplies). See steps.acceptance.request_supplement_locked."""
    now = moment(now)
    with transaction.atomic():
        locked = lock_case(case)
        task = None
        if locked.state == CaseState.SUBMITTED:
            if not access.is_clerk_of(actor, locked.centre_id):
                raise PermissionDenied(_("只有受理中心的窗口人员才能在受理环节要求补正"))
        else:
            mine = [t for t in Task.objects.filter(case=locked).select_related("case")
                    if access.can_handle_task(actor, t)]
            if not mine and not access.is_clerk_of(actor, locked.centre_id):
                raise PermissionDenied(_("只有正在办理该办件的部门审批人员才能要求补正"))
            require(locked, "request_supplement_in_review")
            task = next((t for t in mine if t.state == TaskState.OPEN), None)
            if task is None:
                raise PermissionDenied(_("只有正在办理该办件的部门审批人员才能要求补正"))
        return request_supplement_locked(locked, actor=actor, defects=defects, task=task, now=now)


def supply_supplement(*, actor, case: Case, provided_material_ids=(), now: datetime | None = None) -> Case:
    """The applicant (or their agent, or a clerk at the window) hands in what the notice listed; every
    listed material must be there. A supplement asked in review restarts the clock: the working days
    it stood still move the due date."""
    now = moment(now)
    with transaction.atomic():
        locked = lock_case(case)  # read fresh: an agent may have been assigned meanwhile
        at_window = access.is_clerk_of(actor, locked.centre_id)
        if not (at_window or access.acts_for_applicant(actor, locked)):
            raise PermissionDenied(_("只有申请人、其代办员或受理中心窗口人员才能提交补正材料"))
        require(locked, "supply")
        request = pending_supplement(locked)
        assert request is not None  # a case waiting for a supplement has its notice (the table allowed "supply")
        provided = id_set(provided_material_ids, field="provided_material_ids")
        mark_provided(locked, provided, now=now)
        owed = [d["name"] for d in request.defects if d.get("material_id") is not None
                and locked.materials.filter(material_id=d["material_id"], status=CaseMaterialStatus.MISSING).exists()]
        if owed:
            raise ValidationError(_("补正告知所列材料尚未补齐：%(names)s") % {"names": "、".join(f"“{n}”" for n in owed)},
                                  field="provided_material_ids")
        request.supplied_at = now
        request.save(update_fields=["supplied_at"])
        fields: list[str] = []
        data: dict[str, Any] = {"supplement_request": request.pk}
        if request.return_state != CaseState.SUBMITTED and locked.paused_since is not None:
            data.update(resume_clock(locked, on=local_day(now)))
            fields += deadlines.CASE_CLOCK_COLUMNS
        if at_window:
            locked.visit_count += 1
            fields.append("visit_count")
        transition(locked, "supply", actor=actor, now=now, to_state=request.return_state, fields=fields, data=data)
    return Case.objects.get(pk=case.pk)
