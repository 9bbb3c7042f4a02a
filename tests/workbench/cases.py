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


def concluded_case(w: World):
    """An accepted case approved by both departments and concluded (picked up at the window)."""
    case = accepted_case(w)
    services.approve_task(approver=w.approver_a, task=task_of(case, w.dept_a))
    services.approve_task(approver=w.approver_b, task=task_of(case, w.dept_b))
    case.refresh_from_db()
    services.conclude_case(actor=w.clerk, case=case, delivery_method="pickup")
    case.refresh_from_db()
    return case
