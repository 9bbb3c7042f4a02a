"""API: the performance appraisal (efficiency office: supervisors and administrators).

GET /api/v1/appraisal/{period}?by=department|centre|clerk -> the board: every subject scored and ranked,
each indicator's numerator, denominator, value, score and weight. `period`: 2026, 2026-Q3 or 2026-07.
A closed period answers its stored scores (`closed_at` set). Bad input is 400 {"code", "field", "message"}."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema

from onewindow.appraisal import selectors, services
from onewindow.core.errors import PermissionDenied

from .auth import API_AUTH

router = Router(tags=["appraisal"])


class IndicatorOut(Schema):
    numerator: float | None
    denominator: float | None
    value: float | None
    score: float | None
    weight: float


class SubjectOut(Schema):
    rank: int | None
    subject_id: int
    name: str
    total: float | None
    indicators: dict[str, IndicatorOut]


class BoardOut(Schema):
    period: str
    kind: str
    start: datetime.date
    end: datetime.date
    closed_at: datetime.datetime | None
    rows: list[SubjectOut]


class ErrorOut(Schema):
    code: str
    field: str | None
    message: str


@router.get("/appraisal/{period}", auth=API_AUTH, response={200: BoardOut, 400: ErrorOut, 403: ErrorOut},
            summary="Appraisal scores and ranks of a period")
def appraisal_board(request, period: str, by: str = "department"):
    if not services.may_manage(request.auth):
        raise PermissionDenied(_("只有效能办监督人员或管理员可以维护绩效考评"))
    board = selectors.board(period, by)
    return {"period": board.period.key, "kind": board.kind, "start": board.period.start, "end": board.period.end,
            "closed_at": board.closed.closed_at if board.closed else None,
            "rows": [{"rank": r.rank, "subject_id": r.subject_id, "name": r.name, "total": r.total,
                      "indicators": {code: {"numerator": s.numerator, "denominator": s.denominator, "value": s.value,
                                            "score": s.score, "weight": float(s.weight)}
                                     for code, s in r.indicators.items()}} for r in board.rows]}
