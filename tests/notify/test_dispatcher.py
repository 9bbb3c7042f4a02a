"""Without a broker the running server delivers the outbox: a thread in each `onewindow serve` process
runs the dispatch every ONEWINDOW_NOTIFY_DISPATCH_SECONDS, so an event becomes a "我的消息" within that
interval — not at the next start. The same against a real `onewindow serve` with two workers (nothing
made or sent twice, both threads stopped cleanly): tests/core/test_serve.py."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from django.utils import timezone

from onewindow.calendar.services import seed_official_calendar
from onewindow.notify import dispatcher
from onewindow.notify.models import Kind, Notification
from tests.cases.factories import accepted_case, build_world
from tests.core.test_serve import wait_for


def test_the_dispatcher_thread_tells_the_applicant_within_its_interval(transactional_db):
    seed_official_calendar()
    world = build_world()
    running = dispatcher.Dispatcher(0.3).start()
    try:
        wait_for(lambda: running.runs >= 1, timeout=10)  # the first run is at once
        case = accepted_case(world, now=timezone.now())  # while it runs
        waited = wait_for(lambda: Notification.objects.filter(case_number=case.number).exists(), timeout=10)
    finally:
        assert running.stop(timeout=10)
    notification = Notification.objects.get(case_number=case.number)
    assert notification.kind == Kind.ACCEPTED and notification.applicant == world.applicant
    assert notification.delivered_at is not None and notification.attempts == 1
    # (On SQLite's in-memory test database a run that meets the test's own writes fails with "table is
    # locked" — shared-cache locks do not wait — and the next run delivers: what the retry is for.)
    assert waited < 5
    assert not running.alive


def test_a_failed_run_is_logged_and_the_next_one_tries_again(caplog, monkeypatch):
    # Another test in the same process may have reconfigured logging (disable_existing_loggers): this
    # test is about the dispatcher logging the failure, so the logger is switched on for it.
    monkeypatch.setattr(dispatcher.logger, "disabled", False)
    monkeypatch.setattr(dispatcher.logger, "propagate", True)
    caplog.set_level(logging.ERROR, logger=dispatcher.logger.name)
    calls = []

    def flaky():
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise ConnectionError("database restarting")

    running = dispatcher.Dispatcher(0.05, run=flaky).start()
    try:
        wait_for(lambda: len(calls) >= 2, timeout=5)
    finally:
        assert running.stop()
    assert running.failures == 1 and running.runs >= 1
    assert "outbox dispatch failed" in caplog.text


def test_one_dispatcher_per_process_and_none_with_a_broker_or_a_zero_interval(settings):
    settings.BROKER_URL = "redis://127.0.0.1:6379/9"
    assert dispatcher.embedded_interval() == 0 and dispatcher.start() is None
    settings.BROKER_URL = ""
    settings.NOTIFY_DISPATCH_SECONDS = 0
    assert dispatcher.start() is None
    settings.NOTIFY_DISPATCH_SECONDS = 3600  # a long interval: the first run is all this test sees
    first = dispatcher.start()
    try:
        assert first is not None and first.alive and dispatcher.start() is first
        assert sum(thread.name == "onewindow-notify-dispatch" for thread in threading.enumerate()) == 1
    finally:
        assert dispatcher.stop(timeout=10)
    assert not first.alive and dispatcher.stop()  # a second stop is harmless
    with pytest.raises(ValueError):
        dispatcher.Dispatcher(0)
