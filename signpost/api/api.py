"""The JSON API: search the published catalogue and read one resource.

The OpenAPI schema is at /api/v1/openapi.json. No interactive docs page is served: it
would load scripts from a third party.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import StringConstraints, create_model

from signpost.catalogue.selectors import public_record, resources_for_export
from signpost.search.engine import SearchResults, read_search, search
from signpost.search.registry import FACET_NAMES
from signpost.site.middleware import PARAMETER_PATTERN

api = NinjaAPI(
    title="Signpost API",
    version="1",
    description="Search and read the published resources of the Signpost library.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A parameter of the wrong kind (page=abc) gets the same shape as every other problem."""
    problems = []
    for e in error.errors:
        field = str(e.get("loc", ["", ""])[-1])
        message = NUMBER_PROBLEMS.get(field, e.get("msg", ""))
        problems.append({"field": field, "message": str(message)})
    return api.create_response(request, {"detail": problems}, status=422)


# The parameters that must be numbers, and how to put one right.
NUMBER_PROBLEMS = {
    "page": gettext_lazy("Enter the page as a whole number from 1 to 100000"),
    # Translators: page_size is the name of a parameter and stays as it is.
    "page_size": gettext_lazy("Enter page_size as a whole number from 1 to 100"),
}


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class SpanOut(Schema):
    text: str
    match: bool


class PassageOut(Schema):
    """Where the words matched inside one of the resource's files."""

    language: str
    page: int
    url: str
    excerpt: list[SpanOut]


class HighlightOut(Schema):
    title: list[SpanOut]
    excerpt: list[SpanOut]
    passage: PassageOut | None = None


class ProblemOut(Schema):
    field: str
    message: str


class MessageOut(Schema):
    detail: str


class ProblemsOut(Schema):
    detail: list[ProblemOut]


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
    matched_on_meaning: bool


class SearchOut(Schema):
    count: int
    page: int
    pages: int = Field(description="how many pages there are; a page past the last is the last")
    page_size: int
    results: list[ResultOut]
    facets: dict[str, list[FacetValueOut]]
    suggestion: str | None
    relaxed: bool
    languages_named: list[str]
    undated_hidden: int


# The query parameters, for the schema: one list per facet of the registry, and the rest.
# A parameter holds no control characters: the site answers 400 to any that does.
Text = Annotated[str, StringConstraints(pattern=PARAMETER_PATTERN)]


def _text(description: str = "") -> Any:
    return Field("", pattern=PARAMETER_PATTERN, description=description)


SearchQuery = create_model(
    "SearchQuery",
    __base__=Schema,
    q=(str, _text()),
    **{name: (list[Text], []) for name in FACET_NAMES},  # type: ignore[call-overload]
    year_from=(str, _text("4 digits; with year_to, a range")),
    year_to=(str, _text("4 digits, the same as or after year_from")),
    undated=(str, _text("1: with a year range, include undated ones too")),
    sort=(str, _text("relevance, newest, oldest, title or added (newest in the library first)")),
    page=(int, Field(1, ge=1, le=100_000)),
    page_size=(int, Field(20, ge=1, le=100)),
)


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


def _spans(spans: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    return [{"text": t, "match": m} for t, m in spans]


def _highlight(request: HttpRequest, resource: Any, highlight: Any) -> dict[str, Any]:
    passage = highlight.passage
    version = (
        next((v for v in resource.versions.all() if v.pk == passage.version_id), None)
        if passage
        else None
    )
    return {
        "title": _spans(highlight.title),
        "excerpt": _spans(highlight.excerpt),
        "passage": {
            "language": version.language_id,
            "page": passage.page,
            "url": request.build_absolute_uri(f"{version.href}#page={passage.page}"),
            "excerpt": _spans(passage.excerpt),
        }
        if passage and version
        else None,
    }


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
                "highlight": _highlight(request, resource, highlight) if highlight else None,
                "matched_on_meaning": resource.pk in results.meaning_only,
            }
        )
    return {
        "count": results.count,
        "page": results.page,
        "pages": results.num_pages,
        "page_size": results.params.page_size,
        "results": items,
        "facets": {
            facet: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
            for facet, values in results.facets.items()
        },
        "suggestion": results.suggestion,
        "relaxed": results.relaxed,
        "languages_named": results.named_languages,
        "undated_hidden": results.undated_hidden,
    }


@api.get(
    "/resources",
    response={200: SearchOut, 400: ProblemsOut, 422: ProblemsOut},
    summary="Search published resources",
)
def resources_search(
    request: HttpRequest,
    filters: Query[SearchQuery],  # type: ignore[valid-type]
) -> Any:
    """Repeat a filter parameter for several values (OR); different filters combine with AND.

    Each facet in the answer is named after its filter parameter, and its values can be sent
    back as they are. The rules are the resources page's: a year that is not 4 digits, out
    of range or a reversed range, or a filter value no published resource has, is a 422 with
    the same messages the page shows.
    """
    params, problems = read_search(request.GET, page_size=filters.page_size)  # type: ignore[attr-defined]
    if problems:
        detail = [{"field": p.field, "message": p.message} for p in problems]
        return api.create_response(request, {"detail": detail}, status=422)
    return _result(request, search(params))


@api.get(
    "/resources/{resource_id}",
    response={200: ResourceOut, 400: ProblemsOut, 404: MessageOut},
    summary="One published resource",
)
def resource_read(request: HttpRequest, resource_id: str) -> dict[str, Any]:
    resource = resources_for_export().published().filter(uid=resource_id).first()
    if resource is None:
        raise HttpError(404, gettext("No published resource has this id."))
    return public_record(resource, base_url=request.build_absolute_uri("/")[:-1])
