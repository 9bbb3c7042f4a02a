"""The workbench home: what this account can do, by role. Applicants who sign in at the same page are
sent to their own cases on the public site."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from onewindow.calendar import selectors as calendar_selectors
from onewindow.cases import selectors as case_selectors
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Role

from .common import page

QUEUE_PAGE_SIZE = 10


@login_required
@require_GET
def home(request):
    user_roles = org_selectors.roles_of(request.user)
    if not user_roles:
        if org_selectors.applicant_for_user(request.user) is not None:
            return redirect("portal_cases:my_cases")
        raise Http404
    can_intake = Role.WINDOW_CLERK in user_roles
    # The clerk's queue: online, API and posted applications waiting for acceptance, oldest first.
    queue = page(request, case_selectors.awaiting_acceptance(request.user), per_page=QUEUE_PAGE_SIZE) if can_intake else None
    return render(
        request,
        "workbench/home.html",
        {
            "queue": queue,
            "can_delegate": Role.DEPARTMENT_HEAD in user_roles,
            "can_intake": can_intake,
            "can_inbox": bool(user_roles & {Role.APPROVER, Role.CHIEF_REPRESENTATIVE}),
            "can_list": bool(
                user_roles & {Role.WINDOW_CLERK, Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR}
            ),
            "is_admin": Role.ADMINISTRATOR in user_roles,
            "role_labels": [Role(role).label for role in sorted(user_roles)],
            "centres": org_selectors.centres_of(request.user),
            "departments": org_selectors.departments_of(request.user),
            "calendar_warning": calendar_selectors.missing_next_year_warning(timezone.localdate()),
        },
    )
