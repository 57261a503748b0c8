"""Cross-origin reads of the open data: any site may GET the API, feeds, OAI-PMH and the
downloads from a browser. Nothing else is shared: no credentials, no writes, no pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

# The namespaces of the URLs whose answers are meant for other sites' scripts; the Data and
# API page is a page for people, like the rest of the site.
OPEN_NAMESPACES = frozenset(("api", "opendata"))
PAGES = frozenset(("data",))
READS = ("GET", "HEAD")


def _is_open(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.namespace in OPEN_NAMESPACES and match.url_name not in PAGES


class CrossOriginReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_open = _is_open(request.path_info)
        if is_open and request.method == "OPTIONS" and request.headers.get("Origin"):
            # A preflight is answered here: no view runs for it.
            preflight = HttpResponse(status=204)
            preflight["Access-Control-Allow-Origin"] = "*"
            preflight["Access-Control-Allow-Methods"] = "GET, HEAD"
            preflight["Access-Control-Allow-Headers"] = "Accept"
            preflight["Access-Control-Max-Age"] = "86400"
            return preflight
        response = self.get_response(request)
        if is_open and request.method in READS:
            # A "*" without credentials: a browser sends no cookie with these requests.
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "Content-Disposition, Link"
        return response
