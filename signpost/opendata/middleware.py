"""Cross-origin reads of the open data: any site may GET the API, feeds, OAI-PMH and the
downloads from a browser. Nothing else is shared: no credentials, no writes, no pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# The namespaces of the URLs whose answers are meant for other sites' scripts.
OPEN_NAMESPACES = frozenset(("api", "opendata"))
READS = ("GET", "HEAD")


class CrossOriginReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or match.namespace not in OPEN_NAMESPACES:
            return response
        if request.method in READS:
            # A "*" without credentials: a browser sends no cookie with these requests.
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "Content-Disposition, Link"
        elif request.method == "OPTIONS" and request.headers.get("Origin"):
            preflight = HttpResponse(status=204)
            preflight["Access-Control-Allow-Origin"] = "*"
            preflight["Access-Control-Allow-Methods"] = "GET, HEAD"
            preflight["Access-Control-Allow-Headers"] = "Accept"
            preflight["Access-Control-Max-Age"] = "86400"
            return preflight
        return response
