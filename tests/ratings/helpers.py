"""Services made through the product's own services, for the ratings tests."""

from __future__ import annotations

from onewindow.hall import services as hall_services
from onewindow.ratings import services
from onewindow.ratings.states import SubjectKind
from tests.hall.world import at
from tests.workbench.cases import concluded_case  # noqa: F401  (re-exported for the tests)

NOW = at(2026, 11, 16, 10)  # a Monday


def served_ticket(hw, *, window: str = "1", clerk=None, item=None, now=NOW):
    """A ticket taken, called and finished at `window` (a visit served)."""
    window_obj = hw.window(window)
    clerk = clerk or hw.clerk
    ticket = hall_services.take_ticket(centre=hw.county, item=item or hw.county_item, now=now)
    hall_services.open_window(window=window_obj, clerk=clerk, now=now)
    hall_services.call_next(window=window_obj, clerk=clerk, now=now)
    hall_services.finish(window=window_obj, clerk=clerk, now=now)
    ticket.refresh_from_db()
    return ticket


def rate_case(case, level: int, *, rater=None, now=NOW, **kwargs):
    return services.rate(kind=SubjectKind.CASE, subject_id=case.pk, level=level, rater=rater, now=now, **kwargs)


def rate_visit(ticket, level: int, *, now=NOW, **kwargs):
    return services.rate(kind=SubjectKind.VISIT, subject_id=ticket.pk, level=level, source="pad", now=now, **kwargs)
