"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's live server."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still
# made synchronously, so its async-safety guard would refuse them without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}. Install it with `apt-get install -y chromium` "
            "(Debian) or set CHROMIUM_PATH to its executable."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh phone-sized tab (no stored settings, no cookies) pointed at the live server."""
    # Playwright evaluates wait_for_function's predicate with eval, which the site's policy
    # refuses; tests/e2e/test_e2e_csp.py checks the pages under the policy in a context of its own.
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
