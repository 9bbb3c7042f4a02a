"""The hall's staff pages: a window clerk calling numbers all day (叫号), and the kiosk where people take
a ticket or check in with their booking code (取号机: a staff device, signed in by the hall's staff).
Views parse input, call hall.services or hall.selectors and render; the calling buttons swap the panel
in place (htmx) and work as plain forms without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.core.errors import DomainError
from onewindow.hall import selectors, services
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Role

from .common import staff_required

ACTIONS = {
    "call": services.call_next,
    "recall": services.recall,
    "skip": services.skip,
    "finish": services.finish,
    "open": services.open_window,
    "close": services.close_window,
}
SESSION_WINDOW = "hall_window_id"


def _clerk_halls(user) -> list:
    centres, _departments = org_selectors.role_scopes(user, [Role.WINDOW_CLERK])
    return [hall for hall in selectors.halls() if hall.centre_id in centres]


def _panel_context(request, hall_window) -> dict:
    now = timezone.localtime()
    hall = selectors.hall_for_centre(hall_window.window.centre)
    served = {category.pk for category in hall_window.categories.all()}
    current = services.current_ticket(hall_window.window)
    return {
        "hall_window": hall_window, "window": hall_window.window, "hall": hall, "now": now, "current": current,
        "current_minutes": None if current is None or current.last_called_at is None else
        int((now - current.last_called_at).total_seconds() // 60),
        "current_wait_minutes": None if current is None or current.wait_seconds is None else
        current.wait_seconds // 60,
        "lines": [line for line in selectors.queue_lines(hall, now=now) if line.category.pk in served],
        "today": selectors.window_today(hall_window.window_id, now=now),
        "is_open": hall_window.opened_at is not None and timezone.localtime(hall_window.opened_at).date() == now.date(),
    }


@staff_required
@require_GET
def calling(request):
    """叫号: the window clerk's page. The window is chosen once and remembered for the session."""
    halls = _clerk_halls(request.user)
    if not halls:
        raise Http404
    windows = [hw for hall in halls for hw in selectors.hall_windows(hall)]
    chosen = request.GET.get("window") or request.session.get(SESSION_WINDOW)
    hall_window = next((hw for hw in windows if str(hw.window_id) == str(chosen)), None)
    if hall_window is None:
        return render(request, "workbench/hall/choose_window.html", {"windows": windows})
    request.session[SESSION_WINDOW] = hall_window.window_id
    return render(request, "workbench/hall/calling.html", {**_panel_context(request, hall_window), "windows": windows})


@staff_required
@require_POST
def window_action(request, window_id: int, action: str):
    if action not in ACTIONS:
        raise Http404
    hall_window = selectors.hall_window(window_id)
    if hall_window is None or hall_window.window.centre_id not in {h.centre_id for h in _clerk_halls(request.user)}:
        raise Http404
    error = None
    try:
        result = ACTIONS[action](window=hall_window.window, clerk=request.user)
    except DomainError as exc:
        error = exc.message
    else:
        if action == "call" and result is None:
            error = _("暂无等候的号")
    hall_window = selectors.hall_window(window_id)
    if request.htmx:
        return render(request, "workbench/hall/_panel.html", {**_panel_context(request, hall_window), "error": error},
                      status=409 if error and action != "call" else 200)
    if error:
        messages.warning(request, error)
    return redirect(reverse("workbench:hall_calling") + f"?window={window_id}")


# -- the kiosk ---------------------------------------------------------------------------------------

def _kiosk_hall(request):
    """The hall the kiosk serves: the centre of the account signed in on it (a clerk or agent); an
    administrator names it (?centre=CODE)."""
    centres, _departments = org_selectors.role_scopes(request.user, [Role.WINDOW_CLERK, Role.AGENT])
    code = request.GET.get("centre") or request.POST.get("centre") or ""
    halls = list(selectors.halls())
    if code:
        hall = next((h for h in halls if h.centre.code == code), None)
        if hall is not None and (hall.centre_id in centres or org_selectors.is_role(request.user, Role.ADMINISTRATOR)):
            return hall
        raise Http404
    hall = next((h for h in halls if h.centre_id in centres), None)
    if hall is None:
        raise Http404
    return hall


@staff_required
@require_http_methods(["GET", "POST"])
def kiosk(request):
    hall = _kiosk_hall(request)
    error, code = None, ""
    if request.method == "POST":
        code = request.POST.get("code", "").strip()[:20]
        try:
            if code:
                ticket = services.check_in(centre=hall.centre, code=code, issued_by=request.user)
            else:
                category = next((c for c in selectors.categories(hall) if str(c.pk) == request.POST.get("category")),
                                None)
                if category is None:
                    raise DomainError(_("请选择业务类别"), field="category")
                ticket = services.take_ticket(centre=hall.centre, category=category, issued_by=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("workbench:hall_ticket", ticket_id=ticket.pk)
    return render(request, "workbench/hall/kiosk.html", {
        "hall": hall, "lines": selectors.queue_lines(hall), "error": error, "code": code,
    }, status=400 if error else 200)


@staff_required
@require_GET
def ticket_slip(request, ticket_id: int):
    ticket = selectors.ticket_by_id(ticket_id)
    if ticket is None:
        raise Http404
    centres, _departments = org_selectors.role_scopes(request.user, [Role.WINDOW_CLERK, Role.AGENT])
    if ticket.centre_id not in centres and not org_selectors.is_role(request.user, Role.ADMINISTRATOR):
        raise Http404
    ahead, minutes = selectors.ticket_wait_minutes(ticket)
    return render(request, "workbench/hall/ticket.html", {"ticket": ticket, "ahead": ahead, "minutes": minutes})
