"""Journeys and checks in a real Chromium (Debian's package) driven by Playwright.

The site under test is the production stack: gunicorn with the project's config, WhiteNoise
serving the collected, compressed static files, and a SQLite database loaded with the demo
catalogue by the same commands `make run` uses. Quick Exit lands on a stand-in neutral page
served on 127.0.0.1, so no test reaches the internet.
"""

import contextlib
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Chromium for the browser tests: run `make browser-deps`.")
    reason = "Chromium is not installed (make browser-deps installs it)"
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

NEUTRAL_PAGE = b"<!doctype html><html lang=en><title>Weather</title><h1>Weather forecast</h1>"
PAGE_WEIGHT_BUDGET = 80 * 1024
STAFF_PASSWORD = "a-test-password-for-editors"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PAGE_TYPES = {
    "home": "/",
    "list with filters": "/resources/?type=report&language=en",
    "search results": "/resources/?q=trafficking",
    "no results": "/resources/?q=car+wash&language=uk",
    "resource": "/resources/accessing-support-as-a-victim-of-modern-slavery-adult/",
    "resource with files": "/resources/signpost-demo-leaflet-is-your-work-safe/",
    "found inside files": "/resources/?q=payslip",
    "organisation": "/organisations/human-trafficking-foundation/",
    "topic": "/topics/child-trafficking/",
    "audience": "/audiences/police/",
    "language": "/languages/uk/",
    "browse": "/topics/",
    "safety": "/using-this-site-safely/",
    "accessibility statement": "/accessibility/",
    "privacy": "/privacy/",
    "data and API": "/data/",
    "not found": "/no-such-page/",
    "staff sign-in": "/staff/sign-in/",
}


class NeutralHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(NEUTRAL_PAGE)

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def neutral_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NeutralHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/weather"
    server.shutdown()


@pytest.fixture(scope="module")
def mail():
    """A real SMTP server on 127.0.0.1 that the site under test sends its emails to."""
    from aiosmtpd.controller import Controller

    from .editorial_support import Inbox

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, neutral_url, mail):
    """The site on gunicorn, as `make run` serves it; yields (base URL, access log path)."""
    folder = tmp_path_factory.mktemp("site")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "signpost.settings.dev",
        "DATABASE_URL": f"sqlite:///{folder / 'signpost.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "SECRET_KEY": "browser-tests-only",
        "QUICK_EXIT_URL": neutral_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail[1]),
        "SIGNPOST_ACCOUNT_PASSWORD": STAFF_PASSWORD,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    # The first editor, made as the README tells an operator to.
    staff = ["create_account", "--role=editor", "--username=editor", "--email=e@example.org"]
    for command in (
        ["migrate", "-v0"],
        ["load_demo"],
        # The demo's files are read (text, thumbnails) by the worker, as under `make run`.
        ["db_worker", "--batch", "--no-startup-delay", "--queue-name", "*"],
        ["collectstatic", "--no-input", "-v0"],
        staff,
    ):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/using-this-site-safely/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            process.terminate()
            raise RuntimeError("gunicorn did not start: " + log.read_text())
        yield base, log
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def site(server):
    return server[0]


@pytest.fixture(scope="module")
def browser():
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


def new_page(browser, *, javascript=True, width=1000, height=800) -> Page:
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": width, "height": height}
    )
    return context.new_page()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_filter_by_language(browser, site, javascript):
    page = new_page(browser, javascript=javascript)
    page.goto(f"{site}/resources/")
    page.get_by_label("Ukrainian").check()
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url("**language=uk**")
    expect(page.locator(".sp-result__title")).to_have_count(3)
    remove = page.get_by_role("link", name="Remove filter Language: Ukrainian")
    expect(remove).to_be_visible()
    remove.click()
    expect(page.locator(".sp-result__title")).to_have_count(20)
    page.context.close()


def test_open_a_resource(browser, site):
    page = new_page(browser)
    page.goto(f"{site}/resources/?language=uk")
    be_safe = "Be Safe: information for people fleeing the war in Ukraine"
    page.get_by_role("link", name=be_safe).click()
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
    expect(page.locator(".sp-quick-exit__status")).to_contain_text("1 more time")
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


