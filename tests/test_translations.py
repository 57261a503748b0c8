"""Every shipped language is complete: each marked string translated, nothing fuzzy or broken,
placeholders and markup kept, the compiled catalogue current, no English left on its pages."""

from __future__ import annotations

import gettext
import io
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.test import override_settings

from signpost.catalogue.languages import cldr_locale

from .conftest import public_urls
from .translations_support import (
    SHIPPED,
    catalogue,
    catalogue_words,
    english_left,
    page_text,
    po_path,
    texts,
)

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|%[sd]")
TAG = re.compile(r"</?[a-z]+[^>]*>")


@pytest.mark.parametrize("code", SHIPPED)
def test_every_string_is_translated_whole_with_its_placeholders_and_markup(code):
    messages = catalogue(code)
    assert not messages.fuzzy, f"{code}: the catalogue's header is marked fuzzy"
    problems = []
    for message in messages:
        if not message.id:
            continue
        ids, strings = texts(message.id), texts(message.string)
        name = f"{code} {ids[0][:50]!r}"
        if message.fuzzy:
            problems.append(f"{name}: fuzzy")
        if message.pluralizable and len(strings) != messages.num_plurals:
            problems.append(f"{name}: {len(strings)} plural forms, not {messages.num_plurals}")
        for string in strings:
            if not string.strip():
                problems.append(f"{name}: not translated")
                continue
            if sorted(PLACEHOLDER.findall(string)) not in (
                sorted(PLACEHOLDER.findall(ids[0])),
                sorted(PLACEHOLDER.findall(ids[-1])),
            ):
                problems.append(f"{name}: placeholders differ: {string[:60]!r}")
            if sorted(TAG.findall(string)) != sorted(TAG.findall(ids[0])):
                problems.append(f"{name}: markup differs: {string[:60]!r}")
            # Some strings go into HTML attributes, which an ASCII double quote would end.
            if '"' in TAG.sub("", string):
                problems.append(f"{name}: an ASCII double quote")
    problems += [f"{code}: {error}" for _, errors in messages.check() for error in errors]
    assert problems == []


@pytest.mark.parametrize("code", SHIPPED)
def test_gnu_msgfmt_finds_nothing_wrong(code, tmp_path):
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (GNU gettext) is not installed: `apt-get install gettext` to run this")
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "x.mo"), str(po_path(code))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


@pytest.mark.parametrize("code", SHIPPED)
def test_the_compiled_catalogue_is_the_one_written(code):
    """The .mo Django reads holds what the .po says (run compilemessages after editing)."""
    with po_path(code).with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalogue(code):
        if not message.id or message.pluralizable:
            continue
        key = f"{message.context}\x04{message.id}" if message.context else message.id
        assert compiled._catalog.get(key) == message.string, (code, message.id)  # type: ignore[attr-defined]


def test_every_marked_string_is_in_every_catalogue(tmp_path, settings):
    """makemessages run afresh finds no string that the shipped catalogues lack."""
    for code in SHIPPED:
        target = tmp_path / po_path(code).relative_to(po_path(code).parents[2])
        target.parent.mkdir(parents=True)
        shutil.copy(po_path(code), target)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command(
            "makemessages",
            locale=[po_path(code).parents[1].name for code in SHIPPED],
            # Not the shipped catalogues' folder: makemessages would write into any "locale".
            ignore_patterns=[
                "signpost/locale",
                ".venv*",
                "frontend/node_modules",
                "tests/*",
                "var/*",
            ],
            add_location="file",
            verbosity=0,
            stdout=io.StringIO(),
        )
    from babel.messages.pofile import read_po

    for code in SHIPPED:
        fresh = read_po((tmp_path / po_path(code).relative_to(po_path(code).parents[2])).open("rb"))
        shipped = catalogue(code)
        missing = [m.id for m in fresh if m.id and shipped.get(m.id, m.context) is None]
        assert missing == [], f"{code} lacks: {missing[:5]} (run makemessages, then translate)"


@pytest.mark.parametrize("code", SHIPPED)
def test_no_english_interface_word_is_left_on_the_pages(client, demo, code):
    pages = [url for url in public_urls()] + ["/no-such-page/"]
    # The catalogue's own words, and the language's month names (Slovak's "november").
    locale = cldr_locale(code)
    months = {
        name.lower()
        for context in ("format", "stand-alone")
        for width in ("wide", "abbreviated")
        for name in locale.months[context][width].values()
    }
    allowed = catalogue_words() | months
    for url in pages:
        response = client.get(f"/{code}{url}")
        assert response.status_code in (200, 404), url
        html = response.content.decode()
        assert f'lang="{code}"' in html[:300]
        text = page_text(html, code)
        assert english_left(text, code, allowed) == [], (code, url)


@pytest.mark.parametrize("code", SHIPPED)
def test_no_english_interface_word_is_left_on_the_partners_and_editors_pages(
    client, demo, people, code
):
    from .editorial_support import client_for, resource_form

    allowed = catalogue_words() | {"partner"}  # the test organisations' names
    owner, editor = client_for(people["owner_a"]), client_for(people["editor"])
    pages = [
        (client, "get", "/staff/sign-in/"),
        (client, "post", "/staff/sign-in/"),  # nothing typed: the errors
        (owner, "get", "/staff/owner/"),
        (owner, "get", "/staff/owner/new/"),
        # Sent with nothing filled in: every error message.
        (
            owner,
            "post",
            "/staff/owner/new/",
            resource_form(publisher=people["org_a"], title="", summary=""),
        ),
        (owner, "get", "/staff/two-factor/"),
        (editor, "get", "/staff/editor/"),
        (editor, "get", "/staff/editor/invite/"),
        (editor, "post", "/staff/editor/invite/"),
    ]
    for person, method, path, *data in pages:
        response = getattr(person, method)(f"/{code}{path}", *data)
        assert response.status_code in (200, 422), (code, method, path, response.status_code)
        html = response.content.decode()
        assert f'lang="{code}"' in html[:300]
        text = page_text(html, code)
        assert english_left(text, code, allowed) == [], (code, method, path)
