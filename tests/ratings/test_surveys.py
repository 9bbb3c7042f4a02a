"""Public appraisal (社会评议): a year's survey, one answer per person, a burst of identical answers from
one network kept out of the scores, scores per department with comments grouped, problems handed out
on the clock."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.ratings import selectors, surveys
from onewindow.ratings.models import Survey, SurveyResponse
from onewindow.workflow import clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 16, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def survey(w):
    return surveys.create_survey(actor=w.supervisor, year=2026, title="2026 年度政务服务社会评议",
                                 starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31),
                                 department_ids=[w.dept_a.pk, w.dept_b.pk], questions=["服务态度", "办事效率"], now=NOW)


def _answers(w, survey, a: int, b: int):
    q1, q2 = survey.questions.order_by("order")
    return {(w.dept_a.pk, q1.pk): a, (w.dept_a.pk, q2.pk): a, (w.dept_b.pk, q1.pk): b}


def test_only_the_office_defines_a_survey_and_one_per_year(w, survey):
    with pytest.raises(PermissionDenied):
        surveys.create_survey(actor=w.approver_a, year=2027, title="x", starts_on=date(2027, 1, 1),
                              ends_on=date(2027, 2, 1), department_ids=[w.dept_a.pk], questions=["q"], now=NOW)
    with pytest.raises(Conflict):
        surveys.create_survey(actor=w.supervisor, year=2026, title="again", starts_on=date(2026, 1, 1),
                              ends_on=date(2026, 2, 1), department_ids=[w.dept_a.pk], questions=["q"], now=NOW)
    with pytest.raises(ValidationError) as err:
        surveys.create_survey(actor=w.supervisor, year=2027, title="x", starts_on=date(2027, 3, 1),
                              ends_on=date(2027, 2, 1), department_ids=[w.dept_a.pk], questions=["q"], now=NOW)
    assert err.value.field == "ends_on"
    assert Survey.objects.count() == 1


def test_one_answer_per_phone_and_per_applicant(w, survey):
    surveys.submit_response(survey=survey, answers=_answers(w, survey, 5, 4), phone="13800000001", now=NOW)
    with pytest.raises(Conflict):
        surveys.submit_response(survey=survey, answers=_answers(w, survey, 1, 1), phone="13800000001", now=NOW)
    w.applicant.phone = "13800000001"
    with pytest.raises(Conflict):   # the same person signed in: the phone on record is the key
        surveys.submit_response(survey=survey, answers=_answers(w, survey, 1, 1), applicant=w.applicant, now=NOW)
    with pytest.raises(PermissionDenied):
        surveys.submit_response(survey=survey, answers=_answers(w, survey, 1, 1), now=NOW)
    assert SurveyResponse.objects.count() == 1


def test_a_burst_of_identical_answers_from_one_network_is_kept_but_not_scored(w, survey):
    for n in range(4):
        surveys.submit_response(survey=survey, answers=_answers(w, survey, 1, 1), phone=f"1390000000{n}",
                                network="10.0.0.9", now=NOW + timedelta(minutes=n))
    surveys.submit_response(survey=survey, answers=_answers(w, survey, 5, 5), phone="13700000000",
                            network="10.0.0.7", now=NOW)
    assert list(SurveyResponse.objects.order_by("id").values_list("suspect", flat=True)) == [
        False, False, True, True, False]
    scores = selectors.public_appraisal_scores(2026)
    assert scores[w.dept_a.pk]["responses"] == 3
    assert scores[w.dept_a.pk]["score"] == round((0 * 4 + 100 * 2) / 6, 1)


def test_scores_per_department_with_comments_grouped(w, survey):
    surveys.submit_response(survey=survey, answers=_answers(w, survey, 5, 3), comments={w.dept_a.pk: "窗口很热情"},
                            phone="13800000001", now=NOW)
    surveys.submit_response(survey=survey, answers=_answers(w, survey, 4, 2), comments={w.dept_b.pk: "审批太慢"},
                            phone="13800000002", now=NOW)
    scores = selectors.public_appraisal_scores(2026)
    assert scores[w.dept_a.pk]["score"] == 87.5 and scores[w.dept_b.pk]["score"] == 37.5
    assert scores[w.dept_a.pk]["comments"] == ["窗口很热情"] and scores[w.dept_b.pk]["comments"] == ["审批太慢"]


def test_answers_outside_the_survey_or_period_are_refused(w, survey):
    [q1, _q2] = survey.questions.order_by("order")
    with pytest.raises(ValidationError) as err:
        surveys.submit_response(survey=survey, answers={(w.dept_c.pk, q1.pk): 5}, phone="13800000001", now=NOW)
    assert err.value.field == f"q_{w.dept_c.pk}_{q1.pk}"
    with pytest.raises(Conflict):
        surveys.submit_response(survey=survey, answers=_answers(w, survey, 5, 5), phone="13800000001",
                                now=NOW.replace(year=2027))
    assert not SurveyResponse.objects.exists()


def test_problems_go_to_departments_with_owners_and_deadlines(w, survey):
    problem = surveys.assign_problem(actor=w.supervisor, survey=survey, department_id=w.dept_b.pk,
                                     description="审批时限偏长", owner="王科长", days=10, now=NOW)
    assert problem.clock_due_on == date(2026, 11, 30)
    assert clock.light(problem, today=date(2026, 12, 1)) == "red"
    with pytest.raises(PermissionDenied):
        surveys.complete_problem(actor=w.approver_a, problem=problem, result="x", now=NOW)
    done = surveys.complete_problem(actor=w.approver_b, problem=problem, result="压缩为 5 个工作日", now=NOW)
    assert done.state == "done" and clock.light(done, today=date(2026, 12, 1)) == "on_time"
