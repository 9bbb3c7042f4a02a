"""Reads of ratings: a service's rating, the public statistics per department, item, window and clerk,
the appraisal's figures, the rectification lists with their lights, and public appraisal scores. Every
figure is an aggregate in the database over counted ratings (an upheld appeal's rating is not counted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Avg, Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from onewindow.workflow import clock

from . import access
from .models import Rating, Rectification, Survey, SurveyAnswer, SurveyComment, SurveyProblem, SurveyResponse
from .states import BAD_LEVEL_MAX, LEVEL_SCORES, OPEN_RECTIFICATION_STATES

SCORE = Case(*[When(level=level, then=Value(points)) for level, points in LEVEL_SCORES.items()],
             output_field=IntegerField())
GROUPS = {
    "department": ("department_id", "department__name"),
    "item": ("item_id", "item__name"),
    "window": ("window_id", "window__number", "window__centre__name"),
    "clerk": ("clerk_id", "clerk__display_name", "clerk__username"),
    "centre": ("centre_id", "centre__name"),
}


def rating_of(kind: str, subject_id: int) -> Rating | None:
    return Rating.objects.filter(subject_kind=kind, subject_id=subject_id).first()


def counted(*, start: date, end: date) -> QuerySet[Rating]:
    return Rating.objects.filter(counted=True, rated_on__gte=start, rated_on__lte=end)


def _figures() -> dict[str, Any]:
    return {"ratings": Count("id"), "satisfied": Count("id", filter=Q(level__gt=BAD_LEVEL_MAX)),
            "dissatisfied": Count("id", filter=Q(level__lte=BAD_LEVEL_MAX)), "score_sum": Sum(SCORE)}


@dataclass(frozen=True)
class Row:
    key: int | None
    name: str
    ratings: int
    satisfied: int
    dissatisfied: int
    score_sum: int

    @property
    def satisfaction(self) -> float | None:
        """Share of ratings that are not bad (满意率), in percent."""
        return None if not self.ratings else round(100 * self.satisfied / self.ratings, 1)

    @property
    def average_score(self) -> float | None:
        return None if not self.ratings else round(self.score_sum / self.ratings, 1)


def _name(by: str, row: dict) -> str:
    if by == "window":
        return f"{row['window__centre__name'] or ''} {row['window__number'] or ''}号窗口".strip()
    if by == "clerk":
        return row["clerk__display_name"] or row["clerk__username"] or ""
    return row[GROUPS[by][1]] or ""


def statistics(*, by: str, start: date, end: date, department_id: int | None = None,
               minimum: int = 1) -> list[Row]:
    """Counted ratings of the period grouped `by` department, item, window, clerk or centre, in one
    query, the most rated first (groups with fewer than `minimum` ratings left out)."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping: {by}")
    key = GROUPS[by][0]
    rows = counted(start=start, end=end).exclude(**{f"{key}__isnull": True})
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    grouped = rows.values(*GROUPS[by]).annotate(**_figures()).order_by("-ratings", key)
    return [Row(key=row[key], name=_name(by, row), ratings=row["ratings"], satisfied=row["satisfied"],
                dissatisfied=row["dissatisfied"], score_sum=row["score_sum"] or 0)
            for row in grouped if row["ratings"] >= minimum]


def totals(*, start: date, end: date) -> Row:
    figures = counted(start=start, end=end).aggregate(**_figures())
    return Row(key=None, name="", ratings=figures["ratings"], satisfied=figures["satisfied"],
               dissatisfied=figures["dissatisfied"], score_sum=figures["score_sum"] or 0)


def level_counts(*, start: date, end: date) -> dict[int, int]:
    rows = counted(start=start, end=end).values("level").annotate(n=Count("id"))
    return {row["level"]: row["n"] for row in rows}


def dimension_averages(*, start: date, end: date) -> dict[str, float | None]:
    names = ("level", "efficiency", "guide_accuracy", "convenience", "usability", "service_level", "attitude")
    figures = counted(start=start, end=end).aggregate(**{name: Avg(name) for name in names})
    return {name: None if value is None else round(float(value), 2) for name, value in figures.items()}


def appraisal_figures(*, start: date, end: date) -> dict[int, dict[str, int]]:
    """Per department id: ratings, satisfied, dissatisfied and score_sum (100/75/50/25/0 per level) of
    the counted ratings rated from `start` to `end` inclusive — what performance appraisal reads."""
    rows = (counted(start=start, end=end).filter(department_id__isnull=False).values("department_id")
            .annotate(**_figures()).order_by("department_id"))
    return {row["department_id"]: {"ratings": row["ratings"], "satisfied": row["satisfied"],
                                   "dissatisfied": row["dissatisfied"], "score_sum": row["score_sum"] or 0}
            for row in rows}


