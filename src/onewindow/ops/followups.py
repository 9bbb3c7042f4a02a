"""Follow-ups across apps: what an app above must redo after a change in an app below it.

Dependencies point one way (the calendar knows nothing of cases), so the lower app cannot call the
higher one. Each follow-up is a plain function here, at the composition root, and settings.py names it
in the lower app's list (`CALENDAR_CHANGE_FOLLOWUPS`), the way Django is told its middleware: the
calendar's import command and admin call `calendar.services.run_change_followups`, which runs the
listed functions in order. No signal: the list is one setting anyone can read."""

from __future__ import annotations


def recompute_case_deadlines(*, version: int) -> list[str]:
    """After a year's schedule is imported or edited: recompute the stored dates (due, yellow-from,
    overdue-from) of every open clock — the cases' and their open stages' — that the new calendar
    affects (Administrative Licensing Law Art. 82: limits count working days, so a case accepted before
    the year's schedule was announced has a provisional due date, and an edited holiday moves the dates
    of every clock running over it). Returns lines for the operator."""
    from onewindow.cases import services as case_services

    changed = case_services.recompute_open_deadlines()
    return [f"重新计算在办件期限 open deadlines recomputed: {changed}"]
