"""How a sample case ends (history/life.py): denial, decision, certificate, fee and delivery — and the
rows the case leaves behind (rows.py)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from onewindow.cases import deadlines
from onewindow.cases.models import Case, CaseMaterial, Certificate, DenialFiling, Fee, Task
from onewindow.cases.results import certificate_digest

from . import chains
from .people import address
from .plan import NOBODY
from .rows import CaseRow, CertificateRow, DenialFilingRow, TaskRow
from .values import A, CaseMaterialStatus, DenialKind, FeeState, S, TaskState, to_json

OPEN_STATES = (S.IN_PROGRESS, S.SUSPENDED, S.SUPPLEMENT_REQUESTED)


class Holding(NamedTuple):
    """A certificate an applicant holds, offered to its later cases instead of the paper."""

    id: int
    number: str
    issued_on: object


class Outcome:
    if TYPE_CHECKING:  # a mixin of history.life._Life: the case's state lives there
        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    def deny(self, task: TaskRow, moment, actor) -> None:
        reason = self.rng.choice(self.plan.reasons.denials)
        task.state, task.completed_at, task.completed_by, task.opinion = TaskState.DENIED, moment, actor.id, reason
        for other in self.tasks:
            if other.state in (TaskState.OPEN, TaskState.WAITING, TaskState.SUSPENDED):
                other.state = TaskState.CANCELLED
        self.decision_reason = reason
        self.decided_at = self.concluded_at = moment
        self.stopped_on = self.local_day(moment)
        self.event(moment, actor, A.denied, S.IN_PROGRESS, S.DENIED, reason=reason, data={"task": task.id})
        self.g.writer.add(DenialFiling, DenialFilingRow(
            id=self.g.writer.new_id(DenialFiling), case=self.id, kind=DenialKind.DENIAL, department=task.department,
            reason=reason, filed_by=actor.id, filed_at=moment))

    def settle(self, moment) -> None:
        """All steps done: waived materials in, fee paid, decision, certificate, delivery."""
        rng, g = self.rng, self.g
        for row in self.materials:
            if row.status == CaseMaterialStatus.WAIVED:
                supplied = self.happen(min(moment, g.office_time(row.promised_by)))
                row.status, row.supplied_at = CaseMaterialStatus.PROVIDED, supplied
                self.event(supplied, self.clerk, A.waived_material_supplied, "", "", data={"material": row.material})
        approved = moment + timedelta(minutes=rng.randint(1, 20))
        self.happen(approved)
        self.decided_at, self.stopped_on = approved, self.local_day(approved)
        self.event(approved, self.approver(self.plan.department_id), A.approved, S.IN_PROGRESS, S.APPROVED)
        self.issue(approved)
        if self.fee is not None:
            paid = self.happen(approved + timedelta(minutes=rng.randint(5, 240)))
            receipt = f"GX{self.local_day(paid):%Y%m%d}{rng.randrange(10**6):06d}"
            self.fee.state, self.fee.paid_at, self.fee.receipt_number = FeeState.PAID, paid, receipt
            self.event(paid, self.clerk, A.fee_paid, "", "", data={"fee": self.fee.id, "receipt_number": receipt})
            approved = paid
        method = "electronic" if self.channel in ("online", "api") and self.plan.certificate_type else \
            ("post" if self.plan.post_delivery and rng.random() < 0.3 else "pickup")
        self.conclude(self.later(approved, 0 if self.plan.immediate else rng.choice((0, 0, 1))), method=method)

    def issue(self, moment) -> None:
        """results.issue_result: the e-certificate, its number and its keyed digest."""
        plan, g, holder = self.plan, self.g, self.applicant
        if not plan.certificate_type:
            return
        issued_on = self.local_day(moment)
        number = g.certificate_number(plan.certificate_type, issued_on.year, self.centre.code)
        data = {"case": self.number, "item": plan.code, "item_name": plan.name, "holder": holder.name}
        title = plan.result_name[:100]
        certificate = SimpleNamespace(
            number=number, certificate_type=plan.certificate_type, title=title, issued_on=issued_on,
            valid_until=None, data=data, holder=SimpleNamespace(id_number=holder.id_number, name=holder.name),
            issuer=SimpleNamespace(code=plan.department_code))
        certificate_id = g.writer.new_id(Certificate)
        g.writer.add(Certificate, CertificateRow(
            id=certificate_id, number=number, certificate_type=plan.certificate_type, title=title, holder=holder.id,
            case=self.id, issuer=plan.department_id, issued_on=issued_on, valid_until=None, status="valid",
            data=to_json(data), digest=certificate_digest(cast(Certificate, certificate))))  # the fields the digest reads
        g.holdings[(holder.id, plan.certificate_type)] = Holding(certificate_id, number, issued_on)
        self.event(moment, NOBODY, A.certificate_issued, "", "",
                   data=chains.certificate_data(number, plan.certificate_type))
        g.stats["certificates"] += 1

    def conclude(self, moment, *, method: str) -> None:
        self.happen(moment)
        self.delivery_method = method
        if method == "post":
            self.delivery_address = address(self.rng)
            self.tracking = f"EMS{self.rng.randrange(10**10):010d}"
            self.delivered_at = moment + timedelta(days=2)
        else:
            self.delivered_at = moment
        self.concluded_at = moment
        actor = self.clerk if method != "electronic" else NOBODY
        for task in self.tasks:  # results.conclude_locked: delivery is done when the case is concluded
            if task.state in (TaskState.WAITING, TaskState.OPEN):
                task.state, task.opened_on, task.completed_at, task.completed_by = (
                    TaskState.APPROVED, self.local_day(moment), moment, actor.id)
        if method == "pickup" and not (self.channel == "window" and self.accepted_on == self.local_day(moment)):
            self.visits += 1
        self.event(moment, actor, A.concluded, S.APPROVED, S.CONCLUDED,
                   data=chains.concluded_data(method, self.tracking))

    # -- rows ------------------------------------------------------------------------------------
    def write(self) -> None:
        g, writer = self.g, self.g.writer
        state = self.state
        g.stats[f"state:{state}"] += 1
        if state in OPEN_STATES and self.due:
            g.lights[self.light()] += 1
        if self.delivered_at and self.delivered_at > g.now:
            self.delivered_at = None
        self.stop_tasks()
        self.events.sort(key=lambda event: event[0])
        form = self.form_data
        form_json = f'{{"contact_phone":"{form["contact_phone"]}"}}' if len(form) == 1 else to_json(form)
        chains.write_chain(writer, f"case:{self.number}", self.events)
        writer.add(Case, CaseRow(
            id=self.id, number=self.number, query_code=g.query_code(), item=self.plan.id,
            item_version=self.plan.version, applicant=self.applicant.id, centre=self.centre.id,
            window=self.window_id, channel=self.channel, state=state, form_data=form_json,
            bundle_application=self.bundle_application_id, project=None, agent=self.agent_id,
            submitted_by=self.clerk.id if self.channel == "window" else self.applicant.user_id,
            accepted_by=self.accepted_by, submitted_at=self.submitted_at, accepted_on=self.accepted_on,
            committed_limit_days=self.plan.limit, extension_days=self.extension_days, paused_days=self.paused_days,
            paused_since=self.paused_since, due_on=self.due, due_provisional=self.provisional,
            calendar_version=self.version, decided_at=self.decided_at, concluded_at=self.concluded_at,
            visit_count=self.visits, instant_rule=to_json(self.instant_rule) if self.instant_rule else None,
            delivery_method=self.delivery_method, delivery_address=self.delivery_address,
            tracking_number=self.tracking, delivered_at=self.delivered_at, decision_reason=self.decision_reason,
            updated_at=self.events[-1][0], limit_unit=self.plan.unit,
            warn_on=self.case_dates[1] if self.case_dates else None,
            late_on=self.case_dates[2] if self.case_dates else None, stopped_on=self.stopped_on))
        writer.add_many(Task, self.tasks)
        writer.add_many(CaseMaterial, self.materials)
        if self.fee is not None:
            writer.add(Fee, self.fee)

    def stop_tasks(self) -> None:
        """The stages' clocks as the case's life left them: a stage done stopped the day it was done (a
        cancelled one with the case); an open stage of a paused case is paused too."""
        local_day, stopped, paused = self.local_day, self.stopped_on, self.paused_since
        for task in self.tasks:
            if task.completed_at is not None:
                task.stopped_on = local_day(task.completed_at)
            elif task.state == TaskState.CANCELLED and task.opened_on is not None:
                task.stopped_on = stopped
            elif paused is not None and task.opened_on is not None and task.state in (TaskState.OPEN,
                                                                                     TaskState.SUSPENDED):
                task.paused_since = max(paused, task.opened_on)

    def light(self) -> str | None:
        """The light the efficiency office sees on this open case now (cases.deadlines.light, on the stored
        dates this run computed: a simulation process must not query the database)."""
        due, warn, late = self.case_dates or (None, None, None)
        return deadlines.light(SimpleNamespace(
            due_on=due, warn_on=warn, late_on=late, stopped_on=self.stopped_on, paused_since=self.paused_since),
            today=self.g.today)
