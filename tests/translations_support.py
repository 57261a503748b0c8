"""What the translation tests share: the shipped catalogues, and how to tell an English word of
the interface that was left untranslated from the catalogue's own (English) content."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

LOCALE = Path(settings.LOCALE_PATHS[0])
SHIPPED = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
WORD = re.compile(r"[A-Za-z]{4,}")


def po_path(code: str) -> Path:
    return LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po"


@cache
def catalogue(code: str) -> Catalog:
    with po_path(code).open("rb") as handle:
        return read_po(handle)


def texts(value: object) -> list[str]:
    if isinstance(value, tuple | list):
        return [str(v) for v in value]
    return [str(value)] if value else []


@cache
def interface_words_left_in_english(code: str) -> frozenset[str]:
    """Words of the English interface that no translation into `code` uses: seen on a page in
    that language, they are a string nobody translated (or nobody marked)."""
    english, kept = set(), set()
    for message in catalogue(code):
        if not message.id:
            continue
        for text in texts(message.id):
            english |= {
                w.lower() for w in WORD.findall(re.sub(r"<[^>]+>|%\([a-z_]+\)s", " ", text))
            }
        for text in texts(message.string):
            kept |= {w.lower() for w in WORD.findall(text)}
    return frozenset(english - kept)


def catalogue_words() -> set[str]:
    """Every word of the catalogue's own content (titles, summaries, names), which is shown
    as it was written, in English, whatever the interface language."""
    from signpost.catalogue.models import (
        Audience,
        Country,
        Language,
        Organisation,
        Person,
        Resource,
        Series,
        Topic,
        Version,
    )

    values: list[str] = []
    for resource in Resource.objects.all():
        values += [resource.title, resource.summary, resource.access_note]
    values += list(Version.objects.values_list("title", flat=True))
    for model in (Audience, Country, Organisation, Person, Series, Topic):
        values += list(model.objects.values_list("name", flat=True))
    values += list(Organisation.objects.values_list("abbreviation", flat=True))
    for model in (Audience, Topic):
        for names in model.objects.values_list("translations", flat=True):
            values += list((names or {}).values())
    values += list(Language.objects.values_list("name_native", flat=True))
    values += [route[key] for route in settings.HELP_ROUTES for key in ("label", "note")]
    words = set()
    for value in values:
        words |= {w.lower() for w in WORD.findall(value or "")}
    return words


def english_left(text: str, code: str, allowed: set[str]) -> list[str]:
    """The English interface words in a page's text that are not the catalogue's content."""
    leftover = interface_words_left_in_english(code)
    found = {w for w in WORD.findall(text) if w.lower() in leftover and w.lower() not in allowed}
    return sorted(found, key=str.lower)


def page_text(html: str, code: str) -> str:
    """What a reader of a page in `code` reads or hears: its text, labels, titles and
    alternatives, without the parts marked as written in another language (lang)."""
    import lxml.html

    root = lxml.html.fromstring(html)
    for element in root.xpath("//script | //style | //head"):
        element.drop_tree()
    for element in root.xpath("//*[@lang]"):
        if element.getparent() is not None and element.get("lang", "").lower() != code:
            element.drop_tree()
    said = [
        value
        for name in ("aria-label", "title", "alt", "placeholder")
        for value in root.xpath(f"//@{name}")
    ]
    return root.text_content() + " " + " ".join(said)
