"""What the search index holds for a resource: weighted text fields and facet values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Prefetch

from signpost.catalogue.models import Resource, ResourceOrganisation, ResourcePerson, ResourceType

# Field name and its weight: a match in the title counts most.
FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 10.0),
    ("organisations", 4.0),
    ("terms", 4.0),
    ("people", 3.0),
    ("summary", 2.0),
    ("extra", 1.0),
)
FACETS = ("type", "topic", "audience", "language", "organisation", "country", "year")
TYPE_LABELS = dict(ResourceType.choices)


@dataclass
class Document:
    resource_id: int
    fields: dict[str, str]
    facets: list[tuple[str, str]]  # (facet, value)


def resources_for_index(ids: Iterable[int] | None = None) -> Iterator[Resource]:
    """Published resources with everything the index needs, in batches."""
    qs = Resource.objects.published().order_by("pk")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    qs = qs.select_related("series").prefetch_related(
        Prefetch(
            "resource_organisations",
            queryset=ResourceOrganisation.objects.select_related("organisation"),
        ),
        Prefetch("resource_people", queryset=ResourcePerson.objects.select_related("person")),
        "versions",
        "topics",
        "audiences",
        "countries",
    )
    return qs.iterator(chunk_size=2000)


def document_for(resource: Resource) -> Document:
    organisations = [link.organisation for link in resource.resource_organisations.all()]
    topics = list(resource.topics.all())
    audiences = list(resource.audiences.all())
    countries = list(resource.countries.all())
    versions = list(resource.versions.all())
    terms = [t.name for t in topics] + [a.name for a in audiences]
    if resource.series:
        terms.append(resource.series.name)
    fields = {
        "title": resource.title,
        "organisations": " ".join(f"{o.name} {o.abbreviation}".strip() for o in organisations),
        "terms": " ".join(terms),
        "people": " ".join(link.person.name for link in resource.resource_people.all()),
        "summary": resource.summary,
        "extra": " ".join(
            [v.title for v in versions if v.title]
            + [c.name for c in countries]
            + [TYPE_LABELS.get(resource.resource_type, ""), resource.access_note]
        ),
    }
    facets = [("type", resource.resource_type)]
    facets += [("topic", t.slug) for t in topics]
    facets += [("audience", a.slug) for a in audiences]
    facets += [("organisation", slug) for slug in dict.fromkeys(o.slug for o in organisations)]
    facets += [("country", c.slug) for c in countries]
    facets += [("language", code) for code in dict.fromkeys(v.language_id for v in versions)]
    if resource.published_date:
        facets.append(("year", str(resource.published_date.year)))
    return Document(resource.pk, fields, facets)
