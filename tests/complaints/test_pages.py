"""The complaint centre's staff pages: the operator registers and dispatches, the office lists and acts,
the unit works its queue (never seeing an anonymous complainant), the figures and the limits."""

import pytest
from django.urls import reverse

from onewindow.complaints import services
from onewindow.complaints.models import KindLimit, WorkOrder
from tests.complaints.orders import at, build_centre, hotline_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(db):
    return build_centre()


def test_the_operator_registers_and_dispatches_in_one_step(client, centre):
    client.force_login(centre.office)
    page = client.get(reverse("workbench:complaint_register"))
    assert page.status_code == 200 and "登记工单" in page.content.decode()
    response = client.post(reverse("workbench:complaint_register"), {
        "channel": "hotline", "kind": "complaint", "subkind": "favours", "text": "办事窗口人员暗示要送礼才给办",
        "complainant_name": "王芳", "complainant_phone": "13977005678", "anonymous": "on",
        "department_id": str(centre.unit_a.pk)})
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/complaints/{order.number}/")
    assert order.state == "dispatched" and order.department == centre.unit_a and order.anonymous


def test_a_bad_registration_is_refused_beside_its_field(client, centre):
    client.force_login(centre.office)
    response = client.post(reverse("workbench:complaint_register"), {
        "channel": "hotline", "kind": "praise", "subkind": "delay", "text": "窗口服务很好"})
    assert response.status_code == 400 and "只有效能投诉需要选择投诉情形" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_the_suggestions_follow_the_linked_item(client, centre):
    client.force_login(centre.office)
    response = client.get(reverse("workbench:complaint_suggestions"), {"text": "", "item_code": "NOPE"})
    assert response.status_code == 200 and "NOPE" in response.content.decode()


def test_units_and_applicants_cannot_open_the_office_pages(client, centre):
    client.force_login(centre.staff_a)
    for name in ("complaint_register", "complaint_metrics", "complaint_limits"):
        assert client.get(reverse(f"workbench:{name}")).status_code == 404


def test_the_office_list_filters_by_light_and_unit(client, centre):
    late = hotline_order(centre, text="营业执照两周还没办下来")
    services.dispatch_order(actor=centre.office, order=late, department_id=centre.unit_a.pk, now=at("2026-11-02"))
    fresh = hotline_order(centre, text="路灯坏了没人修")
    services.dispatch_order(actor=centre.office, order=fresh, department_id=centre.unit_b.pk)
    client.force_login(centre.office)
    body = client.get(reverse("workbench:complaint_list"), {"light": "red"}).content.decode()
    assert late.number in body and fresh.number not in body
    body = client.get(reverse("workbench:complaint_list"), {"unit": centre.unit_b.pk}).content.decode()
    assert fresh.number in body and late.number not in body


def test_the_unit_signs_and_replies_from_the_detail_page_without_the_anonymous_name(client, centre):
    order = hotline_order(centre, anonymous=True)
    services.dispatch_order(actor=centre.office, order=order, department_id=centre.unit_a.pk)
    client.force_login(centre.staff_a)
    queue = client.get(reverse("workbench:complaint_queue")).content.decode()
    assert order.number in queue and "李明" not in queue and "13877001234" not in queue
    detail = client.get(reverse("workbench:complaint_detail", args=[order.number])).content.decode()
    assert "李明" not in detail and "匿名" in detail and order.query_code not in detail
    assert client.post(reverse("workbench:complaint_action", args=[order.number, "sign"]), {}).status_code == 302
    response = client.post(reverse("workbench:complaint_action", args=[order.number, "reply"]),
                           {"reply-reply": "", "reply-substantiated": "no"})
    assert response.status_code == 400 and "请填写答复内容" in response.content.decode()
    response = client.post(reverse("workbench:complaint_action", args=[order.number, "reply"]),
                           {"reply-reply": "已调阅记录，窗口按时办理", "reply-substantiated": "no"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "replied" and order.substantiated is False
    client.force_login(centre.office)
    assert "李明" in client.get(reverse("workbench:complaint_detail", args=[order.number])).content.decode()


def test_another_unit_cannot_open_the_order(client, centre):
    order = hotline_order(centre)
    services.dispatch_order(actor=centre.office, order=order, department_id=centre.unit_a.pk)
    client.force_login(centre.staff_b)
    assert client.get(reverse("workbench:complaint_detail", args=[order.number])).status_code == 404


def test_the_unit_returns_and_the_office_redispatches_from_the_pages(client, centre):
    order = hotline_order(centre)
    services.dispatch_order(actor=centre.office, order=order, department_id=centre.unit_a.pk)
    client.force_login(centre.staff_a)
    response = client.post(reverse("workbench:complaint_action", args=[order.number, "return"]),
                           {"return-basis": "属城管局职责"})
    assert response.status_code == 302
    client.force_login(centre.office)
    detail = client.get(reverse("workbench:complaint_detail", args=[order.number])).content.decode()
    assert "属城管局职责" in detail and "曾退单" in detail
    response = client.post(reverse("workbench:complaint_action", args=[order.number, "dispatch"]),
                           {"dispatch-department_id": str(centre.unit_b.pk)})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.department == centre.unit_b and order.state == "dispatched"


def test_metrics_and_limits_pages(client, centre):
    order = hotline_order(centre)
    services.dispatch_order(actor=centre.office, order=order, department_id=centre.unit_a.pk)
    client.force_login(centre.office)
    body = client.get(reverse("workbench:complaint_metrics")).content.decode()
    assert centre.unit_a.name in body
    data = {f"{k}_{w}": 1 for k in ("complaint", "cannot_get_done", "enterprise_request", "consultation",
                                    "suggestion", "praise") for w in ("sign", "reply")}
    data["enterprise_request_reply"] = 2
    assert client.post(reverse("workbench:complaint_limits"), data).status_code == 302
    assert KindLimit.objects.get(kind="enterprise_request").reply_days == 2
    data["praise_reply"] = 0
    assert client.post(reverse("workbench:complaint_limits"), data).status_code == 400
