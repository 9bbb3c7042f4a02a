"""`onewindow serve` is the production server (gunicorn): it serves the static files itself, a long search
still reaches the app, a request too long for the server is answered with our own Chinese page (never
gunicorn's raw English error) and, without a broker, it delivers the notification outbox while it runs (a
thread per worker process). One server with two workers is started for the module (init and start-up take
most of the time)."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def wait_for(condition, timeout: float, step: float = 0.2) -> float:
    """Seconds until `condition()` held; fails after `timeout`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"not within {timeout} s"
        time.sleep(step)
    return time.monotonic() - started


class Served:
    def __init__(self, base: str, env: dict, database: Path, process: subprocess.Popen):
        self.base, self.env, self.database, self.process = base, env, database, process


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve")
    onewindow = str(Path(sys.executable).with_name("onewindow"))
    database = data / "serve.sqlite3"
    env = {**os.environ, "ONEWINDOW_DATA_DIR": str(data), "ONEWINDOW_DATABASE_URL": f"sqlite:///{database}",
           "ONEWINDOW_BROKER_URL": "", "ONEWINDOW_NOTIFY_DISPATCH_SECONDS": "1",
           "DJANGO_SETTINGS_MODULE": "onewindow.settings", "PYTHONPATH": str(ROOT)}
    subprocess.run([onewindow, "init", "--no-sample"], env=env, check=True, capture_output=True, timeout=240)
    port = _free_port()
    process = subprocess.Popen([onewindow, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    server = Served(f"http://127.0.0.1:{port}", env, database, process)

    def answers() -> bool:
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        try:
            return _get(server.base + "/")[0] == 200
        except OSError:
            return False

    try:
        wait_for(answers, timeout=60, step=0.3)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.communicate(timeout=30)


def test_serve_answers_pages_and_static_files_with_gunicorn(served):
    status, body, headers = _get(served.base + "/")
    assert status == 200 and 'lang="zh-hans"' in body.decode()
    assert "gunicorn" in headers.get("Server", "")
    status, css, _ = _get(served.base + "/static/onewindow/site.css")
    assert status == 200 and b".card" in css


def test_a_450_character_search_reaches_the_app_and_is_cut_to_the_box_length(served):
    query = "营业执照办理" * 75  # 450 characters, 4,050 bytes URL-encoded: over gunicorn's default line limit
    status, body, _ = _get(f"{served.base}/items/?q={quote(query)}&kind=licensing")
    page = body.decode()
    assert status == 200, page[:300]
    assert 'maxlength="100"' in page  # the box takes no more than the view reads
    assert f'value="{query[:100]}"' in page and query[:101] not in page


def test_a_request_too_long_for_the_server_gets_our_chinese_page(served):
    status, body, headers = _get(f"{served.base}/items/?q={quote('营' * 1000)}")  # 9,000 bytes
    page = body.decode("utf-8")
    assert status == 414
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "请求内容过长" in page and "请缩短搜索词" in page and 'href="/items/"' in page
    assert "URI Too Long" not in page and "Request Line" not in page
    status, body, _ = _get(f"{served.base}/", headers={"Cookie": "x=" + "a" * 9000})
    assert status == 431 and "请清除本网站的 Cookie" in body.decode("utf-8")


MAKE_EVENT = textwrap.dedent("""
    import django
    django.setup()
    from django.utils import timezone
    from tests.cases.factories import accepted_case, build_world
    print(accepted_case(build_world(), now=timezone.now()).number)
""")


def test_without_a_broker_the_running_server_tells_the_applicant_within_the_interval(served):
    made = subprocess.run([sys.executable, "-c", MAKE_EVENT], env=served.env, cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=120)
    number = made.stdout.strip().splitlines()[-1]

    def told() -> list[tuple]:
        with sqlite3.connect(served.database) as db:
            return db.execute("SELECT kind, attempts, delivered_at FROM notify_notification WHERE case_number = ?",
                              [number]).fetchall()

    waited = wait_for(told, timeout=15)
    assert waited < 5, f"the message came after {waited:.1f} s with a 1 s interval"
    time.sleep(1.5)  # another run of each worker's thread: nothing is made or sent twice
    rows = told()
    assert len(rows) == 1 and rows[0][0] == "accepted" and rows[0][1] == 1 and rows[0][2] is not None


def test_the_server_says_how_messages_go_and_its_workers_stop_cleanly(served):
    os.killpg(served.process.pid, signal.SIGTERM)
    out, err = served.process.communicate(timeout=30)
    console = out.decode() + err.decode()
    assert served.process.returncode == 0
    assert "sent by the server every 1 s" in console and "sms-outbox.log" in console
    assert console.count("Booting worker") == 2 and "Traceback" not in console

