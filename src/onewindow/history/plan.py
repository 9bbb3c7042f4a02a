"""What the sample history (history/generator.py) works from: the catalog's items with their steps,
materials, who applies for them and the reasons that fit them, and the staff who act."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from onewindow.catalog.models import Item, ItemStatus
from onewindow.catalog.selectors import item_audiences
from onewindow.orgs.models import Role, StaffRole

from .people import ENTERPRISE, PERSON, trades_for
from .reasons import ItemReasons, defects_for, reasons_for

REVIEW_KINDS = ("review", "decision")
BOTH = frozenset((PERSON, ENTERPRISE))


class Actor(NamedTuple):
    """Who acts: a user's id and the label the audit trail records (empty: the system)."""

    id: int | None
    label: str


NOBODY = Actor(None, "")


class StagePlan(NamedTuple):
    step: int
    kind: str
    name: str
    limit_days: int
    department_id: int


class MaterialPlan(NamedTuple):
    id: int
    name: str
    required: bool
    waivable: bool
    source: str
    certificate_type: str
    defects: dict[str, tuple[str, ...]]  # applicant kind -> what a reviewer may find wrong with it


@dataclass
class ItemPlan:
    id: int
    code: str
    name: str
    version: int
    department_id: int
    department_code: str
    limit: int
    unit: str  # the item's limit unit: working or natural days
    immediate: bool
    extension_days: int
    fee: Decimal | None
    fee_description: str
    certificate_type: str
    result_name: str
    instant_rules: list
    channels: list[str]
    post_delivery: bool
    stages: list[StagePlan]  # by step
    materials: list[MaterialPlan]
    kinds: frozenset[str]  # who applies: person, enterprise or both
    trades: tuple[str, ...] | None  # which businesses (people.TRADES); None: any
    reasons: ItemReasons
    weight: float = 1.0


class BundlePlan(NamedTuple):
    id: int
    code: str
    item_ids: list[int]
    kinds: frozenset[str]
    trades: tuple[str, ...] | None


@dataclass
class Staff:
    clerks: dict[int, list[Actor]] = field(default_factory=dict)  # centre id -> clerks
    approvers: dict[int, list[Actor]] = field(default_factory=dict)  # department id -> approvers
    agents: list[Actor] = field(default_factory=list)
    any_clerk: list[Actor] = field(default_factory=list)


def applicant_kinds(audiences: frozenset[str] | None, materials) -> frozenset[str]:
    """Who applies for an item: the audiences of its life events (catalog.selectors.item_audiences);
    where those allow both or say nothing, the applicant's own identity document decides — a business
    licence or a document of a 单位 means an organisation, a resident ID alone a person."""
    kinds = audiences or BOTH
    if kinds != BOTH:
        return kinds
    required = [m for m in materials if m.required]
    if any(m.certificate_type == "business_licence" or "单位" in m.name for m in required):
        return frozenset((ENTERPRISE,))
    if any(m.certificate_type == "resident_id" for m in required):
        return frozenset((PERSON,))
    return BOTH


def load_items(rng: random.Random) -> list[ItemPlan]:
    items = list(Item.objects.filter(status=ItemStatus.ACTIVE, stages__isnull=False).distinct()
                 .select_related("department").prefetch_related("stages", "materials").order_by("code"))
    audiences = item_audiences([item.id for item in items])
    plans = []
    for item in items:
        stages = [StagePlan(stage.step, stage.kind, stage.name, stage.limit_days, stage.department_id)
                  for stage in sorted(item.stages.all(), key=lambda s: (s.step, s.id))]
        if not any(stage.kind in REVIEW_KINDS for stage in stages):
            # As approval.create_tasks: one review task for the item's department with the whole limit.
            step = max((s.step for s in stages if s.kind == "acceptance"), default=0) + 1
            stages = [s._replace(step=s.step + 1) if s.kind == "delivery" and s.step <= step else s for s in stages]
            stages.append(StagePlan(step, "review", "审查与决定", item.committed_limit_days or 0, item.department_id))
            stages.sort(key=lambda s: s.step)
        materials = [MaterialPlan(m.id, m.name, m.required, m.waivable, m.source, m.certificate_type,
                                  defects_for(m.name))
                     for m in sorted(item.materials.all(), key=lambda m: (m.order, m.id))]
        channels = [name for name in ("window", "online", "post") if getattr(item, f"channel_{name}")] or ["window"]
        plans.append(ItemPlan(
            id=item.id, code=item.code, name=item.name, version=item.version, department_id=item.department_id,
            department_code=item.department.code,
            limit=item.committed_limit_days or 0, unit=item.limit_unit, immediate=item.is_immediate,
            extension_days=item.extension_days,
            fee=item.fee_amount if item.has_fee and item.fee_amount else None,
            fee_description=(item.fee_description or item.name)[:200], certificate_type=item.result_certificate_type,
            result_name=item.result_name or item.name, instant_rules=list(item.instant_approval_rules or []),
            channels=channels, post_delivery=item.offers_post_delivery, stages=stages, materials=materials,
            kinds=applicant_kinds(audiences.get(item.id), materials), trades=trades_for(item.name),
            reasons=reasons_for(name=item.name, materials=[(m.name, m.source) for m in materials],
                                stage_names=[s.name for s in stages]),
        ))
    # Popularity: a few items take most of the cases (Zipf-like), in a seed-determined order.
    order = list(range(len(plans)))
    rng.shuffle(order)
    for rank, index in enumerate(order):
        plans[index].weight = 1.0 / (rank + 1) ** 0.9
    return plans


def bundle_plan(bundle_id: int, code: str, item_ids: list[int], audience: str | None,
                plans: dict[int, ItemPlan]) -> BundlePlan:
    """One applicant applies for a bundle's items together: of a kind every item allows, else the
    kind of the bundle's life event; a business of a trade every item that names trades allows."""
    kinds = BOTH
    for item_id in item_ids:
        kinds = kinds & plans[item_id].kinds
    if not kinds:
        kinds = frozenset((audience,)) if audience else BOTH
    trades = None
    for item_id in item_ids:
        named = plans[item_id].trades
        if named is not None:
            trades = named if trades is None else tuple(t for t in trades if t in named) or trades
    return BundlePlan(bundle_id, code, item_ids, kinds, trades)


def load_staff() -> Staff:
    staff = Staff()
    for user_id, username, role, centre_id, department_id in StaffRole.objects.filter(user__is_active=True).values_list(
            "user_id", "user__username", "role", "centre_id", "department_id").order_by("user_id"):
        actor = Actor(user_id, username)
        if role == Role.WINDOW_CLERK and centre_id:
            staff.clerks.setdefault(centre_id, []).append(actor)
            staff.any_clerk.append(actor)
        elif role in (Role.APPROVER, Role.CHIEF_REPRESENTATIVE) and department_id:
            staff.approvers.setdefault(department_id, []).append(actor)
        elif role == Role.AGENT:
            staff.agents.append(actor)
    return staff

