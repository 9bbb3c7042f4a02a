"""The documents an applicant handed in with a case (uploaded online, or scanned at the window): staff
who may see the case open them from the case page, and every opening is on the case's audit trail
(who read which document when), as personal data in an application is read only with a trace."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound, PermissionDenied

from . import access
from .inputs import moment
from .models import CaseMaterial
from .selectors import get_case_for
from .transitions import record_event


def open_material_file(*, viewer, number: str, material_row_id: int, now: datetime | None = None) -> CaseMaterial:
    """The case material row whose file `viewer` opens, after checking they are staff who may see the
    case (NotFound for a case they may not see, as everywhere); the opening is recorded
    (onewindow.case.material_file_opened) before the file is handed out."""
    now = moment(now)
    case = get_case_for(viewer, number)
    if not access.roles(viewer):  # the applicant's own account sees the case, but this is the staff's door
        raise PermissionDenied(_("只有能查看该办件的工作人员才能查阅申请材料"))
    row = case.materials.filter(pk=material_row_id).exclude(file="").first()
    if row is None:
        raise NotFound(_("该办件没有这份材料文件"), field="material")
    with transaction.atomic():
        record_event(case, "material_file_opened", actor=viewer, now=now,
                     data={"material": row.name, "material_id": row.material_id, "row": row.pk})
    return row
