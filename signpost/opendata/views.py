"""Open data views: feeds, citations and downloads. Each reads published resources only."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from signpost.catalogue.models import Resource
from signpost.search.engine import facet_value_is_public, read_search
from signpost.search.params import Problem

from . import citations, downloads, feeds, selectors

CITATION_FORMATS = {
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bib": ("application/x-bibtex; charset=utf-8", "bib"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


def _search_query(request: HttpRequest) -> dict[str, list[str]]:
    return {k: v for k, v in request.GET.lists() if k not in selectors.NOT_SEARCH}


def _refusal(request: HttpRequest, *, title: str, reasons: list[str], status: int) -> HttpResponse:
    """A clear page for a request that cannot be answered as asked."""
    query = request.GET.urlencode()
    back = reverse("site:resource_list") + (f"?{query}" if query else "")
    return render(
        request,
        "opendata/refused.html",
        {"title": title, "reasons": reasons, "back_url": back},
        status=status,
    )


def _problem_refusal(request: HttpRequest, problems: list[Problem]) -> HttpResponse:
    return _refusal(
        request,
        title=gettext("This search cannot be used as it is"),
        reasons=[p.message for p in problems],
        status=400,
    )


def _licence_link(response: HttpResponseBase) -> None:
    response["Link"] = f'<{settings.OPEN_DATA_LICENCE_URL}>; rel="license"'


# Feeds


@require_safe
def newest_feed(request: HttpRequest) -> HttpResponse:
    subject = feeds.search_subject({})
    return feeds.ResourceFeed(request)(request, subject=subject)


@require_safe
def search_feed(request: HttpRequest) -> HttpResponse:
    query = _search_query(request)
    problems = read_search(query)[1]
    if problems:
        return _problem_refusal(request, problems)
    return feeds.ResourceFeed(request)(request, subject=feeds.search_subject(query))


@require_safe
def term_feed(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    model, field, facet, name = feeds.TERM_FEEDS[kind]
    term = get_object_or_404(model, **{field: key})
    if not facet_value_is_public(facet, key):
        raise Http404("No published resource has this term")
    subject = feeds.term_subject(kind=name, term=term, facet=facet, value=key)
    return feeds.ResourceFeed(request)(request, subject=subject)


# Citations


def _citation_response(
    request: HttpRequest, resources: list[Resource], *, format: str, name: str
) -> HttpResponse:
    base = _base_url(request)
    items = [
        (
            resource,
            citations.csl_item(
                resource, page_url=base + resource.get_absolute_url(), base_url=base
            ),
        )
        for resource in resources
    ]
    if format == "ris":
        body = citations.ris(items)
    elif format == "bib":
        body = citations.bibtex(items)
    else:
        body = citations.csl_json([item for _, item in items])
    content_type, extension = CITATION_FORMATS[format]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


@require_safe
def resource_citation(request: HttpRequest, slug: str, format: str) -> HttpResponse:
    resource = next(iter(selectors.published_for_data().filter(slug=slug)), None)
    if resource is None:
        raise Http404("No such resource")
    return _citation_response(request, [resource], format=format, name=resource.slug)


def _search_within(
    request: HttpRequest, *, limit: int, too_many: str
) -> tuple[list[Resource], HttpResponse | None]:
    """The resources of the search in the query string, or a refusal saying why not: a
    search that cannot be used, or one that finds more than `limit` (`too_many` says what
    to do then, with %(limit)s)."""
    params, problems = read_search(_search_query(request))
    if problems:
        return [], _problem_refusal(request, problems)
    params.sort = request.GET.get("sort", "")
    resources, count = selectors.search_for_data(params, limit=limit)
    if not count:
        title = gettext("No resources match this search")
        reason = gettext("There is nothing to download: change the words or filters and try again.")
        return [], _refusal(request, title=title, reasons=[reason], status=404)
    if count > limit:
        finds = ngettext(
            "This search finds %(count)s resource.", "This search finds %(count)s resources.", count
        ) % {"count": number_format(count, force_grouping=True)}
        what_to_do = too_many % {"limit": number_format(limit, force_grouping=True)}
        reason = f"{finds} {what_to_do}"
        refusal = _refusal(
            request, title=gettext("Too many resources at once"), reasons=[reason], status=400
        )
        return [], refusal
    return resources, None


@require_safe
def search_citations(request: HttpRequest, format: str) -> HttpResponse:
    resources, refusal = _search_within(
        request,
        limit=citations.CITATION_LIMIT,
        too_many=gettext(
            "Citations can be downloaded for up to %(limit)s at a time: add words or filters "
            "to narrow it, or download the whole catalogue from the Data and API page."
        ),
    )
    return refusal or _citation_response(
        request, resources, format=format, name="signpost-citations"
    )


# Downloads


@require_safe
def catalogue_download(request: HttpRequest, format: str) -> HttpResponseBase:
    made, tag = downloads.catalogue_file(format, base_url=_base_url(request))
    etag = f'"{tag}"'
    response: HttpResponseBase
    if etag in request.headers.get("If-None-Match", ""):
        made.close()
        response = HttpResponse(status=304)
    else:
        content_type = (
            "application/jsonl; charset=utf-8" if format == "jsonl" else "text/csv; charset=utf-8"
        )
        response = FileResponse(made, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="signpost-catalogue.{format}"'
    response["ETag"] = etag
    _licence_link(response)
    return response


@require_safe
def search_download(request: HttpRequest) -> HttpResponse:
    resources, refusal = _search_within(
        request,
        limit=downloads.SEARCH_DOWNLOAD_LIMIT,
        too_many=gettext(
            "A search can be downloaded with up to %(limit)s: narrow it, or download the "
            "whole catalogue from the Data and API page."
        ),
    )
    if refusal:
        return refusal
    body = "".join(downloads.csv_chunks(resources, base_url=_base_url(request)))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="signpost-search.csv"'
    _licence_link(response)
    return response


# The page that explains it all


@require_safe
def data_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opendata/data.html",
        {
            "base": _base_url(request),
            **selectors.examples(),
            "citation_limit": number_format(citations.CITATION_LIMIT, force_grouping=True),
            "search_download_limit": number_format(
                downloads.SEARCH_DOWNLOAD_LIMIT, force_grouping=True
            ),
            "licence_name": settings.OPEN_DATA_LICENCE_NAME,
            "licence_url": settings.OPEN_DATA_LICENCE_URL,
        },
    )
