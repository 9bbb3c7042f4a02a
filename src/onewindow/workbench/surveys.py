"""The public appraisal's staff pages (社会评议): the efficiency office defines a year's survey (its
departments, questions and period) and gets its public link; the survey's page shows the scores per
department and question with the comments grouped, and the problems handed to each department with
owners and deadlines (their clocks' lights); a department reports a problem fixed there. Views parse
input and call ratings.surveys / ratings.selectors."""

from __future__ import annotations

from collections import Counter

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.core.errors import DomainError
from onewindow.orgs.models import Department
from onewindow.ratings import access, selectors, surveys
from onewindow.ratings.models import Survey, SurveyProblem
from onewindow.workflow import clock

from .common import add_domain_error, staff_required


class SurveyForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=gettext_lazy("名称"), max_length=120)
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    department_ids = forms.MultipleChoiceField(label=gettext_lazy("参评部门"), widget=forms.CheckboxSelectMultiple, required=False)
    questions = forms.CharField(label=gettext_lazy("评议问题（每行一个）"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["department_ids"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (str(d.pk), d.name) for d in Department.objects.filter(is_active=True).order_by("code")]


class ProblemForm(forms.Form):
    department_id = forms.TypedChoiceField(label=gettext_lazy("部门"), coerce=int)
    description = forms.CharField(label=gettext_lazy("问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    owner = forms.CharField(label=gettext_lazy("责任人"), max_length=100, required=False)
    days = forms.IntegerField(label=gettext_lazy("整改期限（工作日）"), initial=surveys.DEFAULT_PROBLEM_DAYS, min_value=1, max_value=250)


def _office_or_404(user) -> None:
    if not access.is_office(user):
        raise Http404


@staff_required
@require_http_methods(["GET", "POST"])
def survey_list(request):
    _office_or_404(request.user)
    form = SurveyForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = surveys.create_survey(
                actor=request.user, year=data["year"], title=data["title"], starts_on=data["starts_on"],
                ends_on=data["ends_on"], department_ids=[int(d) for d in data["department_ids"]],
                questions=data["questions"].splitlines())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("社会评议已创建，请把公开链接发布出去。"))
            return redirect("workbench:survey", year=survey.year)
    return render(request, "workbench/ratings/surveys.html", {
        "surveys": Survey.objects.order_by("-year"), "form": form}, status=400 if form.errors else 200)


def _survey_context(request, survey: Survey, problem_form: ProblemForm) -> dict:
    today = timezone.localdate()
    scores = selectors.public_appraisal_scores(survey.year)
    by_question = selectors.survey_question_scores(survey)
    questions = list(survey.questions.all())
    rows = sorted(({"id": pk, **entry, "questions": [by_question.get((pk, q.pk)) for q in questions],
                    "grouped": Counter(entry["comments"]).most_common()}
                   for pk, entry in scores.items()), key=lambda row: -(row["score"] or -1))
    departments, _centres = access.unit_scope(request.user)
    problems = []
    for problem in selectors.survey_problems(survey):
        light = clock.light(problem, today=today)
        problems.append({"p": problem, "light": light, "light_label": clock.Light(light).label if light else "",
                         "mine": problem.department_id in departments})
    return {"survey": survey, "questions": questions, "rows": rows, "problems": problems,
            "counts": selectors.survey_response_counts(survey), "problem_form": problem_form,
            "is_office": access.is_office(request.user),
            "public_link": request.build_absolute_uri(reverse("portal_appraisal:appraisal", args=[survey.code]))}


def _problem_form(survey: Survey, data=None) -> ProblemForm:
    form = ProblemForm(data, prefix="problem")
    field = form.fields["department_id"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [(d.pk, d.name) for d in survey.departments.order_by("code")]
    return form


def _survey_or_404(request, year: int) -> Survey:
    survey = selectors.survey_for_year(year)
    departments, _centres = access.unit_scope(request.user)
    if survey is None or not (access.is_office(request.user) or departments):
        raise Http404
    return survey


@staff_required
@require_http_methods(["GET", "POST"])
def survey_detail(request, year: int):
    survey = _survey_or_404(request, year)
    form = _problem_form(survey, request.POST or None)
    if request.method == "POST":
        _office_or_404(request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                surveys.assign_problem(actor=request.user, survey=survey, department_id=data["department_id"],
                                       description=data["description"], owner=data["owner"], days=data["days"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("问题已交办。"))
                return redirect("workbench:survey", year=year)
    return render(request, "workbench/ratings/survey.html", _survey_context(request, survey, form),
                  status=400 if form.errors else 200)


@staff_required
@require_POST
def problem_done(request, year: int, pk: int):
    survey = _survey_or_404(request, year)
    problem = SurveyProblem.objects.filter(survey=survey, pk=pk).first()
    if problem is None:
        raise Http404
    try:
        surveys.complete_problem(actor=request.user, problem=problem, result=request.POST.get("result", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("整改结果已报送。"))
    return redirect("workbench:survey", year=year)
