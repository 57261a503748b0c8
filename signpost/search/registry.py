"""The facets: one list that the index, the engine, the public pages and the API all read.

A facet's name is also its query-string parameter and the name its values carry in the
index. Adding a facet means adding it here and saying in documents.py where its values come
from; nothing else lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from signpost.catalogue.models import (
    Audience,
    Country,
    Language,
    Organisation,
    ResourceType,
    Topic,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Facet:
    name: str
    # What the page calls it: a filter's legend, and the group of a selected filter's tag.
    label: StrOrPromise
    # A way on when a search finds nothing, and why a value no resource has was left out:
    # whole sentences, so that each language can decline the facet's name as it needs.
    remove: StrOrPromise
    unknown: StrOrPromise = ""
    # Where a value's name is read: (model, key field, name field); None when it is fixed.
    source: tuple[Any, str, str] | None = None
    # Shown as checkboxes on the resources page; the year is a range there instead.
    checkboxes: bool = True


FACETS: tuple[Facet, ...] = (
    Facet(
        "type",
        _("Type"),
        # Translators: each "remove the … filter" is a link in a list after "You could:",
        # offered when a search finds nothing.
        _("remove the type filter"),
        _("No published resource has the type “%(value)s”"),
    ),
    Facet(
        "audience",
        _("Audience"),
        _("remove the audience filter"),
        _("No published resource has the audience “%(value)s”"),
        (Audience, "slug", "name"),
    ),
    Facet(
        "topic",
        _("Topic"),
        _("remove the topic filter"),
        _("No published resource has the topic “%(value)s”"),
        (Topic, "slug", "name"),
    ),
    Facet(
        "language",
        _("Language"),
        _("remove the language filter"),
        _("No published resource has the language “%(value)s”"),
        (Language, "code", "name_en"),
    ),
    Facet(
        "organisation",
        _("Organisation"),
        _("remove the organisation filter"),
        _("No published resource has the organisation “%(value)s”"),
        (Organisation, "slug", "name"),
    ),
    Facet(
        "country",
        _("Country"),
        _("remove the country filter"),
        _("No published resource has the country “%(value)s”"),
        (Country, "slug", "name"),
    ),
    Facet("year", _("Year"), _("remove the year filter"), checkboxes=False),
)
FACET_NAMES: tuple[str, ...] = tuple(f.name for f in FACETS)
BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
# In the active language: str() them where they are read.
TYPE_LABELS: dict[str, StrOrPromise] = dict(ResourceType.choices)
