"""Turning cases, tasks, bundle applications and certificates into the API's output shapes
(api/case_schemas.py). Reads only what the caller was allowed to fetch."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from enum import Enum

from django.utils.translation import gettext as _

from onewindow.cases import selectors
from onewindow.cases.models import CaseMaterialStatus, CertificateStatus
from onewindow.cases.states import CaseState, TaskState
from onewindow.orgs import selectors as orgs_selectors


def page_of(queryset, *, page: int, page_size: int, serialize: Callable) -> dict:
    count = queryset.count()
    start = (page - 1) * page_size
    rows = list(queryset[start:start + page_size]) if start < count else []
    return {"count": count, "page": page, "page_size": page_size, "results": [serialize(row) for row in rows]}


def case_summary_out(case) -> dict:
    return {
        "number": case.number, "item": case.item.code, "item_name": case.item.name,
        "applicant_name": case.applicant.name, "state": case.state, "state_label": str(CaseState(case.state).label),
        "channel": case.channel, "centre": case.centre.code, "submitted_at": case.submitted_at,
        "due_on": case.due_on, "concluded_at": case.concluded_at,
    }


def case_out(case, viewer) -> dict:
    light = selectors.light(case)
    submitted = getattr(case, "submitted_materials", None)
    if submitted is not None:
        # Straight from cases.services.submit_case, with the rows it was written with: nothing to read
        # back, and a case just submitted has no tasks, fees or certificates.
        tasks, materials, fees, certificates = [], sorted(submitted, key=lambda row: row.pk), [], []
    else:
        tasks = case.tasks.select_related("department").order_by("step", "id")
        materials = case.materials.select_related("certificate").order_by("id")
        fees, certificates = case.fees.order_by("id"), case.certificates.order_by("id")
    return {
        **case_summary_out(case),
        "query_code": case.query_code,
        "applicant_id_number": orgs_selectors.displayed_id_number(viewer, case.applicant),
        "bundle_application": case.bundle_application.number if case.bundle_application_id else None,
        "clock": {
            "accepted_on": case.accepted_on, "committed_limit_days": case.committed_limit_days,
            "limit_unit": case.limit_unit, "extension_days": case.extension_days, "paused_days": case.paused_days,
            "paused_since": case.paused_since, "due_on": case.due_on, "warn_on": case.warn_on,
            "late_on": case.late_on, "stopped_on": case.stopped_on, "provisional": case.due_provisional,
            "calendar_version": case.calendar_version, "light": light,
        },
        "visit_count": case.visit_count, "instant_rule": case.instant_rule,
        "decision_reason": case.decision_reason, "delivery_method": case.delivery_method,
        "tracking_number": case.tracking_number,
        "tasks": [{
            "id": task.pk, "step": task.step, "kind": task.kind, "name": task.name,
            "department": task.department.code, "department_name": task.department.name, "state": task.state,
            "state_label": str(TaskState(task.state).label), "limit_days": task.limit_days, "opened_on": task.opened_on,
            "due_on": task.due_on, "completed_at": task.completed_at, "opinion": task.opinion,
        } for task in tasks],
        "materials": [{
            "id": material.pk, "material_id": material.material_id, "name": material.name,
            "status": material.status, "status_label": str(CaseMaterialStatus(material.status).label),
            "certificate": material.certificate.number if material.certificate_id else None,
            "promised_by": material.promised_by, "supplied_at": material.supplied_at, "note": material.note,
        } for material in materials],
        "fees": [{
            "id": fee.pk, "description": fee.description, "amount": str(fee.amount), "state": fee.state,
            "paid_at": fee.paid_at, "receipt_number": fee.receipt_number,
        } for fee in fees],
        "certificates": [{
            "number": certificate.number, "title": certificate.title, "status": certificate.status,
            "issued_on": certificate.issued_on,
        } for certificate in certificates],
    }


def inbox_task_out(task) -> dict:
    return {
        "id": task.pk, "case": task.case.number, "item_name": task.case.item.name,
        "applicant_name": task.case.applicant.name, "step": task.step, "name": task.name,
        "department": task.department.code, "state": task.state, "state_label": str(TaskState(task.state).label),
        "opened_on": task.opened_on, "due_on": task.due_on, "case_due_on": task.case.due_on,
    }


def bundle_application_out(application) -> dict:
    cases = list(application.cases.select_related("item", "applicant", "centre").order_by("id"))
    dues = [case.due_on for case in cases if case.due_on]
    return {
        "number": application.number, "query_code": application.query_code, "bundle": application.bundle.code,
        "bundle_name": application.bundle.name, "submitted_at": application.submitted_at,
        "due_on": max(dues) if dues else None, "cases": [case_summary_out(case) for case in cases],
    }


def mask_name(name: str, *, enterprise: bool) -> str:
    """A person's name keeps its first character (张**); an enterprise's name is public (it is printed on
    the business licence) and is shown whole."""
    if enterprise or not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


def certificate_verification_out(number: str, certificate, *, today: date) -> dict:
    if certificate is None:
        return {"number": number, "genuine": False, "valid": False, "status": None, "status_label": None,
                "title": None, "certificate_type": None, "holder": None, "issuer": None, "issued_on": None,
                "valid_until": None, "message": _("查无此证：该编号不是本平台签发的电子证照")}
    expired = certificate.valid_until is not None and certificate.valid_until < today
    status = CertificateStatus.EXPIRED if expired and certificate.status == CertificateStatus.VALID \
        else CertificateStatus(certificate.status)
    valid = status == CertificateStatus.VALID
    holder = certificate.holder
    return {
        "number": certificate.number, "genuine": True, "valid": valid, "status": status.value,
        "status_label": str(status.label), "title": certificate.title, "certificate_type": certificate.certificate_type,
        "holder": mask_name(holder.name, enterprise=holder.kind == "enterprise"),
        "issuer": certificate.issuer.name, "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "message": _("真实有效") if valid else _("证照真实，但当前状态为：%(status)s") % {"status": status.label},
    }


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return value


def progress_out(progress) -> dict:
    return _plain(progress)



def available_action_out(offer) -> dict:
    """An action the caller may take now (cases.actions.registry.offers), with its parameters' options."""
    return offer.as_dict()
