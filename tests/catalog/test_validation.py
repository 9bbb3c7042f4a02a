"""The consistency rules: every inconsistent item is refused with the field and a reason, and the
database is left unchanged."""

import pytest
from django.db import IntegrityError, transaction

from onewindow.catalog import services
from onewindow.catalog.models import Announcement, Item, ItemVersion
from onewindow.catalog.validation import validate_item
from onewindow.core.errors import ValidationError
from tests.catalog.factories import ItemFactory, item_data, make_item
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _materials_conditional_without_condition():
    return {"materials": [{"name": "委托书", "required": False, "condition": ""}]}


def _stages_too_long(dept):
    return {"committed_limit_days": 5, "stages": [
        {"step": 1, "kind": "acceptance", "name": "受理", "limit_days": 1, "department": dept.code},
        {"step": 2, "kind": "review", "name": "审查", "limit_days": 5, "department": dept.code},
    ]}


RULES = [
    # (overrides, field at fault, words of the reason)
    ({"committed_limit_days": 30, "legal_limit_days": 20}, "committed_limit_days", "不能超过法定办结时限"),
    ({"is_immediate": True, "committed_limit_days": 5}, "is_immediate", "即办件的承诺时限"),
    ({"is_immediate": False, "committed_limit_days": 0}, "is_immediate", "应标为即办件"),
    ({"online_depth": 4, "max_visits": 1, "visit_reason": "核验原件"}, "max_visits", "全程网办"),
    ({"online_depth": 3, "max_visits": 1, "visit_reason": ""}, "visit_reason", "需到现场的理由"),
    ({"online_depth": 3, "max_visits": 0, "offers_post_delivery": False}, "offers_post_delivery", "邮寄送达"),
    ({"has_fee": False, "online_payment": True}, "online_payment", "不收费"),
    (_materials_conditional_without_condition(), "materials[0].condition", "适用情形"),
    ({"level": "handling", "handling_type": "", "parent": None}, "handling_type", "业务办理项类型"),
    ({"code": "ABC-123"}, "code", "GB/T 39554.1"),
    ({"department": "no-such-dept"}, "department", "不存在"),
    ({"kind": "tax"}, "kind", "无效"),
    ({"legal_limit_days": None}, "legal_limit_days", "不能为空"),
    ({"committed_limit_days": "三天"}, "committed_limit_days", "整数"),
    ({"channels": ["window", "fax"]}, "channels", "fax"),
    ({"life_events": ["no-such-event"]}, "life_events", "不存在"),
]


@pytest.mark.parametrize(("overrides", "field", "words"), RULES)
def test_inconsistent_item_refused_with_field_and_reason(overrides, field, words):
    data = item_data(**overrides)
    problems = validate_item(data)
    assert field in [p.field for p in problems], problems
    assert any(words in p.message for p in problems if p.field == field)
    with pytest.raises(services.ItemInvalid) as exc:
        services.create_item(data=data, actor=None, reason="新增")
    assert field in [p.field for p in exc.value.problems]
    assert not Item.objects.exists()
    assert not ItemVersion.objects.exists() and not Announcement.objects.exists()


def test_stage_limits_over_committed_limit_refused():
    dept = DepartmentFactory()
    problems = validate_item(item_data(dept, **_stages_too_long(dept)))
    assert [p.field for p in problems] == ["stages"]
    assert "超过承诺办结时限" in problems[0].message


def test_parallel_stages_count_once_at_their_longest():
    dept, other = DepartmentFactory(), DepartmentFactory()
    stages = [
        {"step": 1, "kind": "acceptance", "name": "受理", "limit_days": 0, "department": dept.code},
        {"step": 2, "kind": "review", "name": "甲审查", "limit_days": 4, "department": dept.code},
        {"step": 2, "kind": "review", "name": "乙审查", "limit_days": 5, "department": other.code},
    ]
    assert validate_item(item_data(dept, committed_limit_days=5, stages=stages)) == []
    stages[1]["limit_days"] = 6
    assert [p.field for p in validate_item(item_data(dept, committed_limit_days=5, stages=stages))] == ["stages"]


def test_handling_item_needs_parent_of_level_main_or_sub():
    dept = DepartmentFactory()
    main = make_item(dept)
    handling = make_item(dept, level="handling", handling_type="new", parent=main.code)
    assert handling.parent == main
    problems = validate_item(item_data(dept, level="handling", handling_type="change", parent=handling.code))
    assert [p.field for p in problems] == ["parent"]
    assert "主项或子项" in problems[0].message
    problems = validate_item(item_data(dept, level="handling", handling_type="change", parent=None))
    assert [p.field for p in problems] == ["parent"]


def test_promised_item_may_promise_one_working_day():
    # 80 promised items of the real provincial export promise one working day.
    assert validate_item(item_data(is_immediate=False, committed_limit_days=1, stages=[])) == []


def test_immediate_item_with_one_day_limit_is_consistent():
    assert validate_item(item_data(is_immediate=True, committed_limit_days=1, stages=[])) == []
    assert validate_item(item_data(is_immediate=True, committed_limit_days=0, stages=[])) == []


def test_visit_with_reason_and_post_is_consistent():
    data = item_data(online_depth=3, max_visits=1, visit_reason="须现场核验原件并采集指纹")
    assert validate_item(data) == []


def test_update_refused_leaves_item_unchanged():
    item = make_item()
    with pytest.raises(services.ItemInvalid) as exc:
        services.update_item(item=item, data={"committed_limit_days": 99}, actor=None, reason="调整")
    assert exc.value.field == "committed_limit_days"
    item.refresh_from_db()
    assert (item.committed_limit_days, item.version) == (3, 1)
    assert ItemVersion.objects.filter(item=item).count() == 1


def test_reason_is_required():
    with pytest.raises(ValidationError) as exc:
        services.create_item(data=item_data(), actor=None, reason="  ")
    assert exc.value.field == "reason"
    assert not Item.objects.exists()


def test_duplicate_code_refused():
    item = make_item()
    with pytest.raises(ValidationError) as exc:
        make_item(code=item.code)
    assert exc.value.field == "code"


def test_database_refuses_committed_limit_above_legal():
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemFactory(legal_limit_days=5, committed_limit_days=6)


def test_database_refuses_online_payment_without_fee():
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemFactory(has_fee=False, online_payment=True)


def test_validate_existing_item_instance():
    item = ItemFactory()
    assert validate_item(item) == []
    Item.objects.filter(pk=item.pk).update(max_visits=0, online_depth=2, offers_post_delivery=False)
    item.refresh_from_db()
    assert [p.field for p in validate_item(item)] == ["offers_post_delivery"]
