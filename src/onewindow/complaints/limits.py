"""Time limits per kind of work order, in working days: the defaults below, or the efficiency office's
own (KindLimit rows, edited on the limits page or in the admin). The hotline standard's typical limits
(GB/T 33358-2016): sign-off within one working day; consultations answered in 1–3, help and suggestions
in 5, complaints 10–13 — the reform practice is stricter for efficiency complaints (5) and enterprise
requests (企呼我应: 2)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import KindLimit, OrderKind


@dataclass(frozen=True)
class Limits:
    sign_days: int
    reply_days: int


DEFAULT_LIMITS = {
    OrderKind.COMPLAINT: Limits(1, 5),
    OrderKind.CANNOT_GET_DONE: Limits(1, 5),
    OrderKind.ENTERPRISE_REQUEST: Limits(1, 2),
    OrderKind.CONSULTATION: Limits(1, 3),
    OrderKind.SUGGESTION: Limits(1, 5),
    OrderKind.PRAISE: Limits(1, 5),
}


def limits_for(kind: str) -> Limits:
    row = KindLimit.objects.filter(kind=kind).first()
    if row is not None:
        return Limits(row.sign_days, row.reply_days)
    return DEFAULT_LIMITS[OrderKind(kind)]


def all_limits() -> dict[str, Limits]:
    found = {row.kind: Limits(row.sign_days, row.reply_days) for row in KindLimit.objects.all()}
    return {kind.value: found.get(kind.value, DEFAULT_LIMITS[kind]) for kind in OrderKind}
