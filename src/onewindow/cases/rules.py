"""Instant approval (秒批): an item's rules decide at once when the applicant's data satisfies them.

Each rule is `{"field", "op", "value", "label"}`. `field` is a key of the application form
(`form_data`) or one of the applicant's own attributes `applicant.kind` / `applicant.bad_credit`.
Operators: eq, ne, lt, lte, gt, gte, in, truthy, falsy. Numbers given as text ("35", "35.5") compare
as numbers. A missing field fails every rule except `falsy`: the machine never guesses in the
applicant's favour, the case then goes to a person."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "truthy", "falsy")
APPLICANT_FIELDS = {"applicant.kind": "kind", "applicant.bad_credit": "bad_credit"}
_MISSING = object()


@dataclass(frozen=True)
class RuleResult:
    label: str
    field: str
    op: str
    value: object
    actual: object
    held: bool


@dataclass(frozen=True)
class Outcome:
    applies: bool  # the item has rules at all
    holds: bool  # every rule held
    results: tuple[RuleResult, ...]

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.results if not r.held]

    def as_record(self) -> dict:
        """What is stored on the case (`case.instant_rule`) when the rules decided."""
        return {"rules": [asdict(r) for r in self.results]}


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "否", "无")
    return bool(value)


def _compare(op: str, actual, expected) -> bool:
    if op == "truthy":
        return actual is not _MISSING and _truthy(actual)
    if op == "falsy":
        return actual is _MISSING or not _truthy(actual)
    if actual is _MISSING or actual is None:
        return False
    if op == "in":
        options = expected if isinstance(expected, list | tuple | set) else [expected]
        return any(_compare("eq", actual, option) for option in options)
    a, b = _number(actual), _number(expected)
    if op in ("eq", "ne"):
        equal = (a == b) if a is not None and b is not None else str(actual).strip() == str(expected).strip()
        return equal if op == "eq" else not equal
    if a is None or b is None:
        return False  # an order comparison needs two numbers
    return {"lt": a < b, "lte": a <= b, "gt": a > b, "gte": a >= b}.get(op, False)


def _actual(field: str, form_data: dict, applicant):
    if field in APPLICANT_FIELDS:
        return getattr(applicant, APPLICANT_FIELDS[field], _MISSING) if applicant is not None else _MISSING
    return (form_data or {}).get(field, _MISSING)


def evaluate(rules, *, form_data: dict, applicant) -> Outcome:
    """Check every rule against the application; an unknown operator or a malformed rule fails."""
    if not rules:
        return Outcome(applies=False, holds=False, results=())
    results = []
    for rule in rules:
        if not isinstance(rule, dict):
            results.append(RuleResult(str(rule), "", "", None, None, False))
            continue
        field, op, expected = str(rule.get("field", "")), str(rule.get("op", "")), rule.get("value")
        actual = _actual(field, form_data, applicant)
        held = op in OPS and bool(field) and _compare(op, actual, expected)
        results.append(RuleResult(label=str(rule.get("label") or field), field=field, op=op, value=expected,
                                  actual=None if actual is _MISSING else actual, held=held))
    return Outcome(applies=True, holds=all(r.held for r in results), results=tuple(results))
