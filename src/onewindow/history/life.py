"""One sample case's life for the history generator (history/generator.py): a planned timeline —
intake, each step's parallel tasks, clock stops, decision, delivery — cut at the generator's `now`,
then written as the rows the services would have left behind (rows.py)."""

from __future__ import annotations

from bisect import bisect
from datetime import date, datetime, timedelta
from itertools import accumulate

from onewindow.cases.deadlines import earlier_step_dates
from onewindow.cases.models import Case, CaseMaterial, DenialFiling, Fee, SupplementRequest, Task
from onewindow.catalog.models import MaterialSource

from . import chains
from .chains import EventLog
from .life_clock import ClockStops
from .life_outcome import Outcome
from .people import ApplicantRef
from .plan import NOBODY, Actor, ItemPlan
from .rows import CaseMaterialRow, DenialFilingRow, FeeRow, SupplementRequestRow, TaskRow
from .values import REVIEW_KINDS, A, CaseMaterialStatus, DenialKind, FeeState, S, Stop, TaskState, to_json

OPINIONS = ("符合条件，同意", "材料齐全，审查通过", "同意办理", "经审查符合法定条件")


class P:
    """Scenario probabilities (see generator.py)."""

    REFUSED = 0.03
    SUPPLEMENT = 0.08
    WITHDRAWN = 0.01
    DENIED = 0.03
    LATE = 0.06
    WAIVER = 0.08
    PROCEDURE = 0.04
    EXTENSION = 0.05
    REVIEW_SUPPLEMENT = 0.03


