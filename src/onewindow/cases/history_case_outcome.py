"""How a sample case ends (history_case.py): denial, decision, certificate, fee and delivery — and the
rows the case leaves behind."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from . import history_audit as audit
from .history_values import NOBODY, CaseMaterialStatus, DenialKind, FeeState, S, TaskState, to_json
from .models import Case, CaseMaterial, Certificate, DenialFiling, Fee, Task
from .results import certificate_digest

_iso = datetime.isoformat
_text = audit.copy_text
NULL = audit.NULL


def _n(value) -> str | int:
    return NULL if value is None else value


def _day(value) -> str:
    return NULL if value is None else value.isoformat()


def _moment(value, known: dict) -> str:
    """A moment as COPY text: the ISO text write_chain made for the case's events, else made here."""
    if value is None:
        return NULL
    text = known.get(value)
    return text if text is not None else _iso(value, "T", "microseconds")


class Outcome:
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
        data = {"case": self.number, "item": plan.code, "item_name": plan.name, "holder": self.applicant_name}
        title = plan.result_name[:100]
        certificate = SimpleNamespace(
            number=number, certificate_type=plan.certificate_type, title=title, issued_on=issued_on,
            valid_until=None, data=data, holder=SimpleNamespace(id_number=self.id_number, name=self.applicant_name),
            issuer=SimpleNamespace(code=plan.department_code))
        certificate_id = g.writer.new_id(Certificate)
        g.writer.add(Certificate, (certificate_id, number, plan.certificate_type, title, self.applicant_id, self.id,
                                   plan.department_id, issued_on, None, "valid", to_json(data),
                                   certificate_digest(certificate)))
        g.holdings[(self.applicant_id, plan.certificate_type)] = (certificate_id, number, issued_on)
        self.event(moment, NOBODY, "certificate_issued", "", "",
                   data=audit.certificate_data(number, plan.certificate_type))
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
                   data=audit.concluded_data(method, self.tracking))

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
        form = self.form_data
        form_json = f'{{"contact_phone":"{form["contact_phone"]}"}}' if len(form) == 1 else to_json(form)
        submitted_by = self.clerk[0] if self.channel == "window" else self.user_id
        instant_rule = to_json(self.instant_rule) if self.instant_rule else None
        tables = w.tables
        cases, tasks, materials = tables[Case], tables[Task], tables[CaseMaterial]
        case_id, plan = self.id, self.plan
        audit.write_chain(g, f"case:{self.number}", self.events)
        if w.postgres:  # COPY text lines: the two busiest tuple tables after the audit events
            known = g.moment_texts
            cases.lines.append(
                f"{case_id}\t{self.number}\t{g.query_code()}\t{plan.id}\t{plan.version}\t{self.applicant_id}\t"
                f"{self.centre[0]}\t{_n(self.window_id)}\t{self.channel}\t{state}\t{_text(form_json)}\t"
                f"{_n(self.bundle_application_id)}\t{NULL}\t{_n(self.agent_id)}\t{_n(submitted_by)}\t"
                f"{_n(self.accepted_by)}\t{_moment(self.submitted_at, known)}\t{_day(self.accepted_on)}\t{plan.limit}\t"
                f"{self.extension_days}\t{self.paused_days}\t{_day(self.paused_since)}\t{_day(self.due)}\t"
                f"{'t' if self.provisional else 'f'}\t{_n(self.version)}\t{_moment(self.decided_at, known)}\t"
                f"{_moment(self.concluded_at, known)}\t{self.visits}\t{NULL if instant_rule is None else _text(instant_rule)}\t"
                f"{self.delivery_method}\t{_text(self.delivery_address)}\t{_text(self.tracking)}\t"
                f"{_moment(self.delivered_at, known)}\t{_text(self.decision_reason)}\t{_moment(updated, known)}\n")
            append = tasks.lines.append
            for task_id, step, kind, name, department_id, task_state, limit_days, opened_on, due_on, completed_at, \
                    completed_by, opinion in self.tasks:
                append(f"{task_id}\t{case_id}\t{step}\t{kind}\t{_text(name)}\t{department_id}\t{task_state}\t"
                       f"{limit_days}\t{_day(opened_on)}\t{_day(due_on)}\t{_moment(completed_at, known)}\t"
                       f"{_n(completed_by)}\t{_text(opinion)}\n")
        else:
            cases.rows.append((
                case_id, self.number, g.query_code(), plan.id, plan.version, self.applicant_id, self.centre[0],
                self.window_id, self.channel, state, form_json, self.bundle_application_id, None,
                self.agent_id, submitted_by, self.accepted_by,
                self.submitted_at, self.accepted_on, plan.limit, self.extension_days, self.paused_days,
                self.paused_since, self.due, self.provisional, self.version, self.decided_at, self.concluded_at,
                self.visits, instant_rule, self.delivery_method, self.delivery_address,
                self.tracking, self.delivered_at, self.decision_reason, updated))
            tasks.rows += [(task[0], case_id, *task[1:]) for task in self.tasks]
        materials.rows += [(row[0], case_id, row[1], row[2][:200], row[3], row[4], "", row[5], row[6], row[7])
                           for row in self.materials]
        w.flush_if_full(cases)
        w.flush_if_full(tasks)
        w.flush_if_full(materials)
        if self.fee is not None:
            w.add(Fee, tuple(self.fee))

    def light(self) -> str:
        today = self.g.now.astimezone(self.g.tz).date()
        if self.due < today:
            return "red"
        left = self.g.index.between(today, self.due).working_days
        budget = self.plan.limit + self.extension_days
        return "yellow" if left <= 2 or left <= 0.2 * budget else "green"
