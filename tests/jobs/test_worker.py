"""A real Celery worker (`onewindow worker`) on the Redis broker runs the tasks handed to it by
`onewindow jobs … --queue`, against the PostgreSQL test database: the notification is delivered and
the daily check's rows are written by the worker process, not by this one.

Redis database 7 on 127.0.0.1:6379 is this test's own (ONEWINDOW_TEST_BROKER_URL to change it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from onewindow.jobs.models import DailySnapshot
from onewindow.notify.models import Notification
from tests.cases.factories import accepted_case

BROKER_URL = os.environ.get("ONEWINDOW_TEST_BROKER_URL", "redis://127.0.0.1:6379/7")
QUEUE = "onewindow"
ONEWINDOW = str(Path(sys.executable).with_name("onewindow"))

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                       reason="the worker is a second process: it needs the PostgreSQL test database"),
]


def _redis():
    import redis

    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {BROKER_URL}: {exc}")
    return client


def _environment(tmp_path) -> dict:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ONEWINDOW_")}
    env.update({
        "ONEWINDOW_BROKER_URL": BROKER_URL,
        "ONEWINDOW_DATABASE_URL": f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "ONEWINDOW_SECRET_KEY": "worker-test",
        "ONEWINDOW_DATA_DIR": str(tmp_path),
        "ONEWINDOW_CACHE_URL": "locmem://",
        "ONEWINDOW_LOG_LEVEL": "INFO",
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
    })
    return env


def _wait_for(check, *, seconds: float, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}):\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    pytest.fail(f"the worker did not run the task within {seconds} s:\n{log.read_text()[-3000:]}")


def test_a_worker_on_redis_runs_the_queued_tasks(transactional_db, world, tmp_path):
    broker = _redis()
    broker.delete(QUEUE)  # nothing left over from an earlier run
    case = accepted_case(world, now=timezone.now())
    env = _environment(tmp_path)
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [ONEWINDOW, "worker", "--pool", "solo", "--concurrency", "1", "--hostname", f"jobs-test-{os.getpid()}@%h"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for task in (["jobs", "dispatch", "--queue"], ["jobs", "check", "--day", "2026-10-12", "--queue"]):
            sent = subprocess.run([ONEWINDOW, *task], env=env, capture_output=True, text=True, timeout=60)
            assert sent.returncode == 0 and "queued" in sent.stdout, sent.stderr

        def told() -> bool:
            return Notification.objects.filter(case_number=case.number, delivered_at__isnull=False).exists()

        _wait_for(told, seconds=90, worker=worker, log=log)
        _wait_for(lambda: DailySnapshot.objects.filter(department=world.scjg).exists(), seconds=60,
                  worker=worker, log=log)
        assert Notification.objects.get(case_number=case.number).kind == "accepted"
        assert "onewindow.notify.tasks.dispatch_notifications" in log.read_text()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)  # warm shutdown of the worker we started
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        connection.close()
