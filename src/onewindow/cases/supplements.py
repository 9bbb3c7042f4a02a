"""Supplement requests (补正): one notice listing every defect at once; the clock stops until the
applicant supplies (Administrative Licensing Law Art. 32: incomplete materials are told once, in full).
Also the shared clock-restart used when a special procedure ends."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.errors import PermissionDenied, ValidationError

from . import access, deadlines
from .inputs import id_set, local_day, moment, required_text
from .intake import mark_provided
from .models import Case, CaseMaterialStatus, SupplementRequest, Task
from .states import OPEN_TASK_STATES, CaseState, TaskState
from .transitions import lock_case, require, transition


def _clean_defects(case: Case, defects) -> list[dict]:
    if not defects or not isinstance(defects, list | tuple):
        raise ValidationError(_("补正告知必须列明需补正的事项（至少一项）"), field="defects")
    rows = {row.material_id: row for row in case.materials.all() if row.material_id}
    cleaned, seen = [], set()
    for i, defect in enumerate(defects):
        if not isinstance(defect, dict):
            raise ValidationError(_("第 %(n)s 项补正内容格式错误") % {"n": i + 1}, field="defects")
        reason = required_text(defect.get("reason"), field="defects",
                               message=_("第 %(n)s 项补正必须写明原因") % {"n": i + 1}, max_length=300)
        material_id = defect.get("material_id")
        if material_id not in (None, ""):
            material_id = int(material_id) if str(material_id).isdigit() else -1
            if material_id not in rows:
                raise ValidationError(_("材料编号 %(id)s 不属于事项“%(item)s”") % {
                    "id": defect.get("material_id"), "item": case.item.name}, field="defects")
            name = rows[material_id].name
        else:
            material_id = None
            name = required_text(defect.get("name"), field="defects",
                                 message=_("第 %(n)s 项补正须指明材料或写明事项名称") % {"n": i + 1}, max_length=200)
        key = material_id if material_id is not None else f"name:{name}"
        if key in seen:
            continue
        seen.add(key)
        cleaned.append({"material_id": material_id, "name": name, "reason": reason})
    return cleaned


def _defect_key(defect: dict):
    return defect["material_id"] if defect.get("material_id") is not None else f"name:{defect['name']}"


def missing_defects(case: Case) -> list[dict]:
    """Every required material not handed in, as the defects of a one-time notice."""
    return [{"material_id": row.material_id, "reason": _("未提交")}
            for row in case.materials.filter(status=CaseMaterialStatus.MISSING)]


def request_supplement_locked(case: Case, *, actor, defects, task=None, now: datetime) -> SupplementRequest:
    """补正 on a locked case: one notice listing every defect (Art. 32). A later request may repeat a
    defect of the first notice (not yet put right) but never add a new one. In review the clock stops."""
    action = "request_supplement_at_intake" if case.state == CaseState.SUBMITTED else "request_supplement_in_review"
    require(case, action)
    cleaned = _clean_defects(case, defects)
    first = case.supplement_requests.order_by("requested_at", "id").first()
    if first is not None:
        allowed = {_defect_key(d) for d in first.defects}
        new = [d["name"] for d in cleaned if _defect_key(d) not in allowed]
        if new:
            raise ValidationError(
                _("补正须一次性告知：%(names)s 不在 %(d)s 的首次补正告知中，不能再次要求补正新的内容") % {
                    "names": "、".join(f"“{n}”" for n in new), "d": first.requested_on}, field="defects")
    today = local_day(now)
    request = SupplementRequest.objects.create(case=case, task=task, requested_by=actor, requested_at=now,
                                               requested_on=today, defects=cleaned, return_state=case.state)
    for d in cleaned:
        if d["material_id"] is not None:
            case.materials.filter(material_id=d["material_id"]).update(status=CaseMaterialStatus.MISSING,
                                                                        note=d["reason"][:300])
    fields = []
    if action == "request_supplement_in_review":
        case.paused_since = today
        fields.append("paused_since")
    transition(case, action, actor=actor, now=now, fields=fields,
               data={"supplement_request": request.pk, "defects": cleaned, "task": task.pk if task else None})
    return request


def request_supplement(*, actor, case: Case, defects: list[dict], now: datetime | None = None) -> SupplementRequest:
    """At intake (clerk of the centre, case submitted) or in review (approver of an open task of the
    case: the clock stops until the applicant supplies). See request_supplement_locked."""
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
        request = locked.supplement_requests.filter(supplied_at__isnull=True).order_by("-requested_at").first()
        provided = id_set(provided_material_ids, field="provided_material_ids")
        mark_provided(locked, provided, now=now)
        owed = [d["name"] for d in request.defects if d.get("material_id") is not None
                and locked.materials.filter(material_id=d["material_id"], status=CaseMaterialStatus.MISSING).exists()]
        if owed:
            raise ValidationError(_("补正告知所列材料尚未补齐：%(names)s") % {"names": "、".join(f"“{n}”" for n in owed)},
                                  field="provided_material_ids")
        request.supplied_at = now
        request.save(update_fields=["supplied_at"])
        fields, data = [], {"supplement_request": request.pk}
        if request.return_state != CaseState.SUBMITTED and locked.paused_since is not None:
            paused = deadlines.paused_working_days(locked.paused_since, local_day(now))
            data.update(resume_clock(locked, paused))
            fields += ["paused_days", "paused_since", "due_on", "due_provisional", "calendar_version"]
        if at_window:
            locked.visit_count += 1
            fields.append("visit_count")
        transition(locked, "supply", actor=actor, now=now, to_state=request.return_state, fields=fields, data=data)
    return Case.objects.get(pk=case.pk)


def resume_clock(case: Case, paused: int) -> dict:
    """Add a clock stop's working days to the case (and its open tasks): the due dates move by them."""
    previous = case.due_on
    case.paused_days += paused
    case.paused_since = None
    deadlines.apply_deadline(case)
    for task in Task.objects.filter(case=case, state__in=OPEN_TASK_STATES):
        task.due_on = min(deadlines.shift(task.due_on, paused), case.due_on) if task.due_on else case.due_on
        task.save(update_fields=["due_on"])
    return {"paused_working_days": paused, "previous_due_on": previous, "due_on": case.due_on,
            "calendar_version": case.calendar_version}
