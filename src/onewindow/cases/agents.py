"""Agents (代办): an agent carries a case, or every case of a key project, through every step and acts
for the applicant (submit, supply, pay, withdraw, read)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.orgs.models import Role

from . import access
from .inputs import moment
from .models import Case, KeyProject
from .states import FINAL_CASE_STATES
from .transitions import lock_case, record_event


def assign_agent(*, actor, case: Case | None = None, project=None, agent, now: datetime | None = None):
    """代办: an agent carries a case, or every case of a key project, and acts for the applicant.
    Assigned by a clerk of the case's centre (any clerk for a project) or the efficiency office."""
    now = moment(now)
    if (case is None) == (project is None):
        raise ValidationError(_("请指定一个办件或一个重点项目"), field="case")
    if agent is None or Role.AGENT not in access.roles(agent):
        raise ValidationError(_("“%(u)s”不是代办员") % {"u": agent}, field="agent")
    overseer = access.is_overseer(actor)
    if case is not None:
        if not (overseer or access.is_clerk_of(actor, case.centre_id)):
            raise PermissionDenied(_("只有受理中心的窗口人员或效能办才能指派代办员"))
        with transaction.atomic():
            locked = lock_case(case)
            if locked.state in FINAL_CASE_STATES:
                raise Conflict(_("办件 %(n)s 已结束，不能再指派代办员") % {"n": locked.number})
            previous = locked.agent
            locked.agent = agent
            locked.save(update_fields=["agent", "updated_at"])
            record_event(locked, "agent_assigned", actor=actor, now=now,
                         data={"agent": agent.get_username(), "previous": previous.get_username() if previous else None})
        return Case.objects.get(pk=case.pk)
    if not (overseer or access.clerk_centre_ids(actor)):
        raise PermissionDenied(_("只有窗口人员或效能办才能为重点项目指派代办员"))
    with transaction.atomic():
        project.agent = agent
        project.save(update_fields=["agent"])
        audit.record(chain_key=f"project:{project.code}", action="onewindow.project.agent_assigned", actor=actor,
                     now=now, data={"agent": agent.get_username()})
        for member in project.cases.exclude(state__in=FINAL_CASE_STATES):
            record_event(member, "agent_assigned", actor=actor, now=now,
                         data={"agent": agent.get_username(), "project": project.code})
    return project


def open_project_file(*, code: str, name: str, applicant) -> KeyProject:
    """The file the cases of a project point at (`Case.project`; its agent, 帮办, acts for the builder on
    every case of the project). Opened by the projects app when it registers a project, inside its
    transaction; a code already on file is refused."""
    if KeyProject.objects.filter(code=code).exists():
        raise Conflict(_("项目编号 %(code)s 已存在") % {"code": code}, field="code")
    return KeyProject.objects.create(code=code, name=name, applicant=applicant)
