"""Submission (申请): an application arriving online, by post or through the API becomes a case in state
SUBMITTED for the clerk, idempotently per caller and key (steps/submission.py writes it); items whose
instant-approval rules all hold are decided at once (秒批, steps/acceptance.py). The clerk's decision
on it is in cases/intake.py.

The hottest write path of the product: its statements are compiled once (core/fastsql.py)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from . import numbering
from .inputs import local_day, moment
from .models import Case
from .steps.acceptance import try_instant_approval
from .steps.submission import IdempotentRequest, create_case, prepare_submission
from .transitions import lock_case


def submit_case(*, item, applicant, channel, centre, form_data=None, provided_material_ids=(), files=None,
                submitted_by=None, window=None, agent=None, project=None, idempotency_key=None, principal=None,
                require_complete: bool = False, now: datetime | None = None) -> Case:
    """An application arrives (online, post, API): number and query code issued, materials checked
    against the list (e-certificates and shared data filled in), state SUBMITTED for the clerk. With
    an idempotency key the same request returns the same case, never a second one. Items whose
    instant-approval rules all hold are decided at once (秒批). `require_complete` (the online
    application page): refused, naming them, while a required material that cannot be waived is missing."""
    now = moment(now)
    request = IdempotentRequest.start(
        idempotency_key=idempotency_key, principal=principal, submitted_by=submitted_by, applicant=applicant,
        request={"item": item.pk, "applicant": applicant.pk, "channel": channel, "centre": centre.pk,
                 "form_data": form_data or {}, "provided": sorted(map(str, provided_material_ids or ()))})
    if (existing := request.replay()) is not None:
        return existing
    sub = prepare_submission(item=item, applicant=applicant, channel=channel, centre=centre, form_data=form_data,
                   provided_material_ids=provided_material_ids, files=files, submitted_by=submitted_by,
                   window=window, agent=agent, project=project, now=now, require_complete=require_complete)
    number = numbering.allocate_case_number(centre, local_day(now))
    instant = bool(item.instant_approval_rules)  # no rules: try_instant_approval would do nothing
    try:
        with transaction.atomic():
            case = create_case(sub, number=number, query_code=numbering.new_query_code(), now=now)
            request.claim(case)
            if instant:
                try_instant_approval(lock_case(case), now=now)
    except IntegrityError:
        if (existing := request.replay()) is not None:
            return existing
        raise
    if instant:
        return Case.objects.get(pk=case.pk)
    # Nothing changed the case after it was written: it is returned as it is, with the material rows it
    # was created with (a submitted case has no tasks, fees or certificates yet), so a caller can show
    # it without reading it back.
    case.submitted_materials = sub.materials  # type: ignore[attr-defined]  # read by api/cases.py
    return case
