"""Every interface language in a real Chromium: accessible, no sideways scroll on a phone,
Quick Exit by button and by Shift in the page's own words, no cookie; Arabic right to left;
and a Polish, a Ukrainian and an Arabic reader's journey without an English interface word."""

import pytest

from .test_browser import (  # noqa: F401  (fixtures, shared with the main browser suite)
    WCAG_TAGS,
    axe_source,
    browser,
    mail,
    neutral_url,
    new_page,
    server,
    site,
)
from .translations_support import SHIPPED, catalogue, english_left, page_text

pytestmark = pytest.mark.browser

PAGES = ["/", "/resources/?q=trafficking", "/using-this-site-safely/", "/no-such-page/"]
LEAFLET = "/resources/signpost-demo-leaflet-is-your-work-safe/"


def _exit_label(code: str) -> str:
    messages = catalogue(code)
    return f"{messages.get('Emergency').string} {messages.get('Exit this page').string}"


@pytest.mark.parametrize("code", SHIPPED)
def test_each_language_is_accessible_fits_a_phone_and_sets_no_cookie(
    browser, site, axe_source, code
):
    context = browser.new_context(viewport={"width": 320, "height": 700})
    context.add_init_script(axe_source)
    page = context.new_page()
    for path in [*PAGES, LEAFLET]:
        response = page.goto(f"{site}/{code}{path}")
        assert response.status == (404 if "no-such" in path else 200), path
        assert page.locator("html").get_attribute("lang") == code
        assert page.locator("html").get_attribute("dir") == ("rtl" if code == "ar" else "ltr")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{code}{path} scrolls sideways by {overflow}px at 320 px"
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
        assert violations == [], (code, path, violations)
        # Quick Exit is there, named in the page's language, and in reach.
        exit_button = page.get_by_role("button", name=_exit_label(code))
        assert exit_button.is_visible(), (code, path)
    assert context.cookies() == []
    context.close()


@pytest.mark.parametrize("code", SHIPPED)
def test_quick_exit_by_button_and_by_shift_in_each_language(browser, site, neutral_url, code):
    page = new_page(browser, width=375, height=667)
    page.goto(f"{site}/{code}/")
    page.get_by_role("button", name=_exit_label(code)).click()
    page.wait_for_url(neutral_url)
    page.goto(f"{site}/{code}/resources/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    # Told in its own words how many presses are left.
    status = page.locator(".sp-quick-exit__status").inner_text()
    assert status and not english_left(status, code, set()), status
    page.keyboard.press("Shift")
    page.wait_for_url(neutral_url)
    page.context.close()


@pytest.mark.parametrize(("code", "language_page"), [("pl", "pl"), ("uk", "uk"), ("ar", "pl")])
def test_a_reader_reaches_the_leaflet_and_leaves_without_an_english_interface_word(
    browser, site, neutral_url, code, language_page
):
    """From the home page in their language to the leaflet in theirs (the demo has it in
    Polish and Ukrainian), on a phone, by the menu and links alone; then Quick Exit."""
    from django.utils import translation

    page = new_page(browser, width=375, height=667)
    page.goto(f"{site}/{code}/")
    seen = [page.content()]
    # The first-visit note explains Quick Exit in the reader's language.
    note = page.locator(".sp-intro")
    assert note.is_visible()
    with translation.override(code):
        assert translation.gettext("I understand") in note.inner_text()
    page.goto(f"{site}/{code}/languages/{language_page}/")
    seen.append(page.content())
    page.locator(f'a[href="/{code}{LEAFLET}"]').first.click()
    page.wait_for_url(f"{site}/{code}{LEAFLET}")
    seen.append(page.content())
    for html in seen:
        assert english_left(page_text(html, code), code, _content_words()) == [], code
    page.get_by_role("button", name=_exit_label(code)).click()
    page.wait_for_url(neutral_url)
    page.context.close()


def _content_words() -> set[str]:
    """The demo catalogue's own words, read from its file (the server's database is its own)."""
    import json
    import re

    from .conftest import DEMO_FILE

    words: set[str] = set()
    for line in DEMO_FILE.read_text().splitlines():
        for value in _strings(json.loads(line)):
            words |= {w.lower() for w in re.findall(r"[A-Za-z]{4,}", value)}
    return words


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
