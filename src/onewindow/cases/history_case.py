"""One sample case's life for the history generator (cases/history.py): a planned timeline — intake,
each step's parallel tasks, clock stops, decision, delivery — cut at the generator's `now`, then
written as the rows the services would have left behind."""

from __future__ import annotations

from bisect import bisect
from datetime import date, datetime, timedelta
from itertools import accumulate

from onewindow.catalog.models import MaterialSource

from . import history_audit as audit
from .history_case_clock import ClockStops
from .history_case_outcome import Outcome
from .history_values import (
    NOBODY,
    REVIEW_KINDS,
    SYSTEM,
    CaseMaterialStatus,
    DenialKind,
    FeeState,
    S,
    Stop,
    TaskState,
    to_json,
)
from .models import Case, CaseMaterial, DenialFiling, Fee, SupplementRequest, Task


class _Life(ClockStops, Outcome):
    def __init__(self, g, plan, day, applicant, *, bundle_application_id, submitted_at, channel, centre):
        from . import history

        self.g, self.plan, self.rng = g, plan, g.rng
        self.history = history
        (self.applicant_id, self.kind, self.applicant_name, self.user_id, self.username, self.bad_credit,
         self.id_number) = applicant
        self.bundle_application_id = bundle_application_id
        self.channel = channel or self.pick_channel()
        self.centre = centre or (g.county if self.channel != "window"
                                 else self.rng.choices(g.centres, cum_weights=g.centre_cum_weights)[0])
        self.submitted_at = submitted_at or (g.office_time(day) if self.channel == "window"
                                             else g.at(day, self.rng.randint(420, 1380)))
        if self.submitted_at > g.now:
            self.submitted_at = g.now - timedelta(minutes=self.rng.randint(1, 600))
        self.day = self.local_day(self.submitted_at)
        self.id = g.writer.new_id(Case)
        self.number = g.number_for(self.centre[0], self.centre[1], self.day)
        clerks = g.staff.clerks.get(self.centre[0]) or g.staff.any_clerk
        self.clerk = self.rng.choice(clerks) if clerks else NOBODY
        windows = g.windows.get(self.centre[0])
        self.window_id = self.rng.choice(windows) if self.channel == "window" and windows else None
        self.state = S.SUBMITTED
        self.events: list[tuple] = []
        self.tasks: list[list] = []
        self.materials: list[list] = []
        self.fee: list | None = None
        self.accepted_on = self.due = self.concluded_at = self.decided_at = self.delivered_at = None
        self.paused_since = None
        self.provisional, self.version = False, None
        self.extension_days = self.paused_days = 0
        self.visits = 1 if self.channel == "window" else 0
        self.accepted_by = None
        self.decision_reason = self.delivery_method = self.delivery_address = self.tracking = ""
        self.instant_rule = None
        self.form_data = {"contact_phone": f"1387700{self.rng.randrange(10**4):04d}"}
        self.agent_id = None
        if g.staff.agents and self.rng.random() < 0.02:
            self.agent_id = self.rng.choice(g.staff.agents)[0]

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

    def event(self, moment, actor, verb, frm, to, reason="", data: dict | str | None = None) -> None:
        """As transitions.transition / record_event write it: an event that keeps the state records the
        state as both from and to; an event without a person is the system's. `data`: a dict, or its
        sorted compact JSON already (history_audit's builders)."""
        frm, to = (frm or self.state), (to or self.state)
        if verb == "submitted":
            frm = ""
        if data is None:
            data = "{}"
        elif type(data) is not str:
            data = audit.sorted_json(data)
        self.events.append((moment, actor[0], actor[1] or SYSTEM, f"onewindow.case.{verb}", frm, to, reason, data))
        self.state = to

    def approver(self, department_id):
        people = self.g.staff.approvers.get(department_id)
        return self.rng.choice(people) if people else NOBODY

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
        applicant_actor = (self.user_id, self.username) if self.user_id else NOBODY
        submitter = self.clerk if self.channel == "window" else applicant_actor
        self.event(self.submitted_at, submitter, "submitted", "", S.SUBMITTED,
                   data=audit.submitted_data(plan.code, self.channel))
        self.add_materials()
        try:
            if plan.instant_rules and self.channel in ("online", "api") and not self.bad_credit \
                    and rng.random() < 0.7:
                return self.instant()
            r = rng.random()
            intake = self.submitted_at + timedelta(minutes=rng.randint(3, 40)) if self.channel == "window" \
                else self.later(self.submitted_at, rng.choice((0, 1, 1, 2)))
            self.happen(intake)
            if r < P.REFUSED:
                return self.refuse(intake)
            if r < P.REFUSED + P.SUPPLEMENT and not plan.immediate:
                intake = self.intake_supplement(intake)
            self.accept(intake, waiver=not plan.immediate and not self.bad_credit and rng.random() < P.WAIVER)
            if rng.random() < P.WITHDRAWN:
                return self.withdraw(self.later(intake, rng.randint(1, 3)))
            self.work(intake, late=rng.random() < P.LATE, denied=rng.random() < P.DENIED)
        except Stop:
            pass
        finally:
            self.write()

    def add_materials(self) -> None:
        g, rng = self.g, self.rng
        for material_id, name, required, _waivable, source, certificate_type in self.plan.materials:
            certificate_id = None
            if not required and rng.random() > 0.2:
                status = CaseMaterialStatus.NOT_APPLICABLE
            elif source == MaterialSource.DATA_SHARING:
                status = CaseMaterialStatus.FROM_DATA_SHARING
            elif certificate_type and (held := g.holdings.get((self.applicant_id, certificate_type))) \
                    and held[2] <= self.day:
                status, certificate_id = CaseMaterialStatus.FROM_CERTIFICATE, held[0]
            else:
                status = CaseMaterialStatus.PROVIDED
            self.materials.append([g.writer.new_id(CaseMaterial), material_id, name, status, certificate_id,
                                   None, None, ""])

    def instant(self) -> None:
        """秒批: rules decide at once; the result is issued within the minute."""
        plan, at = self.plan, self.submitted_at
        self.form_data.update({rule.get("field", f"rule{i}"): True for i, rule in enumerate(plan.instant_rules)
                               if "." not in str(rule.get("field", ""))})
        self.instant_rule = {"rules": [
            {"label": rule.get("label", ""), "field": rule.get("field", ""), "op": rule.get("op", ""),
             "value": rule.get("value"), "held": True,
             "actual": (self.kind if rule.get("field") == "applicant.kind" else self.bad_credit
                        if rule.get("field") == "applicant.bad_credit" else True)}
            for rule in plan.instant_rules]}
        self.accept(at + timedelta(seconds=2), waiver=False, actor=NOBODY)
        moment = at + timedelta(seconds=3)
        for task in self.tasks:
            if task[2] in REVIEW_KINDS:
                task[5], task[7], task[9], task[11] = TaskState.APPROVED, self.accepted_on, moment, "秒批：规则全部满足"
        self.decided_at = moment
        self.event(moment, NOBODY, "approved", S.IN_PROGRESS, S.APPROVED, data={"instant": True})
        self.issue(moment)
        self.conclude(moment + timedelta(seconds=5), method="electronic")

    def refuse(self, moment) -> None:
        reason = self.rng.choice(self.history.REFUSAL_REASONS)
        self.decision_reason = reason
        self.event(moment, self.clerk, "refused", S.SUBMITTED, S.REFUSED, reason=reason)
        self.g.writer.add(DenialFiling, (self.g.writer.new_id(DenialFiling), self.id, DenialKind.REFUSAL,
                                         self.plan.department_id, reason, self.clerk[0], moment))

    def supplement_defects(self) -> list[dict]:
        candidates = [m for m in self.materials if m[3] == CaseMaterialStatus.PROVIDED] or self.materials
        if not candidates:
            return [{"material_id": None, "name": "申请表", "reason": "缺少申请人签字"}]
        chosen = self.rng.sample(candidates, min(len(candidates), self.rng.choice((1, 1, 2))))
        return [{"material_id": m[1], "name": m[2], "reason": self.rng.choice(self.history.SUPPLEMENT_REASONS)}
                for m in chosen]

    def intake_supplement(self, moment) -> datetime:
        """补正 at intake: one notice with every defect; the case waits for the applicant."""
        defects = self.supplement_defects()
        request_id = self.g.writer.new_id(SupplementRequest)
        self.event(moment, self.clerk, "supplement_requested", S.SUBMITTED, S.SUPPLEMENT_REQUESTED,
                   data={"defects": defects})
        supplied = self.later(moment, self.rng.randint(1, 6))
        done = supplied <= self.g.now
        self.g.writer.add(SupplementRequest, (request_id, self.id, None, self.clerk[0], moment,
                                              self.local_day(moment), to_json(defects), S.SUBMITTED,
                                              supplied if done else None))
        self.g.stats["supplemented_at_intake"] += 1
        self.happen(supplied)
        if self.channel == "window":
            self.visits += 1
        self.event(supplied, self.clerk, "supplied", S.SUPPLEMENT_REQUESTED, S.SUBMITTED)
        return supplied + timedelta(minutes=self.rng.randint(3, 30))

    def accept(self, moment, *, waiver: bool, actor=None) -> None:
        g, plan = self.g, self.plan
        actor = self.clerk if actor is None else actor
        self.happen(moment)
        self.accepted_on = self.local_day(moment)
        deadline = g.index.add(self.accepted_on, plan.limit)
        self.due, self.provisional, self.version = deadline.due_on, deadline.provisional, deadline.calendar_version
        self.accepted_by = actor[0]
        waivers = {}
        if waiver and plan.limit >= 5:
            for row, spec in zip(self.materials, plan.materials, strict=True):
                if spec[3] and row[3] == CaseMaterialStatus.PROVIDED:
                    promised = g.workday_after(self.accepted_on, min(20, plan.limit - 2, self.rng.randint(2, 8)))
                    row[3], row[5] = CaseMaterialStatus.WAIVED, promised
                    waivers[str(spec[0])] = promised.isoformat()
                    break
            if waivers:
                g.stats["waivers"] += 1
        self.event(moment, actor, "accepted", S.SUBMITTED, S.IN_PROGRESS,
                   data=audit.accepted_data(self.due, self.version, self.provisional, waivers))
        for step, kind, name, limit_days, department_id in plan.stages:
            task = [g.writer.new_id(Task), step, kind, name, department_id, TaskState.WAITING, limit_days, None, None,
                    None, None, ""]
            if kind == "acceptance":  # approval.create_tasks: the window's own decision, done now
                task[5:12] = [TaskState.APPROVED, limit_days, self.accepted_on, self.accepted_on, moment, actor[0],
                              "综合窗口受理"]
            self.tasks.append(task)
        self.review_steps = sorted({t[1] for t in self.tasks if t[2] in REVIEW_KINDS})
        if self.review_steps:
            self.open_step(self.review_steps[0], moment, actor)
        if plan.fee is not None:
            self.fee = [g.writer.new_id(Fee), self.id, plan.fee_description, plan.fee, FeeState.UNPAID, None, ""]

    def withdraw(self, moment) -> None:
        self.happen(moment)
        reason = self.rng.choice(self.history.WITHDRAW_REASONS)
        for task in self.tasks:
            if task[5] in (TaskState.OPEN, TaskState.WAITING):
                task[5] = TaskState.CANCELLED
        self.decision_reason = reason
        self.event(moment, (self.user_id, self.username) if self.user_id else self.clerk, "withdrawn",
                   self.state, S.WITHDRAWN, reason=reason)

    def work(self, accepted_at, *, late: bool, denied: bool) -> None:
        g, rng, plan = self.g, self.rng, self.plan
        steps = self.review_steps
        limit = plan.limit
        extension = plan.extension_days if plan.extension_days and limit >= 5 and rng.random() < P.EXTENSION else 0
        budget = limit + extension
        used = (budget + rng.randint(1, 6)) if late and limit else \
            (rng.randint(max(1, int(limit * 0.3)), limit) if limit else 0)
        weights = [max([t[6] for t in self.tasks if t[1] == s and t[2] in REVIEW_KINDS] + [1]) for s in steps]
        total = sum(weights)
        ends, running = [], 0.0
        for weight in weights:
            running += used * weight / total
            ends.append(round(running))
        procedure_step = rng.choice(steps) if len(steps) > 1 and limit >= 5 and rng.random() < P.PROCEDURE else None
        review_supplement_step = steps[0] if limit >= 5 and rng.random() < P.REVIEW_SUPPLEMENT else None
        denial_step = steps[-2] if denied and len(steps) >= 2 and limit else None
        shift = 0  # paused working days so far
        moment = accepted_at
        for step, end in zip(steps, ends, strict=True):
            tasks = [t for t in self.tasks if t[1] == step and t[2] in REVIEW_KINDS]
            if tasks[0][5] == TaskState.WAITING:
                self.open_step(step, moment, self.approver(tasks[0][4]))
            if step == review_supplement_step:
                shift += self.review_supplement(tasks[0], moment)
            if step == procedure_step:
                shift += self.special_procedure(tasks[0], moment)
            if extension and step == steps[min(1, len(steps) - 1)]:
                self.extend(tasks[0], moment, extension)
                extension = 0
            finish_day = g.workday_after(self.accepted_on, end + shift)
            finish = max(g.office_time(finish_day), moment + timedelta(minutes=rng.randint(2, 30)))
            for task in sorted(tasks, key=lambda t: t[0]):
                actor = self.approver(task[4])
                done = self.happen(finish - timedelta(minutes=rng.randint(0, 20)) if len(tasks) > 1 else finish)
                done = max(done, moment + timedelta(minutes=1))
                if step == denial_step and task is tasks[-1]:
                    return self.deny(task, done, actor)
                task[5], task[9], task[10] = TaskState.APPROVED, done, actor[0]
                task[11] = rng.choice(("符合条件，同意", "材料齐全，审查通过", "同意办理", "经审查符合法定条件"))
                self.event(done, actor, "task_approved", "", "", reason=task[11],
                           data=audit.task_approved_data(task[0], step, task[3],
                                                         self.g.department_names.get(task[4], "")))
                moment = max(moment, done)
        self.settle(moment)

    def open_step(self, step, moment, actor) -> None:
        """approval.open_next_step: every waiting review task of the step opens at once (parallel)."""
        opened_on, opened = self.local_day(moment), []
        for task in self.tasks:
            if task[1] == step and task[2] in REVIEW_KINDS and task[5] == TaskState.WAITING:
                task[5], task[7], task[8] = TaskState.OPEN, opened_on, self.task_due(opened_on, task[6])
                opened.append((task[0], self.g.department_names.get(task[4], ""), task[8]))
        self.event(moment, actor, "step_opened", "", "", data=audit.step_opened_data(step, opened))

class P:
    """Scenario probabilities (see history.py)."""

    REFUSED = 0.03
    SUPPLEMENT = 0.08
    WITHDRAWN = 0.01
    DENIED = 0.03
    LATE = 0.06
    WAIVER = 0.08
    PROCEDURE = 0.04
    EXTENSION = 0.05
    REVIEW_SUPPLEMENT = 0.03


def simulate_case(g, plan, day, applicant, *, bundle_application_id=None, submitted_at=None, channel=None,
                  centre=None) -> None:
    _Life(g, plan, day, applicant, bundle_application_id=bundle_application_id, submitted_at=submitted_at,
          channel=channel, centre=centre).live()
