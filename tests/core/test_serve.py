"""`onewindow serve` is the production server (gunicorn), and it serves the static files itself."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read(), response.headers.get("Server", "")


def test_serve_answers_pages_and_static_files_with_gunicorn(tmp_path):
    onewindow = str(Path(sys.executable).with_name("onewindow"))
    env = {**os.environ, "ONEWINDOW_DATA_DIR": str(tmp_path),
           "ONEWINDOW_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}"}
    subprocess.run([onewindow, "init", "--no-sample"], env=env, check=True, capture_output=True, timeout=240)
    port = _free_port()
    server = subprocess.Popen([onewindow, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body, server_header = _get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
        assert status == 200 and 'lang="zh-hans"' in body.decode()
        assert "gunicorn" in server_header
        status, css, _ = _get(f"http://127.0.0.1:{port}/static/onewindow/site.css")
        assert status == 200 and b".card" in css
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