def test_quick_exit_hides_the_page_at_once_and_resets_on_pageshow(browser, site, neutral_url):
    page = new_page(browser)
    page.goto(f"{site}/resources/")
    # Even when the neutral page is slow or fails to load, this page is hidden at once.
    # A "204 No Content" answer leaves the browser on this page, so what it shows can be seen.
    page.route(neutral_url, lambda route: route.fulfill(status=204))
    page.get_by_role("button", name="Emergency Exit this page").click()
    overlay = page.locator(".sp-quick-exit-overlay")
    expect(overlay).to_be_visible()
    assert page.evaluate("document.body.classList.contains('sp-exiting')")
    # Shown again from the back-forward cache, the page resets itself.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(overlay).to_be_hidden()
    assert not page.evaluate("document.body.classList.contains('sp-exiting')")
    page.context.close()


def test_quick_exit_without_javascript_is_a_plain_link(browser, site, neutral_url):
    page = new_page(browser, javascript=False)
    page.goto(f"{site}/")
    link = page.get_by_role("button", name="Emergency Exit this page")
    assert link.get_attribute("rel") == "nofollow noreferrer"
    link.click()
    page.wait_for_url(neutral_url)
    page.context.close()


def test_first_visit_note_about_quick_exit(browser, site):
    page = new_page(browser)
    page.goto(f"{site}/")
    note = page.get_by_role("region", name="Leaving this site quickly")
    expect(note).to_be_visible()
    page.get_by_role("button", name="I understand").click()
    expect(note).to_be_hidden()
    page.goto(f"{site}/resources/")
    expect(page.locator(".sp-intro")).to_be_hidden()
    assert page.context.cookies() == []
    page.context.close()


def _focus_is_visible(page) -> bool:
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        if (!el || el === document.body) return false;
        const visible = (style) => style && ((style.outlineStyle !== 'none' &&
            style.outlineColor !== 'rgba(0, 0, 0, 0)' && parseFloat(style.outlineWidth) > 0) ||
            style.boxShadow !== 'none');
        if (visible(getComputedStyle(el))) return true;
        // GOV.UK checkboxes draw their focus ring on the label.
        const label = el.id && document.querySelector(`label[for="${el.id}"]`);
        return !!label && visible(getComputedStyle(label, '::before'));
    }"""
    )


def _tab_to(page, predicate: str, limit: int = 80, key: str = "Tab"):
    """Press Tab until the focused element matches; the focus must be visible at every step."""
    for _ in range(limit):
        page.keyboard.press(key)
        assert _focus_is_visible(page), page.evaluate("document.activeElement.outerHTML")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"never reached {predicate}")


def test_keyboard_only_journey(browser, site, neutral_url):
    page = new_page(browser)
    page.goto(f"{site}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Exit this page now"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    _tab_to(page, "el.id === 'home-q'")
    page.keyboard.type("trafficking")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=trafficking**")
    # The results come first, then the filters; ticking one shows new results at once, the
    # address follows, and the focus stays on the box just ticked.
    _tab_to(page, "el.id === 'filter-language-en'", limit=200)
    page.keyboard.press("Space")
    page.wait_for_url("**language=en**")
    expect(page.locator("[data-live-status]")).to_contain_text("resource")
    assert page.evaluate("document.activeElement.id") == "filter-language-en"
    _tab_to(page, "el.closest('.sp-result__title') !== null", limit=300, key="Shift+Tab")
    title = page.evaluate("document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(neutral_url)
    page.context.close()


def test_tab_once_then_enter_leaves_as_the_safety_page_says(browser, site, neutral_url):
    page = new_page(browser)
    page.goto(f"{site}/using-this-site-safely/")
    expect(page.get_by_text("press Tab once after the page opens, then Enter")).to_be_visible()
    page.goto(f"{site}/resources/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(neutral_url)
    page.context.close()


def test_the_shift_hint_shows_only_where_it_works(browser, site):
    page = new_page(browser)
    page.goto(f"{site}/")
    expect(page.get_by_text("Or press Shift 3 times")).to_be_visible()
    page.context.close()
    page = new_page(browser, javascript=False)
    page.goto(f"{site}/")
    expect(page.get_by_text("Or press Shift 3 times")).to_be_hidden()
    expect(page.get_by_role("button", name="Exit this page")).to_be_visible()
    page.context.close()


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        if os.environ.get("CI"):
            raise RuntimeError("axe-core is missing: run `make browser-deps`.")
        pytest.skip("axe-core is not installed (make browser-deps installs it with npm)")
    return AXE.read_text()


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_page_type_is_accessible_private_and_light(browser, site, axe_source, name):
    """Zero axe violations; no cookie, no request elsewhere, no CSP error; within the budget."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.add_init_script(axe_source)  # injected by the browser, not through the page's CSP
    page = context.new_page()
    requests, problems, transferred = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    def weigh(response):
        sizes = response.request.sizes()
        transferred.append(sizes["responseBodySize"] + sizes["responseHeadersSize"])

    page.on("response", weigh)
    response = page.goto(site + PAGE_TYPES[name])
    page.wait_for_load_state("networkidle")
    assert response.status == (404 if name == "not found" else 200)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert violations == [], violations
    assert len(result["passes"]) > 10, "axe ran its checks"
    assert all(url.startswith(site) for url in requests), requests
    # Only the staff sign-in form sets a cookie: the CSRF token that protects it.
    cookies = [c["name"] for c in context.cookies()]
    assert cookies == (["csrftoken"] if name == "staff sign-in" else []), cookies
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert sum(transferred) <= PAGE_WEIGHT_BUDGET, f"{name}: {sum(transferred)} bytes"
    context.close()


