"""A closed period's scores never change: new or late cases, new weights and raw updates alike."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, transaction

from onewindow.appraisal import selectors, services
from onewindow.appraisal.models import Period, Score
from onewindow.audit.models import AuditEvent
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError

from .fixture import make_case, make_fixture

pytestmark = pytest.mark.django_db


def snapshot(kind="department"):
    return [(r.subject_id, r.total, r.rank, {c: (s.numerator, s.denominator, s.score) for c, s in r.indicators.items()})
            for r in selectors.board("2026-03", kind).rows]


def test_closing_stores_the_scores_and_new_cases_do_not_change_them():
    fx = make_fixture()
    before = {kind: snapshot(kind) for kind in ("department", "centre", "clerk")}
    services.close_period(actor=fx.supervisor, key="2026-03", today=date(2026, 4, 15))
    item = fx.cases["c1"].item
    make_case(item, fx.centre, fx.clerk, channel="window", state="concluded", submitted="2026-03-02",
              accepted="2026-03-02", decided="2026-03-31", concluded="2026-03-31", due="2026-03-09", visits=3)
    assert selectors.live_board(selectors.parse("2026-03"), "department").rows != before["department"]
    assert {kind: snapshot(kind) for kind in before} == before
    a = selectors.subject_score("2026-03", "department", fx.dept_a.pk)
    assert (a.indicators["on_time"].numerator, a.indicators["on_time"].denominator) == (2, 3)
    assert AuditEvent.objects.filter(action="onewindow.appraisal.period_closed").count() == 1


def test_a_closed_period_refuses_new_weights_a_second_close_and_updates():
    fx = make_fixture()
    services.close_period(actor=fx.supervisor, key="2026-03", today=date(2026, 4, 15))
    with pytest.raises(Conflict):
        services.set_weights(actor=fx.supervisor, key="2026-03",
                             weights={"on_time": {"weight": "1", "target": "1", "floor": "0"}})
    with pytest.raises(Conflict):
        services.close_period(actor=fx.supervisor, key="2026-03", today=date(2026, 4, 15))
    score = Score.objects.filter(period__start=date(2026, 3, 1)).first()
    score.score = 1
    with pytest.raises(Conflict):
        score.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        Score.objects.filter(pk=score.pk).update(score=1)


def test_only_an_ended_period_is_closed_and_only_by_the_office():
    fx = make_fixture()
    with pytest.raises(ValidationError) as early:
        services.close_period(actor=fx.supervisor, key="2026-03", today=date(2026, 3, 31))
    assert early.value.field == "period"
    with pytest.raises(PermissionDenied):
        services.close_period(actor=fx.clerk, key="2026-03", today=date(2026, 4, 15))
    assert not Period.objects.filter(closed_at__isnull=False).exists()


@pytest.mark.parametrize("row, field", [
    ({"weight": "-1", "target": "1", "floor": "0"}, "on_time-weight"),
    ({"weight": "x", "target": "1", "floor": "0"}, "on_time-weight"),
    ({"weight": "1", "target": "0.5", "floor": "0.5"}, "on_time-target"),
])
def test_bad_weights_are_refused_naming_the_field(row, field):
    fx = make_fixture()
    with pytest.raises(ValidationError) as bad:
        services.set_weights(actor=fx.supervisor, key="2026-03", weights={"on_time": row})
    assert bad.value.field == field
    assert not Period.objects.exists()
