"""What the history generator (cases/history.py) works from: the catalog's items with their steps and
materials, the staff who act, and the tables it writes with the columns of its row tuples."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from onewindow.audit.models import AuditChain, AuditEvent
from onewindow.catalog.models import Item, ItemStatus
from onewindow.orgs.models import Applicant, Role, StaffRole

from .history_writer import Table
from .models import (
    BundleApplication,
    Case,
    CaseMaterial,
    Certificate,
    DenialFiling,
    Extension,
    Fee,
    SpecialProcedure,
    SupplementRequest,
    Task,
)

REVIEW_KINDS = ("review", "decision")


@dataclass
class ItemPlan:
    id: int
    code: str
    name: str
    version: int
    department_id: int
    department_code: str
    limit: int
    immediate: bool
    extension_days: int
    fee: Decimal | None
    fee_description: str
    certificate_type: str
    result_name: str
    instant_rules: list
    channels: list[str]
    post_delivery: bool
    stages: list[tuple]  # (step, kind, name, limit_days, department_id), by step
    materials: list[tuple]  # (id, name, required, waivable, source, certificate_type)
    weight: float = 1.0


@dataclass
class Staff:
    clerks: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # centre id -> [(id, username)]
    approvers: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # department id -> ...
    agents: list[tuple[int, str]] = field(default_factory=list)
    any_clerk: list[tuple[int, str]] = field(default_factory=list)


def tables() -> dict:
    return {
        Applicant: Table(Applicant, ["id", "kind", "name", "id_number", "phone", "address", "legal_representative",
                                     "user", "bad_credit", "created_at"]),
        BundleApplication: Table(BundleApplication, ["id", "number", "query_code", "bundle", "applicant", "centre",
                                                     "submitted_at"]),
        Case: Table(Case, [
            "id", "number", "query_code", "item", "item_version", "applicant", "centre", "window", "channel", "state",
            "form_data", "bundle_application", "project", "agent", "submitted_by", "accepted_by", "submitted_at",
            "accepted_on", "committed_limit_days", "extension_days", "paused_days", "paused_since", "due_on",
            "due_provisional", "calendar_version", "decided_at", "concluded_at", "visit_count", "instant_rule", "delivery_method",
            "delivery_address", "tracking_number", "delivered_at", "decision_reason", "updated_at"]),
        Certificate: Table(Certificate, ["id", "number", "certificate_type", "title", "holder", "case", "issuer",
                                         "issued_on", "valid_until", "status", "data", "digest"]),
        Task: Table(Task, ["id", "case", "step", "kind", "name", "department", "state", "limit_days", "opened_on",
                           "due_on", "completed_at", "completed_by", "opinion"]),
        CaseMaterial: Table(CaseMaterial, ["id", "case", "material", "name", "status", "certificate", "file",
                                           "promised_by", "supplied_at", "note"]),
        SupplementRequest: Table(SupplementRequest, ["id", "case", "task", "requested_by", "requested_at",
                                                     "requested_on", "defects", "return_state", "supplied_at"]),
        SpecialProcedure: Table(SpecialProcedure, ["id", "case", "task", "kind", "limit_days", "started_on",
                                                   "due_on", "ended_on", "started_by", "reason", "outcome",
                                                   "applicant_notified_at"]),
        Extension: Table(Extension, ["id", "case", "days", "reason", "requested_by", "approved_by", "approved_at",
                                     "applicant_notified_at", "previous_due_on", "new_due_on"]),
        DenialFiling: Table(DenialFiling, ["id", "case", "kind", "department", "reason", "filed_by", "filed_at"]),
        Fee: Table(Fee, ["id", "case", "description", "amount", "state", "paid_at", "receipt_number"]),
        AuditChain: Table(AuditChain, ["id", "key", "length", "head_hash"]),
        AuditEvent: Table(AuditEvent, ["id", "chain", "position", "occurred_at", "actor", "actor_label", "action",
                                       "from_state", "to_state", "reason", "data", "prev_hash", "hash"]),
    }


# Parents before children (SQLite checks foreign keys per statement; PostgreSQL defers them).
WRITE_ORDER = [Applicant, BundleApplication, Case, Certificate, Task, CaseMaterial, SupplementRequest,
               SpecialProcedure, Extension, DenialFiling, Fee, AuditChain, AuditEvent]


def load_items(rng: random.Random) -> list[ItemPlan]:
    items = (Item.objects.filter(status=ItemStatus.ACTIVE, stages__isnull=False).distinct()
             .select_related("department").prefetch_related("stages", "materials").order_by("code"))
    plans = []
    for item in items:
        stages = [(stage.step, stage.kind, stage.name, stage.limit_days, stage.department_id)
                  for stage in sorted(item.stages.all(), key=lambda s: (s.step, s.id))]
        if not any(kind in REVIEW_KINDS for _step, kind, *_rest in stages):
            # As approval.create_tasks: one review task for the item's department with the whole limit.
            step = max((st for st, kind, *_rest in stages if kind == "acceptance"), default=0) + 1
            stages = [(st + 1 if kind == "delivery" and st <= step else st, kind, *rest)
                      for st, kind, *rest in stages]
            stages.append((step, "review", "审查与决定", item.committed_limit_days, item.department_id))
            stages.sort(key=lambda s: s[0])
        channels = [name for name in ("window", "online", "post") if getattr(item, f"channel_{name}")] or ["window"]
        plans.append(ItemPlan(
            id=item.id, code=item.code, name=item.name, version=item.version, department_id=item.department_id,
            department_code=item.department.code,
            limit=item.committed_limit_days, immediate=item.is_immediate, extension_days=item.extension_days,
            fee=item.fee_amount if item.has_fee and item.fee_amount else None,
            fee_description=(item.fee_description or item.name)[:200], certificate_type=item.result_certificate_type,
            result_name=item.result_name or item.name, instant_rules=list(item.instant_approval_rules or []),
            channels=channels, post_delivery=item.offers_post_delivery, stages=stages,
            materials=[(m.id, m.name, m.required, m.waivable, m.source, m.certificate_type)
                       for m in sorted(item.materials.all(), key=lambda m: (m.order, m.id))],
        ))
    # Popularity: a few items take most of the cases (Zipf-like), in a seed-determined order.
    order = list(range(len(plans)))
    rng.shuffle(order)
    for rank, index in enumerate(order):
        plans[index].weight = 1.0 / (rank + 1) ** 0.9
    return plans


def load_staff() -> Staff:
    staff = Staff()
    for user_id, username, role, centre_id, department_id in StaffRole.objects.filter(user__is_active=True).values_list(
            "user_id", "user__username", "role", "centre_id", "department_id").order_by("user_id"):
        if role == Role.WINDOW_CLERK and centre_id:
            staff.clerks.setdefault(centre_id, []).append((user_id, username))
            staff.any_clerk.append((user_id, username))
        elif role in (Role.APPROVER, Role.CHIEF_REPRESENTATIVE) and department_id:
            staff.approvers.setdefault(department_id, []).append((user_id, username))
        elif role == Role.AGENT:
            staff.agents.append((user_id, username))
    return staff
