"""Public pages of ratings (好差评):

- /rate/<token>/: the rating page a signed link opens — from the applicant's progress page, the text
  message of a concluded case, or a printed notice. The link names one service; it is rated once.
- /ratings/: the public statistics per department, item and window for a period, with SVG bars.

Views parse input, call ratings.services or ratings.selectors and render."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.core.errors import DomainError, NotFound
from onewindow.core.throttle import throttle
from onewindow.ratings import selectors, services, subjects, tokens
from onewindow.ratings.forms import RatingForm
from onewindow.ratings.states import Source, SubjectKind

from .ratings_charts import satisfaction_bars

PERIODS = {
    "month": gettext_lazy("近 30 天"),
    "quarter": gettext_lazy("近 90 天"),
    "year": gettext_lazy("本年度"),
}


def case_rating(case, *, look_up: bool = True) -> dict:
    """What a case's progress page shows once the case has ended: the rating given, or the link to rate.
    `look_up=False` (the public progress page, kept to its query budget): the link only — the rating
    page itself says when the case was rated already."""
    if case.state not in subjects.RATEABLE_CASE_STATES:
        return {}
    rating = selectors.rating_of(SubjectKind.CASE, case.pk) if look_up else None
    if rating is not None:
        return {"rating": rating}
    return {"link": tokens.link(SubjectKind.CASE, case.pk, Source.PORTAL)}


def _add_errors(form, exc: DomainError) -> None:
    field = exc.field.split(".")[-1] if exc.field else None
    form.add_error(field if field in form.fields else None, exc.message)


@throttle("progress", methods=("POST",))
@require_http_methods(["GET", "POST"])
def rate(request, token: str):
    try:
        kind, subject_id, source = tokens.read(token)
        subject = subjects.resolve(kind, subject_id)
    except NotFound:
        raise Http404 from None
    existing = selectors.rating_of(subject.kind, subject.id)
    context = {"subject": subject, "rating": existing}
    if existing is not None:
        return render(request, "portal/ratings/rate.html", context)
    if not subject.rateable:
        return render(request, "portal/ratings/rate.html", {**context, "closed": subject.not_rateable_reason})
    form = RatingForm(request.POST or None, mode=subject.mode)
    if request.method == "POST" and form.is_valid():
        try:
            rating = services.rate(kind=subject.kind, subject_id=subject.id, level=form.cleaned_data["level"],
                                   dimensions=form.dimensions(), comment=form.cleaned_data["comment"],
                                   source=source, rater=request.user)
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            return render(request, "portal/ratings/rate.html", {**context, "rating": rating, "thanks": True})
    return render(request, "portal/ratings/rate.html", {**context, "form": form},
                  status=400 if form.errors else 200)


def _period(key: str, today: date) -> tuple[date, date]:
    if key == "year":
        return date(today.year, 1, 1), today
    return today - timedelta(days=89 if key == "quarter" else 29), today


@require_GET
def statistics(request):
    """好差评公示: the counted ratings of the period per department, item and window."""
    today = timezone.localdate()
    period = request.GET.get("period") if request.GET.get("period") in PERIODS else "year"
    start, end = _period(period, today)
    departments = selectors.statistics(by="department", start=start, end=end)
    items = selectors.statistics(by="item", start=start, end=end)[:10]
    windows = selectors.statistics(by="window", start=start, end=end)[:10]
    return render(request, "portal/ratings/statistics.html", {
        "period": period, "periods": list(PERIODS.items()), "start": start, "end": end,
        "total": selectors.totals(start=start, end=end), "levels": selectors.level_counts(start=start, end=end),
        "sections": [
            ("departments", _("各部门"), departments, satisfaction_bars(departments)),
            ("items", _("评价最多的事项"), items, satisfaction_bars(items)),
            ("windows", _("各窗口"), windows, satisfaction_bars(windows)),
        ],
    })
