"""Optional: `calendar_warning` in every template (the December reminder that next year's official
holiday schedule is missing), for staff pages. Register "onewindow.calendar.context_processors.
calendar_warning" in TEMPLATES to use it; it costs one small query per page for staff only."""

from . import selectors


def calendar_warning(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_staff:
        return {"calendar_warning": None}
    return {"calendar_warning": selectors.missing_next_year_warning()}
