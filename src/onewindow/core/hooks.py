"""Explicit follow-ups across apps, called by whoever performs the first step (no signals).

Dependencies point one way (calendar knows nothing of cases), so the calendar's import command calls
this module, which calls the parts that depend on the calendar."""


def calendar_changed(*, version: int) -> list[str]:
    """After a year's schedule is imported or edited: recompute every provisional deadline that the
    new calendar affects. Returns lines for the operator."""
    from onewindow.cases import services as case_services

    changed = case_services.recompute_provisional_deadlines(calendar_version=version)
    return [f"重新计算暂定期限 provisional deadlines recomputed: {changed}"]
