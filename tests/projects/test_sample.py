"""The demo's sample projects: a few of each kind, some late, made through the services."""

from datetime import date

import pytest

from onewindow.projects import selectors
from onewindow.projects.models import Project


@pytest.mark.django_db
def test_the_sample_projects_show_every_light_once_loaded_and_only_once():
    from onewindow.calendar.services import seed_official_calendar
    from onewindow.catalog.sample import load_sample_catalog
    from onewindow.orgs.sample import ensure_demo_accounts, load_sample_orgs
    from onewindow.projects.sample import load_sample_projects

    seed_official_calendar()
    load_sample_orgs()
    load_sample_catalog()
    ensure_demo_accounts(password="demo-pass-2026")
    today = date(2026, 12, 7)
    assert load_sample_projects(today=today) == "10 projects written"
    assert load_sample_projects(today=today) == "10 projects (already present)"
    counts = selectors.light_counts(today=today)
    assert {k: counts[k] for k in ("green", "red", "paused", "on_time", "late")} == {
        "green": 3, "red": 1, "paused": 1, "on_time": 3, "late": 1}
    assert set(Project.objects.values_list("kind", flat=True)) == {"government", "social", "electricity"}
    flagged = [p.code for p in Project.objects.order_by("code")
               if selectors.view(p, today=today, with_cases=False).late_stages]
    assert flagged == ["GC-2026-002", "SH-2026-001"]
    rows, kinds = selectors.measured_times(today=today)
    assert {k.kind: (k.closed, k.on_time) for k in kinds} == {"government": (1, 1), "social": (1, 1),
                                                             "electricity": (2, 1)}
    assert Project.objects.get(code="GC-2026-001").file.agent.username == "agent"
