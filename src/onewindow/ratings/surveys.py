"""Writes of the public appraisal (社会评议): the office defines a year's survey, people answer once,
the office hands each department the problems found, with owners and deadlines on the clock.

One answer per person: a response is keyed by a keyed hash of the respondent's confirmed phone number
(an SMS code, confirmed by the page) or, for a signed-in applicant, of the phone on record (else the
applicant's id); the database allows one response per key and survey. Against ballot stuffing, besides
that and the pages' throttles: a response from a network that sent the same answers `BURST_SAME` times
in `BURST_MINUTES`, or more than `NETWORK_PER_HOUR` responses in an hour, is kept but marked suspect and
left out of the scores until the office reviews it."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.workflow import clock

from . import access
from .models import (
    ProblemState,
    Survey,
    SurveyAnswer,
    SurveyComment,
    SurveyProblem,
    SurveyQuestion,
    SurveyResponse,
)
from .states import Level

BURST_MINUTES = 10
BURST_SAME = 3
NETWORK_PER_HOUR = 30
COMMENT_CHARS = 500
DEFAULT_PROBLEM_DAYS = 20
_KEY_SALT = "onewindow.ratings.survey"


def _now(now: datetime | None) -> datetime:
    return timezone.localtime(now or timezone.now())


def _hash(value: str) -> str:
    return salted_hmac(_KEY_SALT, value, algorithm="sha256").hexdigest()


def respondent_key(survey: Survey, *, phone: str = "", applicant_id: int | None = None) -> str:
    if phone:
        return _hash(f"{survey.pk}:phone:{phone}")
    if applicant_id is not None:
        return _hash(f"{survey.pk}:applicant:{applicant_id}")
    raise PermissionDenied(_("请先用手机验证码确认身份，或登录后再参加评议"))


def _require_office(actor) -> None:
    if not access.is_office(actor):
        raise PermissionDenied(_("只有效能办可以组织社会评议"))


def create_survey(*, actor, year: int, title: str, starts_on: date, ends_on: date,
                  department_ids: Iterable[int], questions: Iterable[str], now: datetime | None = None) -> Survey:
    """The year's survey: its period, the departments it scores and its questions (one per line)."""
    now = _now(now)
    _require_office(actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写名称"), field="title")
    if starts_on > ends_on:
        raise ValidationError(_("结束日期不能早于开始日期"), field="ends_on")
    if starts_on.year != year:
        raise ValidationError(_("开始日期应在评议年度内"), field="starts_on")
    departments = sorted(set(department_ids))
    if not departments:
        raise ValidationError(_("请至少选择一个参评部门"), field="department_ids")
    texts = [q.strip() for q in questions if q and q.strip()]
    if not texts:
        raise ValidationError(_("请至少填写一个评议问题"), field="questions")
    if any(len(text) > 200 for text in texts):
        raise ValidationError(_("每个问题不能超过 200 个字"), field="questions")
    try:
        with transaction.atomic():
            survey = Survey.objects.create(year=year, title=title[:120], code=secrets.token_urlsafe(12)[:16],
                                           starts_on=starts_on, ends_on=ends_on, created_by=actor, created_at=now)
            survey.departments.set(departments)
            SurveyQuestion.objects.bulk_create([SurveyQuestion(survey=survey, order=i, text=text)
                                                for i, text in enumerate(texts, 1)])
            audit.record(chain_key=f"survey:{year}", action="onewindow.survey.created", actor=actor,
                         data={"departments": departments, "questions": len(texts)}, now=now)
    except IntegrityError:
        raise Conflict(_("%(year)s 年度的社会评议已经存在") % {"year": year}, field="year") from None
    return survey


def submit_response(*, survey: Survey, answers: Mapping[tuple[int, int], int], comments: Mapping[int, str] | None = None,
                    phone: str = "", applicant=None, network: str = "", now: datetime | None = None) -> SurveyResponse:
    """One person's answers: (department id, question id) -> level, and a comment per department."""
    now = _now(now)
    if not survey.starts_on <= now.date() <= survey.ends_on:
        raise Conflict(_("本次社会评议的时间为 %(start)s 至 %(end)s") % {"start": survey.starts_on, "end": survey.ends_on})
    phone = phone or (applicant.phone if applicant is not None else "")
    key = respondent_key(survey, phone=phone, applicant_id=applicant.pk if applicant is not None else None)
    departments = set(survey.departments.values_list("pk", flat=True))
    questions = set(survey.questions.values_list("pk", flat=True))
    clean: dict[tuple[int, int], int] = {}
    for (department_id, question_id), level in answers.items():
        if department_id not in departments or question_id not in questions:
            raise ValidationError(_("评议问题或部门不属于本次评议"), field=f"q_{department_id}_{question_id}")
        if isinstance(level, bool) or level not in Level.values:
            raise ValidationError(_("评价应为 1—5（非常不满意—非常满意）"), field=f"q_{department_id}_{question_id}")
        clean[(department_id, question_id)] = level
    if not clean:
        raise ValidationError(_("请至少评价一个部门"), field="answers")
    notes = {d: (text or "").strip() for d, text in (comments or {}).items() if (text or "").strip()}
    for department_id, text in notes.items():
        if department_id not in departments:
            raise ValidationError(_("评议问题或部门不属于本次评议"), field=f"comment_{department_id}")
        if len(text) > COMMENT_CHARS:
            raise ValidationError(_("不能超过 %(n)s 个字") % {"n": COMMENT_CHARS}, field=f"comment_{department_id}")
    digest = hashlib.sha256(json.dumps([sorted((f"{d}-{q}", v) for (d, q), v in clean.items()),
                                        sorted(notes.items())], ensure_ascii=False).encode()).hexdigest()
    network_key = _hash(f"net:{network}") if network else ""
    suspect = False
    if network_key:
        recent = SurveyResponse.objects.filter(survey=survey, network_key=network_key)
        same = recent.filter(answers_digest=digest, submitted_at__gte=now - timedelta(minutes=BURST_MINUTES)).count()
        hourly = recent.filter(submitted_at__gte=now - timedelta(hours=1)).count()
        suspect = same + 1 >= BURST_SAME or hourly + 1 > NETWORK_PER_HOUR
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, respondent_key=key, applicant=applicant, network_key=network_key,
                answers_digest=digest, suspect=suspect, submitted_at=now)
            SurveyAnswer.objects.bulk_create([SurveyAnswer(response=response, department_id=d, question_id=q, level=v)
                                              for (d, q), v in clean.items()])
            SurveyComment.objects.bulk_create([SurveyComment(response=response, department_id=d, text=text)
                                               for d, text in notes.items()])
    except IntegrityError:
        raise Conflict(_("您已参加过本次社会评议，每人只能评议一次")) from None
    return response