def clerk_figures(*, start: date, end: date) -> dict[int, dict[str, int]]:
    """Per clerk (user id): the same figures, for the window clerks' appraisal."""
    rows = (counted(start=start, end=end).filter(clerk_id__isnull=False).values("clerk_id")
            .annotate(**_figures()).order_by("clerk_id"))
    return {row["clerk_id"]: {"ratings": row["ratings"], "satisfied": row["satisfied"],
                              "dissatisfied": row["dissatisfied"], "score_sum": row["score_sum"] or 0}
            for row in rows}


# -- rectifications ------------------------------------------------------------------------------------

def rectifications_for(user) -> QuerySet[Rectification]:
    """The rectifications the account may see: all for the office, its unit's for a unit, none else."""
    rows = Rectification.objects.select_related("rating", "department", "centre", "rating__item",
                                                "rating__window")
    if access.is_office(user):
        return rows
    departments, centres = access.unit_scope(user)
    return rows.filter(Q(department_id__in=departments) | Q(department_id=None, centre_id__in=centres))


def rectification_list(user, *, state: str = "open", today: date) -> QuerySet[Rectification]:
    rows = rectifications_for(user)
    if state == "open":
        rows = rows.filter(state__in=OPEN_RECTIFICATION_STATES)
    elif state in ("red", "yellow", "green", "paused"):
        rows = rows.filter(clock.light_q(state, today=today))
    elif state != "all":
        rows = rows.filter(state=state)
    return rows.order_by("clock_due_on", "id")


def rectification_counts(user, *, today: date) -> dict[str, int]:
    return clock.counts(rectifications_for(user), today=today)


def rectification_for(user, pk: int) -> Rectification | None:
    return rectifications_for(user).filter(pk=pk).first()


def open_rectifications(*, today: date) -> QuerySet[Rectification]:
    """Every open rectification (the efficiency office's watch over the clocks)."""
    return Rectification.objects.filter(clock.light_q("open", today=today))


# -- public appraisal -----------------------------------------------------------------------------------

def survey_for_year(year: int) -> Survey | None:
    return Survey.objects.filter(year=year).first()


def survey_by_code(code: str) -> Survey | None:
    return Survey.objects.filter(code=code).prefetch_related("questions", "departments").first()


def public_appraisal_scores(year: int) -> dict[int, dict[str, Any]]:
    """Per department id of the year's survey: responses (people who scored it), answers, score (the
    average of 100/75/50/25/0 over every answer, None without answers), and its comments. Responses the
    duplicate check marked suspect are left out."""
    survey = survey_for_year(year)
    if survey is None:
        return {}
    answers = SurveyAnswer.objects.filter(response__survey=survey, response__suspect=False)
    rows = answers.values("department_id").annotate(
        answers=Count("id"), responses=Count("response_id", distinct=True), score_sum=Sum(SCORE))
    scores: dict[int, dict[str, Any]] = {
        department.pk: {"name": department.name, "responses": 0, "answers": 0, "score": None, "comments": []}
        for department in survey.departments.all()}
    for row in rows:
        entry = scores.setdefault(row["department_id"], {"name": "", "comments": []})
        entry.update(responses=row["responses"], answers=row["answers"],
                     score=round((row["score_sum"] or 0) / row["answers"], 1) if row["answers"] else None)
    comments = (SurveyComment.objects.filter(response__survey=survey, response__suspect=False)
                .order_by("department_id", "id").values_list("department_id", "text"))
    for department_id, text in comments:
        scores.setdefault(department_id, {"name": "", "responses": 0, "answers": 0, "score": None,
                                          "comments": []})["comments"].append(text)
    return scores


def survey_question_scores(survey: Survey) -> dict[tuple[int, int], float]:
    """(department id, question id) -> average score, for the office's table."""
    rows = (SurveyAnswer.objects.filter(response__survey=survey, response__suspect=False)
            .values("department_id", "question_id").annotate(n=Count("id"), s=Sum(SCORE)))
    return {(row["department_id"], row["question_id"]): round((row["s"] or 0) / row["n"], 1) for row in rows}


def survey_response_counts(survey: Survey) -> dict[str, int]:
    return SurveyResponse.objects.filter(survey=survey).aggregate(
        total=Count("id"), suspect=Count("id", filter=Q(suspect=True)))


def survey_problems(survey: Survey) -> QuerySet[SurveyProblem]:
    return SurveyProblem.objects.filter(survey=survey).select_related("department").order_by("department_id",
                                                                                               "clock_due_on")
