"""One sample case's life for the history generator (cases/history.py): a planned timeline — intake,
each step's parallel tasks, clock stops, decision, delivery — cut at the generator's `now`, then
written as the rows the services would have left behind."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from onewindow.catalog.models import MaterialSource

from . import models, states
from .models import (
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
from .results import certificate_digest


def _values(choices) -> SimpleNamespace:
    # Plain strings, not enum members: psycopg's COPY would write an enum's name, not its value.
    return SimpleNamespace(**{member.name: member.value for member in choices})


S = _values(states.CaseState)
TaskState = _values(states.TaskState)
CaseMaterialStatus = _values(models.CaseMaterialStatus)
FeeState = _values(models.FeeState)
DenialKind = _values(models.DenialKind)
NOBODY = (None, "")
REVIEW_KINDS = ("review", "decision")
SYSTEM = "系统"


class _Stop(Exception):
    """The timeline has reached `now`: what follows has not happened yet."""


class _Life:
    def __init__(self, g, plan, day, applicant, *, bundle_application_id, submitted_at, channel, centre):
        from . import history

        self.g, self.plan, self.rng = g, plan, g.rng
        self.history = history
        (self.applicant_id, self.kind, self.applicant_name, self.user_id, self.username, self.bad_credit,
         self.id_number) = applicant
        self.bundle_application_id = bundle_application_id
        self.channel = channel or self.pick_channel()
        self.centre = centre or (g.county if self.channel != "window"
                                 else self.rng.choices(g.centres, weights=g.centre_weights)[0])
        self.submitted_at = submitted_at or (g.office_time(day) if self.channel == "window"
                                             else g.at(day, self.rng.randint(420, 1380)))
        if self.submitted_at > g.now:
            self.submitted_at = g.now - timedelta(minutes=self.rng.randint(1, 600))
        self.day = self.submitted_at.astimezone(g.tz).date()
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
        options = [("window", 55)]
        if "online" in self.plan.channels:
            options += [("online", 35), ("api", 4)]
        if "post" in self.plan.channels:
            options.append(("post", 5))
        return self.rng.choices([o for o, _w in options], weights=[w for _o, w in options])[0]

    def happen(self, moment: datetime) -> datetime:
        if moment > self.g.now:
            raise _Stop
        return moment

    def event(self, moment, actor, verb, frm, to, reason="", data=None) -> None:
        """As transitions.transition / record_event write it: an event that keeps the state records the
        state as both from and to; an event without a person is the system's."""
        frm, to = (frm or self.state), (to or self.state)
        if verb == "submitted":
            frm = ""
        self.events.append((moment, actor[0], actor[1] or SYSTEM, f"onewindow.case.{verb}", frm, to, reason,
                            data or {}))
        self.state = to

    def approver(self, department_id):
        people = self.g.staff.approvers.get(department_id)
        return self.rng.choice(people) if people else NOBODY

    def later(self, moment: datetime, days: int) -> datetime:
        """An office-hours moment `days` working days after `moment` (same day: a little later)."""
        day = moment.astimezone(self.g.tz).date()
        if days <= 0:
            return moment + timedelta(minutes=self.rng.randint(5, 90))
        return max(self.g.office_time(self.g.workday_after(day, days)), moment + timedelta(minutes=1))

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.g.tz).date()

    # -- the life ---------------------------------------------------------------------------------
    def live(self) -> None:
        rng, plan = self.rng, self.plan
        applicant_actor = (self.user_id, self.username) if self.user_id else NOBODY
        submitter = self.clerk if self.channel == "window" else applicant_actor
        self.event(self.submitted_at, submitter, "submitted", "", S.SUBMITTED,
                   data={"item": plan.code, "channel": self.channel})
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
        except _Stop:
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
                                              self.local_day(moment), _json(defects), S.SUBMITTED,
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
                   data={"due_on": self.due.isoformat(), "calendar_version": self.version,
                         "provisional": self.provisional, "waivers": waivers})
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
                           data={"task": task[0], "step": step, "name": task[3],
                                 "department": self.g.department_names.get(task[4], "")})
                moment = max(moment, done)
        self.settle(moment)

    def review_supplement(self, task, moment) -> int:
        """补正 during review: the clock stops until the applicant supplies."""
        g = self.g
        actor = self.approver(task[4])
        asked = self.happen(self.later(moment, 1))
        defects = self.supplement_defects()
        self.event(asked, actor, "supplement_requested", S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED,
                   data={"defects": defects, "task": task[0]})
        days = self.rng.randint(1, 5)
        supplied = self.later(asked, days)
        done = supplied <= g.now
        g.writer.add(SupplementRequest, (g.writer.new_id(SupplementRequest), self.id, task[0], actor[0], asked,
                                         self.local_day(asked), _json(defects), S.IN_PROGRESS,
                                         supplied if done else None))
        g.stats["supplemented_in_review"] += 1
        self.paused_since = self.local_day(asked)
        self.happen(supplied)
        paused = g.index.between(self.local_day(asked), self.local_day(supplied)).working_days
        self.paused_since = None
        self.pause(paused)
        self.event(supplied, NOBODY, "supplied", S.SUPPLEMENT_REQUESTED, S.IN_PROGRESS,
                   data={"paused_days": paused})
        return paused

    def special_procedure(self, task, moment) -> int:
        """特别程序 (Art. 45): not counted in the limit; the applicant is told its length in writing."""
        g, rng = self.g, self.rng
        kind, label, limit_days = rng.choice(self.history.PROCEDURES)
        actor = self.approver(task[4])
        started = self.happen(self.later(moment, 1))
        started_on = self.local_day(started)
        due = g.workday_after(started_on, limit_days)
        ended_on = g.workday_after(started_on, rng.randint(max(1, limit_days // 2), limit_days))
        ended = g.office_time(ended_on)
        finished = ended <= g.now
        task[5] = TaskState.SUSPENDED
        self.paused_since = started_on
        reason = f"依法需{label}"
        self.event(started, actor, "special_procedure_started", S.IN_PROGRESS, S.SUSPENDED, reason=reason,
                   data={"kind": kind, "limit_days": limit_days, "task": task[0]})
        g.writer.add(SpecialProcedure, (g.writer.new_id(SpecialProcedure), self.id, task[0], kind, limit_days,
                                        started_on, due, ended_on if finished else None, actor[0], reason,
                                        f"{label}完成，符合条件" if finished else "", started))
        g.stats["special_procedures"] += 1
        self.happen(ended)
        task[5] = TaskState.OPEN
        self.paused_since = None
        paused = g.index.between(started_on, ended_on).working_days
        self.pause(paused)
        self.event(ended, actor, "special_procedure_ended", S.SUSPENDED, S.IN_PROGRESS,
                   data={"kind": kind, "paused_days": paused})
        return paused

    def open_step(self, step, moment, actor) -> None:
        """approval.open_next_step: every waiting review task of the step opens at once (parallel)."""
        opened_on, opened = self.local_day(moment), []
        for task in self.tasks:
            if task[1] == step and task[2] in REVIEW_KINDS and task[5] == TaskState.WAITING:
                task[5], task[7], task[8] = TaskState.OPEN, opened_on, self.task_due(opened_on, task[6])
                opened.append({"task": task[0], "department": self.g.department_names.get(task[4], ""),
                               "due_on": task[8].isoformat() if task[8] else None})
        self.event(moment, actor, "step_opened", "", "", data={"step": step, "tasks": opened})

    def task_due(self, opened_on, limit_days):
        """deadlines.task_due_on: the stage limit from the day it opens, never after the case's due date."""
        if not limit_days:
            return self.due
        return min(self.g.index.add(opened_on, limit_days).due_on, self.due)

    def pause(self, days: int) -> None:
        self.paused_days += days
        self.recompute_due()

    def recompute_due(self) -> None:
        deadline = self.g.index.add(self.accepted_on, self.plan.limit + self.extension_days + self.paused_days)
        self.due, self.provisional = deadline.due_on, deadline.provisional

    def extend(self, task, moment, days) -> None:
        g = self.g
        actor = self.approver(task[4])
        at = self.happen(self.later(moment, 1))
        previous = self.due
        self.extension_days += days
        self.recompute_due()
        reason = "情况复杂，经本机关负责人批准延长"
        g.writer.add(Extension, (g.writer.new_id(Extension), self.id, days, reason, actor[0], actor[0], at, at,
                                 previous, self.due))
        self.event(at, actor, "extended", "", "", reason=reason,
                   data={"days": days, "previous_due_on": previous.isoformat(), "due_on": self.due.isoformat()})
        g.stats["extensions"] += 1

    def deny(self, task, moment, actor) -> None:
        reason = self.rng.choice(self.history.DENIAL_REASONS)
        task[5], task[9], task[10], task[11] = TaskState.DENIED, moment, actor[0], reason
        for other in self.tasks:
            if other[5] in (TaskState.OPEN, TaskState.WAITING, TaskState.SUSPENDED):
                other[5] = TaskState.CANCELLED
        self.decision_reason = reason
        self.decided_at = self.concluded_at = moment
        self.event(moment, actor, "denied", S.IN_PROGRESS, S.DENIED, reason=reason, data={"task": task[0]})
        self.g.writer.add(DenialFiling, (self.g.writer.new_id(DenialFiling), self.id, DenialKind.DENIAL, task[4],
                                         reason, actor[0], moment))

    def settle(self, moment) -> None:
        """All steps done: waived materials in, fee paid, decision, certificate, delivery."""
        rng, g = self.rng, self.g
        for row in self.materials:
            if row[3] == CaseMaterialStatus.WAIVED:
                supplied = self.happen(min(moment, g.office_time(row[5])))
                row[3], row[6] = CaseMaterialStatus.PROVIDED, supplied
                self.event(supplied, self.clerk, "waived_material_supplied", "", "", data={"material": row[1]})
        approved = moment + timedelta(minutes=rng.randint(1, 20))
        self.happen(approved)
        self.decided_at = approved
        self.event(approved, self.approver(self.plan.department_id), "approved", S.IN_PROGRESS, S.APPROVED)
        self.issue(approved)
        if self.fee is not None:
            paid = self.happen(approved + timedelta(minutes=rng.randint(5, 240)))
            receipt = f"GX{self.local_day(paid):%Y%m%d}{rng.randrange(10**6):06d}"
            self.fee[4:7] = [FeeState.PAID, paid, receipt]
            self.event(paid, self.clerk, "fee_paid", "", "", data={"fee": self.fee[0], "receipt_number": receipt})
            approved = paid
        method = "electronic" if self.channel in ("online", "api") and self.plan.certificate_type else \
            ("post" if self.plan.post_delivery and rng.random() < 0.3 else "pickup")
        self.conclude(self.later(approved, 0 if self.plan.immediate else rng.choice((0, 0, 1))), method=method)

    def issue(self, moment) -> None:
        """results.issue_result: the e-certificate, its number and its keyed digest."""
        plan, g = self.plan, self.g
        if not plan.certificate_type:
            return
        issued_on = self.local_day(moment)
        number = g.certificate_number(plan.certificate_type, issued_on.year, self.centre[1])
        data = {"case": self.number, "item": plan.code, "item_name": plan.name, "holder": self.applicant_name,
                "holder_id_number": self.id_number}
        title = plan.result_name[:100]
        certificate = SimpleNamespace(
            number=number, certificate_type=plan.certificate_type, title=title, issued_on=issued_on,
            valid_until=None, data=data, holder=SimpleNamespace(id_number=self.id_number, name=self.applicant_name),
            issuer=SimpleNamespace(code=plan.department_code))
        certificate_id = g.writer.new_id(Certificate)
        g.writer.add(Certificate, (certificate_id, number, plan.certificate_type, title, self.applicant_id, self.id,
                                   plan.department_id, issued_on, None, "valid", _json(data),
                                   certificate_digest(certificate)))
        g.holdings[(self.applicant_id, plan.certificate_type)] = (certificate_id, number, issued_on)
        self.event(moment, NOBODY, "certificate_issued", "", "",
                   data={"certificate": number, "type": plan.certificate_type})
        g.stats["certificates"] += 1

    def conclude(self, moment, *, method: str) -> None:
        self.happen(moment)
        self.delivery_method = method
        if method == "post":
            self.delivery_address = f"东兴市{self.rng.choice(self.history.STREETS)}{self.rng.randint(1, 300)}号"
            self.tracking = f"EMS{self.rng.randrange(10**10):010d}"
            self.delivered_at = moment + timedelta(days=2)
        else:
            self.delivered_at = moment
        self.concluded_at = moment
        actor = self.clerk if method != "electronic" else NOBODY
        for task in self.tasks:  # results.conclude_locked: delivery is done when the case is concluded
            if task[5] in (TaskState.WAITING, TaskState.OPEN):
                task[5], task[7], task[9], task[10] = TaskState.APPROVED, self.local_day(moment), moment, actor[0]
        if method == "pickup" and not (self.channel == "window" and self.accepted_on == self.local_day(moment)):
            self.visits += 1
        self.event(moment, actor, "concluded", S.APPROVED, S.CONCLUDED,
                   data={"delivery_method": method, "tracking_number": self.tracking})

    # -- rows ------------------------------------------------------------------------------------
    def write(self) -> None:
        g, w = self.g, self.g.writer
        state = self.state
        g.stats[f"state:{state}"] += 1
        if state in (S.IN_PROGRESS, S.SUSPENDED, S.SUPPLEMENT_REQUESTED) and self.due:
            g.lights[self.light()] += 1
        if self.delivered_at and self.delivered_at > g.now:
            self.delivered_at = None
        self.events.sort(key=lambda event: event[0])
        updated = self.events[-1][0]
        w.add(Case, (
            self.id, self.number, g.query_code(), self.plan.id, self.plan.version, self.applicant_id, self.centre[0],
            self.window_id, self.channel, state, _json(self.form_data), self.bundle_application_id, None,
            self.agent_id, self.clerk[0] if self.channel == "window" else self.user_id, self.accepted_by,
            self.submitted_at, self.accepted_on, self.plan.limit, self.extension_days, self.paused_days,
            self.paused_since, self.due, self.provisional, self.version, self.decided_at, self.concluded_at,
            self.visits,
            _json(self.instant_rule) if self.instant_rule else None, self.delivery_method, self.delivery_address,
            self.tracking, self.delivered_at, self.decision_reason, updated))
        for task in self.tasks:
            w.add(Task, (task[0], self.id, *task[1:]))
        for row in self.materials:
            w.add(CaseMaterial, (row[0], self.id, row[1], row[2][:200], row[3], row[4], "", row[5], row[6], row[7]))
        if self.fee is not None:
            w.add(Fee, tuple(self.fee))
        g.write_chain(f"case:{self.number}", self.events)

    def light(self) -> str:
        today = self.g.now.astimezone(self.g.tz).date()
        if self.due < today:
            return "red"
        left = self.g.index.between(today, self.due).working_days
        budget = self.plan.limit + self.extension_days
        return "yellow" if left <= 2 or left <= 0.2 * budget else "green"


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


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def simulate_case(g, plan, day, applicant, *, bundle_application_id=None, submitted_at=None, channel=None,
                  centre=None) -> None:
    _Life(g, plan, day, applicant, bundle_application_id=bundle_application_id, submitted_at=submitted_at,
          channel=channel, centre=centre).live()
