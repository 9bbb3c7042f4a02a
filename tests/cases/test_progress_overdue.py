"""The progress page of an overdue case says only what is true: the case is overdue (and shows red to
the efficiency office); it does not claim that anyone is urging it."""

from datetime import date

import pytest

from onewindow.cases import selectors

from .factories import accepted_case

pytestmark = pytest.mark.django_db


def test_an_overdue_case_says_it_is_overdue_and_promises_no_urging(world):
    case = accepted_case(world)  # due 2026-10-13
    p = selectors.progress(case, today=date(2026, 10, 15))
    assert p.light == "red" and selectors.light(case, today=date(2026, 10, 15)) == "red"
    assert "已超过办结期限 2026年10月13日 2 个工作日" in p.summary
    assert "已在效能监督中标记为超期" in p.summary
    assert "督办" not in p.summary
