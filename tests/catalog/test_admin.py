"""The catalog admin saves through the services: a reason is required, rule violations are form
errors (not server errors), and the retain/abolish actions ask for a reason and announce."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from onewindow.catalog.models import Announcement, Item, ItemVersion
from tests.catalog.factories import make_admin, make_item
from tests.factories import DepartmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.catalog.admin_urls")]


@pytest.fixture
def admin_client(client):
    client.force_login(make_admin())
    return client


def _form(item, **changes):
    data = {
        "name": item.name, "kind": item.kind, "level": item.level, "handling_type": item.handling_type,
        "parent": "", "department": item.department_id, "region_level": item.region_level, "legal_basis": "",
        "legal_limit_days": item.legal_limit_days, "committed_limit_days": item.committed_limit_days,
        "limit_unit": item.limit_unit,
        "extension_days": 0, "max_visits": item.max_visits, "visit_reason": "", "online_depth": item.online_depth,
        "fee_description": "", "fee_amount": "0", "channel_window": "on", "channel_online": "on",
        "offers_post_delivery": "on", "location": "", "opening_hours": "", "phone": "", "conditions": "",
        "result_name": "", "result_certificate_type": "", "instant_approval_rules": "[]", "status": item.status,
        "change_reason": "调整承诺时限",
        "materials-TOTAL_FORMS": 0, "materials-INITIAL_FORMS": 0,
        "stages-TOTAL_FORMS": 0, "stages-INITIAL_FORMS": 0,
    }
    for i, m in enumerate(item.materials.all()):
        data.update({f"materials-{i}-id": m.pk, f"materials-{i}-item": item.pk, f"materials-{i}-order": m.order,
                     f"materials-{i}-name": m.name, f"materials-{i}-source": m.source,
                     f"materials-{i}-required": "on" if m.required else "", f"materials-{i}-condition": m.condition,
                     f"materials-{i}-form": m.form, f"materials-{i}-copies": m.copies,
                     f"materials-{i}-waiver_term_days": m.waiver_term_days,
                     f"materials-{i}-certificate_type": m.certificate_type, f"materials-{i}-note": m.note})
        data["materials-TOTAL_FORMS"] = data["materials-INITIAL_FORMS"] = i + 1
    for i, s in enumerate(item.stages.all()):
        data.update({f"stages-{i}-id": s.pk, f"stages-{i}-item": item.pk, f"stages-{i}-step": s.step,
                     f"stages-{i}-kind": s.kind, f"stages-{i}-name": s.name, f"stages-{i}-limit_days": s.limit_days,
                     f"stages-{i}-department": s.department_id})
        data["stages-TOTAL_FORMS"] = data["stages-INITIAL_FORMS"] = i + 1
    data.update(changes)
    return data


def test_change_form_saves_through_services_with_version_and_announcement(admin_client):
    item = make_item(DepartmentFactory())
    url = reverse("admin:catalog_item_change", args=[item.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, _form(item, committed_limit_days=2, **{"stages-1-limit_days": 2}))
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert (item.committed_limit_days, item.version) == (2, 2)
    announcement = Announcement.objects.get(item=item, kind="changed")
    assert announcement.reason == "调整承诺时限" and "3 → 2" in announcement.summary


def test_change_form_shows_rule_violations_as_form_errors(admin_client):
    item = make_item(DepartmentFactory())
    url = reverse("admin:catalog_item_change", args=[item.pk])
    response = admin_client.post(url, _form(item, online_depth=3, offers_post_delivery=""))
    assert response.status_code == 200
    assert "零跑动但非全程网办的事项，必须提供结果邮寄送达" in response.content.decode()
    response = admin_client.post(url, _form(item, **{"stages-1-limit_days": 10}))
    assert response.status_code == 200 and "超过承诺办结时限" in response.content.decode()
    response = admin_client.post(url, _form(item, change_reason=""))
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.version == 1 and ItemVersion.objects.filter(item=item).count() == 1


def test_a_draft_is_saved_in_the_admin_with_what_it_still_lacks(admin_client):
    item = make_item(DepartmentFactory(), status="draft")
    url = reverse("admin:catalog_item_change", args=[item.pk])
    response = admin_client.post(url, _form(item, online_depth=3, offers_post_delivery="", limit_unit="natural"))
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.status == "draft" and item.limit_unit == "natural"
    assert [g["field"] for g in item.review_gaps] == ["offers_post_delivery"]
    response = admin_client.post(url, _form(item, online_depth=3, offers_post_delivery="", status="active"))
    assert response.status_code == 200 and "必须提供结果邮寄送达" in response.content.decode()
    assert Item.objects.get(pk=item.pk).status == "draft"


def test_retain_and_abolish_actions_ask_for_a_reason(admin_client):
    a, b = make_item(DepartmentFactory()), make_item(DepartmentFactory())
    url = reverse("admin:catalog_item_changelist")
    response = admin_client.post(url, {"action": "retain_selected", ACTION_CHECKBOX_NAME: [a.pk, b.pk]})
    assert response.status_code == 200 and "理由" in response.content.decode()
    assert not Announcement.objects.filter(kind="retained").exists()
    response = admin_client.post(url, {"action": "retain_selected", ACTION_CHECKBOX_NAME: [a.pk, b.pk],
                                       "confirm": "yes", "reason": "2026 年清理保留"})
    assert response.status_code == 302
    assert Announcement.objects.filter(kind="retained", reason="2026 年清理保留").count() == 2
    admin_client.post(url, {"action": "abolish_selected", ACTION_CHECKBOX_NAME: [a.pk], "confirm": "yes",
                            "reason": "依法取消"})
    assert Item.objects.get(pk=a.pk).status == "abolished"
    assert Announcement.objects.filter(kind="abolished", item=a).exists()


def test_other_catalog_admin_pages_render(admin_client):
    make_item(DepartmentFactory())
    for name in ("itemversion", "announcement", "bundle", "lifeevent", "delegation"):
        assert admin_client.get(reverse(f"admin:catalog_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:catalog_item_add")).status_code == 200
    assert admin_client.get(reverse("admin:catalog_item_changelist") + "?q=yyzz").status_code == 200


def test_add_form_creates_through_services(admin_client):
    template = make_item(DepartmentFactory())
    data = _form(template, code="114506810000000000-000105009000", name="新增的事项", change_reason="新设事项")
    for key in [k for k in data if k.startswith(("materials-", "stages-"))]:
        del data[key]
    data.update({"materials-TOTAL_FORMS": 1, "materials-INITIAL_FORMS": 0, "materials-0-name": "申请表",
                 "materials-0-required": "on", "materials-0-source": "applicant", "materials-0-form": "both",
                 "materials-0-copies": 1, "materials-0-order": 1, "materials-0-waiver_term_days": 5,
                 "stages-TOTAL_FORMS": 0, "stages-INITIAL_FORMS": 0})
    response = admin_client.post(reverse("admin:catalog_item_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Item.objects.get(code="114506810000000000-000105009000")
    assert item.version == 1 and list(item.materials.values_list("name", flat=True)) == ["申请表"]
    assert Announcement.objects.get(item=item).reason == "新设事项"
