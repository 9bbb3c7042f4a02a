from __future__ import annotations

from onewindow.audit.models import AuditEvent
from onewindow.cases import services as case_services
from onewindow.cases.models import KeyProject
from onewindow.projects import services
from onewindow.projects.models import Project, Stage, StageCase
from tests.cases.factories import at, submit_online

__all__ = ["at", "register", "concluded_case", "open_case", "snapshot"]


def register(world, *, kind="government", code="GC-2026-001", key=False, now=None, **kwargs) -> Project:
    return services.register_project(
        actor=world.clerk, code=code, name=kwargs.pop("name", "东兴市第二中学教学楼"), kind=kind, centre=world.centre,
        applicant=world.applicant, is_key=key, now=now or at(2026, 9, 1), **kwargs)


def open_case(world, project: Project, *, now=None):
    """A case submitted for the project (naming its file) and accepted: immediate item, approved at once."""
    now = now or at(2026, 9, 1, 11)
    case = submit_online(world, world.immediate, project=project.file, now=now)
    return case_services.accept_case(clerk=world.clerk, case=case, now=now)


def concluded_case(world, project: Project, *, now=None):
    now = now or at(2026, 9, 1, 11)
    case = open_case(world, project, now=now)
    return case_services.conclude_case(actor=world.clerk, case=case, delivery_method="electronic", now=now)


def snapshot(project: Project | None = None) -> dict:
    """Everything a refused action must leave as it was."""
    result = {
        "projects": list(Project.objects.order_by("id").values_list(
            "id", "state", "clock_started_on", "clock_due_on", "clock_paused_since", "clock_paused_days",
            "clock_stopped_on")),
        "stages": list(Stage.objects.order_by("id").values_list(
            "id", "state", "clock_started_on", "clock_due_on", "clock_paused_since", "clock_stopped_on")),
        "stage_items": sorted(Stage.items.through.objects.values_list("stage_id", "item_id")),
        "links": list(StageCase.objects.order_by("id").values_list("stage_id", "case_id")),
        "files": KeyProject.objects.count(),
        "events": AuditEvent.objects.count(),
    }
    return result
