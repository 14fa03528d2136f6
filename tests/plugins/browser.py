"""Headless Chromium for the browser tests, found on the machine, never downloaded.

Looked for in order: the file named by CHROMIUM_PATH, `chromium` on the PATH, the browser
Playwright installed for itself. Without any, the browser tests skip with one line saying how to
run them; under CI=true they fail instead, because CI must run them.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
HOW_TO_RUN = (
    "they need Chromium: apt-get install chromium, or set CHROMIUM_PATH to a Chromium executable"
)


def executable(path: str | None) -> str | None:
    if path and Path(path).is_file() and os.access(path, os.X_OK):
        return path
    return None


def playwright_chromium() -> str | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        return executable(playwright.chromium.executable_path)


def chromium_find() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        # A path that was asked for and is not there is not silently replaced by another browser.
        return executable(configured)
    return executable(shutil.which("chromium")) or playwright_chromium()


BROWSER_SKIPPED = pytest.StashKey[str]()


def pytest_collection_modifyitems(config, items):
    """Without Chromium (and outside CI), leave the browser tests out and say so once."""
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    if not browser_tests or os.environ.get("CI") or chromium_find():
        return
    items[:] = [item for item in items if not item.get_closest_marker("browser")]
    config.hook.pytest_deselected(items=browser_tests)
    config.stash[BROWSER_SKIPPED] = f"SKIPPED {len(browser_tests)} browser tests, {HOW_TO_RUN}"


def pytest_terminal_summary(terminalreporter, config):
    if BROWSER_SKIPPED in config.stash:
        terminalreporter.write_line(config.stash[BROWSER_SKIPPED], yellow=True)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = chromium_find()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the browser tests, and {HOW_TO_RUN}")
        pytest.skip(f"browser test: {HOW_TO_RUN}")
    return path


@pytest.fixture
def chromium(chromium_executable):
    """A headless Chromium driven by Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_page(chromium, settings):
    """A page for pytest-django's live server, which speaks plain http."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Secure-only cookies would never come back over http.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    console = []
    page.on("console", lambda message: console.append(message.text))
    yield page
    page.close()
    # The ORM calls made while Playwright's loop runs open a connection of their own
    # (Django keeps connections per async context); close it so the test database can go.
    connections.close_all()
    # Every page worked under the Content Security Policy: nothing it needed was refused.
    assert not [text for text in console if "Content Security Policy" in text]
