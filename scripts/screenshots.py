"""Screenshots of the public site for the docs, from a fresh sample database.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--port 8102]

Creates a throw-away SQLite database in a temporary directory, loads the sample setting (东兴市
organisations and catalog), serves the site on 127.0.0.1:PORT in a thread and drives Debian's
Chromium (/usr/bin/chromium, never a downloaded browser) through Playwright: the home page, the
catalog search for "yyzz", an item's one-time notice on a desktop (1280 px) and on a phone (390 px),
and the reform page.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def _prepare(data_dir: str) -> None:
    os.environ["ONEWINDOW_DATA_DIR"] = data_dir
    os.environ.pop("ONEWINDOW_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from onewindow.catalog.sample import load_sample_catalog
    from onewindow.orgs.sample import load_sample_orgs

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # the default cache is the database (as `onewindow init`)
    with transaction.atomic():
        load_sample_orgs()
        load_sample_catalog()


def _serve(port: int):
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler, allow_reuse_address=True)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _shoot(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = desktop.new_page()
        page.goto(base + "/")
        page.screenshot(path=str(out / "home.png"), full_page=True)
        written.append(out / "home.png")
        page.goto(base + "/items/?q=yyzz")
        page.screenshot(path=str(out / "catalog.png"), full_page=True)
        written.append(out / "catalog.png")
        page.locator("#results .result-title").first.click()
        page.wait_for_url("**/items/*/")
        notice_url = page.url
        page.screenshot(path=str(out / "notice.png"), full_page=True)
        written.append(out / "notice.png")
        page.goto(base + "/reform/")
        page.screenshot(path=str(out / "reform.png"), full_page=True)
        written.append(out / "reform.png")
        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                    has_touch=True, device_scale_factor=2)
        page = phone.new_page()
        page.goto(notice_url)
        page.screenshot(path=str(out / "notice-phone.png"), full_page=True)
        written.append(out / "notice-phone.png")
        page.goto(base + "/")
        page.screenshot(path=str(out / "home-phone.png"), full_page=True)
        written.append(out / "home-phone.png")
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--port", type=int, default=8102)
    args = parser.parse_args(argv)
    if not os.path.exists(CHROMIUM):
        print(f"{CHROMIUM} is missing: install Debian's chromium package", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="onewindow-shots-") as data_dir:
        _prepare(data_dir)
        server = _serve(args.port)
        try:
            for path in _shoot(f"http://127.0.0.1:{args.port}", args.out):
                print(path)
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
