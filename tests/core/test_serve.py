"""`onewindow serve` is the production server (gunicorn), and it serves the static files itself. A long
search still reaches the app, and a request too long for the server is answered with our own Chinese
page, never gunicorn's raw English error."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest


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


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A fresh `onewindow init --no-sample` served by `onewindow serve` (one worker); its base URL."""
    tmp_path = tmp_path_factory.mktemp("serve")
    onewindow = str(Path(sys.executable).with_name("onewindow"))
    env = {**os.environ, "ONEWINDOW_DATA_DIR": str(tmp_path),
           "ONEWINDOW_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}"}
    subprocess.run([onewindow, "init", "--no-sample"], env=env, check=True, capture_output=True, timeout=240)
    port = _free_port()
    server = subprocess.Popen([onewindow, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_serve_answers_pages_and_static_files_with_gunicorn(served):
    status, body, headers = _get(f"{served}/")
    assert status == 200 and 'lang="zh-hans"' in body.decode()
    assert "gunicorn" in headers.get("Server", "")
    status, css, _ = _get(f"{served}/static/onewindow/site.css")
    assert status == 200 and b".card" in css


def test_a_450_character_search_reaches_the_app_and_is_cut_to_the_box_length(served):
    query = "营业执照办理" * 75  # 450 characters, 4,050 bytes URL-encoded: over gunicorn's default line limit
    status, body, _ = _get(f"{served}/items/?q={quote(query)}&kind=licensing")
    page = body.decode()
    assert status == 200, page[:300]
    assert 'maxlength="100"' in page  # the box takes no more than the view reads
    assert f'value="{query[:100]}"' in page and query[:101] not in page


def test_a_request_too_long_for_the_server_gets_our_chinese_page(served):
    status, body, headers = _get(f"{served}/items/?q={quote('营' * 1000)}")  # 9,000 bytes
    page = body.decode("utf-8")
    assert status == 414
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "请求内容过长" in page and "请缩短搜索词" in page and 'href="/items/"' in page
    assert "URI Too Long" not in page and "Request Line" not in page
    status, body, _ = _get(f"{served}/", headers={"Cookie": "x=" + "a" * 9000})
    assert status == 431 and "请清除本网站的 Cookie" in body.decode("utf-8")
