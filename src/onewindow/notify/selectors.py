"""Reads on notifications. An applicant sees their own, nobody else's (permission first, in the
queryset); staff accounts have none."""

from __future__ import annotations

from django.db.models import QuerySet

from onewindow.orgs import selectors as org_selectors

from . import messages
from .models import Notification


def notifications_for(user) -> QuerySet[Notification]:
    """The signed-in applicant's notifications, newest first."""
    applicant = org_selectors.applicant_for_user(user)
    if applicant is None:
        return Notification.objects.none()
    return Notification.objects.filter(applicant=applicant).order_by("-created_at", "-id")


def display_text(notification: Notification) -> str:
    """The notification's text in the active language (the stored text is the Chinese one sent)."""
    return messages.render(notification.kind, notification.data or {})


def case_notifications(case_number: str) -> QuerySet[Notification]:
    """What one case's applicant has been told, oldest first (for staff pages and checks)."""
    return Notification.objects.filter(case_number=case_number).order_by("created_at", "id")
