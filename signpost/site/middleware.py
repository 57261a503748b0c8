"""Headers on every response: no page leaks a visitor's path or loads anything from elsewhere."""

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.template.loader import render_to_string
from django.utils import translation

from signpost.site.caching import is_staff_path

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
        "payment", "usb", "interest-cohort", "browsing-topics",
    )
)  # fmt: skip


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # With "no-referrer" a browser sends "Origin: null" with a form, which fails the
        # staff forms' CSRF check; staff pages tell their own origin, and nobody else.
        staff = is_staff_path(request.path)
        response.headers.setdefault("Referrer-Policy", "same-origin" if staff else "no-referrer")
        if staff:
            # Staff and owners' pages are never stored by a browser or a proxy, nor indexed.
            response.headers["Cache-Control"] = "private, no-store"
            response.headers["X-Robots-Tag"] = "noindex, nofollow"
            if request.method == "POST" and response.status_code < 400:
                # Whoever changed something sees the public pages as they now are, not as
                # their browser held them (public pages may be kept for a minute).
                response.headers["Clear-Site-Data"] = '"cache"'
        return response


# C0 and C1 control characters: no path, parameter or header value here ever holds one, and
# a NUL reaching PostgreSQL is an error, so such a request is refused before any view runs.
# A parameter may hold the whitespace a person types or pastes (tab, line breaks).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_CONTROL_NOT_SPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What a parameter may hold, as the API's schema states it (the complement of the above).
PARAMETER_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
CONTROL_MESSAGE = "The address holds control characters, which no search or id can contain."


class RejectControlCharactersMiddleware:
    """Answer 400 to a request whose path, parameters or headers hold control characters."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._malformed(request):
            if request.path_info.startswith("/api/"):
                # The API answers in its own shape (ProblemsOut), as its schema says.
                return JsonResponse(
                    {"detail": [{"field": "", "message": CONTROL_MESSAGE}]}, status=400
                )
            # Answered before the language middleware: in English, whatever the thread's
            # last request was in.
            translation.activate(settings.LANGUAGE_CODE)
            body = render_to_string("400.html", request=request)
            return HttpResponse(body, status=400)
        return self.get_response(request)

    @staticmethod
    def _malformed(request: HttpRequest) -> bool:
        if _CONTROL.search(request.path_info):
            return True
        for key, values in request.GET.lists():
            if _CONTROL.search(key) or any(_CONTROL_NOT_SPACE.search(v) for v in values):
                return True
        # Header values reach WSGI as bytes read as Latin-1, so UTF-8 text (Cyrillic, say)
        # shows bytes 0x80-0x9f: only C0 controls and DEL are refused in headers.
        return any(
            isinstance(value, str) and _HEADER_CONTROL.search(value)
            for name, value in request.META.items()
            if name.startswith("HTTP_")
        )


class DatabaseBusyMiddleware:
    """A write that waited too long for the database (SQLite during an import) gets a page
    that says so and asks for a retry, not a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError) and "locked" in str(exception).lower():
            body = render_to_string("503.html", request=request)
            response = HttpResponse(body, status=503)
            response["Retry-After"] = "60"
            return response
        return None


class GZipPagesMiddleware(GZipMiddleware):
    """Compresses pages, not uploaded files: a PDF or an image is compressed already, and
    compressing it would weaken its ETag, so a browser could never revalidate it."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> Any:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.namespace == "documents":
            return response
        return super().process_response(request, response)
