"""The editorial journey in a real Chromium, against the site on gunicorn (see test_browser.py):
an editor signs in with two factors and invites an owner, the owner proposes a resource in two
languages, the editor asks for a change, the owner fixes it, the editor publishes it with the
owner's agreement, the public finds it, the owner withdraws agreement and it is gone. axe
checks every editorial page type on the way."""

from __future__ import annotations

import base64
import json
import re
import urllib.request

import pytest

from .test_browser import (  # noqa: F401 (fixtures)
    STAFF_PASSWORD,
    WCAG_TAGS,
    axe_source,
    browser,
    mail,
    neutral_url,
    server,
    site,
)

pytestmark = pytest.mark.browser

from playwright.sync_api import Page, expect  # noqa: E402

OWNER_PASSWORD = "owner-password-for-the-journey"
TITLE = "Spotting forced labour in warehouses"


def _code(key_text: str) -> str:
    from django_otp.oath import totp

    key = base64.b32decode(key_text.replace(" ", "") + "=" * (-len(key_text.replace(" ", "")) % 8))
    return f"{totp(key):06d}"


def _accessible(page: Page, checked: set[str], kind: str) -> None:
    """No axe violation on this page type (each type checked once)."""
    if kind in checked:
        return
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert violations == [], (kind, violations)
    checked.add(kind)


