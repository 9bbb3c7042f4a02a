"""The demo's sample work orders: every state, lights today, figures per unit, a model to suggest from."""

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.complaints import demo, dispatch, selectors
from onewindow.complaints.models import OrderReturn, WorkOrder
from tests.complaints.orders import at

pytestmark = pytest.mark.django_db


def test_sample_orders_cover_every_state_and_are_written_once(dongxing):
    from onewindow.calendar.services import seed_official_calendar

    seed_official_calendar()
    now = at("2026-12-07", 15)
    report = demo.load_sample_orders(count=150, now=now)
    assert "150" in report
    states = selectors.state_counts()
    assert {"dispatched", "handling", "replied", "closed"} <= set(states)
    assert OrderReturn.objects.exists() and WorkOrder.objects.filter(reopened_at__isnull=False).exists()
    order = WorkOrder.objects.filter(state="closed", department__isnull=False).first()
    assert AuditEvent.objects.filter(chain__key=f"workorder:{order.number}").count() >= 5
    counts = selectors.total_light_counts(today=now.date())
    assert counts["green"] + counts["yellow"] + counts["red"] > 0
    figures = selectors.appraisal_figures(start=at("2026-10-01").date(), end=now.date())
    assert sum(f["orders"] for f in figures.values()) > 50
    assert dispatch.current_model() is not None
    assert demo.load_sample_orders(count=150, now=now) == "sample work orders already present"
