"""The tasks of a case: one per stage step and department, created at acceptance; the tasks of a step
run in parallel (并联审批) and the next step opens when all of them are done."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from onewindow.catalog import item_cache
from onewindow.catalog.models import StageKind
from onewindow.core import fastsql

from .. import deadlines
from ..inputs import local_day
from ..models import Case, Task
from ..states import TASK_MACHINE, TaskState
from ..transitions import is_locked, mark_written, record_event, task_transition

REVIEW_KINDS = (StageKind.REVIEW, StageKind.DECISION)
# Read on every acceptance and approval: compiled once (core/fastsql.py).
_CASE_TASKS = fastsql.Select(Task, "{case} = %s", related=("department",), order_by=("step", "id"))


def create_tasks(case: Case, *, clerk, now: datetime) -> None:
    """At acceptance: one task per stage. The acceptance stage is the window's own decision (done now);
    review and decision stages wait for their step, the first of them opening at once; delivery is
    done when the case is concluded. An item without review stages gets one review task for its
    department with the whole limit."""
    today = local_day(now)
    stages = item_cache.stages_of(case.item_id)
    tasks = [Task(case=case, step=stage.step, kind=stage.kind, name=stage.name, department=stage.department,
                  limit_days=stage.limit_days, state=TaskState.WAITING) for stage in stages]
    window = [t for t in tasks if t.kind == StageKind.ACCEPTANCE]
    task_transition(case, window, "accept_at_window", opened_on=today, due_on=today, completed_at=now,
                    completed_by=clerk, opinion=_("综合窗口受理"))
    if not any(t.kind in REVIEW_KINDS for t in tasks):
        step = max((t.step for t in tasks if t.kind == StageKind.ACCEPTANCE), default=0) + 1
        for t in tasks:
            if t.kind == StageKind.DELIVERY and t.step <= step:
                t.step = step + 1
        tasks.append(Task(case=case, step=step, kind=StageKind.REVIEW, name=_("审查与决定"),
                          department=case.item.department, limit_days=case.committed_limit_days,
                          state=TaskState.WAITING))
    # The first step opens with the tasks: written open rather than written waiting and opened after.
    opening = next_step(tasks, after_step=0)
    _mark_open(case, opening, tasks, today=today)
    fastsql.insert_many(tasks)  # one INSERT, the ids returned
    if opening:
        _record_step_opened(case, opening, now=now, actor=clerk)


def next_step(tasks: list[Task], *, after_step: int) -> list[Task]:
    """The waiting review tasks of the first step after `after_step` (they run in parallel), in order."""
    waiting = [t for t in tasks if t.kind in REVIEW_KINDS and t.state == TaskState.WAITING and t.step > after_step]
    if not waiting:
        return []
    step = min(t.step for t in waiting)
    return [t for t in waiting if t.step == step]


def _mark_open(case: Case, tasks: list[Task], every: list[Task], *, today) -> None:
    """Open `tasks` (each with its own clock: its stage limit from today, within the case's dates and not
    before the earlier steps' — deadlines.open_task): one UPDATE per due date for saved tasks, in memory
    for tasks being created."""
    if tasks:
        floor = deadlines.earlier_step_dates(every, tasks[0].step)
        workdays = deadlines.clock()
        for task in tasks:
            deadlines.open_task(task, case, on=today, floor=floor, workdays=workdays)
    task_transition(case, tasks, "open", fields=deadlines.TASK_CLOCK_COLUMNS)


def _record_step_opened(case: Case, tasks: list[Task], *, now: datetime, actor) -> None:
    record_event(case, "step_opened", actor=actor, now=now, data={"step": tasks[0].step, "tasks": [
        {"task": task.pk, "department": task.department.name, "due_on": task.due_on} for task in tasks]})


def open_next_step(case: Case, tasks: list[Task], *, after_step: int, now: datetime, actor) -> bool:
    """Open every waiting review task of the next step (they run in parallel): one UPDATE per due date
    (tasks of a step share it unless their stage limits differ). `tasks` are the case's tasks as read
    under the case lock; the opened ones are changed in place. False when no step is left."""
    opening = next_step(tasks, after_step=after_step)
    if not opening:
        return False
    _mark_open(case, opening, tasks, today=local_day(now))
    _record_step_opened(case, opening, now=now, actor=actor)
    return True


def case_tasks(case: Case) -> list[Task]:
    """Every task of a case locked by lock_case, with its department. Not locked row by row: every
    writer of tasks locks the case first (see transitions.lock_case), so under that lock these rows are
    current and stay so until commit."""
    if not is_locked(case):
        raise RuntimeError("case_tasks needs a case from lock_case")
    tasks = _CASE_TASKS.all([case.pk])
    for task in tasks:
        task.case = case
    return tasks


# (action, value names) -> case_tasks with one task changed by a WITH in front (PostgreSQL)
_CHANGING: dict[tuple[str, tuple[str, ...]], fastsql.Select] = {}


def case_tasks_changing(case: Case, task_id: int, action: str, **values) -> list[Task]:
    """case_tasks, and on PostgreSQL in the same statement (a data-modifying WITH in front of it) task
    `task_id` changed by `action` to `values` when its state allows — what the action's
    `task_transition(case, [task], action, **values)` would write next, which then finds it written
    and writes nothing. The rows come back as they were before the change (under the case's lock they
    are current), so that task_transition checks the state as always: a state that did not allow the
    action matched no row and is refused there, before anything else changes. Elsewhere: case_tasks."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return case_tasks(case)
    if not is_locked(case):
        raise RuntimeError("case_tasks_changing needs a case from lock_case")
    row = TASK_MACHINE[action]
    names = ("state", *values)
    key = (action, names)
    select = _CHANGING.get(key)
    if select is None:
        qn = connection.ops.quote_name

        def column(name: str) -> str:
            return qn(fastsql.concrete_field(Task, name).column)

        sets = ", ".join(f"{column(name)} = %s" for name in names)
        states = ", ".join(["%s"] * len(row.sources))
        prefix = (f"WITH changed AS (UPDATE {qn(Task._meta.db_table)} SET {sets} WHERE {column('id')} = %s "
                  f"AND {column('case')} = %s AND {column('state')} IN ({states})) ")
        select = _CHANGING.setdefault(key, fastsql.Select(Task, "{case} = %s", related=("department",),
                                                          order_by=("step", "id"), prefix=prefix))
    params = [fastsql.concrete_field(Task, name).get_db_prep_save(value.pk if isinstance(value, Model) else value,
                                                                  connection)
              for name, value in {"state": row.target, **values}.items()]
    tasks = select.all([*params, task_id, case.pk, *sorted(row.sources), case.pk])
    for task in tasks:
        task.case = case
        if task.pk == task_id and task.state in row.sources:
            mark_written(task, action, values)
    return tasks


def lock_task(task: Task) -> Task:
    """The task row read fresh (with its department) and locked, under the case's lock."""
    return Task.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)
