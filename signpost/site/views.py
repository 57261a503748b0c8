"""Public pages: each parses its input, asks one selector, and renders."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from signpost.catalogue import selectors
from signpost.catalogue.models import Audience, Language, Organisation, Topic

from .filters import checkbox_groups, filters_from_query, selected_tags

PAGE_SIZE = 20

# The ways into the library from the home page, by who is asking.
AUDIENCE_WAYS_IN = [
    ("people-at-risk", "People at risk and survivors"),
    ("police", "Police"),
    ("health-workers", "Health workers"),
    ("councils", "Councils"),
    ("lawyers", "Lawyers"),
    ("businesses", "Businesses"),
    ("researchers", "Researchers"),
]


def paginate(request: HttpRequest, items: QuerySet[Any]) -> Page:
    """The page asked for; a page that is not a number, or is out of range, gives the nearest."""
    paginator = Paginator(items, PAGE_SIZE)
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 9 else 1
    return paginator.page(min(max(number, 1), paginator.num_pages))


def page_query(request: HttpRequest) -> str:
    """The query string without `page`, for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    audiences = {a.slug: a for a in selectors.terms_with_counts(Audience)}
    return render(
        request,
        "site/home.html",
        {
            "audience_ways_in": [
                (audiences[slug], label) for slug, label in AUDIENCE_WAYS_IN if slug in audiences
            ],
            "topics": selectors.terms_with_counts(Topic),
            "newest": selectors.newest_resources(limit=6),
        },
    )


@require_safe
def resource_list(request: HttpRequest) -> HttpResponse:
    options = selectors.filter_options()
    filters = filters_from_query(request.GET, options)
    page = paginate(request, selectors.resource_list(filters=filters))
    return render(
        request,
        "site/resource_list.html",
        {
            "page": page,
            "filters": filters,
            "groups": checkbox_groups(options, filters),
            "selected": selected_tags(request.GET, filters, options),
            "page_query": page_query(request),
        },
    )


@require_safe
def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = selectors.resource_detail(slug=slug)
    if resource is None:
        raise Http404("No such resource")
    return render(
        request,
        "site/resource_detail.html",
        {"resource": resource, "series_others": selectors.series_others(resource=resource)},
    )


def _term_page(
    request: HttpRequest,
    *,
    term: Any,
    kind: str,
    filters: selectors.ResourceFilters,
    filter_query: str,
) -> HttpResponse:
    page = paginate(request, selectors.resource_list(filters=filters))
    return render(
        request,
        "site/term_detail.html",
        {
            "term": term,
            "kind": kind,
            "page": page,
            "filter_query": filter_query,
            "page_query": page_query(request),
        },
    )


@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_object_or_404(Organisation, slug=slug)
    filters = selectors.ResourceFilters(organisations=[slug])
    return _term_page(
        request,
        term=term,
        kind="Organisation",
        filters=filters,
        filter_query=f"organisation={slug}",
    )


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_object_or_404(Topic, slug=slug)
    filters = selectors.ResourceFilters(topics=[slug])
    return _term_page(
        request, term=term, kind="Topic", filters=filters, filter_query=f"topic={slug}"
    )


@require_safe
def audience_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_object_or_404(Audience, slug=slug)
    filters = selectors.ResourceFilters(audiences=[slug])
    return _term_page(
        request, term=term, kind="Audience", filters=filters, filter_query=f"audience={slug}"
    )


@require_safe
def language_detail(request: HttpRequest, code: str) -> HttpResponse:
    term = get_object_or_404(Language, code=code)
    filters = selectors.ResourceFilters(languages=[code])
    return _term_page(
        request, term=term, kind="Language", filters=filters, filter_query=f"language={code}"
    )


@require_safe
def browse(request: HttpRequest, kind: str) -> HttpResponse:
    models = {"organisations": Organisation, "topics": Topic, "audiences": Audience}
    terms = (
        selectors.languages_with_counts()
        if kind == "languages"
        else selectors.terms_with_counts(models[kind])
    )
    return render(request, "site/browse.html", {"kind": kind, "terms": terms})


@require_safe
def safety(request: HttpRequest) -> HttpResponse:
    return render(request, "site/safety.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
