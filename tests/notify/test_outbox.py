"""The outbox: case events on the audit trail become notifications for the applicant, once each, and
are delivered through the configured backend (eager mode: the task runs in the test's process)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.notify import selectors, services
from onewindow.notify.models import Channel, Kind, Notification, OutboxCursor
from onewindow.notify.tasks import dispatch_notifications
from tests.cases.factories import accepted_case, at, submit_online, task_of

pytestmark = pytest.mark.django_db


def kinds(case) -> list[str]:
    return list(selectors.case_notifications(case.number).values_list("kind", flat=True))


def approve_all(world, case, now):
    for dept, approver, step in ((world.scjg, world.approver_scj, 2), (world.gaj, world.approver_gaj, 2),
                                 (world.scjg, world.approver_scj, 3)):
        case_services.approve_task(approver=approver, task=task_of(case, dept, step), now=now)
    return Case.objects.get(pk=case.pk)


class FailingGateway:
    """An SMS gateway that is down."""

    def send(self, notification):
        raise ConnectionError("gateway 10.0.0.9 refused the connection")


def test_an_accepted_case_tells_its_applicant_once(world):
    case = accepted_case(world, now=at(2026, 9, 30, 10))
    report = services.dispatch(now=at(2026, 9, 30, 10, 5))
    assert (report.created, report.delivered, report.failed) == (1, 1, 0)
    notification = Notification.objects.get()
    assert notification.applicant == world.applicant and notification.case_number == case.number
    assert notification.kind == Kind.ACCEPTED and notification.channel == Channel.SMS
    due = case.due_on
    assert notification.text == (f"您申请的“个体工商户设立登记”（办件编号 {case.number}）已受理，"
                                 f"办结期限为 {due.year}年{due.month}月{due.day}日。")
    assert notification.delivered_at == at(2026, 9, 30, 10, 5) and notification.attempts == 1
    assert notification.last_error == ""


def test_running_the_dispatch_twice_creates_and_sends_nothing_twice(world):
    accepted_case(world, now=at(2026, 9, 30, 10))
    services.dispatch(now=at(2026, 9, 30, 10, 5))
    again = services.dispatch(now=at(2026, 9, 30, 10, 6))
    assert (again.created, again.delivered) == (0, 0)
    # Even with the cursor lost (a restored database, an operator's reset) nothing is made twice.
    OutboxCursor.objects.update(last_event_id=0)
    assert services.dispatch(now=at(2026, 9, 30, 10, 7)).created == 0
    assert Notification.objects.count() == 1
    # The database itself refuses a second notification of one kind for one event.
    first = Notification.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(applicant=first.applicant, case_number=first.case_number, kind=first.kind,
                                    text="dup", channel=first.channel, source_event=first.source_event,
                                    created_at=first.created_at)


def test_the_applicant_hears_of_acceptance_approval_certificate_and_conclusion(world):
    case = accepted_case(world, now=at(2026, 9, 30, 10))
    services.dispatch(now=at(2026, 9, 30, 10, 5))
    case = approve_all(world, case, now=at(2026, 10, 9, 10))
    case_services.conclude_case(actor=world.clerk, case=case, delivery_method="post", delivery_address="东兴市北仑大道1号",
                                tracking_number="SF1234567890", now=at(2026, 10, 9, 15))
    services.dispatch(now=at(2026, 10, 9, 16))
    # Steps opened and tasks approved inside the departments are not the applicant's news.
    assert kinds(case) == [Kind.ACCEPTED, Kind.APPROVED, Kind.CERTIFICATE_ISSUED, Kind.CONCLUDED]
    texts = list(selectors.case_notifications(case.number).values_list("text", flat=True))
    assert "证照编号 DX-YYZZ-2026-000001" in texts[2]
    assert "已办结。结果已邮寄，快递单号 SF1234567890。请为本次服务评价：http" in texts[3]
    assert "/rate/" in texts[3]


def test_a_supplement_request_lists_every_defect(world):
    case = submit_online(world, now=at(2026, 9, 30, 9))
    case_services.request_supplement(actor=world.clerk, case=case, now=at(2026, 9, 30, 10), defects=[
        {"name": "经营场所证明", "reason": "地址与申请书不一致"}, {"name": "消防安全承诺书", "reason": "未签字"}])
    services.dispatch(now=at(2026, 9, 30, 10, 1))
    notification = Notification.objects.get(kind=Kind.SUPPLEMENT_REQUESTED)
    assert "需要补正材料：经营场所证明、消防安全承诺书。请一次性补齐" in notification.text


def test_a_denial_and_a_refusal_give_their_reasons(world):
    denied = accepted_case(world, now=at(2026, 9, 30, 10))
    case_services.deny_task(approver=world.approver_gaj, task=task_of(denied, world.gaj, 2),
                            reason="经营场所位于禁止经营区域", now=at(2026, 10, 8, 10))
    refused = submit_online(world, now=at(2026, 10, 8, 9))
    case_services.refuse_case(clerk=world.clerk, case=refused, reason="不属于本中心受理范围", now=at(2026, 10, 8, 11))
    services.dispatch(now=at(2026, 10, 8, 12))
    denial = Notification.objects.get(case_number=denied.number, kind=Kind.DENIED)
    assert "不予许可，理由：经营场所位于禁止经营区域。如有异议" in denial.text
    refusal = Notification.objects.get(case_number=refused.number, kind=Kind.REFUSED)
    assert "不予受理，理由：不属于本中心受理范围。" in refusal.text


def test_events_still_settling_are_read_again_but_told_once(world):
    case = accepted_case(world, now=at(2026, 9, 30, 10))
    event_id = Notification._meta.get_field("source_event").related_model.objects.filter(
        action="onewindow.case.accepted").get().pk
    # 30 s after the event a transaction with a smaller id could still commit: the cursor waits.
    first = services.dispatch(now=at(2026, 9, 30, 10) + timedelta(seconds=30))
    assert first.created == 1 and first.cursor < event_id
    assert services.dispatch(now=at(2026, 9, 30, 10, 1)).created == 0
    settled = services.dispatch(now=at(2026, 9, 30, 10, 10))
    assert settled.created == 0 and settled.cursor >= event_id
    assert kinds(case) == [Kind.ACCEPTED]


def test_events_older_than_the_age_limit_make_no_notification(world, settings):
    settings.NOTIFY_MAX_AGE_HOURS = 72
    accepted_case(world, now=at(2026, 9, 30, 10))
    report = services.dispatch(now=at(2026, 10, 9, 10))  # nine days later: history, not news
    assert report.created == 0 and Notification.objects.count() == 0
    assert report.cursor >= OutboxCursor.objects.get(name="case-events").last_event_id > 0


def test_an_applicant_without_a_phone_number_reads_it_in_the_portal_only(world, settings):
    settings.NOTIFY_BACKEND = "tests.notify.test_outbox.FailingGateway"  # must not even be tried
    world.applicant.phone = ""
    world.applicant.save(update_fields=["phone"])
    accepted_case(world, now=at(2026, 9, 30, 10))
    report = services.dispatch(now=at(2026, 9, 30, 10, 5))
    assert (report.created, report.delivered, report.failed) == (1, 0, 0)
    notification = Notification.objects.get()
    assert notification.channel == Channel.PORTAL and notification.attempts == 0
    assert notification.delivered_at == at(2026, 9, 30, 10, 5)


def test_a_failing_gateway_is_retried_with_back_off_then_given_up(world, settings, caplog):
    settings.NOTIFY_BACKEND = "tests.notify.test_outbox.FailingGateway"
    settings.NOTIFY_MAX_ATTEMPTS = 2
    accepted_case(world, now=at(2026, 9, 30, 10))
    start = at(2026, 9, 30, 10, 5)
    with caplog.at_level(logging.WARNING, logger="onewindow.notify"):
        assert services.dispatch(now=start).failed == 1
    notification = Notification.objects.get()
    assert notification.attempts == 1 and notification.delivered_at is None
    assert notification.last_error == "ConnectionError: gateway 10.0.0.9 refused the connection"
    assert notification.next_attempt_at == start + timedelta(minutes=1)
    assert world.applicant.phone not in caplog.text and world.applicant.phone[-4:] in caplog.text
    assert services.dispatch(now=start + timedelta(seconds=30)).failed == 0  # not due yet
    assert services.dispatch(now=start + timedelta(minutes=1)).failed == 1
    notification.refresh_from_db()
    assert notification.attempts == 2 and notification.next_attempt_at is None  # given up
    settings.NOTIFY_BACKEND = "log"
    assert services.dispatch(now=start + timedelta(hours=1)).delivered == 0
    assert Notification.objects.get().delivered_at is None


class SecondWorkerGateway:
    """Sends, and while it sends lets a second worker run the delivery step (as a second Celery
    worker would): that worker must not send the message being sent."""

    sent: list[int] = []

    def send(self, notification):
        SecondWorkerGateway.sent.append(notification.pk)
        if len(SecondWorkerGateway.sent) == 1:
            services.deliver(now=notification.next_attempt_at + timedelta(seconds=-1), backend=self)


def test_a_message_being_sent_is_not_sent_again_by_another_worker(world):
    SecondWorkerGateway.sent = []
    accepted_case(world, now=at(2026, 9, 30, 10))
    services.collect(now=at(2026, 9, 30, 10, 5))
    delivered, failed = services.deliver(now=at(2026, 9, 30, 10, 5), backend=SecondWorkerGateway())
    assert (delivered, failed) == (1, 0)
    assert SecondWorkerGateway.sent == [Notification.objects.get().pk]


def test_the_log_backend_masks_the_phone_number(world, caplog):
    accepted_case(world, now=at(2026, 9, 30, 10))
    with caplog.at_level(logging.INFO, logger="onewindow.notify"):
        services.dispatch(now=at(2026, 9, 30, 10, 5))
    phone = world.applicant.phone
    assert f"{phone[:3]}****{phone[-4:]}" in caplog.text
    assert phone not in caplog.text


def test_collecting_costs_the_same_queries_however_many_events(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(now) -> int:
        with CaptureQueriesContext(connection) as captured:
            services.collect(now=now)
        return len(captured)

    accepted_case(world, now=at(2026, 9, 30, 10))
    services.collect(now=at(2026, 9, 30, 10, 1))  # the first run places the cursor
    accepted_case(world, now=at(2026, 9, 30, 11))
    one = queries(at(2026, 9, 30, 11, 1))
    for _ in range(4):
        accepted_case(world, now=at(2026, 9, 30, 12))
    assert queries(at(2026, 9, 30, 12, 1)) == one
    assert Notification.objects.count() == 6


def test_the_task_runs_eagerly_without_a_broker(world, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER and not settings.BROKER_URL
    accepted_case(world, now=at(2026, 9, 30, 10))
    result = dispatch_notifications.delay(now=at(2026, 9, 30, 10, 5).isoformat()).get()
    assert result["created"] == 1 and result["delivered"] == 1


def test_the_portal_shows_the_text_in_the_visitors_language(world):
    case = accepted_case(world, now=at(2026, 9, 30, 10))
    services.dispatch(now=at(2026, 9, 30, 10, 5))
    notification = Notification.objects.get()
    with translation.override("en"):
        english = selectors.display_text(notification)
    assert case.number in english and "accepted" in english
    assert "已受理" in notification.text  # what was sent stays as it was


@pytest.mark.postgres_only
def test_two_dispatchers_at_once_make_each_notification_once(transactional_db, world, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL: concurrent connections and SELECT … FOR UPDATE")
    import threading

    from django.db import connection

    for _ in range(3):
        accepted_case(world, now=at(2026, 9, 30, 10))
    barrier, reports = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            reports.append(services.dispatch(now=at(2026, 9, 30, 10, 5)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.created for r in reports) == 3 and sum(r.delivered for r in reports) == 3
    assert Notification.objects.count() == 3
    assert all(n.attempts == 1 for n in Notification.objects.all())
