"""HTTP caching of the pages every visitor sees alike: a validator from the catalogue's
version, 304 answers without rendering, and Cache-Control saying who may keep what.

A public page is the same for everyone: no cookie, no personal content. What it shows is
decided by the code and templates deployed, the catalogue's state (the search index version,
raised by every service that changes anything a page shows), the page's address and
language, and the few request headers a view varies on. The ETag is a digest of exactly
those, so it is known before the page is rendered: a revalidation costs one query, and an
edit is seen at once by anyone who revalidates. Staff pages, responses that set a cookie or
read the session, and anything but a 200 are left alone (staff pages are `private, no-store`
from SecurityHeadersMiddleware). A search's results page is never kept by the browser (a
shared device would show the next person what was searched): `no-store`, while the proxy in
front may keep it briefly in memory (X-Accel-Expires; deploy/nginx/).

Because the validator names everything a page depends on, the rendered page is also kept in
the cache under it (CACHE_URL: each process's memory, or Redis shared by all): a page is
rendered once for each state of the catalogue, and any change makes a new validator.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.http import parse_etags

from signpost.api.languages import API_PREFIX
from signpost.search.facets import index_version
from signpost.search.router import search_alias
from signpost.site.languages import accepted_language, without_language_prefix

# The request headers some view's page depends on: each goes into the validator.
VARIES_ON = ("X-Signpost-Part",)
PUBLIC = (
    f"public, max-age={settings.PUBLIC_MAX_AGE}, "
    f"stale-while-revalidate={settings.PUBLIC_STALE_WHILE_REVALIDATE}"
)
# The parameters that make a page a search a person typed.
SEARCH_TERMS = ("q",)
# Rendered pages kept in the cache (CACHE_URL), by validator: a page is rendered once for
# each state of the catalogue. Not searches (their pages hold what a person typed).
PAGE_CACHE_SECONDS = 600
PAGE_CACHE_MAX_BYTES = 512 * 1024


def _kept(response: HttpResponse) -> tuple[bytes, list[tuple[str, str]]]:
    return response.content, list(response.headers.items())


def _response_from(kept: tuple[bytes, list[tuple[str, str]]]) -> HttpResponse:
    content, headers = kept
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    return response


@functools.cache
def code_version() -> str:
    """What the deployed code, templates and translations are: a page rendered by other
    code is another page. Read once a process; every worker of a deploy agrees."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for path in sorted((root / "signpost").rglob("*")):
        if path.suffix in {".py", ".html", ".txt", ".mo", ".json"} and path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def is_staff_path(path: str) -> bool:
    return without_language_prefix(path).startswith(("/staff/", "/" + settings.ADMIN_PATH))


def validator(request: HttpRequest) -> str:
    """The ETag a public page at this request has in the catalogue's current state."""
    parts = [
        code_version(),
        # The version of the database the page is read from (a replica may lag).
        str(index_version(search_alias())),
        translation.get_language() or "",
        accepted_language(request) or "",
        request.get_full_path(),
        *(request.headers.get(name, "") for name in VARIES_ON),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def _matches(header: str, etag: str) -> bool:
    """If-None-Match by weak comparison; anything unparsable matches nothing."""
    opaque = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == opaque for tag in parse_etags(header))


def _is_search(request: HttpRequest) -> bool:
    return not request.path.startswith(API_PREFIX) and any(
        request.GET.get(name, "").strip() for name in SEARCH_TERMS
    )


class PublicCachingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or is_staff_path(request.path):
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # Signed in: the pages as they are now, read from the primary (their own edits
            # included), never a copy kept for visitors and never a 304 for one.
            return self.get_response(request)
        search = _is_search(request)
        etag = None if search else validator(request)
        asked = request.headers.get("If-None-Match", "")
        if etag and asked and _matches(asked, etag):
            unchanged = HttpResponseNotModified()
            unchanged.headers["ETag"] = etag
            unchanged.headers["Cache-Control"] = PUBLIC
            return unchanged
        key = f"page:{etag}" if etag else ""
        if key and (kept := cache.get(key)) is not None:
            return _response_from(kept)
        response = self.get_response(request)
        if not self._shared(request, response):
            return response
        if search:
            # Not in the browser; a shared cache in front may hold it a moment in memory.
            response.headers["Cache-Control"] = "no-store"
            response.headers["X-Accel-Expires"] = str(settings.PUBLIC_MAX_AGE)
            return response
        response.headers.setdefault("ETag", etag or "")
        response.headers["Cache-Control"] = PUBLIC
        if not response.streaming and len(response.content) <= PAGE_CACHE_MAX_BYTES:
            cache.set(key, _kept(response), PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _shared(request: HttpRequest, response: HttpResponse) -> bool:
        """Whether this response is the same for everyone and may be kept at all."""
        if response.status_code != 200 or response.cookies:
            return False
        if "Cache-Control" in response.headers:
            return False  # the view said (files, downloads, staff)
        vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
        return "cookie" not in vary and "*" not in vary
