"""Who may see and act on a project. Used by the services (every write checks it again), the selectors
(every list filters by it) and the action registry (what a page offers).

- the efficiency office (supervisor) and administrators: every project, every action;
- window clerks of the project's lead centre: register and carry it (start and complete stages, attach
  cases, pause for the applicant, close);
- the coordinator (帮办) of a key project — the agent on its file: sees it, attaches the builder's cases
  and records that the builder must act (pause and resume), never completes or closes."""

from __future__ import annotations

from onewindow.orgs import selectors as orgs
from onewindow.orgs.models import Role

OVERSEER_ROLES = {Role.SUPERVISOR.value, Role.ADMINISTRATOR.value}


def is_overseer(user) -> bool:
    return bool(orgs.roles_of(user) & OVERSEER_ROLES)


def clerk_centre_ids(user) -> set[int]:
    return orgs.role_scopes(user, (Role.WINDOW_CLERK,))[0]


def may_register(user, centre_id: int) -> bool:
    return is_overseer(user) or centre_id in clerk_centre_ids(user)


def manages(user, project) -> bool:
    """Carries the project: a clerk of its centre or the efficiency office."""
    return may_register(user, project.centre_id)


def coordinates(user, project) -> bool:
    """The coordinator (帮办) of the project: the agent assigned to its file."""
    return bool(getattr(user, "is_authenticated", False) and project.file.agent_id == user.id)


def may_assist(user, project) -> bool:
    return manages(user, project) or coordinates(user, project)
