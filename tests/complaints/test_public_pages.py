"""The public pages: file online, look up by number and query code, rate the reply (reopening once)."""

import pytest
from django.urls import reverse

from onewindow.complaints import services
from onewindow.complaints.models import WorkOrder
from tests.complaints.orders import build_centre

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(db):
    return build_centre()


def test_anyone_files_a_complaint_and_gets_a_number_and_query_code(client, centre):
    response = client.post(reverse("portal_complaints:file"), {
        "kind": "cannot_get_done", "text": "跑了三趟也没办成不动产登记", "complainant_phone": "13800001111",
        "anonymous": "on"})
    order = WorkOrder.objects.get()
    body = response.content.decode()
    assert response.status_code == 200 and order.number in body and order.query_code in body
    assert order.channel == "web" and order.anonymous and order.state == "registered"


def test_a_bad_filing_names_the_field_and_files_nothing(client, centre):
    response = client.post(reverse("portal_complaints:file"), {"kind": "complaint", "text": "  "})
    assert response.status_code == 400 and not WorkOrder.objects.exists()
    response = client.post(reverse("portal_complaints:file"), {"kind": "complaint", "text": "窗口乱收费",
                                                                "complainant_phone": "abc"})
    assert response.status_code == 400 and "电话号码" in response.content.decode()
    assert not WorkOrder.objects.exists()


def _replied(centre):
    order = services.register_order(kind="complaint", subkind="illegal_fees", channel="web",
                                     text="办理营业执照被收了 200 元材料费")
    order = services.dispatch_order(actor=centre.office, order=order, department_id=centre.unit_a.pk)
    order = services.sign_order(actor=centre.staff_a, order=order)
    return services.reply_order(actor=centre.staff_a, order=order, reply="经查属实，已退还并处理相关人员",
                                substantiated=True)


def test_the_complainant_looks_up_and_rates_the_reply(client, centre):
    order = _replied(centre)
    wrong = client.get(reverse("portal_complaints:track"), {"number": order.number, "code": "XXXXXX"})
    assert wrong.status_code == 404 and "已退还" not in wrong.content.decode()
    page = client.get(reverse("portal_complaints:track"), {"number": order.number, "code": order.query_code})
    assert "已退还" in page.content.decode() and "评价答复" in page.content.decode()
    response = client.post(reverse("portal_complaints:track"), {"number": order.number, "code": order.query_code,
                                                                 "satisfaction": "unsatisfied", "comment": "只退了一半"})
    assert response.status_code == 200 and "重新办理" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "handling" and order.reopened_at is not None


def test_rating_needs_the_query_code(client, centre):
    order = _replied(centre)
    response = client.post(reverse("portal_complaints:track"), {"number": order.number, "code": "ZZZZZZ",
                                                                 "satisfaction": "satisfied"})
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.state == "replied"