class _Life(EventLog, ClockStops, Outcome):
    def __init__(self, g, plan: ItemPlan, day: date, applicant: ApplicantRef, *, bundle_application_id,
                 submitted_at, channel, centre):
        self.g, self.plan, self.rng = g, plan, g.rng
        self.applicant = applicant
        self.bundle_application_id = bundle_application_id
        self.channel = channel or self.pick_channel()
        self.centre = centre or (g.county if self.channel != "window"
                                 else self.rng.choices(g.centres, cum_weights=g.centre_cum_weights)[0])
        if self.centre.id not in g.accepting.get(plan.id, (self.centre.id,)):
            self.centre = g.county  # not delegated to that centre: handled at the county's
        self.submitted_at = submitted_at or (g.office_time(day) if self.channel == "window"
                                             else g.at(day, self.rng.randint(420, 1380)))
        if self.submitted_at > g.now:
            self.submitted_at = g.now - timedelta(minutes=self.rng.randint(1, 600))
        self.day = self.local_day(self.submitted_at)
        self.id = g.writer.new_id(Case)
        self.number = g.number_for(self.centre.id, self.centre.code, self.day)
        clerks = g.staff.clerks.get(self.centre.id) or g.staff.any_clerk
        self.clerk = self.rng.choice(clerks) if clerks else NOBODY
        windows = g.windows.get(self.centre.id)
        self.window_id = self.rng.choice(windows) if self.channel == "window" and windows else None
        self.state = S.SUBMITTED
        self.events: list[tuple] = []
        self.tasks: list[TaskRow] = []
        self.materials: list[CaseMaterialRow] = []
        self.fee: FeeRow | None = None
        self.accepted_on: date | None = None
        self.due: date | None = None
        self.concluded_at: datetime | None = None
        self.decided_at: datetime | None = None
        self.delivered_at: datetime | None = None
        self.paused_since: date | None = None
        self.stopped_on: date | None = None
        self.case_dates = None  # (due, warn, late) of the case's clock as it stands (ClockStops)
        self.provisional, self.version = False, None
        self.extension_days = self.paused_days = 0
        self.visits = 1 if self.channel == "window" else 0
        self.accepted_by = None
        self.decision_reason = self.delivery_method = self.delivery_address = self.tracking = ""
        self.instant_rule: dict | None = None
        self.form_data = {"contact_phone": f"1387700{self.rng.randrange(10**4):04d}"}
        self.agent_id = None
        if g.staff.agents and self.rng.random() < 0.02:
            self.agent_id = self.rng.choice(g.staff.agents).id

    # -- helpers ----------------------------------------------------------------------------------
    def pick_channel(self) -> str:
        plan = self.plan
        found = self.g.channel_options.get(plan.id)
        if found is None:
            options = [("window", 55)]
            if "online" in plan.channels:
                options += [("online", 35), ("api", 4)]
            if "post" in plan.channels:
                options.append(("post", 5))
            found = self.g.channel_options[plan.id] = ([o for o, _w in options], list(accumulate(w for _o, w in options)))
        names, cum_weights = found
        # rng.choices(names, weights=...)[0], its draw made here (same draw, no per-call setup).
        return names[bisect(cum_weights, self.rng.random() * cum_weights[-1], 0, len(names) - 1)]

    def happen(self, moment: datetime) -> datetime:
        if moment > self.g.now:
            raise Stop
        return moment

    def approver(self, department_id) -> Actor:
        people = self.g.staff.approvers.get(department_id)
        return self.rng.choice(people) if people else NOBODY

    def applicant_actor(self) -> Actor:
        return Actor(self.applicant.user_id, self.applicant.username) if self.applicant.user_id else NOBODY

    def later(self, moment: datetime, days: int) -> datetime:
        """An office-hours moment `days` working days after `moment` (same day: a little later)."""
        day = self.local_day(moment)
        if days <= 0:
            return moment + timedelta(minutes=self.rng.randint(5, 90))
        return max(self.g.office_time(self.g.workday_after(day, days)), moment + timedelta(minutes=1))

    def local_day(self, moment: datetime) -> date:
        offset = self.g.fixed_offset
        return (moment + offset).date() if offset is not None else moment.astimezone(self.g.tz).date()

    # -- the life ---------------------------------------------------------------------------------
    def live(self) -> None:
        rng, plan = self.rng, self.plan
        submitter = self.clerk if self.channel == "window" else self.applicant_actor()
        self.event(self.submitted_at, submitter, A.submitted, "", S.SUBMITTED,
                   data=chains.submitted_data(plan.code, self.channel))
        self.add_materials()
        try:
            if plan.instant_rules and self.channel in ("online", "api") and not self.applicant.bad_credit \
                    and rng.random() < 0.7:
                return self.instant()
            r = rng.random()
            intake = self.submitted_at + timedelta(minutes=rng.randint(3, 40)) if self.channel == "window" \
                else self.later(self.submitted_at, rng.choice((0, 1, 1, 2)))
            self.happen(intake)
            if r < P.REFUSED:
                return self.refuse(intake)
            if r < P.REFUSED + P.SUPPLEMENT and not plan.immediate and self.supplement_candidates():
                intake = self.intake_supplement(intake)
            self.accept(intake, waiver=not plan.immediate and not self.applicant.bad_credit and rng.random() < P.WAIVER)
            if rng.random() < P.WITHDRAWN:
                return self.withdraw(self.later(intake, rng.randint(1, 3)))
            self.work(intake, late=rng.random() < P.LATE, denied=rng.random() < P.DENIED)
        except Stop:
            pass
        finally:
            self.write()

    def add_materials(self) -> None:
        g, rng, case_id = self.g, self.rng, self.id
        holdings, applicant_id, day = g.holdings, self.applicant.id, self.day
        for spec in self.plan.materials:
            certificate_id = None
            if not spec.required and rng.random() > 0.2:
                status = CaseMaterialStatus.NOT_APPLICABLE
            elif spec.source == MaterialSource.DATA_SHARING:
                status = CaseMaterialStatus.FROM_DATA_SHARING
            elif spec.certificate_type and (held := holdings.get((applicant_id, spec.certificate_type))) \
                    and held.issued_on <= day:
                status, certificate_id = CaseMaterialStatus.FROM_CERTIFICATE, held.id
            else:
                status = CaseMaterialStatus.PROVIDED
            self.materials.append(CaseMaterialRow(
                id=g.writer.new_id(CaseMaterial), case=case_id, material=spec.id, name=spec.name[:200], status=status,
                certificate=certificate_id, file="", promised_by=None, supplied_at=None, note=""))

    def instant(self) -> None:
        """秒批: rules decide at once; the result is issued within the minute."""
        plan, at = self.plan, self.submitted_at
        self.form_data.update({rule.get("field", f"rule{i}"): True for i, rule in enumerate(plan.instant_rules)
                               if "." not in str(rule.get("field", ""))})
        self.instant_rule = {"rules": [
            {"label": rule.get("label", ""), "field": rule.get("field", ""), "op": rule.get("op", ""),
             "value": rule.get("value"), "held": True,
             "actual": (self.applicant.kind if rule.get("field") == "applicant.kind" else self.applicant.bad_credit
                        if rule.get("field") == "applicant.bad_credit" else True)}
            for rule in plan.instant_rules]}
        self.accept(at + timedelta(seconds=2), waiver=False, actor=NOBODY)
        moment = at + timedelta(seconds=3)
        for task in self.tasks:
            if task.kind in REVIEW_KINDS:
                task.state, task.opened_on, task.completed_at, task.opinion = (
                    TaskState.APPROVED, self.accepted_on, moment, "秒批：规则全部满足")
        self.decided_at, self.stopped_on = moment, self.local_day(moment)
        self.event(moment, NOBODY, A.approved, S.IN_PROGRESS, S.APPROVED, data={"instant": True})
        self.issue(moment)
        self.conclude(moment + timedelta(seconds=5), method="electronic")

    def refuse(self, moment) -> None:
        reason = self.rng.choice(self.plan.reasons.refusals)
        self.decision_reason, self.stopped_on = reason, self.local_day(moment)
        self.event(moment, self.clerk, A.refused, S.SUBMITTED, S.REFUSED, reason=reason)
        self.g.writer.add(DenialFiling, DenialFilingRow(
            id=self.g.writer.new_id(DenialFiling), case=self.id, kind=DenialKind.REFUSAL,
            department=self.plan.department_id, reason=reason, filed_by=self.clerk.id, filed_at=moment))

    def supplement_candidates(self) -> list[tuple[CaseMaterialRow, object]]:
        """The documents the applicant handed in (a defect can only be found in those)."""
        return [(row, spec) for row, spec in zip(self.materials, self.plan.materials, strict=True)
                if row.status == CaseMaterialStatus.PROVIDED]

    def supplement_defects(self) -> list[dict]:
        candidates = self.supplement_candidates()
        kind = self.applicant.kind
        chosen = self.rng.sample(candidates, min(len(candidates), self.rng.choice((1, 1, 2))))
        return [{"material_id": spec.id, "name": row.name, "reason": self.rng.choice(spec.defects[kind])}
                for row, spec in chosen]

    def intake_supplement(self, moment) -> datetime:
        """补正 at intake: one notice with every defect; the case waits for the applicant."""
        defects = self.supplement_defects()
        request_id = self.g.writer.new_id(SupplementRequest)
        self.event(moment, self.clerk, A.supplement_requested_at_intake, S.SUBMITTED, S.SUPPLEMENT_REQUESTED,
                   data={"defects": defects})
        supplied = self.later(moment, self.rng.randint(1, 6))
        done = supplied <= self.g.now
        self.g.writer.add(SupplementRequest, SupplementRequestRow(
            id=request_id, case=self.id, task=None, requested_by=self.clerk.id, requested_at=moment,
            requested_on=self.local_day(moment), defects=to_json(defects), return_state=S.SUBMITTED,
            supplied_at=supplied if done else None))
        self.g.stats["supplemented_at_intake"] += 1
        self.happen(supplied)
        if self.channel == "window":
            self.visits += 1
        self.event(supplied, self.clerk, A.supplied, S.SUPPLEMENT_REQUESTED, S.SUBMITTED)
        return supplied + timedelta(minutes=self.rng.randint(3, 30))

    def accept(self, moment, *, waiver: bool, actor=None) -> None:
        g, plan = self.g, self.plan
        actor = self.clerk if actor is None else actor
        self.happen(moment)
        self.accepted_on = self.local_day(moment)
        self.recompute_due()
        self.accepted_by = actor.id
        waivers = {}
        if waiver and plan.limit >= 5:
            for row, spec in zip(self.materials, plan.materials, strict=True):
                if spec.waivable and row.status == CaseMaterialStatus.PROVIDED:
                    promised = g.workday_after(self.accepted_on, min(20, plan.limit - 2, self.rng.randint(2, 8)))
                    row.status, row.promised_by = CaseMaterialStatus.WAIVED, promised
                    waivers[str(spec.id)] = promised.isoformat()
                    break
            if waivers:
                g.stats["waivers"] += 1
        assert self.due is not None  # set by acceptance just above
        self.event(moment, actor, A.accepted, S.SUBMITTED, S.IN_PROGRESS,
                   data=chains.accepted_data(self.due, self.version, self.provisional, waivers))
        case_id = self.id
        for stage in plan.stages:
            task = TaskRow(id=g.writer.new_id(Task), case=case_id, step=stage.step, kind=stage.kind, name=stage.name,
                           department=stage.department_id, state=TaskState.WAITING, limit_days=stage.limit_days,
                           opened_on=None, due_on=None, completed_at=None, completed_by=None, opinion="")
            if stage.kind == "acceptance":  # approval.create_tasks: the window's own decision, done now
                task.state, task.opened_on, task.due_on = TaskState.APPROVED, self.accepted_on, self.accepted_on
                task.limit_unit, task.stopped_on = plan.unit, self.accepted_on
                task.completed_at, task.completed_by, task.opinion = moment, actor.id, "综合窗口受理"
            self.tasks.append(task)
        self.review_steps = sorted({t.step for t in self.tasks if t.kind in REVIEW_KINDS})
        if self.review_steps:
            self.open_step(self.review_steps[0], moment, actor)
        if plan.fee is not None:
            self.fee = FeeRow(id=g.writer.new_id(Fee), case=case_id, description=plan.fee_description, amount=plan.fee,
                              state=FeeState.UNPAID, paid_at=None, receipt_number="")

    def withdraw(self, moment) -> None:
        self.happen(moment)
        reason = self.rng.choice(self.plan.reasons.withdrawals[self.applicant.kind])
        for task in self.tasks:
            if task.state in (TaskState.OPEN, TaskState.WAITING):
                task.state = TaskState.CANCELLED
        self.decision_reason, self.stopped_on = reason, self.local_day(moment)
        self.event(moment, self.applicant_actor() if self.applicant.user_id else self.clerk, A.withdrawn,
                   self.state, S.WITHDRAWN, reason=reason)

    def work(self, accepted_at, *, late: bool, denied: bool) -> None:
        g, rng, plan = self.g, self.rng, self.plan
        steps = self.review_steps
        limit = plan.limit
        extension = plan.extension_days if plan.extension_days and limit >= 5 and rng.random() < P.EXTENSION else 0
        budget = limit + extension
        used = (budget + rng.randint(1, 6)) if late and limit else \
            (rng.randint(max(1, int(limit * 0.3)), limit) if limit else 0)
        weights = [max([t.limit_days for t in self.tasks if t.step == s and t.kind in REVIEW_KINDS] + [1])
                   for s in steps]
        total = sum(weights)
        ends, running = [], 0.0
        for weight in weights:
            running += used * weight / total
            ends.append(round(running))
        procedure_step = rng.choice(steps) if len(steps) > 1 and limit >= 5 and plan.reasons.procedures \
            and rng.random() < P.PROCEDURE else None
        review_supplement_step = steps[0] if limit >= 5 and rng.random() < P.REVIEW_SUPPLEMENT \
            and self.supplement_candidates() else None
        denial_step = steps[-2] if denied and len(steps) >= 2 and limit else None
        shift = 0  # paused working days so far
        moment = accepted_at
        for step, end in zip(steps, ends, strict=True):
            tasks = [t for t in self.tasks if t.step == step and t.kind in REVIEW_KINDS]
            if tasks[0].state == TaskState.WAITING:
                self.open_step(step, moment, self.approver(tasks[0].department))
            if step == review_supplement_step:
                shift += self.review_supplement(tasks[0], moment)
            if step == procedure_step:
                shift += self.special_procedure(tasks[0], moment)
            if extension and step == steps[min(1, len(steps) - 1)]:
                self.extend(tasks[0], moment, extension)
                extension = 0
            finish_day = g.workday_after(self.accepted_on, end + shift)
            finish = max(g.office_time(finish_day), moment + timedelta(minutes=rng.randint(2, 30)))
            for task in sorted(tasks, key=lambda t: t.id):
                actor = self.approver(task.department)
                done = self.happen(finish - timedelta(minutes=rng.randint(0, 20)) if len(tasks) > 1 else finish)
                done = max(done, moment + timedelta(minutes=1))
                if step == denial_step and task is tasks[-1]:
                    return self.deny(task, done, actor)
                task.state, task.completed_at, task.completed_by = TaskState.APPROVED, done, actor.id
                task.opinion = rng.choice(OPINIONS)
                self.event(done, actor, A.task_approved, "", "", reason=task.opinion,
                           data=chains.task_approved_data(task.id, step, task.name,
                                                          self.g.department_names.get(task.department, "")))
                moment = max(moment, done)
        self.settle(moment)

    def open_step(self, step, moment, actor) -> None:
        """approval.open_next_step: every waiting review task of the step opens at once (parallel)."""
        opened_on, opened = self.local_day(moment), []
        task_dates, case_dates, unit = self.g.clock.task_dates, self.case_dates, self.plan.unit
        floor = earlier_step_dates(self.tasks, step)
        for task in self.tasks:
            if task.step == step and task.kind in REVIEW_KINDS and task.state == TaskState.WAITING:
                task.state, task.opened_on, task.limit_unit = TaskState.OPEN, opened_on, unit
                task.due_on, task.warn_on, task.late_on = task_dates(opened_on, task.limit_days, 0, unit, case_dates,
                                                                     floor)
                opened.append((task.id, self.g.department_names.get(task.department, ""), task.due_on))
        self.event(moment, actor, A.step_opened, "", "", data=chains.step_opened_data(step, opened))


def simulate_case(g, plan: ItemPlan, day: date, applicant: ApplicantRef, *, bundle_application_id=None,
                  submitted_at=None, channel=None, centre=None) -> None:
    _Life(g, plan, day, applicant, bundle_application_id=bundle_application_id, submitted_at=submitted_at,
          channel=channel, centre=centre).live()