def _api(base: str, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_editorial_journey_in_chromium(browser, site, mail, axe_source):  # noqa: F811
    inbox, _ = mail
    checked: set[str] = set()

    def context():
        made = browser.new_context(viewport={"width": 1000, "height": 900})
        made.add_init_script(axe_source)
        return made.new_page()

    # The editor signs in and sets up two-factor sign-in on first use.
    editor = context()
    editor.goto(f"{site}/staff/sign-in/")
    _accessible(editor, checked, "sign in")
    editor.get_by_label("Username").fill("editor")
    editor.get_by_label("Password").fill(STAFF_PASSWORD)
    editor.get_by_role("button", name="Sign in").click()
    expect(editor.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    _accessible(editor, checked, "two-factor setup")
    editor.get_by_label("Code").fill(_code(editor.get_by_test_id("totp-key").inner_text()))
    editor.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(editor.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    recovery = editor.get_by_test_id("recovery-codes").locator("li").first.inner_text()
    _accessible(editor, checked, "recovery codes")
    editor.get_by_role("link", name="Continue").click()
    expect(editor.get_by_role("heading", name="Review queue")).to_be_visible()
    _accessible(editor, checked, "review queue")

    # The editor invites an owner at the Human Trafficking Foundation.
    editor.get_by_role("link", name="Invite someone").click()
    _accessible(editor, checked, "invite")
    editor.get_by_label("Email address").fill("owner@htf.example")
    editor.get_by_label("Owner at a partner organisation").check()
    editor.get_by_label("Organisations").select_option(label="Human Trafficking Foundation")
    editor.get_by_role("button", name="Send invitation").click()
    expect(editor.get_by_text("An invitation is on its way")).to_be_visible()
    with inbox.arrived:
        inbox.arrived.wait_for(lambda: inbox.to("owner@htf.example"), timeout=10)
    (invitation,) = inbox.to("owner@htf.example")
    link = inbox.link(invitation)

    # The owner sets a password from the emailed link.
    owner = context()
    owner.goto(site + link)
    _accessible(owner, checked, "set password")
    owner.get_by_label("Username").fill("htf-owner")
    owner.get_by_label("Password", exact=True).fill(OWNER_PASSWORD)
    owner.get_by_label("Password again").fill(OWNER_PASSWORD)
    owner.get_by_role("button", name="Set password").click()
    expect(owner.get_by_role("heading", name="Your resources")).to_be_visible()
    _accessible(owner, checked, "owner home")

    # The owner proposes a resource: an English version first, saved as a draft...
    owner.get_by_role("link", name="Propose a new resource").click()
    _accessible(owner, checked, "resource form")
    owner.get_by_label("Title", exact=True).fill(TITLE)
    owner.get_by_label("Summary").fill("A short note.")
    owner.get_by_label("Type").select_option("guidance")
    owner.get_by_label("Date published").fill("2025-06")
    owner.get_by_label("Topics").fill("Labour exploitation")
    first = owner.get_by_role("group", name="Version 1")
    first.get_by_label("Language", exact=True).select_option("en")
    first.get_by_label("Format").select_option("pdf")
    first.get_by_label("Address").fill("https://htf.example/warehouses-en.pdf")
    owner.get_by_role("button", name="Save as draft").click()
    expect(owner.get_by_test_id("status")).to_have_text("Draft")
    _accessible(owner, checked, "owner submission")
    # ...then a Polish version, and it is submitted.
    owner.get_by_role("link", name="Edit and submit").click()
    second = owner.get_by_role("group", name="Version 2")
    second.get_by_label("Language", exact=True).select_option("pl")
    second.get_by_label("Format").select_option("pdf")
    second.get_by_label("Address").fill("https://htf.example/warehouses-pl.pdf")
    second.get_by_label("Title in this language").fill("Praca przymusowa w magazynach")
    owner.get_by_role("button", name="Submit for review").click()
    expect(owner.get_by_test_id("status")).to_have_text("Waiting for review")

    # The editor asks for a change.
    editor.goto(f"{site}/staff/editor/")
    editor.get_by_role("link", name=TITLE).click()
    expect(editor.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(editor.locator("table.sp-diff")).to_contain_text("Praca przymusowa w magazynach")
    _accessible(editor, checked, "review")
    editor.get_by_label("Message", exact=True).fill("Please say who the guide is for.")
    editor.get_by_role("button", name="Ask for changes").click()
    expect(editor.get_by_text("The owner is asked for changes.")).to_be_visible()

    # The owner fixes it.
    owner.goto(f"{site}/staff/owner/")
    owner.get_by_role("link", name=TITLE).click()
    expect(owner.get_by_test_id("status")).to_have_text("Changes requested")
    expect(owner.get_by_text("Please say who the guide is for.")).to_be_visible()
    owner.get_by_role("link", name="Edit and submit").click()
    owner.get_by_label("Summary").fill("A guide for warehouse managers on spotting forced labour.")
    owner.get_by_role("button", name="Submit for review").click()
    expect(owner.get_by_test_id("status")).to_have_text("Waiting for review")

    # The editor publishes it, recording the owner's agreement.
    editor.goto(f"{site}/staff/editor/")
    editor.get_by_role("link", name=TITLE).click()
    editor.get_by_label("Who agreed").fill("A. Owner, Human Trafficking Foundation")
    editor.get_by_label("How they agreed").fill("Email to the office")
    editor.get_by_role("button", name="Publish").click()
    expect(editor.get_by_text(f"“{TITLE}” is published.")).to_be_visible()
    # The editor lands on the resource's staff page, with its history.
    expect(editor.locator("table.sp-history")).to_contain_text("publish (editor)")
    expect(editor.locator("table.sp-history")).to_contain_text("htf-owner")
    _accessible(editor, checked, "editor resource")

    # Two tabs on one resource: the later save shows both versions and overwrites nothing.
    other_tab = editor.context.new_page()
    other_tab.goto(editor.url)
    other_tab.get_by_label("Access note").fill("Free to download")
    other_tab.get_by_role("button", name="Save").click()
    expect(other_tab.get_by_text("Saved.")).to_be_visible()
    editor.get_by_label("Access note").fill("Ask the publisher")
    editor.get_by_role("button", name="Save").click()
    expect(editor.get_by_role("heading", name="Someone else saved a change first")).to_be_visible()
    expect(editor.locator("table.sp-diff")).to_contain_text("Free to download")
    expect(editor.locator("table.sp-diff")).to_contain_text("Ask the publisher")
    _accessible(editor, checked, "conflict")
    other_tab.close()

    # Signing in again asks for a code; a recovery code works once.
    editor.get_by_role("button", name="Sign out").click()
    expect(editor.get_by_text("You are signed out.")).to_be_visible()
    editor.get_by_label("Username").fill("editor")
    editor.get_by_label("Password").fill(STAFF_PASSWORD)
    editor.get_by_role("button", name="Sign in").click()
    expect(editor.get_by_role("heading", name="Enter your code")).to_be_visible()
    _accessible(editor, checked, "code")
    editor.get_by_label("Code").fill(recovery)
    editor.get_by_role("button", name="Continue").click()
    expect(editor.get_by_role("heading", name="Review queue")).to_be_visible()
    editor.goto(f"{site}/staff/still-current/not-a-real-token/")
    expect(editor.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    _accessible(editor, checked, "link refused")

    # The public finds it.
    visitor = context()
    visitor.goto(f"{site}/resources/?q=warehouse+managers")
    visitor.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    slug = visitor.url.rstrip("/").rsplit("/", 1)[1]
    status, found = _api(site, "/api/v1/resources?q=warehouse+managers")
    uid = found["results"][0]["id"]
    assert found["results"][0]["title"] == TITLE
    assert _api(site, f"/api/v1/resources/{uid}")[0] == 200

    # The owner withdraws agreement: gone from the page, the API, search and facets.
    owner.goto(f"{site}/staff/owner/")
    owner.get_by_role("link", name=re.compile(f"^Withdraw agreement\\W+{TITLE}$")).click()
    _accessible(owner, checked, "withdraw")
    owner.get_by_role("button", name="Withdraw agreement").click()
    expect(owner.get_by_text("is no longer on the public site")).to_be_visible()
    # A page may be held by a browser for a minute (Cache-Control: max-age=60); reloading
    # asks again, and the validator has changed with the withdrawal.
    assert visitor.reload().status == 404
    assert _api(site, f"/api/v1/resources/{uid}")[0] == 404
    status, found = _api(site, "/api/v1/resources?q=warehouse+managers")
    assert status == 200 and uid not in [r["id"] for r in found["results"]]
    status, everything = _api(site, "/api/v1/resources?topic=labour-exploitation")
    assert slug not in json.dumps(everything)
    with inbox.arrived:
        inbox.arrived.wait_for(lambda: inbox.to("e@example.org"), timeout=10)
    assert re.search("Agreement withdrawn", str(inbox.to("e@example.org")[-1]["Subject"]))
    assert len(checked) == 15, checked
    for page in (editor, owner, visitor):
        page.context.close()
