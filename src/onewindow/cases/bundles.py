"""Bundle applications (一件事): one form and one set of materials open one case per item under one
tracker; the items run in parallel, so the tracker's due date is the latest of its cases'."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.catalog.bundles import bundle_materials
from onewindow.catalog.models import ItemStatus
from onewindow.core.errors import ValidationError

from . import numbering
from .inputs import id_set, local_day, moment
from .models import BundleApplication
from .steps.acceptance import try_instant_approval
from .steps.submission import IdempotentRequest, create_case, prepare_submission
from .transitions import lock_case


def submit_bundle(*, bundle, applicant, channel, centre, form_data=None, provided_material_ids=(),
                  submitted_by=None, idempotency_key=None, principal=None,
                  now: datetime | None = None) -> BundleApplication:
    """一件事: one form and one set of materials open one case per item under one tracker. A document
    several items ask for is handed in once and counts for each of them."""
    now = moment(now)
    if not bundle.is_active:
        raise ValidationError(_("“%(b)s”当前不可申请") % {"b": bundle.name}, field="bundle")
    items = [bi.item for bi in bundle.bundle_items.select_related("item").order_by("order", "id")
             if bi.item.status != ItemStatus.ABOLISHED]
    if not items:
        raise ValidationError(_("“%(b)s”没有可申请的事项") % {"b": bundle.name}, field="bundle")
    request = IdempotentRequest.start(
        idempotency_key=idempotency_key, principal=principal, submitted_by=submitted_by, applicant=applicant,
        bundle=True, request={"bundle": bundle.pk, "applicant": applicant.pk, "channel": channel,
                              "centre": centre.pk, "form_data": form_data or {},
                              "provided": sorted(map(str, provided_material_ids or ()))})
    if (existing := request.replay()) is not None:
        return existing
    provided = id_set(provided_material_ids, field="provided_material_ids")
    expanded: set[int] = set()
    known: set[int] = set()
    for entry in bundle_materials(bundle):
        ids = {m.id for m in entry.materials}
        known |= ids
        if ids & provided:
            expanded |= ids
    unknown = sorted(provided - known)
    if unknown:
        raise ValidationError(_("材料编号 %(ids)s 不属于“%(b)s”") % {"ids": "、".join(map(str, unknown)), "b": bundle.name},
                              field="provided_material_ids")
    subs = [prepare_submission(item=item, applicant=applicant, channel=channel, centre=centre, form_data=form_data,
                     provided_material_ids=expanded & set(item.materials.values_list("id", flat=True)),
                     files=None, submitted_by=submitted_by, window=None, agent=None, project=None, now=now)
            for item in items]
    day = local_day(now)
    tracker_number = numbering.allocate_bundle_number(centre, day)
    numbers = [numbering.allocate_case_number(centre, day) for _sub in subs]
    code = numbering.new_query_code()
    try:
        with transaction.atomic():
            record = request.claim()
            application = BundleApplication.objects.create(number=tracker_number, query_code=code, bundle=bundle,
                                                           applicant=applicant, centre=centre, submitted_at=now)
            audit.record(chain_key=f"bundle:{application.number}", action="onewindow.bundle.submitted",
                         actor=submitted_by, actor_label="" if submitted_by else _("系统"), now=now,
                         data={"bundle": bundle.code, "cases": numbers})
            for sub, number in zip(subs, numbers, strict=True):
                case = create_case(sub, number=number, query_code=code, now=now, bundle_application=application)
                try_instant_approval(lock_case(case), now=now)
            request.attach(record, application)
    except IntegrityError:
        if (existing := request.replay()) is not None:
            return existing
        raise
    return application
