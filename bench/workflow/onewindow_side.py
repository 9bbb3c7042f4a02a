"""onewindow's side of bench.bench_workflow (runs inside Django, in the child process).

The item: the sample catalog's 存量房转移登记 (11450681007601036C-070010010000-02) copied with the
catalog services under its own code, without its fee (paying a fee is a step of its own, not a stage):
four stages — acceptance by the window, review by three departments in parallel (natural resources,
tax, housing), decision (natural resources, which issues the real-estate e-certificate), delivery.

Cases are submitted beforehand (`submit_case`, online, every required material provided); what is
timed is the clerk accepting, each department approving its task, the decision and the conclusion,
each through the public service function, as the pages call it: the object the page would load
(the case by id, the department's open task of the case), then the service, one transaction each."""

from __future__ import annotations

import copy
from dataclasses import dataclass

SAMPLE_ITEM = "11450681007601036C-070010010000-02"
BENCH_ITEM = "11450681007601036C-070010010000-98"
REVIEWERS = ("approver.zrzy", "approver.swj", "approver.zjj")  # the three parallel departments
DECIDER = "approver.zrzy"
CLERK = "clerk"
STEPS = ("accept", "review_zrzy", "review_swj", "review_zjj", "decide", "conclude")


@dataclass
class Actors:
    clerk: object
    reviewers: list  # (user, department id) per parallel department
    decider: tuple


def setup_item():
    """The benchmark item, created with the catalog services (validated, versioned, announced)."""
    from onewindow.catalog import services as catalog
    from onewindow.catalog.itemdata import item_to_data
    from onewindow.catalog.models import Item

    existing = Item.objects.filter(code=BENCH_ITEM).first()
    if existing is not None:
        return existing
    data = item_to_data(Item.objects.get(code=SAMPLE_ITEM))
    data.update({"code": BENCH_ITEM, "name": data["name"] + "（性能基准）", "has_fee": False, "fee_amount": "0.00",
                 "fee_description": "", "online_payment": False, "life_events": []})
    return catalog.create_item(data=data, reason="性能基准测试专用事项（无收费环节）")


def actors() -> Actors:
    from onewindow.orgs.models import Department, User

    users = {u.username: u for u in User.objects.filter(username__in=[CLERK, *REVIEWERS])}
    departments = {f"approver.{d.code.removeprefix('dx-')}": d.id
                   for d in Department.objects.filter(code__in=["dx-zrzy", "dx-swj", "dx-zjj"])}
    return Actors(clerk=users[CLERK], reviewers=[(users[name], departments[name]) for name in REVIEWERS],
                  decider=(users[DECIDER], departments[DECIDER]))


def fresh(user):
    """The account as a new request hands it to the service: the row, without the roles another
    request looked up (orgs.selectors caches them on the object for one request)."""
    clone = copy.copy(user)
    clone.__dict__.pop("_onewindow_roles", None)
    return clone


def submit(item, count: int, applicants: list) -> list[int]:
    """`count` cases submitted online by the window clerk on behalf of the applicants, every required
    material provided; state SUBMITTED. Not timed."""
    from onewindow.cases.models import Channel
    from onewindow.cases.services import submit_case
    from onewindow.orgs.models import ServiceCentre, User

    clerk = User.objects.get(username=CLERK)
    centre = ServiceCentre.objects.get(code="DX01")
    required = list(item.materials.filter(required=True).values_list("id", flat=True))
    ids = []
    for n in range(count):
        case = submit_case(item=item, applicant=applicants[n % len(applicants)], channel=Channel.ONLINE,
                           centre=centre, form_data={"bench": n}, provided_material_ids=required,
                           submitted_by=clerk)
        ids.append(case.pk)
    return ids


def register_applicants(count: int) -> list:
    from datetime import date

    from onewindow.orgs import identity
    from onewindow.orgs.services import register_applicant

    return [register_applicant(kind="person", name=f"基准{n:03d}", address="广西东兴市兴东路 1 号",
                               id_number=identity.generate_resident_id(
                                   region="450681", birth_date=date(1980, 1 + n % 12, 1 + n % 28), sequence=n))
            for n in range(count)]


# -- the timed actions: one page request's worth of work each ---------------------------------------

def accept(case_id: int, who: Actors) -> None:
    from onewindow.cases.models import Case
    from onewindow.cases.services import accept_case

    accept_case(clerk=fresh(who.clerk), case=Case.objects.get(pk=case_id))


def _approve(case_id: int, user, department_id: int) -> None:
    from onewindow.cases.selectors import open_task_of_department
    from onewindow.cases.services import approve_task

    # as the action page loads it: one compiled statement, the task with its case and department
    task = open_task_of_department(case_id, department_id)
    approve_task(approver=fresh(user), task=task, opinion="审查通过")


def review(index: int):
    def step(case_id: int, who: Actors) -> None:
        user, department_id = who.reviewers[index]
        _approve(case_id, user, department_id)
    return step


def decide(case_id: int, who: Actors) -> None:
    _approve(case_id, *who.decider)


def conclude(case_id: int, who: Actors) -> None:
    from onewindow.cases.models import Case
    from onewindow.cases.services import conclude_case

    conclude_case(actor=fresh(who.clerk), case=Case.objects.get(pk=case_id), delivery_method="electronic")


ACTIONS = dict(zip(STEPS, (accept, review(0), review(1), review(2), decide, conclude), strict=True))


def check(case_ids: list[int]) -> dict:
    """Every case concluded with its certificate, every task approved, every case's audit chain
    verifies and holds the events of the whole path."""
    from onewindow.audit.models import AuditChain
    from onewindow.audit.services import verify
    from onewindow.cases.models import Case, Certificate, Task
    from onewindow.cases.states import CaseState, TaskState
    from onewindow.cases.transitions import chain_key

    cases = list(Case.objects.filter(pk__in=case_ids).only("pk", "number", "state"))
    problems = []
    not_concluded = [c.number for c in cases if c.state != CaseState.CONCLUDED]
    if len(cases) != len(case_ids) or not_concluded:
        problems.append(f"{len(not_concluded)} of {len(case_ids)} cases not concluded: {not_concluded[:3]}")
    tasks = Task.objects.filter(case_id__in=case_ids)
    undone = tasks.exclude(state=TaskState.APPROVED).count()
    if undone or tasks.count() != 6 * len(case_ids):
        problems.append(f"{undone} tasks not approved, {tasks.count()} tasks for {len(case_ids)} cases (want 6 each)")
    certificates = Certificate.objects.filter(case_id__in=case_ids).count()
    if certificates != len(case_ids):
        problems.append(f"{certificates} certificates for {len(case_ids)} cases")
    keys = [chain_key(c) for c in cases]
    report = verify(chain_keys=keys)
    problems += report.problems[:5]
    lengths = sorted(set(AuditChain.objects.filter(key__in=keys).values_list("length", flat=True)))
    return {"cases": len(cases), "tasks": tasks.count(), "certificates": certificates, "chains": report.chains,
            "events": report.events, "chain_lengths": lengths, "problems": problems}
