"""Public pages of the hall. Views parse input, call a hall service or selector and render:

- /hall/ and /hall/<centre>/: how many are waiting and the expected wait now, per queue, and how busy
  each hour usually is (so people can choose when to come); the live part refreshes itself (htmx);
- /hall/<centre>/screen/: the screen hung in the hall, numbers being called in large type (htmx polling);
- /appointments/book/<item>/: a signed-in applicant books a half-day at a centre that accepts the item;
- /my/appointments/…: their bookings, a printable confirmation with the booking code as a QR code, and
  cancellation until the cut-off. The booking code and a cancellation also go by text message."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.catalog import selectors as catalog_selectors
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.throttle import throttle
from onewindow.hall import messages as hall_messages
from onewindow.hall import selectors, services
from onewindow.hall.models import Appointment, AppointmentState
from onewindow.notify.backends import get_backend
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.identity import mask_phone

from .account_views import sign_in_first
from .hall_charts import hourly_svg
from .hall_forms import BookingForm, CancelForm
from .qr import qr_svg

logger = logging.getLogger("onewindow.hall")


def _hall_or_404(code: str):
    hall = selectors.hall_for_code(code)
    if hall is None:
        raise Http404(_("该中心尚未开通排队取号"))
    return hall


def _live_context(hall) -> dict:
    now = timezone.localtime()
    return {"hall": hall, "lines": selectors.queue_lines(hall, now=now), "calls": selectors.calls(hall, now=now),
            "now": now}


@require_GET
def hall_list(request):
    rows = [_live_context(hall) for hall in selectors.halls()]
    return render(request, "portal/hall/list.html", {"rows": rows})


@require_GET
def hall_detail(request, code: str):
    hall = _hall_or_404(code)
    context = _live_context(hall)
    if request.htmx and not request.htmx.boosted:
        return render(request, "portal/hall/_live.html", context)
    profile = selectors.hourly_profile(hall, today=context["now"].date())
    context.update({"chart": hourly_svg(profile), "has_history": any(row.tickets_per_day for row in profile),
                    "quiet_hours": [row.label for row in profile if row.tickets_per_day and row.average_wait_minutes
                                    is not None and row.average_wait_minutes < 10]})
    return render(request, "portal/hall/detail.html", context)


@require_GET
def hall_screen(request, code: str):
    hall = _hall_or_404(code)
    now = timezone.localtime()
    context = {"hall": hall, "calls": selectors.calls(hall, now=now), "lines": selectors.queue_lines(hall, now=now),
               "now": now}
    template = "portal/hall/_board.html" if request.htmx else "portal/hall/screen.html"
    return render(request, template, context)


# -- booking ------------------------------------------------------------------------------------------

def _applicant_or_403(request):
    applicant = org_selectors.applicant_for_user(request.user)
    if applicant is None:
        return None, render(request, "portal/cases/not_applicant.html", status=403)
    return applicant, None


def _send_text(phone: str, text: str) -> None:
    """A text message at once through the configured SMS backend; a failure is logged (phone masked) and
    never undoes the booking — the page shows the code too."""
    if not phone:
        return
    try:
        get_backend().send_text(phone=phone, text=text)
    except Exception as exc:  # noqa: BLE001 - a gateway's failure of any kind
        logger.warning("预约短信发送失败 text to %s failed: %s: %s", mask_phone(phone), type(exc).__name__,
                       str(exc)[:300])


def _text_booked(appointment: Appointment) -> None:
    _send_text(appointment.phone, hall_messages.booked_text(appointment))


def _text_cancelled(appointment: Appointment) -> None:
    _send_text(appointment.phone, hall_messages.cancelled_text(appointment))


@throttle("apply", by="applicant", methods=("POST",))
@require_http_methods(["GET", "POST"])
def book(request, item_code: str):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    try:
        item = catalog_selectors.get_item(item_code)
    except NotFound:
        raise Http404 from None
    applicant, refused = _applicant_or_403(request)
    if refused is not None:
        return refused
    centres = selectors.bookable_centres(item)
    where = catalog_selectors.accepting_centres(item)
    nearest = catalog_selectors.nearest_centre(where, applicant.address)
    asked = request.POST.get("centre") or request.GET.get("centre") or ""
    wanted = asked or (nearest.code if nearest else "")
    centre = next((c for c in centres if c.code == wanted), None)
    if centre is None and not asked and len(centres) == 1:
        centre = centres[0]
    hall = selectors.hall_for_code(centre.code) if centre is not None else None
    form = BookingForm(request.POST or None)
    if request.method == "POST" and hall is not None and centre is not None and form.is_valid():
        try:
            day, half_day = form.cleaned_data["slot"]
            appointment = services.book_appointment(
                applicant=applicant, item=item, centre=centre, day=day, half_day=half_day, booked_by=request.user,
                notify=_text_booked)
        except DomainError as exc:
            form.add_error("slot" if exc.field in ("day", "half_day") else None, exc.message)
        else:
            messages.success(request, _("预约成功，预约码 %(code)s（已发送短信）。") % {"code": appointment.code})
            return redirect("portal_hall:my_appointment", code=appointment.code)
    elif request.method == "POST" and hall is None:
        form.is_valid()
        form.add_error(None, _("请先选择办理的中心"))
    return render(request, "portal/hall/book.html", {
        "item": item, "applicant": applicant, "centres": centres, "centre": centre, "hall": hall, "form": form,
        "days": selectors.slots(hall, item) if hall is not None else [],
        "where": where,
    }, status=400 if form.errors else 200)


@require_GET
def my_appointments(request):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    applicant, refused = _applicant_or_403(request)
    if refused is not None:
        return refused
    today = timezone.localdate()
    rows = list(selectors.appointments_of(applicant)[:100])
    coming = [a for a in rows if a.day >= today and a.state == AppointmentState.BOOKED]
    return render(request, "portal/hall/my_appointments.html", {
        "applicant": applicant, "coming": sorted(coming, key=lambda a: (a.day, a.half_day)),
        "earlier": [a for a in rows if a not in coming]})


def _own_appointment(request, code: str):
    applicant, refused = _applicant_or_403(request)
    if refused is not None:
        return None, refused
    appointment = selectors.appointment_for(applicant, code)
    if appointment is None:
        raise Http404(_("没有找到该预约"))
    return appointment, None


@require_GET
def my_appointment(request, code: str):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    appointment, refused = _own_appointment(request, code)
    if refused is not None:
        return refused
    return render(request, "portal/hall/appointment.html", _appointment_context(appointment, CancelForm()))


def _appointment_context(appointment: Appointment, form: CancelForm) -> dict:
    hall = selectors.hall_for_code(appointment.centre.code)
    deadline = services.cancel_deadline(hall, appointment) if hall is not None else None
    return {
        "appointment": appointment, "hall": hall, "form": form,
        "qr": qr_svg(appointment.code, label=_("预约码 %(code)s") % {"code": appointment.code}),
        "cancel_deadline": deadline,
        "can_cancel": appointment.state == AppointmentState.BOOKED and deadline is not None
        and timezone.now() <= deadline,
        "times": selectors.half_day_times(hall, appointment) if hall is not None else None,
    }


@throttle("apply", by="applicant")
@require_POST
def cancel(request, code: str):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    appointment, refused = _own_appointment(request, code)
    if refused is not None:
        return refused
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_appointment(appointment=appointment, actor=request.user,
                                        reason=form.cleaned_data["reason"], notify=_text_cancelled)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("预约 %(code)s 已取消，名额已释放。") % {"code": appointment.code})
            return redirect(reverse("portal_hall:my_appointments"))
    return render(request, "portal/hall/appointment.html", _appointment_context(appointment, form), status=400)