def assign_problem(*, actor, survey: Survey, department_id: int, description: str, owner: str,
                   days: int = DEFAULT_PROBLEM_DAYS, now: datetime | None = None) -> SurveyProblem:
    """Hand a department a problem the appraisal found, with its owner and a deadline in working days."""
    now = _now(now)
    _require_office(actor)
    description, owner = (description or "").strip(), (owner or "").strip()
    if not survey.departments.filter(pk=department_id).exists():
        raise ValidationError(_("该部门不在本次评议范围内"), field="department_id")
    if not description:
        raise ValidationError(_("请写明问题"), field="description")
    if not owner:
        raise ValidationError(_("请填写责任人"), field="owner")
    if not 1 <= days <= 250:
        raise ValidationError(_("整改期限应为 1—250 个工作日"), field="days")
    with transaction.atomic():
        problem = SurveyProblem(survey=survey, department_id=department_id, description=description,
                                owner=owner[:100], created_at=now)
        clock.start(problem, on=now.date(), limit=days)
        problem.save()
        audit.record(chain_key=f"survey-problem:{problem.pk}", action="onewindow.survey.problem_assigned",
                     actor=actor, to_state=problem.state, reason=description,
                     data={"department": department_id, "owner": owner, "due_on": str(problem.clock_due_on)}, now=now)
    return problem


def complete_problem(*, actor, problem: SurveyProblem, result: str, now: datetime | None = None) -> SurveyProblem:
    """The department reports the problem fixed; its clock stops."""
    now = _now(now)
    result = (result or "").strip()
    if not result:
        raise ValidationError(_("请填写整改结果"), field="result")
    departments, _centres = access.unit_scope(actor)
    if problem.department_id not in departments and not access.is_office(actor):
        raise PermissionDenied(_("只有责任部门可以报送整改结果"))
    with transaction.atomic():
        locked = SurveyProblem.objects.select_for_update().get(pk=problem.pk)
        if locked.state != ProblemState.OPEN:
            raise Conflict(_("该问题已整改完成"))
        locked.state, locked.result, locked.done_at = ProblemState.DONE, result, now
        clock.stop(locked, on=now.date())
        locked.save(update_fields=["state", "result", "done_at", *clock.DEFAULT_FIELDS.stored()])
        audit.record(chain_key=f"survey-problem:{locked.pk}", action="onewindow.survey.problem_done", actor=actor,
                     from_state=ProblemState.OPEN, to_state=ProblemState.DONE, reason=result, now=now)
    return locked
