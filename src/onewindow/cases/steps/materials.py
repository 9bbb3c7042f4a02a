"""The materials of a case at intake: marked as handed in, waived against a written promise (容缺), or
listed on a one-time supplement notice (补正).

Sources: Administrative Licensing Law Art. 32 (incomplete materials are told once, in full); provincial
waiver-acceptance rules (only waivable materials, the applicant not on a bad-credit list) and Yumen's
practice (the case goes on on the written promise; the material is supplied within its catalog term)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _

from onewindow.calendar import selectors as calendar_selectors
from onewindow.catalog.models import MaterialSource
from onewindow.core.errors import ValidationError

from ..inputs import required_text, to_date
from ..models import Case, CaseMaterialStatus


def waiver_term_end(material, today: date) -> date:
    """The last day to supply a material waived today: its catalog term in working days (容缺补齐时限)."""
    return calendar_selectors.add_working_days(today, material.waiver_term_days).due_on


def validate_waivers(case: Case, waivers: dict, *, due_on: date, today: date, note: str) -> dict[int, date]:
    """Waiver acceptance (容缺): only waivable materials, only missing ones, not for bad-credit
    applicants; the promised date after the day of acceptance and within the material's term in the
    catalog (working days, e.g. 5: "可容缺，5 个工作日内补齐"). A waiver given without a date promises the
    term's last day. The case goes on on the written promise (Yumen's practice), so the promise need
    not fall before the case's due date: an immediate item can be waived too."""
    if not waivers:
        return {}
    if not isinstance(waivers, dict):
        raise ValidationError(_("容缺材料应为“材料编号 → 承诺补齐日期”"), field="waivers")
    if case.applicant.bad_credit:
        raise ValidationError(_("申请人“%(name)s”列入失信名单，不适用容缺受理") % {"name": case.applicant.name},
                              field="waivers")
    rows = {row.material_id: row for row in case.materials.select_related("material") if row.material_id}
    result: dict[int, date] = {}
    for raw_id, raw_date in waivers.items():
        material_id = int(raw_id) if str(raw_id).isdigit() else -1  # -1: no row has it
        row = rows.get(material_id)
        if row is None:
            raise ValidationError(_("材料编号 %(id)s 不属于事项“%(item)s”") % {"id": raw_id, "item": case.item.name},
                                  field="waivers")
        if row.material is None or not row.material.waivable:
            raise ValidationError(_("材料“%(name)s”不可容缺：事项目录未将其列为容缺材料") % {"name": row.name},
                                  field="waivers")
        if row.status != CaseMaterialStatus.MISSING:
            raise ValidationError(_("材料“%(name)s”已提交或已调取，无需容缺") % {"name": row.name}, field="waivers")
        term = row.material.waiver_term_days
        last = waiver_term_end(row.material, today)
        promised = last if raw_date in (None, "") else to_date(raw_date, field="waivers")
        if promised <= today:
            raise ValidationError(_("材料“%(name)s”的承诺补齐日期 %(d)s 应晚于受理日 %(t)s") % {
                "name": row.name, "d": promised, "t": today}, field="waivers")
        if promised > last:
            raise ValidationError(
                _("材料“%(name)s”可容缺，%(n)s 个工作日内补齐：承诺补齐日期 %(d)s 晚于 %(last)s") % {
                    "name": row.name, "n": term, "d": promised, "last": last}, field="waivers")
        result[row.material_id or 0] = promised
    if len(note) > 300:
        raise ValidationError(_("承诺说明不能超过 300 字"), field="promise_note")
    return result


def mark_provided(case: Case, provided: set[int], *, now: datetime) -> list[str]:
    """The materials handed in now (at acceptance, or with a supplement): the names of those newly marked."""
    if not provided:
        return []
    rows = {row.material_id: row for row in case.materials.select_related("material") if row.material_id}
    unknown = sorted(provided - set(rows))
    if unknown:
        raise ValidationError(_("材料编号 %(ids)s 不属于事项“%(item)s”") % {
            "ids": "、".join(map(str, unknown)), "item": case.item.name}, field="provided_material_ids")
    names = []
    for material_id in provided:
        row = rows[material_id]
        if row.status in (CaseMaterialStatus.MISSING, CaseMaterialStatus.NOT_APPLICABLE, CaseMaterialStatus.WAIVED):
            row.status, row.supplied_at = CaseMaterialStatus.PROVIDED, now
            fields = ["status", "supplied_at"]
            if row.material is not None and (row.material.certificate_type
                                             or row.material.source == MaterialSource.E_CERTIFICATE):
                row.note, fields = _("未查到电子证照，已核收纸质件"), [*fields, "note"]
            row.save(update_fields=fields)
            names.append(row.name)
    return names


def clean_defects(case: Case, defects) -> list[dict]:
    """The defects of a supplement notice: each names a material of the case (or, for something else,
    its name) and why; repeats are dropped."""
    if not defects or not isinstance(defects, list | tuple):
        raise ValidationError(_("补正告知必须列明需补正的事项（至少一项）"), field="defects")
    rows = {row.material_id: row for row in case.materials.all() if row.material_id}
    cleaned, seen = [], set()
    for i, defect in enumerate(defects):
        if not isinstance(defect, dict):
            raise ValidationError(_("第 %(n)s 项补正内容格式错误") % {"n": i + 1}, field="defects")
        reason = required_text(defect.get("reason"), field="defects",
                               message=_("第 %(n)s 项补正必须写明原因") % {"n": i + 1}, max_length=300)
        raw_id = defect.get("material_id")
        material_id: int | None = None
        if raw_id not in (None, ""):
            material_id = int(str(raw_id)) if str(raw_id).isdigit() else -1
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


def defect_key(defect: dict):
    return defect["material_id"] if defect.get("material_id") is not None else f"name:{defect['name']}"


def missing_defects(case: Case) -> list[dict]:
    """Every required material not handed in, as the defects of a one-time notice."""
    return [{"material_id": row.material_id, "reason": _("未提交")}
            for row in case.materials.filter(status=CaseMaterialStatus.MISSING)]
