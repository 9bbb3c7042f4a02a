"""/my/notifications/ (我的消息): what the signed-in applicant has been told about their cases, newest
first, in the visitor's language. Read-only: the notifications are made by the background outbox
(notify.services), never by looking at this page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.notify import selectors as notify_selectors
from onewindow.orgs import selectors as org_selectors

from .account_views import sign_in_first

PAGE_SIZE = 20


@require_GET
def my_notifications(request):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    applicant = org_selectors.applicant_for_user(request.user)
    if applicant is None:
        return render(request, "portal/cases/not_applicant.html", status=403)
    page_obj = Paginator(notify_selectors.notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"notification": n, "text": notify_selectors.display_text(n)} for n in page_obj]
    return render(request, "portal/cases/my_notifications.html",
                  {"page_obj": page_obj, "rows": rows, "applicant": applicant})
