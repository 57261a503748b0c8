"""The facets: one list that the index, the engine, the public pages and the API all read.

A facet's name is also its query-string parameter and the name its values carry in the
index. Adding a facet means adding it here and saying in documents.py where its values come
from; nothing else lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from signpost.catalogue.models import (
    Audience,
    Country,
    Language,
    Organisation,
    ResourceType,
    Topic,
)


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    # Where a value's name is read: (model, key field, name field); None when it is fixed.
    source: tuple[Any, str, str] | None = None
    # Shown as checkboxes on the resources page; the year is a range there instead.
    checkboxes: bool = True


FACETS: tuple[Facet, ...] = (
    Facet("type", "Type"),
    Facet("audience", "Audience", (Audience, "slug", "name")),
    Facet("topic", "Topic", (Topic, "slug", "name")),
    Facet("language", "Language", (Language, "code", "name_en")),
    Facet("organisation", "Organisation", (Organisation, "slug", "name")),
    Facet("country", "Country", (Country, "slug", "name")),
    Facet("year", "Year", checkboxes=False),
)
FACET_NAMES: tuple[str, ...] = tuple(f.name for f in FACETS)
BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
TYPE_LABELS: dict[str, str] = dict(ResourceType.choices)