@pytest.mark.parametrize(("width", "label"), [(320, "320 px"), (640, "200% zoom of 1280 px")])
@pytest.mark.parametrize(
    "name", ["home", "list with filters", "resource", "safety", "data and API"]
)
def test_no_horizontal_scrolling(browser, site, name, width, label):
    page = new_page(browser, width=width, height=700)
    page.goto(site + PAGE_TYPES[name])
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {label}"
    page.context.close()


def test_resource_page_prints_cleanly(browser, site):
    page = new_page(browser)
    page.goto(site + "/resources/be-safe-information-for-people-fleeing-the-war-in-ukraine/")
    page.emulate_media(media="print")
    expect(page.locator(".sp-quick-exit")).to_be_hidden()
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(page.locator(".sp-print-url").first).to_be_visible()
    expect(page.locator(".sp-print-url").first).to_contain_text(
        "https://www.helpforukrainians.info/"
    )
    page.context.close()


def test_access_log_keeps_no_query_or_address(browser, server):
    base, log = server
    urllib.request.urlopen(base + "/resources/?q=my+secret+search&language=uk")
    time.sleep(0.3)
    text = log.read_text()
    assert '"GET /resources/" 200' in text
    assert "secret" not in text and "language=uk" not in text
    access_lines = [line for line in text.splitlines() if '"GET ' in line]
    assert access_lines and not [line for line in access_lines if "127.0.0.1" in line]


def test_error_log_keeps_no_address_for_malformed_requests_or_failed_sign_ins(server):
    base, log = server
    port = int(base.rsplit(":", 1)[1])
    for raw in (
        b"GET /resources/?q=secret+malformed HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
        b"NOT-A-METHOD /?q=secret+method HTTP/9.9\r\n\r\n",
        b"GET /\x00?q=secret+nul HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(raw)
            sock.recv(1024)
    login = urllib.request.Request(
        base + "/staff/sign-in/?next=/secret-next",
        data=b"username=editor&password=wrong",
        headers={"User-Agent": "Secret Agent/1.0"},
    )
    with contextlib.suppress(OSError):
        urllib.request.urlopen(login, timeout=5)
    time.sleep(0.5)
    text = log.read_text()
    assert "Invalid request" in text or "Bad Request" in text or " 400 " in text
    assert "ip=127.0.0.1" not in text
    assert "secret" not in text.lower() and "Secret Agent" not in text
    lines = [x for x in text.splitlines() if "127.0.0.1" in x and "Listening at" not in x]
    assert not lines, lines


def test_a_write_during_an_import_gets_a_busy_page_not_an_error(server):
    """SQLite has one writer: while an import holds it, a staff write waits, then says so."""
    import http.cookiejar
    import re
    import sqlite3
    import urllib.parse

    base, log = server
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/staff/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    database = log.parent / "signpost.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        data = urllib.parse.urlencode(
            {"username": "editor", "password": "wrong", "csrfmiddlewaretoken": token}
        ).encode()
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(base + "/staff/sign-in/", data=data, timeout=30)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert answer.value.code == 503
    assert answer.value.headers["Retry-After"] == "60"
    assert "The library is being updated" in answer.value.read().decode()


