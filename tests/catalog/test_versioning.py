"""Every change to an item is versioned and announced; a change with no difference leaves no trace."""

from datetime import date

import pytest

from onewindow.audit.selectors import events_for
from onewindow.catalog import services
from onewindow.catalog.models import Announcement, ItemVersion
from onewindow.core.errors import Conflict, ValidationError
from tests.catalog.factories import LifeEventFactory, make_admin, make_item

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def test_created_item_is_version_one_with_full_snapshot_and_added_announcement():
    admin = make_admin()
    item = make_item(actor=admin, reason="依据省级目录新增", name="营业执照补领")
    assert item.version == 1
    version = ItemVersion.objects.get(item=item)
    assert version.version == 1 and version.changed_by == admin and version.reason == "依据省级目录新增"
    assert version.snapshot["name"] == "营业执照补领"
    assert [m["name"] for m in version.snapshot["materials"]] == ["申请书", "居民身份证"]
    assert [s["name"] for s in version.snapshot["stages"]] == ["收件与受理", "审查与决定"]
    announcement = Announcement.objects.get(item=item)
    assert (announcement.kind, announcement.item_version, announcement.reason) == ("added", 1, "依据省级目录新增")


def test_search_fields_computed_from_pinyin():
    item = make_item(name="营业执照补领")
    assert item.search_initials == "yyzzbl"
    assert item.search_pinyin == "yingyezhizhaobuling"
    services.update_item(item=item, data={"name": "营业执照遗失补领"}, actor=None, reason="规范名称")
    item.refresh_from_db()
    assert item.search_initials == "yyzzysbl"


def test_update_keeps_history_and_announces_field_level_diff():
    item = make_item(committed_limit_days=3)
    item = services.update_item(item=item, data={"committed_limit_days": 2, "stages": []}, actor=None,
                                reason="压缩承诺时限", today=TODAY)
    assert item.version == 2
    versions = list(ItemVersion.objects.filter(item=item).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].snapshot["committed_limit_days"] == 3
    assert versions[1].snapshot["committed_limit_days"] == 2 and versions[1].snapshot["stages"] == []
    announcement = Announcement.objects.get(item=item, kind="changed")
    assert announcement.published_on == TODAY and announcement.item_version == 2
    assert "承诺办结时限：3 → 2" in announcement.summary
    assert "办理环节" in announcement.summary


def test_material_changes_are_described_in_chinese():
    item = make_item()
    services.set_materials(item=item, materials=[
        {"name": "申请书", "required": True},
        {"name": "居民身份证", "required": False, "condition": "委托办理时提交"},
        {"name": "授权委托书", "required": False, "condition": "委托办理时提交"},
    ], actor=None, reason="补充委托情形")
    summary = Announcement.objects.get(item=item, kind="changed").summary
    assert "新增申请材料“授权委托书”" in summary
    assert "申请材料“居民身份证”：必要 是 → 否" in summary
    assert item.materials.count() == 3


def test_update_without_difference_creates_no_version_and_no_announcement():
    item = make_item(life_events=[LifeEventFactory(code="kaiban").code])
    same = services.update_item(item=item, data={"committed_limit_days": 3, "life_events": ["kaiban"],
                                                 "channels": "window；online"}, actor=None, reason="复核")
    assert same.version == 1
    assert ItemVersion.objects.filter(item=item).count() == 1
    assert Announcement.objects.filter(item=item).count() == 1
    assert len(events_for(f"item:{item.code}")) == 1


def test_retain_announces_without_new_version():
    item = make_item()
    announcement = services.retain_item(item=item, actor=None, reason="2026 年事项清理：保留", today=TODAY)
    assert (announcement.kind, announcement.item_version, announcement.published_on) == ("retained", 1, TODAY)
    assert "保留" in announcement.summary
    assert ItemVersion.objects.filter(item=item).count() == 1


def test_abolish_versions_and_announces_then_refuses_changes():
    item = make_item()
    item = services.abolish_item(item=item, actor=None, reason="国务院决定取消")
    assert (item.status, item.version) == ("abolished", 2)
    announcement = Announcement.objects.get(item=item, kind="abolished")
    assert "状态：在用 → 已取消" in announcement.summary
    with pytest.raises(Conflict):
        services.abolish_item(item=item, actor=None, reason="再次取消")
    with pytest.raises(Conflict):
        services.update_item(item=item, data={"name": "新名称"}, actor=None, reason="改名")
    with pytest.raises(Conflict):
        services.retain_item(item=item, actor=None, reason="保留")
    assert ItemVersion.objects.filter(item=item).count() == 2


def test_draft_is_announced_when_it_becomes_active():
    item = make_item(status="draft")
    assert not Announcement.objects.filter(item=item).exists()
    services.update_item(item=item, data={"status": "active"}, actor=None, reason="正式发布")
    assert list(Announcement.objects.filter(item=item).values_list("kind", flat=True)) == ["added"]


def test_every_write_needs_a_reason():
    item = make_item()
    for call in (lambda: services.update_item(item=item, data={"name": "甲"}, actor=None, reason=""),
                 lambda: services.retain_item(item=item, actor=None, reason=""),
                 lambda: services.abolish_item(item=item, actor=None, reason="")):
        with pytest.raises(ValidationError) as exc:
            call()
        assert exc.value.field == "reason"
    item.refresh_from_db()
    assert (item.version, item.status) == (1, "active")


def test_code_cannot_change():
    item = make_item()
    with pytest.raises(services.ItemInvalid) as exc:
        services.update_item(item=item, data={"code": "114506810000000099-000000000099"}, actor=None, reason="改码")
    assert exc.value.field == "code"


def test_writes_are_on_the_audit_chain():
    admin = make_admin()
    item = make_item(actor=admin)
    services.update_item(item=item, data={"committed_limit_days": 2, "stages": []}, actor=admin, reason="压缩")
    events = list(events_for(f"item:{item.code}"))
    assert [e.action for e in events] == ["onewindow.item.changed"] * 2
    assert events[-1].actor == admin and events[-1].reason == "压缩"
    assert events[-1].data["version"] == 2


def test_snapshot_is_what_the_item_reads_back():
    from onewindow.catalog.itemdata import item_to_data

    item = make_item(life_events=[LifeEventFactory(code="chusheng").code], has_fee=True, fee_amount="8",
                     online_payment=True)
    assert ItemVersion.objects.get(item=item).snapshot == item_to_data(item)
    item = services.update_item(item=item, data={"fee_amount": "9.5"}, actor=None, reason="调价")
    assert ItemVersion.objects.get(item=item, version=2).snapshot == item_to_data(item)
