"""Playwright on the machine's Chromium against pytest-django's live server.

Every page a test opens is watched: a request to any origin other than the live
server's, an uncaught script error, or a stylesheet, script, font or image the
app fails to serve fails the test at teardown. A skip caused by a missing
browser starts its reason with "browser:" so `./test` can refuse it under CI.
"""

import importlib
import os
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    # A foreign host fails at once instead of waiting on DNS; the request is still seen and reported.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]
VIEWPORTS = {
    "laptop": {"viewport": {"width": 1366, "height": 800}},
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
# URLs with these schemes never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension"}
SUBRESOURCES = {"stylesheet", "script", "font", "image"}
# How long auto-waiting `expect` and actions wait; the app answers locally, so a few seconds is plenty.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all browser tests.

    Package-scoped rather than session-scoped: Playwright's sync API keeps an
    event loop marked running in this thread while it is started, which makes
    Django refuse ORM calls (and async_to_sync) in every later test. Stopping it
    when this package's tests end keeps the rest of the suite untouched.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser: {CHROMIUM} not found")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("browser: the playwright Python package is not installed")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # The tests read and write the database while Playwright's loop is running in this thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            pytest.skip(f"browser: {CHROMIUM} did not start: {error.message.splitlines()[0]}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def live_db(transactional_db):
    """The live server's thread sees committed data only, so these tests run transactional.

    The history table refuses DELETE by trigger; PostgreSQL's flush (TRUNCATE)
    passes it, SQLite's flush (DELETE) does not. Before the flush, this empties
    the table with the trigger lifted for the moment, on the test database only.
    """
    yield
    if connection.vendor == "sqlite":
        triggers = importlib.import_module("core.migrations.0002_history_append_only")
        with connection.cursor() as cursor:
            for statement in triggers.SQLITE_REVERSE:
                cursor.execute(statement)
            cursor.execute("DELETE FROM core_historyentry")
            for statement in triggers.SQLITE:
                cursor.execute(statement)


class PageWatch:
    """What one browser context asked for and what went wrong in it."""

    def __init__(self, origin: str):
        self.origin = origin
        self.foreign: list[str] = []
        self.script_errors: list[str] = []
        self.missing: list[str] = []

    def on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in LOCAL_SCHEMES:
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign.append(request.url)

    def on_response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type in SUBRESOURCES:
            self.missing.append(f"{response.status} {response.url}")

    def on_page(self, page) -> None:
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))

    def problems(self) -> list[str]:
        lines = [f"request to another host: {url}" for url in self.foreign]
        lines += [f"script error: {error}" for error in self.script_errors]
        lines += [f"not served: {line}" for line in self.missing]
        return lines


@pytest.fixture
def new_page(browser, live_server, live_db):
    """new_page("laptop" | "phone", locale="zh-CN") -> a Playwright page on its own context, base URL the
    live server.

    Each call is a fresh context (its own cookies), so one test can act as two people.
    """
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    origin = live_server.url.rstrip("/")
    opened = []

    def make(device: str = "laptop", locale: str = "zh-CN"):
        watch = PageWatch(origin)
        context = browser.new_context(
            base_url=origin,
            locale=locale,
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            **VIEWPORTS[device],
        )
        context.set_default_timeout(TIMEOUT_MS)
        # On the context, so pages it opens later (target=_blank, popups) are watched too.
        context.on("request", watch.on_request)
        context.on("response", watch.on_response)
        context.on("page", watch.on_page)
        opened.append((context, watch))
        return context.new_page()

    yield make
    problems = []
    for context, watch in opened:
        problems += watch.problems()
        context.close()
    if problems:
        pytest.fail("the pages broke the browser rules:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def sign_in():
    """sign_in(page, username, password): an official signs in through the real login form."""
    from playwright.sync_api import expect

    def submit(page, username: str, password: str = "correct-horse-battery"):
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    return submit
