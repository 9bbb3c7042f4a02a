"""The measured time of a clock: the working days it really ran."""

from __future__ import annotations

from datetime import date

from onewindow.workflow import clock


def measured_days(obj, *, today: date) -> int | None:
    """Working days a clock has run: from its start to its stop (or today), less the days it stood still
    (and the pause standing now). None when it never started."""
    started = obj.clock_started_on
    if started is None:
        return None
    end = obj.clock_stopped_on or today
    unit = obj.clock_unit or clock.Unit.WORKING
    used = clock.days_between(started, end, unit) - (obj.clock_paused_days or 0)
    if obj.clock_paused_since is not None and obj.clock_stopped_on is None:
        used -= max(0, clock.days_between(obj.clock_paused_since, end, unit))
    return max(0, used)
