"""Sample ratings for the demo: about two in three concluded cases of the sample history and half the
window visits of the hall's history are rated — mostly 非常满意 and 满意, a few per hundred bad — with
the standard's dimensions and short comments; each bad rating has its rectification in a state that
fits its age (closed, awaiting review, open and ticking, an appeal upheld). Deterministic (a seeded
random generator), written in bulk, and a second run adds nothing (every service is rated once)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from onewindow.cases.models import Case, Channel
from onewindow.hall.models import Ticket, TicketState
from onewindow.workflow import clock

from .models import Rating, Rectification
from .services import rectification_days
from .states import DIMENSIONS, Mode, RectificationState, Source, SubjectKind
from .subjects import RATEABLE_CASE_STATES

LEVELS = (5, 4, 3, 2, 1)
WEIGHTS = (62, 27, 7, 3, 1)
GOOD_COMMENTS = ["办事效率高，一次就办好了", "窗口工作人员很耐心", "网上办理很方便，不用跑腿", "指南写得很清楚",
                 "", "", "", "服务热情周到", "材料一次告知，没有多跑", ""]
BAD_COMMENTS = ["等候时间太长", "办事指南和窗口要求的材料不一致，多跑了一趟", "工作人员态度生硬",
                "网上系统反复提交失败", "办理超过了承诺时间"]


def _level(rng: random.Random) -> int:
    return rng.choices(LEVELS, weights=WEIGHTS)[0]


def _dimensions(rng: random.Random, mode: str, level: int) -> dict[str, int]:
    return {str(name): max(1, min(5, level + rng.choice((-1, 0, 0, 0, 1)))) for name in DIMENSIONS[mode]
            if rng.random() < 0.7}


def load_sample_ratings(*, now: datetime | None = None, seed: int = 2026, case_share: float = 0.65,
                        visit_share: float = 0.5) -> str:
    now = timezone.localtime(now or timezone.now())
    rng = random.Random(seed)
    rated = set(Rating.objects.values_list("subject_kind", "subject_id"))
    rows: list[Rating] = []
    cases = (Case.objects.filter(state__in=RATEABLE_CASE_STATES).exclude(concluded_at=None)
             .values_list("pk", "number", "channel", "item_id", "item__department_id", "centre_id", "window_id",
                          "accepted_by_id", "applicant_id", "concluded_at").order_by("pk"))
    for pk, number, channel, item_id, department_id, centre_id, window_id, clerk_id, applicant_id, ended in cases:
        if rng.random() >= case_share:
            continue
        mode = Mode.ONLINE if channel in (Channel.ONLINE, Channel.API) else Mode.IN_PERSON
        assert ended is not None  # excluded above
        at: datetime = min(now, ended + timedelta(hours=rng.uniform(1, 72)))
        rows.append(_rating(rng, SubjectKind.CASE, pk, number, mode, at, department_id=department_id,
                            centre_id=centre_id, window_id=window_id, item_id=item_id, clerk_id=clerk_id,
                            applicant_id=applicant_id, source=rng.choice((Source.PORTAL, Source.NOTICE))))
    tickets = (Ticket.objects.filter(state=TicketState.DONE).exclude(window=None).exclude(finished_at=None)
               .values_list("pk", "day", "display", "item_id", "item__department_id", "centre_id", "window_id",
                            "clerk_id", "finished_at").order_by("pk"))
    for pk, day, display, item_id, department_id, centre_id, window_id, clerk_id, finished in tickets:
        if rng.random() >= visit_share:
            continue
        assert finished is not None  # excluded above
        at = min(now, finished + timedelta(seconds=rng.uniform(10, 90)))
        rows.append(_rating(rng, SubjectKind.VISIT, pk, f"{day:%Y-%m-%d} {display}", Mode.IN_PERSON,
                            at, department_id=department_id,
                            centre_id=centre_id, window_id=window_id, item_id=item_id, clerk_id=clerk_id,
                            applicant_id=None, source=Source.PAD))
    # Drawn for every service whether rated or not, so a second run draws the same and adds nothing.
    rows = [row for row in rows if (row.subject_kind, row.subject_id) not in rated]
    with transaction.atomic():
        created = Rating.objects.bulk_create(rows, batch_size=2000)
        rectifications = [_rectification(rng, rating, now) for rating in created if rating.level <= 2]
        Rectification.objects.bulk_create(rectifications, batch_size=2000)
        upheld = [r.rating_id for r in rectifications if r.state == RectificationState.APPEAL_UPHELD]
        Rating.objects.filter(pk__in=upheld).update(counted=False)
    return f"{len(created)} ratings, {len(rectifications)} rectifications"


def _rating(rng: random.Random, kind: str, pk: int, label: str, mode: str, at: datetime, *, source: str,
            **fields) -> Rating:
    level = _level(rng)
    comment = rng.choice(BAD_COMMENTS) if level <= 2 else rng.choice(GOOD_COMMENTS)
    at = timezone.localtime(at)
    return Rating(subject_kind=kind, subject_id=pk, subject_label=label[:120], mode=mode, source=source, level=level,
                  comment=comment, rated_at=at, rated_on=at.date(), **_dimensions(rng, mode, level), **fields)


def _rectification(rng: random.Random, rating: Rating, now: datetime) -> Rectification:
    r = Rectification(rating=rating, department_id=rating.department_id,
                      centre_id=None if rating.department_id else rating.centre_id, opened_at=rating.rated_at)
    clock.start(r, on=rating.rated_on, limit=rectification_days())
    age = (now.date() - rating.rated_on).days
    followed = rating.rated_at + timedelta(days=1)
    if age > 10:
        roll = rng.random()
        r.follow_up_at, r.follow_up_note = followed, "已电话回访评价人，说明情况并致歉"
        if roll < 0.1:
            r.state, r.appeal_ground = RectificationState.APPEAL_UPHELD, "mistaken"
            r.appeal_reason, r.appealed_at = "评价人误将其他部门的服务评价为本窗口", followed
            r.appeal_decision, r.closed_at = "经核实，评价对象有误，申诉成立", followed + timedelta(days=2)
            clock.stop(r, on=(followed + timedelta(days=2)).date())
        else:
            r.state, r.result = RectificationState.CLOSED, "已对相关人员批评教育，优化办事指南和窗口流程"
            r.submitted_at = followed + timedelta(days=rng.randint(1, 6))
            r.closed_at = r.submitted_at + timedelta(days=1)
            clock.stop(r, on=timezone.localtime(r.submitted_at).date())
    elif age > 3 and rng.random() < 0.5:
        r.follow_up_at, r.follow_up_note = followed, "已回访，评价人反映等候时间过长"
        r.state, r.result, r.submitted_at = RectificationState.SUBMITTED, "高峰时段增开窗口", followed
        clock.pause(r, on=followed.date())
    return r


SURVEY_QUESTIONS = ["服务态度", "办事效率", "政务公开", "廉洁自律"]
SURVEY_COMMENTS = ["窗口服务热情", "网上能办的事项还可以更多", "审批时间偏长", "办事指南更新不及时", "整体满意",
                   "希望增加周末服务", "电话咨询经常占线"]


def load_sample_survey(*, now: datetime | None = None, seed: int = 2026, responses: int = 400) -> str:
    """This year's public appraisal of every active department, with `responses` answers and a few
    problems handed out. Nothing is added when the year's survey exists."""
    from hashlib import sha256

    from onewindow.orgs.models import Department

    from .models import Survey, SurveyAnswer, SurveyComment, SurveyProblem, SurveyQuestion, SurveyResponse

    now = timezone.localtime(now or timezone.now())
    if Survey.objects.filter(year=now.year).exists():
        return "survey present"
    rng = random.Random(seed)
    departments = list(Department.objects.filter(is_active=True).order_by("code"))
    with transaction.atomic():
        survey = Survey.objects.create(year=now.year, title=f"{now.year} 年度政务服务社会评议", code=f"pa{now.year}demo",
                                       starts_on=now.date().replace(month=1, day=1),
                                       ends_on=now.date().replace(month=12, day=31), created_at=now)
        survey.departments.set(departments)
        questions = SurveyQuestion.objects.bulk_create([SurveyQuestion(survey=survey, order=i, text=text)
                                                        for i, text in enumerate(SURVEY_QUESTIONS, 1)])
        bias = {d.pk: rng.uniform(-0.6, 0.4) for d in departments}
        rows = SurveyResponse.objects.bulk_create([
            SurveyResponse(survey=survey, respondent_key=sha256(f"demo-{n}".encode()).hexdigest(),
                           answers_digest=sha256(f"a-{n}".encode()).hexdigest(),
                           submitted_at=now - timedelta(days=rng.uniform(1, 30))) for n in range(responses)])
        answers, comments = [], []
        for response in rows:
            for department in rng.sample(departments, k=min(len(departments), rng.randint(2, 5))):
                for question in questions:
                    level = max(1, min(5, round(rng.gauss(4.2 + bias[department.pk], 0.8))))
                    answers.append(SurveyAnswer(response=response, department=department, question=question,
                                                level=level))
                if rng.random() < 0.15:
                    comments.append(SurveyComment(response=response, department=department,
                                                  text=rng.choice(SURVEY_COMMENTS)))
        SurveyAnswer.objects.bulk_create(answers, batch_size=5000)
        SurveyComment.objects.bulk_create(comments, batch_size=2000)
        problems = []
        for department, text, owner, days in zip(departments[:3], ["审批时间偏长，需压缩承诺时限", "办事指南更新不及时",
                                                                   "电话咨询经常占线"], ["王科长", "李主任", "陈科长"],
                                                 [20, 10, 15], strict=False):
            problem = SurveyProblem(survey=survey, department=department, description=text, owner=owner,
                                    created_at=now - timedelta(days=12))
            clock.start(problem, on=(now - timedelta(days=12)).date(), limit=days)
            problems.append(problem)
        SurveyProblem.objects.bulk_create(problems)
    return f"{len(rows)} responses, {len(answers)} answers, {len(problems)} problems"
