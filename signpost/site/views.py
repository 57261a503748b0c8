"""Public pages: each parses its input, asks one selector, and renders."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from signpost.catalogue import selectors
from signpost.catalogue.models import Audience, Language, Organisation, Topic
from signpost.links.selectors import link_states
from signpost.search.engine import SearchParams, facet_value_is_public, read_search, search
from signpost.search.params import page_number
from signpost.search.query import words_of
from signpost.search.registry import BY_NAME

from .filters import (
    checkbox_groups,
    language_tags,
    relaxation_links,
    selected_tags,
)

HOME_TOPICS = 24
# A search with one of these words may come from someone who needs help now: the help
# routes are shown above its results.
HELP_WORDS = frozenset(
    ("help", "helpline", "hotline", "emergency", "danger", "escape", "urgent", "phone", "call")
)
# A search in the first person ("my boss keeps my passport") may be someone at risk asking.
FIRST_PERSON = frozenset(("i", "im", "me", "my", "mine", "myself"))
# The ways into the library from the home page, by who is asking.
AUDIENCE_WAYS_IN = [
    ("people-at-risk", _("People at risk and survivors")),
    ("police", _("Police")),
    ("health-workers", _("Health workers")),
    ("councils", _("Councils")),
    ("lawyers", _("Lawyers")),
    ("businesses", _("Businesses")),
    ("researchers", _("Researchers")),
]
# What each list of terms is called, as the site menu calls it.
BROWSE_TITLES = {
    "organisations": _("Organisations"),
    "topics": _("Topics"),
    "audiences": _("Audiences"),
    "languages": _("Languages"),
}


def _suggestion_url(suggestion: str | None, rest: str) -> str:
    """The same search with the suggested words: the words first, then the filters."""
    if not suggestion:
        return ""
    return f"?q={quote(suggestion, safe='/')}" + (f"&{rest}" if rest else "")


def page_query(request: HttpRequest) -> str:
    """The query string without `page`, for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    audiences = {a.slug: a for a in selectors.terms_with_counts(Audience)}
    response = render(
        request,
        "site/home.html",
        {
            "audience_ways_in": [
                (audiences[slug], label) for slug, label in AUDIENCE_WAYS_IN if slug in audiences
            ],
            # The most used topics: a page that stays light however many the catalogue has.
            "topics": sorted(
                selectors.terms_with_counts(Topic).order_by("-published_count", "name")[
                    :HOME_TOPICS
                ],
                key=lambda topic: topic.name.lower(),
            ),
            "newest": selectors.newest_resources(limit=6),
        },
    )
    # The English home page offers the browser's language: a shared cache keeps one per.
    patch_vary_headers(response, ["Accept-Language"])
    return response


@require_safe
def resource_list(request: HttpRequest) -> HttpResponse:
    params, problems = read_search(request.GET)
    results = search(params)
    query_no_q = request.GET.copy()
    query_no_q.pop("q", None)
    with_undated = request.GET.copy()
    with_undated["undated"] = "1"
    with_undated.pop("page", None)
    selected = selected_tags(request.GET, results)
    named = language_tags(request.GET, results)
    context = {
        "results": results,
        "problems": problems,
        "groups": checkbox_groups(results),
        "selected": selected,
        "named_languages": named,
        "filter_count": len(selected) + len(named),
        "relaxations": relaxation_links(request.GET, results),
        "page_query": page_query(request),
        "suggestion_url": _suggestion_url(results.suggestion, query_no_q.urlencode()),
        "undated_query": with_undated.urlencode(),
        "wants_help": bool((HELP_WORDS | FIRST_PERSON) & set(words_of(request.GET.get("q", "")))),
    }
    # Asked for by the page's script when a filter changes: the results part alone.
    partial = request.headers.get("X-Signpost-Part") == "results"
    template = "site/includes/results.html" if partial else "site/resource_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["X-Signpost-Part"])
    return response


@require_safe
def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = selectors.resource_detail(slug=slug)
    if resource is None:
        raise Http404("No such resource")
    versions = list(resource.versions.all())
    states = link_states(urls=[v.url for v in versions])
    for version in versions:
        version.health = states.get(version.url)  # type: ignore[attr-defined]
    # Where a version has no address of its own, the publisher's home page is a way on.
    way_on = next(
        (
            link.organisation
            for link in resource.resource_organisations.all()
            if link.role == "publisher" and link.organisation.url
        ),
        None,
    )
    return render(
        request,
        "site/resource_detail.html",
        {
            "resource": resource,
            "series_others": selectors.series_others(resource=resource),
            "way_on": way_on,
        },
    )


def _term_page(
    request: HttpRequest, *, term: Any, kind: str, facet: str, value: str
) -> HttpResponse:
    if not facet_value_is_public(facet, value):
        raise Http404("No published resource has this term")
    params = SearchParams(
        filters={facet: [value]}, sort="newest", page=page_number(request.GET.get("page"))
    )
    return render(
        request,
        "site/term_detail.html",
        {
            "term": term,
            "kind": kind,
            "kind_label": BY_NAME[facet].label,
            "results": search(params),
            "filter_query": f"{facet}={value}",
            "page_query": page_query(request),
        },
    )


@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_object_or_404(Organisation, slug=slug)
    return _term_page(request, term=term, kind="Organisation", facet="organisation", value=slug)


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_object_or_404(Topic, slug=slug)
    return _term_page(request, term=term, kind="Topic", facet="topic", value=slug)


@require_safe
def audience_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_object_or_404(Audience, slug=slug)
    return _term_page(request, term=term, kind="Audience", facet="audience", value=slug)


@require_safe
def language_detail(request: HttpRequest, code: str) -> HttpResponse:
    term = get_object_or_404(Language, code=code)
    return _term_page(request, term=term, kind="Language", facet="language", value=code)


@require_safe
def browse(request: HttpRequest, kind: str) -> HttpResponse:
    models = {"organisations": Organisation, "topics": Topic, "audiences": Audience}
    terms = (
        selectors.languages_with_counts()
        if kind == "languages"
        else selectors.terms_with_counts(models[kind])
    )
    return render(
        request,
        "site/browse.html",
        {"kind": kind, "title": BROWSE_TITLES[kind], "terms": terms},
    )


@require_safe
def page(request: HttpRequest, template: str) -> HttpResponse:
    """A page of fixed text: safety, accessibility, privacy."""
    return render(request, f"site/{template}.html")


def _language_prefixes() -> list[str]:
    """Nothing for English at the root, then "pl/" and every other language's prefix."""
    return ["" if code == settings.LANGUAGE_CODE else f"{code}/" for code, _ in settings.LANGUAGES]


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    """Search engines may read the public site, never the staff pages, and get the sitemap."""
    lines = [
        "User-agent: *",
        # The admin's path is not named: where an operator moved it, it stays unlisted.
        *(f"Disallow: /{prefix}staff/" for prefix in _language_prefixes()),
        # Files made on request, for people and harvesters, not for crawling.
        "Disallow: /resources/download.csv",
        "Disallow: /resources/cite.",
        "Disallow: /data/signpost-catalogue.",
        f"Sitemap: {request.build_absolute_uri(reverse('site:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
