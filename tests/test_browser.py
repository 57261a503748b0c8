"""Journeys in a real Chromium (Debian's package) driven by Playwright, against a live server."""

import http.server
import os
import shutil
import threading

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Chromium for the browser tests: run `make browser-deps`.")
    pytest.skip(
        "Chromium is not installed (make browser-deps installs it)", allow_module_level=True
    )

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

NEUTRAL_PAGE = b"<!doctype html><title>Weather</title><h1>Weather forecast</h1>"


class NeutralHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(NEUTRAL_PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def neutral_url():
    """A stand-in for the neutral exit page, served on 127.0.0.1 so no test reaches the internet."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NeutralHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/weather"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls here are sync.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db, settings, neutral_url):
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    settings.QUICK_EXIT_URL = neutral_url
    return live_server.url


def new_page(browser, *, javascript=True) -> Page:
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1000, "height": 800}
    )
    return context.new_page()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_filter_by_language(browser, site, javascript):
    page = new_page(browser, javascript=javascript)
    page.goto(f"{site}/resources/")
    page.get_by_label("Ukrainian").check()
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url("**language=uk**")
    results = page.locator(".sp-result__title")
    expect(results).to_have_count(2)
    expect(page.get_by_role("link", name="Remove filter Language: Ukrainian")).to_be_visible()
    page.get_by_role("link", name="Remove filter Language: Ukrainian").click()
    assert page.locator(".sp-result__title").count() == 20
    page.context.close()


def test_open_a_resource(browser, site):
    page = new_page(browser)
    page.goto(f"{site}/resources/?language=uk")
    page.get_by_role(
        "link", name="Be Safe: information for people fleeing the war in Ukraine"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Be Safe: information for people fleeing the war in Ukraine"
    )
    expect(page.locator("table.sp-versions")).to_contain_text("Українська")
    page.context.close()


def _back_does_not_return(page, exited_from):
    page.go_back()
    page.wait_for_load_state()
    assert page.url != exited_from


def test_quick_exit_by_button(browser, site, neutral_url):
    page = new_page(browser)
    page.goto(f"{site}/")
    page.goto(f"{site}/using-this-site-safely/")
    page.evaluate("sessionStorage.setItem('k', 'v'); localStorage.setItem('k', 'v')")
    exited_from = page.url
    page.get_by_role("button", name="Emergency Exit this page").click()
    page.wait_for_url(neutral_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Weather forecast")
    _back_does_not_return(page, exited_from)
    assert page.url == f"{site}/"
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    page.context.close()


def test_quick_exit_by_shift_three_times(browser, site, neutral_url):
    page = new_page(browser)
    page.goto(f"{site}/")
    page.goto(f"{site}/resources/")
    exited_from = page.url
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert page.url == exited_from, "two presses are not enough"
    page.keyboard.press("Shift")
    page.wait_for_url(neutral_url)
    _back_does_not_return(page, exited_from)
    page.context.close()


def test_shift_as_a_modifier_or_another_key_does_not_exit(browser, site):
    page = new_page(browser)
    page.goto(f"{site}/resources/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift+A")  # Shift used to type a capital: not a press
    page.keyboard.press("Shift")
    page.keyboard.press("b")  # another key starts the count again
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url.startswith(f"{site}/resources/")
    page.context.close()


def test_quick_exit_without_javascript_is_a_plain_link(browser, site, neutral_url):
    page = new_page(browser, javascript=False)
    page.goto(f"{site}/")
    page.get_by_role("button", name="Emergency Exit this page").click()
    page.wait_for_url(neutral_url)
    page.context.close()
