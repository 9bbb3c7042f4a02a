"""The site's error pages (Django's handler404 and handler403, set in the root URLconf). Staff pages
(/staff/…) answer in the workbench's own frame, with a way back to the workbench home: the public 404
speaks of item codes and the guide, which is no help to a clerk who followed a stale link or lacks a
role. Public pages keep the portal's 404 (portal/templates/404.html) and the Chinese 403
(core/templates/403.html), through Django's default views."""

from __future__ import annotations

from django.shortcuts import render
from django.views import defaults

# Where the root URLconf mounts the workbench (onewindow/urls.py; tests/workbench/test_error_pages.py
# checks the two agree).
STAFF_PREFIX = "/staff/"


def is_staff_path(request) -> bool:
    return request.path_info.startswith(STAFF_PREFIX)


def page_not_found(request, exception):
    if is_staff_path(request):
        return render(request, "workbench/error.html", {"status": 404}, status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception):
    if is_staff_path(request):
        return render(request, "workbench/error.html", {"status": 403}, status=403)
    return defaults.permission_denied(request, exception)
