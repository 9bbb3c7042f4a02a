"""Browser tests: Playwright's Python package driving Debian's Chromium (/usr/bin/chromium) against
pytest-django's live server. No browser is ever downloaded: without /usr/bin/chromium the tests skip.

    .venv/bin/pytest tests/browser -m browser
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Test runs write their screenshots under var/ (to look at); docs/screenshots/ changes only on purpose
# (ONEWINDOW_SCREENSHOT_DIR=docs/screenshots, or scripts/screenshots.py), never as a side effect of a run.
SCREENSHOT_DIR = Path(os.environ.get("ONEWINDOW_SCREENSHOT_DIR",
                                     Path(__file__).resolve().parents[2] / "var" / "screenshots"))


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (browsers are never downloaded)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures in the
    # same thread are still synchronous, so Django's async guard is lifted for these tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def sample_site(transactional_db, live_server):
    """The live server's URL, with the sample organisations and catalog (东兴市) loaded."""
    from onewindow.catalog.sample import load_sample_catalog
    from onewindow.orgs.sample import load_sample_orgs

    load_sample_orgs()
    load_sample_catalog()
    return live_server.url


def _page(browser, viewport: dict, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def desktop(browser):
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context, page = _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
