"""API: ratings — the public rating statistics, and the rectifications of bad ratings with the actions
the rectification registry offers (ratings/actions.py), as the workbench's page offers them.

Thin on purpose: parse, call `onewindow.ratings.selectors` / the registry, serialize. A rectification the
caller may not see is a 404; an action not allowed now 409, not theirs 403, bad parameters 400/422
naming the field (params.note)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Status
from pydantic import BaseModel, ConfigDict, Field

from onewindow.core.errors import DomainError, NotFound, ValidationError
from onewindow.ratings import selectors
from onewindow.ratings.actions import registry
from onewindow.workflow import clock

from .auth import API_AUTH
from .case_schemas import ErrorOut

router = Router(tags=["ratings 好差评"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
RectificationActionIn = registry.union_schema()


class StatisticsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: Literal["department", "item", "window", "centre"] = Field(
        "department", description="按部门 department、事项 item、窗口 window 或中心 centre 分组")
    start: date = Field(description="起始日期（含） first day, YYYY-MM-DD")
    end: date = Field(description="截止日期（含） last day, YYYY-MM-DD")


class StatisticsRowOut(BaseModel):
    id: int | None = Field(description="部门、事项、窗口或中心的 id")
    name: str = Field(description="名称")
    ratings: int = Field(description="计入统计的评价数")
    satisfied: int = Field(description="非常满意、满意、基本满意的评价数")
    dissatisfied: int = Field(description="不满意、非常不满意的评价数")
    score_sum: int = Field(description="分值合计（100/75/50/25/0）")
    satisfaction: float | None = Field(description="满意率（%）")


class RectificationOut(BaseModel):
    id: int = Field(description="差评整改 id")
    subject: str = Field(description="评价对象（办件编号、排队号）")
    level: int = Field(description="评价等级 1—5")
    comment: str = Field(description="评价内容")
    department_id: int | None = Field(description="责任部门 id")
    state: str = Field(description="状态")
    due_on: date | None = Field(description="整改期限")
    light: str | None = Field(description="时限状态 green/yellow/red/paused/on_time/late")


class AvailableActionOut(BaseModel):
    action: str
    label: str
    params_schema: str
    required: list[str]
    choices: dict[str, list[dict]]


def _rectification_out(r) -> dict:
    return {"id": r.pk, "subject": r.rating.subject_label, "level": r.rating.level, "comment": r.rating.comment,
            "department_id": r.department_id, "state": r.state, "due_on": r.clock_due_on,
            "light": clock.light(r, today=timezone.localdate())}


def _visible(user, pk: int):
    rectification = selectors.rectification_for(user, pk)
    if rectification is None:
        raise NotFound(_("没有找到该差评整改"), field="id")
    return rectification


@router.get("/ratings/statistics", auth=None, response={200: list[StatisticsRowOut], 400: ErrorOut, 422: ErrorOut},
            summary="好差评统计 Public rating statistics",
            description="期间内计入统计的评价按部门、事项、窗口或中心分组（申诉成立的差评不计入）。")
def rating_statistics(request, query: Query[StatisticsQuery]):
    if query.start > query.end:
        raise ValidationError(_("结束日期不能早于开始日期"), field="end")
    rows = selectors.statistics(by=query.by, start=query.start, end=query.end)
    return Status(200, [{"id": row.key, "name": row.name, "ratings": row.ratings, "satisfied": row.satisfied,
                         "dissatisfied": row.dissatisfied, "score_sum": row.score_sum,
                         "satisfaction": row.satisfaction} for row in rows])


@router.get("/rectifications", auth=API_AUTH, response={200: list[RectificationOut], **ERRORS},
            summary="差评整改 Rectifications I may see",
            description="责任单位看本单位的，效能办看全部；state 为 open（默认）、red、yellow、green、paused、all 或某一状态。")
def list_rectifications(request, state: str = "open"):
    rows = selectors.rectification_list(request.auth, state=state, today=timezone.localdate())[:200]
    return Status(200, [_rectification_out(r) for r in rows])


@router.get("/rectifications/{pk}/actions", auth=API_AUTH, response={200: list[AvailableActionOut], **ERRORS},
            summary="差评整改可办理的动作 Actions I may take on a rectification")
def list_rectification_actions(request, pk: int):
    r = _visible(request.auth, pk)
    return Status(200, [offer.as_dict() for offer in registry.offers(request.auth, r)])


@router.post("/rectifications/{pk}/actions", auth=API_AUTH, response={200: RectificationOut, **ERRORS},
             summary="办理差评整改 Act on a rectification",
             description="登记回访、报送整改结果、申诉复核（责任单位）；审核通过、退回重新整改、申诉成立、申诉不成立"
                         "（效能办）：{\"action\": 动作名, \"params\": 参数}，各动作的参数见 oneOf。")
def act_on_rectification(request, pk: int, body: Body[RectificationActionIn]):  # type: ignore[valid-type]
    r = _visible(request.auth, pk)
    parsed = cast(Any, body)  # one variant of the union built at run time
    try:
        registry.perform(request.auth, r, parsed.action, parsed.params)
    except DomainError as exc:
        if exc.field and exc.field.split(".")[0] in type(parsed.params).model_fields:
            exc.field = f"params.{exc.field}"
        raise
    return Status(200, _rectification_out(_visible(request.auth, pk)))
