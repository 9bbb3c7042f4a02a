"""Clock stops and extensions in a sample case's life (history/life.py): 补正 during review, special
procedures (not counted in the limit), extensions approved by the head of the body, and the due dates
they move — by the cases' own clock rules (cases.deadlines.WorkdayClock, bound to one calendar index
for the whole run)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from onewindow.cases.deadlines import earlier_step_dates
from onewindow.cases.models import Extension, SpecialProcedure, SupplementRequest

from .plan import NOBODY
from .rows import ExtensionRow, SpecialProcedureRow, SupplementRequestRow, TaskRow
from .values import A, S, TaskState, to_json


class ClockStops:
    case_dates: tuple[date, date, date] | None  # (due, warn, late) of the case's clock as it stands

    if TYPE_CHECKING:  # a mixin of history.life._Life: the case's state lives there
        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    def review_supplement(self, task: TaskRow, moment) -> int:
        """补正 during review: the clock stops until the applicant supplies."""
        g = self.g
        actor = self.approver(task.department)
        asked = self.happen(self.later(moment, 1))
        defects = self.supplement_defects()
        self.event(asked, actor, A.supplement_requested_in_review, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED,
                   data={"defects": defects, "task": task.id})
        days = self.rng.randint(1, 5)
        supplied = self.later(asked, days)
        done = supplied <= g.now
        g.writer.add(SupplementRequest, SupplementRequestRow(
            id=g.writer.new_id(SupplementRequest), case=self.id, task=task.id, requested_by=actor.id,
            requested_at=asked, requested_on=self.local_day(asked), defects=to_json(defects),
            return_state=S.IN_PROGRESS, supplied_at=supplied if done else None))
        g.stats["supplemented_in_review"] += 1
        self.paused_since = self.local_day(asked)
        self.happen(supplied)
        paused = g.clock.paused_days(self.local_day(asked), self.local_day(supplied), self.plan.unit)
        self.paused_since = None
        self.pause(paused)
        self.event(supplied, NOBODY, A.supplied, S.SUPPLEMENT_REQUESTED, S.IN_PROGRESS,
                   data={"paused_days": paused})
        return paused

    def special_procedure(self, task: TaskRow, moment) -> int:
        """特别程序 (Art. 45): not counted in the limit; the applicant is told its length in writing. Only
        a procedure the item's domain needs (reasons.py)."""
        g, rng = self.g, self.rng
        procedure = rng.choice(self.plan.reasons.procedures)
        limit_days = procedure.limit_days
        actor = self.approver(task.department)
        started = self.happen(self.later(moment, 1))
        started_on = self.local_day(started)
        due = g.workday_after(started_on, limit_days)
        ended_on = g.workday_after(started_on, rng.randint(max(1, limit_days // 2), limit_days))
        ended = g.office_time(ended_on)
        finished = ended <= g.now
        task.state = TaskState.SUSPENDED
        self.paused_since = started_on
        self.event(started, actor, A.special_procedure_started, S.IN_PROGRESS, S.SUSPENDED, reason=procedure.reason,
                   data={"kind": procedure.kind, "limit_days": limit_days, "task": task.id})
        g.writer.add(SpecialProcedure, SpecialProcedureRow(
            id=g.writer.new_id(SpecialProcedure), case=self.id, task=task.id, kind=procedure.kind,
            limit_days=limit_days, started_on=started_on, due_on=due, ended_on=ended_on if finished else None,
            started_by=actor.id, reason=procedure.reason, outcome=procedure.outcome if finished else "",
            applicant_notified_at=started))
        g.stats["special_procedures"] += 1
        self.happen(ended)
        task.state = TaskState.OPEN
        self.paused_since = None
        paused = g.clock.paused_days(started_on, ended_on, self.plan.unit)
        self.pause(paused)
        self.event(ended, actor, A.special_procedure_ended, S.SUSPENDED, S.IN_PROGRESS, reason=procedure.outcome,
                   data={"kind": procedure.kind, "paused_days": paused})
        return paused

    def pause(self, days: int) -> None:
        """The case's clock and its open stages' stood still `days` days: their dates move."""
        self.paused_days += days
        self.recompute_due()
        task_dates, unit = self.g.clock.task_dates, self.plan.unit
        for task in self.tasks:
            if task.state in (TaskState.OPEN, TaskState.SUSPENDED) and task.opened_on is not None:
                task.paused_days += days
                task.due_on, task.warn_on, task.late_on = task_dates(
                    task.opened_on, task.limit_days, task.paused_days, unit, self.case_dates,
                    earlier_step_dates(self.tasks, task.step))

    def recompute_due(self) -> None:
        """The case's stored dates (cases.deadlines on this run's calendar index)."""
        dates = self.g.clock.due(self.accepted_on, self.plan.limit, self.extension_days, self.paused_days,
                                 self.plan.unit)
        self.due, self.provisional, self.version = dates.due_on, dates.provisional, dates.calendar_version
        self.case_dates = (dates.due_on, dates.warn_on, dates.late_on)

    def extend(self, task: TaskRow, moment, days) -> None:
        g = self.g
        actor = self.approver(task.department)
        at = self.happen(self.later(moment, 1))
        previous = self.due
        self.extension_days += days
        self.recompute_due()
        reason = self.plan.reasons.extension
        g.writer.add(Extension, ExtensionRow(
            id=g.writer.new_id(Extension), case=self.id, days=days, reason=reason, requested_by=actor.id,
            approved_by=actor.id, approved_at=at, applicant_notified_at=at, previous_due_on=previous,
            new_due_on=self.due))
        self.event(at, actor, A.extended, "", "", reason=reason,
                   data={"days": days, "previous_due_on": previous.isoformat(), "due_on": self.due.isoformat()})
        g.stats["extensions"] += 1
