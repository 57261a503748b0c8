"""The JSON API: search the published catalogue and read one resource.

The OpenAPI schema is at /api/v1/openapi.json. No interactive docs page is served: it
would load scripts from a third party.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError

from signpost.catalogue.selectors import resource_record, resources_for_export
from signpost.search.engine import FACETS, SearchParams, SearchResults, known_filters, search
from signpost.search.query import clean

api = NinjaAPI(
    title="Signpost API",
    version="1",
    description="Search and read the published resources of the Signpost library.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)

EDITORIAL_FIELDS = ("status", "owner_agreement", "review_by", "reviewed_on")


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class HighlightOut(Schema):
    title: str
    excerpt: str


class ResultOut(Schema):
    id: str
    slug: str
    title: str
    url: str
    resource_type: str
    published: str | None
    languages: list[str]
    organisations: list[str]
    summary: str
    highlight: HighlightOut | None


class SearchOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[ResultOut]
    facets: dict[str, list[FacetValueOut]]
    suggestion: str | None
    relaxed: bool


class SearchQuery(Schema):
    q: str = ""
    type: list[str] = []
    topic: list[str] = []
    audience: list[str] = []
    language: list[str] = []
    organisation: list[str] = []
    country: list[str] = []
    year: list[str] = []
    year_from: int | None = Field(None, ge=1000, le=9999)
    year_to: int | None = Field(None, ge=1000, le=9999)
    sort: str = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


class OrganisationOut(Schema):
    name: str
    role: str
    abbreviation: str | None = None


class PersonOut(Schema):
    name: str
    role: str


class VersionOut(Schema):
    language: str
    format: str
    url: str
    title: str


class ResourceOut(Schema):
    id: str
    slug: str
    url: str
    title: str
    summary: str
    resource_type: str
    published: str | None
    organisations: list[OrganisationOut]
    people: list[PersonOut]
    topics: list[str]
    audiences: list[str]
    countries: list[str]
    series: str | None
    related: list[str]
    access_note: str
    versions: list[VersionOut]


def _result(request: HttpRequest, results: SearchResults) -> dict[str, Any]:
    items = []
    for resource, highlight in results.items:
        items.append(
            {
                "id": resource.uid,
                "slug": resource.slug,
                "title": resource.title,
                "url": request.build_absolute_uri(resource.get_absolute_url()),
                "resource_type": resource.resource_type,
                "published": resource.published_iso or None,
                "languages": list(dict.fromkeys(v.language_id for v in resource.versions.all())),
                "organisations": [
                    link.organisation.name for link in resource.resource_organisations.all()
                ],
                "summary": resource.summary,
                "highlight": {"title": highlight.title, "excerpt": highlight.excerpt}
                if highlight
                else None,
            }
        )
    return {
        "count": results.count,
        "page": results.page,
        "page_size": results.params.page_size,
        "results": items,
        "facets": {
            facet: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
            for facet, values in results.facets.items()
        },
        "suggestion": results.suggestion,
        "relaxed": results.relaxed,
    }


@api.get("/resources", response=SearchOut, summary="Search published resources")
def resources_search(request: HttpRequest, filters: Query[SearchQuery]) -> dict[str, Any]:
    """Repeat a filter parameter for several values (OR); different filters combine with AND.

    Each facet in the answer is named after its filter parameter, and its values can be sent
    back as they are.
    """
    chosen = {facet: getattr(filters, facet) for facet in FACETS if getattr(filters, facet)}
    params = SearchParams(
        q=clean(filters.q),
        filters=known_filters(chosen),
        year_from=filters.year_from,
        year_to=filters.year_to,
        sort=filters.sort,
        page=filters.page,
        page_size=filters.page_size,
    )
    return _result(request, search(params))


@api.get("/resources/{resource_id}", response=ResourceOut, summary="One published resource")
def resource_read(request: HttpRequest, resource_id: str) -> dict[str, Any]:
    resource = resources_for_export().published().filter(uid=resource_id).first()
    if resource is None:
        raise HttpError(404, "No published resource has this id.")
    record = resource_record(resource)
    for name in EDITORIAL_FIELDS:
        record.pop(name)
    # Only what is public: a draft or withdrawn resource is not named, even by its id.
    record["related"] = sorted(r.uid for r in resource.related.all() if r.status == "published")
    record["url"] = request.build_absolute_uri(resource.get_absolute_url())
    return record
