"""Instant-approval rules (秒批): each operator, text numbers, missing fields and the applicant's own
attributes. Pure functions: no database."""

from types import SimpleNamespace

import pytest

from onewindow.cases.rules import evaluate

PERSON = SimpleNamespace(kind="person", bad_credit=False)


@pytest.mark.parametrize(("op", "value", "actual", "held"), [
    ("eq", "A", "A", True), ("eq", 5, "5", True), ("eq", 5, "5.0", True), ("eq", "A", "B", False),
    ("ne", "A", "B", True), ("ne", 5, "5", False),
    ("lt", 100, "99.5", True), ("lt", 100, 100, False), ("lte", 100, "100", True),
    ("gt", 18, 19, True), ("gt", 18, 18, False), ("gte", 18, "18", True), ("gte", 18, "abc", False),
    ("in", ["个体", "企业"], "个体", True), ("in", ["个体", "企业"], "社团", False), ("in", [1, 2], "2", True),
    ("truthy", None, "是", True), ("truthy", None, "否", False), ("truthy", None, 0, False),
    ("falsy", None, False, True), ("falsy", None, "yes", False),
])
def test_each_operator(op, value, actual, held):
    outcome = evaluate([{"field": "x", "op": op, "value": value, "label": "规则"}], form_data={"x": actual},
                       applicant=PERSON)
    assert outcome.applies and outcome.holds is held


def test_missing_field_fails_every_rule_except_falsy():
    for op in ("eq", "ne", "lt", "gte", "in", "truthy"):
        assert not evaluate([{"field": "x", "op": op, "value": 1, "label": "r"}], form_data={},
                            applicant=PERSON).holds
    assert evaluate([{"field": "x", "op": "falsy", "label": "r"}], form_data={}, applicant=PERSON).holds


def test_applicant_attributes_and_the_failed_rule_are_reported():
    rules = [{"field": "applicant.kind", "op": "eq", "value": "enterprise", "label": "企业申请"},
             {"field": "applicant.bad_credit", "op": "falsy", "label": "无失信记录"}]
    outcome = evaluate(rules, form_data={}, applicant=PERSON)
    assert not outcome.holds and [r.label for r in outcome.failed] == ["企业申请"]
    company = SimpleNamespace(kind="enterprise", bad_credit=False)
    assert evaluate(rules, form_data={}, applicant=company).holds
    assert not evaluate(rules, form_data={}, applicant=SimpleNamespace(kind="enterprise", bad_credit=True)).holds


def test_no_rules_means_no_instant_approval_and_bad_rules_fail():
    assert not evaluate([], form_data={}, applicant=PERSON).applies
    assert not evaluate([{"field": "x", "op": "regex", "value": ".*", "label": "r"}], form_data={"x": "a"},
                        applicant=PERSON).holds
    assert not evaluate(["not a rule"], form_data={}, applicant=PERSON).holds
