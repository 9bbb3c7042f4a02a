"""Cases made through the services, for page tests that start past intake."""

from __future__ import annotations

from onewindow.cases import services

from .world import World


def provided_ids(w: World, *skip: str) -> list[int]:
    return [m.pk for key, m in w.materials.items() if key not in ("licence", *skip)]


def accepted_case(w: World, *, applicant=None):
    return services.intake_at_window(
        clerk=w.clerk,
        item=w.item,
        applicant=applicant or w.applicant,
        provided_material_ids=provided_ids(w),
        decision="accept",
    )


def submitted_online_case(w: World, *skip: str):
    from onewindow.cases.models import Channel

    return services.submit_case(
        item=w.item,
        applicant=w.applicant,
        channel=Channel.ONLINE,
        centre=w.centre,
        provided_material_ids=provided_ids(w, *skip),
        submitted_by=w.applicant_user,
    )


def task_of(case, department):
    return case.tasks.get(department=department)
