"""Staff pages of ratings (好差评):

- 差评整改: the rectifications of the signed-in unit (or all, for the efficiency office) with their
  lights, and one rectification's page — the rating, the follow-up, the record, and a form for each
  action the rectification registry offers the viewer (ratings/actions.py, workflow/forms.py);
- 评价器 (the window's rating pad): a tablet at the counter, signed in by the window's clerk, showing
  the visit the window is serving or just served (and a case it concluded on the spot); the person served
  taps a level. The rating is theirs, not the account's: it is recorded with no rater and the pad's
  account in the audit record, and the clerk's own ratings page never lets staff rate;
- 评价统计: per department and per clerk, for supervisors.

Views parse input, call ratings.services / selectors / the registry and render."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.audit import selectors as audit_selectors
from onewindow.core.errors import DomainError
from onewindow.hall import selectors as hall_selectors
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Role
from onewindow.ratings import access, selectors, services, subjects
from onewindow.ratings.actions import registry
from onewindow.ratings.forms import RatingForm
from onewindow.ratings.states import RECTIFICATION_MACHINE, Dimension, Level, RectificationState, Source
from onewindow.workflow import clock
from onewindow.workflow.forms import ActionForm

from .common import page, staff_required

PAD_WINDOW = "ratings_pad_window_id"
STATES = [("open", gettext_lazy("未办结")), ("red", gettext_lazy("已超期")), ("yellow", gettext_lazy("临近期限")),
          ("paused", gettext_lazy("暂停计时")),
          (RectificationState.SUBMITTED, RectificationState.SUBMITTED.label),
          (RectificationState.APPEALED, RectificationState.APPEALED.label), ("all", gettext_lazy("全部"))]


def _may_see_rectifications(user) -> bool:
    departments, centres = access.unit_scope(user)
    return access.is_office(user) or bool(departments) or bool(centres)


@staff_required
@require_GET
def rectifications(request):
    if not _may_see_rectifications(request.user):
        raise Http404
    today = timezone.localdate()
    state = request.GET.get("state") or "open"
    if state not in {key for key, _label in STATES}:
        state = "open"
    rows = selectors.rectification_list(request.user, state=state, today=today)
    page_obj = page(request, rows)
    for row in page_obj:
        row.light = clock.light(row, today=today)
        row.days_left = clock.days_left(row, today=today)
        row.light_label = clock.Light(row.light).label if row.light else ""
    return render(request, "workbench/ratings/rectifications.html", {
        "page_obj": page_obj, "state": state, "states": STATES,
        "counts": selectors.rectification_counts(request.user, today=today), "is_office": access.is_office(request.user),
    })


def _rectification_or_404(user, pk: int):
    rectification = selectors.rectification_for(user, pk)
    if rectification is None:
        raise Http404
    return rectification


def _action_forms(user, rectification, *, data=None, posted: str | None = None) -> list[dict]:
    return [{"name": offer.name, "label": offer.action.label,
             "form": ActionForm(offer, data if posted == offer.name else None)}
            for offer in registry.offers(user, rectification)]


def _events(rectification) -> list:
    verbs = {row.verb: row.label for row in RECTIFICATION_MACHINE.transitions.values()}
    verbs["opened"] = _("差评转整改")
    events = list(audit_selectors.events_for(f"rectification:{rectification.pk}"))
    for event in events:
        event.label = verbs.get(event.action.rsplit(".", 1)[-1], event.action)
    return events


def _dimensions(rating) -> list[tuple[object, object]]:
    return [(Dimension(name).label, Level(value).label) for name in Dimension.values
            if (value := getattr(rating, name)) is not None]


def _render_detail(request, rectification, actions, *, status: int = 200):
    today = timezone.localdate()
    light = clock.light(rectification, today=today)
    return render(request, "workbench/ratings/rectification.html", {
        "r": rectification, "rating": rectification.rating, "actions": actions,
        "rating_dimensions": _dimensions(rectification.rating),
        "light": light, "light_label": clock.Light(light).label if light else "",
        "days_left": clock.days_left(rectification, today=today),
        "events": _events(rectification),
    }, status=status)


@staff_required
@require_GET
def rectification(request, pk: int):
    r = _rectification_or_404(request.user, pk)
    return _render_detail(request, r, _action_forms(request.user, r))


@staff_required
@require_POST
def rectification_action(request, pk: int, action: str):
    r = _rectification_or_404(request.user, pk)
    actions = _action_forms(request.user, r, data=request.POST, posted=action)
    offered = next((row for row in actions if row["name"] == action), None)
    if offered is None:
        messages.error(request, _("该差评整改当前状态下不能进行此操作，或您无权办理。"))
        return redirect("workbench:rectification", pk=r.pk)
    form = offered["form"]
    if form.is_valid():
        try:
            registry.perform(request.user, r, action, form.params())
        except DomainError as exc:
            form.add_error(form.error_field(exc.field), exc.message)
        else:
            messages.success(request, str(form.offer.action.done_message))
            return redirect("workbench:rectification", pk=r.pk)
    r = _rectification_or_404(request.user, pk)
    return _render_detail(request, r, actions, status=400)


# -- the window's rating pad ------------------------------------------------------------------------------

def _pad_windows(user) -> list:
    centres = org_selectors.role_scopes(user, [Role.WINDOW_CLERK])[0]
    return [hw for hall in hall_selectors.halls() if hall.centre_id in centres for hw in hall_selectors.hall_windows(hall)]


def _pad_subjects(window_id: int) -> list[subjects.Subject]:
    offered = subjects.served_recently(window_id) + subjects.cases_concluded_at_window(window_id)
    rated = {(s.kind, s.id) for s in offered if selectors.rating_of(s.kind, s.id) is not None}
    return [s for s in offered if (s.kind, s.id) not in rated]


@staff_required
@require_http_methods(["GET", "POST"])
def pad(request):
    """评价器. GET shows the window's current service and the five levels; POST rates it (no rater: the
    person at the counter rates, the pad's account is on the audit record)."""
    windows = _pad_windows(request.user)
    if not windows:
        raise Http404
    chosen = request.GET.get("window") or request.session.get(PAD_WINDOW)
    hall_window = next((hw for hw in windows if str(hw.window_id) == str(chosen)), None)
    if hall_window is None:
        return render(request, "workbench/ratings/pad_choose.html", {"windows": windows})
    request.session[PAD_WINDOW] = hall_window.window_id
    offered = _pad_subjects(hall_window.window_id)
    key = request.POST.get("subject") or request.GET.get("subject") or ""
    subject = next((s for s in offered if f"{s.kind}-{s.id}" == key), offered[0] if offered else None)
    form = RatingForm(request.POST or None, mode=subject.mode) if subject is not None else None
    if request.method == "POST":
        if subject is None or form is None:
            messages.warning(request, _("该服务已评价或不在本窗口，请重新选择"))
            return redirect("workbench:rating_pad")
        if form.is_valid():
            try:
                services.rate(kind=subject.kind, subject_id=subject.id, level=form.cleaned_data["level"],
                              dimensions=form.dimensions(), comment=form.cleaned_data["comment"],
                              source=Source.PAD, rater=None, device=request.user)
            except DomainError as exc:
                field = exc.field.split(".")[-1] if exc.field else None
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                return render(request, "workbench/ratings/pad_thanks.html", {"window": hall_window.window})
    return render(request, "workbench/ratings/pad.html", {
        "hall_window": hall_window, "window": hall_window.window, "windows": windows, "offered": offered,
        "subject": subject, "form": form,
    }, status=400 if form is not None and form.errors else 200)


# -- figures -----------------------------------------------------------------------------------------------

@staff_required
@require_GET
def figures(request):
    """评价统计 for the efficiency office: per department and per window clerk, this year by default."""
    if not access.is_office(request.user) and not org_selectors.is_role(request.user, Role.ADMINISTRATOR):
        raise Http404
    today = timezone.localdate()
    days = request.GET.get("days")
    start = today - timedelta(days=int(days) - 1) if days in ("30", "90", "365") else date(today.year, 1, 1)
    return render(request, "workbench/ratings/figures.html", {
        "start": start, "end": today, "days": days,
        "departments": selectors.statistics(by="department", start=start, end=today),
        "clerks": selectors.statistics(by="clerk", start=start, end=today),
        "total": selectors.totals(start=start, end=today),
        "dimensions": selectors.dimension_averages(start=start, end=today),
    })
