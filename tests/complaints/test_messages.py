"""Messages about work orders through the outbox (notify reads the audit trail; complaints never call it):
who is told of each step, once, by text message, e-mail or kept in the outbox."""

from datetime import timedelta

import pytest
from django.core import mail

from onewindow.complaints import services
from onewindow.notify import orders as outbox
from onewindow.notify import services as notify
from onewindow.notify.models import OrderMessage
from onewindow.orgs.models import Role
from tests.complaints.orders import at, build_centre, hotline_order
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(db):
    return build_centre()


def _run(moment):
    return notify.dispatch(now=moment + timedelta(minutes=5))


def test_each_step_tells_the_people_it_concerns_once(centre):
    chief = make_staff(Role.CHIEF_REPRESENTATIVE, department=centre.unit_a, phone="13900000002")
    order = hotline_order(centre, now=at("2026-12-07", 9))
    _run(at("2026-12-07", 8))  # the outbox starts before the first event
    order = services.dispatch_order(actor=centre.office, order=order, department_id=centre.unit_a.pk,
                                    now=at("2026-12-07", 9))
    order = services.return_order(actor=centre.staff_a, order=order, basis="不属本单位职责", now=at("2026-12-07", 10))
    _run(at("2026-12-07", 11))
    _run(at("2026-12-07", 11))  # a second run adds nothing
    rows = list(OrderMessage.objects.order_by("id").values_list("kind", "recipient", "channel"))
    assert ("registered", "complainant", "sms") in rows and ("dispatched", "complainant", "sms") in rows
    assert ("dispatched", f"user:{chief.pk}", "sms") in rows
    assert ("dispatched", f"user:{centre.staff_a.pk}", "portal") in rows  # no phone: kept in the outbox
    assert ("returned", f"user:{centre.office.pk}", "portal") in rows
    assert len(rows) == len(set(rows))
    registered = OrderMessage.objects.get(kind="registered")
    assert order.query_code in registered.text and registered.delivered_at is not None


def test_e_mail_when_there_is_no_phone_and_a_mail_backend(centre, settings):
    settings.NOTIFY_EMAIL_BACKEND = "locmem"
    _run(at("2026-12-07", 8))
    order = services.register_order(kind="suggestion", channel="web", text="建议延长周末窗口服务时间",
                                    complainant_email="wang@example.com", now=at("2026-12-07", 9))
    _run(at("2026-12-07", 10))
    message = OrderMessage.objects.get(kind="registered")
    assert message.channel == "email" and message.delivered_at is not None
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].body


def test_without_a_mail_backend_the_message_stays_in_the_outbox(centre):
    assert outbox.email_backend() == ""
    _run(at("2026-12-07", 8))
    services.register_order(kind="suggestion", channel="web", text="建议增加自助机",
                            complainant_email="wang@example.com", now=at("2026-12-07", 9))
    _run(at("2026-12-07", 10))
    message = OrderMessage.objects.get(kind="registered")
    assert message.channel == "portal" and message.email == ""
