"""Clock stops and extensions in a sample case's life (history_case.py): 补正 during review, special
procedures (not counted in the limit), extensions approved by the head of the body, and the due dates
they move."""

from __future__ import annotations

from .history_values import NOBODY, S, TaskState, to_json
from .models import Extension, SpecialProcedure, SupplementRequest


class ClockStops:
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
                                         self.local_day(asked), to_json(defects), S.IN_PROGRESS,
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

