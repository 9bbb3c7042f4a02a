"""A small hand-checked fixture for the appraisal (March 2026, no holiday in the month):

Department A's item (20 working days legal, 5 committed):
  c1 window, accepted Mon 3-02, decided Fri 3-06 (4 working days), due 3-09, on time, 2 visits, concluded 3-10
  c2 online, accepted 3-02, decided Fri 3-13 (9 working days, 2 of them paused: 7), due 3-09, late, 0 visits
  c3 online, accepted 3-03, denied Wed 3-04 (1 working day), due 3-10, on time, 1 visit
  c4 window, submitted 3-05, refused (not decided: refusals count in the refusal rate only), 1 visit
  c5 online, concluded in April (outside March)
  c6 online, submitted 3-20, asked for a supplement, still in hand
Department B's item (30 natural days legal, 10 committed):
  d1 window, accepted 3-02, decided and concluded 3-12 (10 natural days), due 3-12, on time, 1 visit

Expected for March, department A: on time 2/3, time used (4+7+1)/(3×20) = 12/60, at most one visit
2/3, zero visits 1/3, online 3/5, supplement 1/5, refusal 1/5. Department B: on time 1/1, time used
10/30, one visit 1/1, zero 0/1, online 0/1, supplement 0/1, refusal 0/1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from onewindow.cases.models import Case, SupplementRequest
from onewindow.orgs.models import Department, ServiceCentre, User
from tests.catalog.factories import ItemFactory
from tests.factories import ApplicantFactory, DepartmentFactory, ServiceCentreFactory, make_staff

TZ = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=TZ)


@dataclass
class Fixture:
    dept_a: Department
    dept_b: Department
    centre: ServiceCentre
    clerk: User
    supervisor: User
    cases: dict[str, Case]


_n = iter(range(1, 10**6))


def make_case(item, centre, clerk, *, channel: str, state: str, submitted: str, accepted: str | None = None,
              decided: str | None = None, concluded: str | None = None, due: str | None = None, visits: int = 0,
              paused: int = 0, committed: int = 5) -> Case:
    n = next(_n)
    return Case.objects.create(
        number=f"APR-{n:06d}", query_code="123456", item=item, item_version=1, applicant=ApplicantFactory(),
        centre=centre, channel=channel, state=state, submitted_at=at(submitted, 9),
        accepted_on=date.fromisoformat(accepted) if accepted else None,
        accepted_by=clerk if accepted or channel == "window" else None,
        committed_limit_days=committed, due_on=date.fromisoformat(due) if due else None,
        decided_at=at(decided, 15) if decided else None, concluded_at=at(concluded, 16) if concluded else None,
        visit_count=visits, paused_days=paused)


def make_fixture() -> Fixture:
    dept_a, dept_b = DepartmentFactory(name="甲局"), DepartmentFactory(name="乙局")
    item_a = ItemFactory(department=dept_a, legal_limit_days=20, committed_limit_days=5)
    item_b = ItemFactory(department=dept_b, legal_limit_days=30, committed_limit_days=10, limit_unit="natural")
    centre = ServiceCentreFactory()
    clerk = make_staff("window_clerk", centre=centre, display_name="李窗口")
    supervisor = make_staff("supervisor")
    c = {
        "c1": make_case(item_a, centre, clerk, channel="window", state="concluded", submitted="2026-03-02",
                        accepted="2026-03-02", decided="2026-03-06", concluded="2026-03-10", due="2026-03-09",
                        visits=2),
        "c2": make_case(item_a, centre, clerk, channel="online", state="concluded", submitted="2026-03-01",
                        accepted="2026-03-02", decided="2026-03-13", concluded="2026-03-13", due="2026-03-09",
                        paused=2),
        "c3": make_case(item_a, centre, clerk, channel="online", state="denied", submitted="2026-03-03",
                        accepted="2026-03-03", decided="2026-03-04", concluded="2026-03-04", due="2026-03-10",
                        visits=1),
        "c4": make_case(item_a, centre, clerk, channel="window", state="refused", submitted="2026-03-05",
                        concluded="2026-03-05", visits=1),
        "c5": make_case(item_a, centre, clerk, channel="online", state="concluded", submitted="2026-02-20",
                        accepted="2026-02-24", decided="2026-04-01", concluded="2026-04-01", due="2026-03-03"),
        "c6": make_case(item_a, centre, clerk, channel="online", state="supplement_requested",
                        submitted="2026-03-20"),
        "d1": make_case(item_b, centre, clerk, channel="window", state="concluded", submitted="2026-03-02",
                        accepted="2026-03-02", decided="2026-03-12", concluded="2026-03-12", due="2026-03-12",
                        visits=1, committed=10),
    }
    SupplementRequest.objects.create(case=c["c6"], requested_at=at("2026-03-20"), requested_on=date(2026, 3, 20),
                                     defects=[], return_state="submitted")
    return Fixture(dept_a, dept_b, centre, clerk, supervisor, c)
