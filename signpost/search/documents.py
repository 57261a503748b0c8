"""What the search index holds for a resource: weighted text fields and facet values.

Documents are built from plain value queries, a batch of resources at a time: building
model instances for every link of 100,000 resources would take most of an index build.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import translation

from signpost.catalogue.models import (
    Audience,
    Country,
    FilePage,
    Resource,
    ResourceOrganisation,
    ResourcePerson,
    Topic,
    Version,
)

from .registry import TYPE_LABELS


@cache
def _type_names_translated() -> dict[str, list[str]]:
    """Each resource type's name in every interface language but English."""
    names: dict[str, list[str]] = {}
    for code, _ in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE:
            with translation.override(code):
                for value, label in TYPE_LABELS.items():
                    names.setdefault(value, []).append(str(label))
    return names


# Field name and its weight: a match in the title counts most.
FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 10.0),
    ("organisations", 4.0),
    ("terms", 4.0),
    ("people", 3.0),
    ("summary", 2.0),
    ("extra", 1.0),
    # The text inside uploaded files, below every field the catalogue writes itself: in English
    # (stemmed as English), and in every other language (each word as it is written).
    ("document", 0.5),
    ("document_words", 0.5),
)
BATCH = 2000
# The text inside a resource's files indexed at most, per field (about 150 pages of a report):
# PostgreSQL refuses a tsvector over 1 MB, and the first pages say what a document is about.
INDEXED_TEXT_CHARS = 400_000


@dataclass
class Document:
    resource_id: int
    fields: dict[str, str]
    facets: list[tuple[str, str]]  # (facet, value)

    @property
    def meaning(self) -> str:
        """The text whose meaning stands for the resource: what it is and what it says."""
        fields = self.fields
        return f"{fields['title']}. {fields['terms']}. {fields['summary']}"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _printable(text: str) -> str:
    """Text without control characters, which the highlighter uses as its markers."""
    return _CONTROL.sub(" ", text)


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for resource_id, *values in rows:
        grouped[resource_id].append(tuple(values))
    return grouped


def _batch_documents(ids: list[int]) -> list[Document]:
    resources = (
        Resource.objects.filter(pk__any_of=ids)
        .order_by("pk")
        .values_list(
            "pk",
            "title",
            "summary",
            "resource_type",
            "access_note",
            "published_date",
            "series__name",
        )
    )
    organisations = _grouped(
        ResourceOrganisation.objects.filter(resource_id__any_of=ids)
        .order_by("resource_id", "position", "id")
        .values_list(
            "resource_id", "organisation__name", "organisation__abbreviation", "organisation__slug"
        )
    )
    people = _grouped(
        ResourcePerson.objects.filter(resource_id__any_of=ids)
        .order_by("resource_id", "position", "id")
        .values_list("resource_id", "person__name")
    )
    topics = _grouped(
        Topic.resources.through.objects.filter(resource_id__any_of=ids).values_list(
            "resource_id", "topic__name", "topic__slug", "topic__translations"
        )
    )
    audiences = _grouped(
        Audience.resources.through.objects.filter(resource_id__any_of=ids).values_list(
            "resource_id", "audience__name", "audience__slug", "audience__translations"
        )
    )
    countries = _grouped(
        Country.resources.through.objects.filter(resource_id__any_of=ids).values_list(
            "resource_id", "country__name", "country__slug"
        )
    )
    versions = _grouped(
        Version.objects.filter(resource_id__any_of=ids)
        .order_by("resource_id", "position", "id")
        .values_list(
            "resource_id", "language_id", "title", "language__name_en", "language__name_native"
        )
    )
    inside = _texts_inside(ids)
    documents = []
    for pk, title, summary, resource_type, access_note, published, series in resources:
        orgs, tops, auds = organisations[pk], topics[pk], audiences[pk]
        terms = (
            [name for name, *_ in tops] + [name for name, *_ in auds] + ([series] if series else [])
        )
        # A search in another language finds a resource by its topics' and audiences' names
        # in that language, and by its type's.
        translated = [
            name
            for *_, names in tops + auds
            for name in (names or {}).values()
            if isinstance(name, str)
        ] + _type_names_translated().get(resource_type, [])
        fields = {
            "title": title,
            "organisations": " ".join(
                f"{name} {abbreviation}".strip() for name, abbreviation, _ in orgs
            ),
            "terms": " ".join(terms),
            "people": " ".join(name for (name,) in people[pk]),
            "summary": summary,
            # Version titles, and the names of the languages other than English they are in,
            # in English and in their own: "polski" finds what is in Polish.
            "extra": " ".join(
                [t for _, t, _, _ in versions[pk] if t]
                + list(
                    dict.fromkeys(
                        n for code, _, *names in versions[pk] if code != "en" for n in names if n
                    )
                )
                + [name for name, _ in countries[pk]]
                + [str(TYPE_LABELS.get(resource_type, "")), access_note]
                + translated
            ),
            "document": inside[pk][0],
            "document_words": inside[pk][1],
        }
        facets = [("type", resource_type)]
        facets += [("topic", slug) for _, slug, _ in tops]
        facets += [("audience", slug) for _, slug, _ in auds]
        facets += [("organisation", slug) for slug in dict.fromkeys(s for _, _, s in orgs)]
        facets += [("country", slug) for _, slug in countries[pk]]
        facets += [("language", code) for code in dict.fromkeys(c for c, *_ in versions[pk])]
        if published:
            facets.append(("year", str(published.year)))
        fields = {name: _printable(text) for name, text in fields.items()}
        documents.append(Document(pk, fields, facets))
    return documents


def is_english(language: str) -> bool:
    return language == "en" or language.startswith("en-")


def _texts_inside(ids: list[int]) -> dict[int, tuple[str, str]]:
    """Per resource, the text of its versions' files: (in English, in other languages)."""
    files = _grouped(
        Version.objects.filter(resource_id__any_of=ids, stored__isnull=False)
        .order_by("resource_id", "position", "id")
        .values_list("resource_id", "stored_id", "language_id")
    )
    stored_ids = {stored for rows in files.values() for stored, _ in rows}
    text: dict[int, list[str]] = defaultdict(list)
    for stored, page in (
        FilePage.objects.filter(file_id__in=stored_ids)
        .order_by("file_id", "number")
        .values_list("file_id", "text")
        .iterator(chunk_size=500)
    ):
        text[stored].append(page)
    inside: dict[int, tuple[str, str]] = defaultdict(lambda: ("", ""))
    for pk, rows in files.items():
        english: list[str] = []
        other: list[str] = []
        for stored, language in dict.fromkeys(rows):
            (english if is_english(language) else other).append("\n".join(text.get(stored, [])))
        inside[pk] = (
            "\n".join(english).strip()[:INDEXED_TEXT_CHARS],
            "\n".join(other).strip()[:INDEXED_TEXT_CHARS],
        )
    return inside


def documents_for(ids: Iterable[int] | None = None) -> Iterator[list[Document]]:
    """Documents of the published resources (all, or those among `ids`), a batch at a time."""
    published = Resource.objects.published()
    if ids is not None:
        published = published.filter(pk__any_of=list(ids))
    all_ids = list(published.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(all_ids), BATCH):
        yield _batch_documents(all_ids[start : start + BATCH])
