"""A small Dongxing world for the security suite: every role, and two cases in two centres handled by
two departments, made through the real services (tests/cases/factories.build_world)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from onewindow.calendar.services import seed_official_calendar
from tests.cases.factories import World, accepted_case, at, build_world
from tests.factories import make_staff


@pytest.fixture(autouse=True)
def _empty_cache(db):
    # Throttle counters and sign-in failures live in the cache: every test starts with none.
    cache.clear()
    yield
    cache.clear()


@dataclass
class Matrix:
    world: World
    users: dict  # role name -> user (None for anonymous)
    case_a: object  # applicant A's case at DX01, with an open task of department X (市场监管)
    case_b: object  # applicant B's case at JPZ01, with an open task of department Y (自然资源)

    def user(self, role: str):
        return self.users[role]


ROLES = ["anonymous", "applicant_a", "applicant_b", "clerk", "other_clerk", "approver_x", "approver_y", "chief",
         "agent", "supervisor", "administrator"]
# Who may see which case (cases.selectors.cases_visible_to): the applicant, the centre's clerks, the
# departments with a task on it, the agent assigned to it, and the overseers.
SEES = {
    "A": {"applicant_a", "clerk", "approver_x", "supervisor", "administrator"},
    "B": {"applicant_b", "other_clerk", "approver_y", "chief", "agent", "supervisor", "administrator"},
}
STAFF = {"clerk", "other_clerk", "approver_x", "approver_y", "chief", "agent", "supervisor", "administrator"}
APPLICANTS = {"applicant_a", "applicant_b"}


def build_matrix() -> Matrix:
    from onewindow.cases import services

    seed_official_calendar()
    w = build_world()
    administrator = make_staff("administrator", username="admin")
    case_a = accepted_case(w)
    now = at(2026, 9, 30, 11)
    case_b = services.submit_case(
        item=w.needs_licence, applicant=w.stranger_user.applicant, channel="online", centre=w.other_centre,
        provided_material_ids=w.all_required(w.needs_licence), submitted_by=w.stranger_user, now=now)
    case_b = services.accept_case(clerk=w.other_clerk, case=case_b, now=now)
    services.assign_agent(actor=w.other_clerk, case=case_b, agent=w.agent, now=now)
    users = {
        "anonymous": None, "applicant_a": w.applicant_user, "applicant_b": w.stranger_user, "clerk": w.clerk,
        "other_clerk": w.other_clerk, "approver_x": w.approver_scj, "approver_y": w.approver_zrzy,
        "chief": w.chief_zrzy, "agent": w.agent, "supervisor": w.supervisor, "administrator": administrator,
    }
    return Matrix(world=w, users=users, case_a=case_a, case_b=case_b)


@pytest.fixture
def matrix(db) -> Matrix:
    return build_matrix()
