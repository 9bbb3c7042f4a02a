"""The public appraisal's pages: the office creates the survey, a person confirms their phone by a code
and answers once, the office reads the scores and hands out problems, the department reports one fixed."""

from datetime import date

import pytest
from django.urls import reverse

from onewindow.ratings.models import Survey, SurveyProblem, SurveyResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes(monkeypatch):
    sent = []
    from onewindow.notify import services as notify_services
    monkeypatch.setattr(notify_services, "send_confirmation_code",
                        lambda **kwargs: sent.append(kwargs))
    return sent


def test_the_office_runs_a_survey_and_a_person_answers_once_by_phone(client, w, codes):
    client.force_login(w.supervisor)
    today = date.today()
    created = client.post(reverse("workbench:surveys"), {
        "year": today.year, "title": "年度社会评议", "starts_on": f"{today.year}-01-01",
        "ends_on": f"{today.year}-12-31", "department_ids": [str(w.dept_a.pk), str(w.dept_b.pk)],
        "questions": "服务态度\n办事效率"})
    assert created.status_code == 302
    survey = Survey.objects.get()
    page = client.get(reverse("workbench:survey", args=[survey.year])).content.decode()
    assert f"/appraisal/{survey.code}/" in page
    client.logout()

    url = reverse("portal_appraisal:appraisal", args=[survey.code])
    assert "获取验证码" in client.get(url).content.decode()
    client.post(url, {"step": "send", "phone": "13800000001"})
    assert codes[-1]["phone"] == "13800000001" and codes[-1]["purpose"] == "survey"
    wrong = client.post(url, {"step": "confirm", "code": "000000" if codes[-1]["code"] != "000000" else "111111"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert client.post(url, {"step": "confirm", "code": codes[-1]["code"]}).status_code == 302
    q1, q2 = survey.questions.order_by("order")
    done = client.post(url, {"step": "answer", f"q_{w.dept_a.pk}_{q1.pk}": "5", f"q_{w.dept_b.pk}_{q2.pk}": "2",
                             f"comment_{w.dept_b.pk}": "审批慢"})
    assert "感谢您参加社会评议" in done.content.decode()
    # the same phone again: a new code, the same person — refused by the one-answer-per-person key
    client.post(url, {"step": "send", "phone": "13800000001"})
    client.post(url, {"step": "confirm", "code": codes[-1]["code"]})
    again = client.post(url, {"step": "answer", f"q_{w.dept_a.pk}_{q1.pk}": "1"})
    assert again.status_code == 409 and "只能评议一次" in again.content.decode()
    assert SurveyResponse.objects.count() == 1

    client.force_login(w.supervisor)
    page = client.get(reverse("workbench:survey", args=[survey.year])).content.decode()
    assert "审批慢" in page and "100" in page
    assigned = client.post(reverse("workbench:survey", args=[survey.year]), {
        "problem-department_id": str(w.dept_b.pk), "problem-description": "审批时限偏长",
        "problem-owner": "王科长", "problem-days": "10"})
    assert assigned.status_code == 302
    problem = SurveyProblem.objects.get()
    client.force_login(w.approver_b)
    client.post(reverse("workbench:survey_problem_done", args=[survey.year, problem.pk]), {"result": "已压缩时限"})
    problem.refresh_from_db()
    assert problem.state == "done"


def test_answering_without_confirming_shows_the_phone_step(client, w):
    survey = Survey.objects.create(year=2026, title="t", code="abc", starts_on=date(2026, 1, 1),
                                   ends_on=date(2026, 12, 31), created_at="2026-01-01T00:00:00+08:00")
    url = reverse("portal_appraisal:appraisal", args=[survey.code])
    response = client.post(url, {"step": "answer"})
    assert "获取验证码" in response.content.decode() and not SurveyResponse.objects.exists()
