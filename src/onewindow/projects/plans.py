"""What each kind of project goes through and what the county commits to: the stages in order, each
stage's limit, and the committed total (Yumen's commitment: at most 70 working days for a
government-invested project, 35 for a socially invested one, 30 for getting electricity). The totals
can be changed in settings (ONEWINDOW_PROJECT_COMMITMENTS, kind -> working days); a stage's limit is
its share of the total, the last stage taking what rounding leaves, so the stages always add up to the
total."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectKind(models.TextChoices):
    GOVERNMENT = "government", _("政府投资项目")
    SOCIAL = "social", _("社会投资项目")
    ELECTRICITY = "electricity", _("获得电力")


class StageKind(models.TextChoices):
    LAND_PLANNING = "land_planning", _("立项用地规划许可")
    WORKS_PERMIT = "works_permit", _("工程建设许可")
    CONSTRUCTION_PERMIT = "construction_permit", _("施工许可")
    COMPLETION = "completion", _("竣工验收")
    POWER_APPLICATION = "power_application", _("用电报装与供电方案")
    POWER_EXTERNAL = "power_external", _("外线工程及行政审批")
    POWER_CONNECTION = "power_connection", _("装表接电")


# Stages whose work is not an administrative item (the power company's own application, scheme and
# connection): completed when the staff confirm it, with no case to wait for.
WITHOUT_CASES = frozenset({StageKind.POWER_APPLICATION.value, StageKind.POWER_CONNECTION.value})

DEFAULT_COMMITMENTS = {ProjectKind.GOVERNMENT: 70, ProjectKind.SOCIAL: 35, ProjectKind.ELECTRICITY: 30}

# Each stage's share of the total (the four stages of 工程建设项目审批制度改革; getting electricity's own).
STAGE_SHARES: dict[str, tuple[tuple[str, float], ...]] = {
    ProjectKind.GOVERNMENT: ((StageKind.LAND_PLANNING, 0.35), (StageKind.WORKS_PERMIT, 0.25),
                             (StageKind.CONSTRUCTION_PERMIT, 0.15), (StageKind.COMPLETION, 0.25)),
    ProjectKind.SOCIAL: ((StageKind.LAND_PLANNING, 0.3), (StageKind.WORKS_PERMIT, 0.3),
                         (StageKind.CONSTRUCTION_PERMIT, 0.15), (StageKind.COMPLETION, 0.25)),
    ProjectKind.ELECTRICITY: ((StageKind.POWER_APPLICATION, 0.2), (StageKind.POWER_EXTERNAL, 0.6),
                              (StageKind.POWER_CONNECTION, 0.2)),
}


@dataclass(frozen=True)
class StagePlan:
    order: int
    kind: str
    limit: int


def commitment(kind: str) -> int:
    """The committed total in working days for a kind of project."""
    configured = getattr(settings, "ONEWINDOW_PROJECT_COMMITMENTS", None) or {}
    return int(configured.get(str(kind), DEFAULT_COMMITMENTS[ProjectKind(kind)]))


def stages(kind: str) -> list[StagePlan]:
    """The stages of a kind of project in order, with limits that add up to its commitment."""
    total = commitment(kind)
    shares = STAGE_SHARES[str(kind)]
    plans, used = [], 0
    for order, (stage_kind, share) in enumerate(shares, start=1):
        limit = total - used if order == len(shares) else max(1, round(total * share))
        used += limit
        plans.append(StagePlan(order, str(stage_kind), limit))
    return plans