# Phone first (issue 10): the search and the first result in the first screen, the filters
# behind a button, results that change in place, and the two layout defects.


@pytest.mark.parametrize("width", [320, 375])
def test_search_box_and_first_result_are_in_the_first_screen_on_a_phone(browser, site, width):
    page = new_page(browser, width=width, height=667)
    page.goto(f"{site}/resources/?q=NRM")
    # Measured on a first visit, with the note about Quick Exit showing.
    expect(page.locator(".sp-intro")).to_be_visible()
    search = page.locator("#q").bounding_box()
    first = page.locator(".sp-result__title").first.bounding_box()
    assert search["y"] + search["height"] <= 667
    # At least the first line of the first result's title shows.
    assert first["y"] + 25 <= 667, first
    page.goto(f"{site}/")
    home = page.locator("#home-q").bounding_box()
    assert home["y"] + home["height"] <= 667, home
    page.context.close()


def test_the_home_search_is_in_the_first_screen_on_a_desktop(browser, site):
    page = new_page(browser, width=1280, height=720)
    page.goto(f"{site}/")
    expect(page.locator(".sp-intro")).to_be_visible()
    home = page.locator("#home-q").bounding_box()
    assert home["y"] + home["height"] <= 720, home
    page.context.close()


def test_filters_fold_behind_a_button_on_a_phone_and_apply_at_once(browser, site, neutral_url):
    page = new_page(browser, width=375, height=667)
    page.goto(f"{site}/")
    page.goto(f"{site}/resources/?q=trafficking")
    entries = page.evaluate("history.length")
    expect(page.locator("#filters")).to_be_hidden()
    toggle = page.get_by_role("button", name="Filter", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(page.locator("#filters")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.activeElement.id") == "filters"
    # The filters open right under the button, before the results.
    filters_top = page.locator("#filters").bounding_box()["y"]
    assert filters_top < page.locator(".sp-result").first.bounding_box()["y"]
    page.get_by_label("Ukrainian").check()
    page.wait_for_url("**language=uk**")
    expect(page.locator("[data-live-status]")).to_have_text(re.compile(r"^\d+ resources?\b"))
    expect(page.locator(".sp-result__title")).to_have_count(3)
    expect(page.locator("#filters")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"Filter \(1"))).to_be_visible()
    # The address was replaced, not added to: Back and Quick Exit behave as before.
    assert page.evaluate("history.length") == entries
    page.get_by_label("Newest").count()  # the sort select is still there
    page.select_option("#sort", "title")
    page.wait_for_url("**sort=title**")
    assert page.evaluate("history.length") == entries
    page.reload()
    expect(page.locator(".sp-result__title")).to_have_count(3)
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(neutral_url)
    page.go_back()
    page.wait_for_url(f"{site}/")
    page.context.close()


