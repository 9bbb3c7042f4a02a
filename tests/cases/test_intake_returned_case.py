"""submit_case hands back the case as it was written (no read-back), with the material rows it was
written with; an item with instant-approval rules is still decided at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.audit import services as audit
from onewindow.audit.selectors import events_for
from onewindow.cases.models import Case

from .factories import submit_online


def _fields(case) -> dict:
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}


def test_the_returned_case_is_the_stored_one(world):
    case = submit_online(world, form={"shop": "边贸小店", "area": 80})
    stored = Case.objects.get(pk=case.pk)
    assert _fields(case) == _fields(stored)
    rows = list(stored.materials.order_by("id"))
    assert [(r.pk, r.material_id, r.name, r.status, r.note) for r in case.submitted_materials] == [
        (r.pk, r.material_id, r.name, r.status, r.note) for r in rows]


def test_the_submission_event_opens_the_cases_chain(world):
    case = submit_online(world)
    events = list(events_for(f"case:{case.number}"))
    assert [(e.position, e.action, e.from_state, e.to_state) for e in events] == [
        (1, "onewindow.case.submitted", "submitted", "submitted")]
    assert events[0].data["materials"] == {r.name: r.status for r in case.submitted_materials}
    assert audit.verify(chain_keys=[f"case:{case.number}"]).ok


def test_a_case_without_instant_rules_is_not_read_back(world):
    submit_online(world)  # counters and caches warm
    with CaptureQueriesContext(connection) as ctx:
        case = submit_online(world)
    assert case.state == "submitted"
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT") and '"cases_case"' in q["sql"]]
    assert reads == []


@pytest.mark.parametrize("area, state", [(80, "concluded"), (150, "submitted")])
def test_an_item_with_instant_rules_is_still_decided_at_once(world, area, state):
    case = submit_online(world, world.instant, form={"area": area})
    assert case.state == state
    assert not hasattr(case, "submitted_materials")  # read back after the decision