def test_without_scripts_the_filter_button_is_a_link_and_results_come_first(browser, site):
    page = new_page(browser, javascript=False, width=375, height=667)
    page.goto(f"{site}/resources/?q=trafficking")
    link = page.get_by_role("link", name="Filter", exact=True)
    expect(link).to_have_attribute("href", "#filters")
    expect(page.locator("#filters")).to_be_visible()
    assert page.evaluate(
        "document.querySelector('.sp-results').compareDocumentPosition("
        "document.getElementById('filters')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    link.click()
    page.get_by_label("Ukrainian").check()
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url("**language=uk**")
    expect(page.locator(".sp-result__title")).to_have_count(3)
    page.context.close()


@pytest.mark.parametrize("width", [1280, 1024, 768, 375])
def test_the_exit_button_never_covers_the_first_visit_note(browser, site, width):
    page = new_page(browser, width=width, height=800)
    page.goto(f"{site}/")
    button = page.locator(".govuk-exit-this-page__button").bounding_box()
    note = page.locator(".sp-intro").bounding_box()
    apart = (
        button["y"] + button["height"] <= note["y"]
        or note["y"] + note["height"] <= button["y"]
        or button["x"] + button["width"] <= note["x"]
        or note["x"] + note["width"] <= button["x"]
    )
    assert apart, (button, note)
    page.context.close()


@pytest.mark.parametrize("width", [1280, 1024, 375])
def test_about_this_resource_labels_keep_whole_words(browser, site, width):
    page = new_page(browser, width=width, height=800)
    page.goto(f"{site}/resources/accessing-support-as-a-victim-of-modern-slavery-adult/")
    lines = page.evaluate(
        """() => [...document.querySelectorAll('.sp-facts dt')].map(dt => {
            const range = document.createRange();
            range.selectNodeContents(dt);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return [dt.textContent.trim(), tops.size];
        })"""
    )
    assert lines and all(count == 1 for _, count in lines), lines
    page.context.close()


def test_the_polish_and_ukrainian_journeys_on_a_phone(browser, site):
    page = new_page(browser, width=375, height=667)
    page.goto(f"{site}/")
    page.fill("#home-q", "handel ludźmi")
    page.press("#home-q", "Enter")
    offer = page.locator(".sp-language-offer")
    expect(offer).to_contain_text("Polski")
    offer.get_by_role(
        "link", name="Accessing Support As A Victim Of Modern Slavery (Adult)"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accessing Support")
    page.goto(f"{site}/")
    page.fill("#home-q", "українською")
    page.press("#home-q", "Enter")
    expect(page.get_by_text("Showing resources available in")).to_be_visible()
    expect(page.locator(".sp-result__title").first).to_be_visible()
    expect(page.locator(".sp-results")).to_contain_text("Be Safe")
    page.context.close()


def test_a_year_error_on_a_phone_opens_the_filters_and_its_link_reaches_the_field(browser, site):
    page = new_page(browser, width=375, height=667)
    page.goto(f"{site}/resources/?q=trafficking&year_from=2021&year_to=2018")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#filters")).to_be_visible()
    summary.get_by_role("link").click()
    expect(page.locator("#year_to")).to_be_focused()
    expect(page.locator("#year_to")).to_be_in_viewport()
    page.context.close()


def test_a_language_named_in_the_search_unticks_like_any_other(browser, site):
    page = new_page(browser, width=1280, height=800)
    page.goto(f"{site}/resources/?q=polish")
    expect(page.locator("#q")).to_have_value("")
    box = page.get_by_label("Polish")
    expect(box).to_be_checked()
    box.uncheck()
    page.wait_for_url(lambda url: "language" not in url)
    expect(page.locator(".sp-list__count")).to_contain_text("61 resources")
    expect(page.get_by_label("Polish")).not_to_be_checked()
    page.context.close()


def test_show_results_closes_the_phone_filters_and_goes_to_the_count(browser, site):
    page = new_page(browser, width=375, height=667)
    page.goto(f"{site}/resources/?q=trafficking")
    page.get_by_role("button", name="Filter", exact=True).click()
    page.get_by_label("Ukrainian").check()
    page.wait_for_url("**language=uk**")
    done = page.get_by_role("button", name="Show 3 resources")
    expect(done).to_be_in_viewport()
    done.click()
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator(".sp-list__count")).to_be_focused()
    page.context.close()


def test_the_shift_hint_never_shows_text_through_it(browser, site):
    page = new_page(browser, width=1280, height=800)
    page.goto(f"{site}/resources/?q=trafficking")
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.sp-quick-exit__hint')).backgroundColor"
    )
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    page.context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_covers_keep_their_place_and_the_inside_match_is_shown(browser, site, width):
    """The cover's box is its final size before the picture arrives (no jump), the picture
    is decorative, and a word found only inside the leaflet is shown with its page."""
    page = new_page(browser, width=width, height=800)
    page.route("**/cover.webp", lambda route: None)  # held back: the box must stand alone
    page.goto(site + "/resources/?q=payslip", wait_until="domcontentloaded")
    cover = page.locator(".sp-result__cover").first
    expect(cover).to_have_attribute("alt", "")
    expect(cover).to_have_attribute("loading", "lazy")
    box = cover.bounding_box()
    assert box["width"] == (56 if width < 641 else 80) and box["height"] > box["width"], box
    inside = page.locator(".sp-result__inside").first
    expect(inside).to_contain_text("Found inside the document")
    expect(inside).to_contain_text("English, page 2")
    expect(inside.locator("mark")).to_have_text("payslip")
    assert inside.locator("a").get_attribute("href").endswith(".pdf#page=2")
    page.context.close()
    page = new_page(browser, width=width, height=800)
    page.goto(site + "/resources/?q=payslip")
    cover = page.locator(".sp-result__cover").first
    cover.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 160", arg=cover.element_handle()
    )
    assert cover.bounding_box() == box
    page.context.close()
