"""Uploads too large are refused before they are read: by their declared length at the door,
and, when no length is declared, by counting as they arrive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

# A form may carry a file for each of a few versions at once, and its other fields.
FILES_PER_FORM = 5
FORM_ALLOWANCE = 1024 * 1024


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        # Translators: a size in megabytes.
        return gettext("%(size)s MB") % {"size": f"{size / (1024 * 1024):.0f}"}
    # Translators: a size in kilobytes.
    return gettext("%(size)s KB") % {"size": size // 1024}


def too_large_message() -> str:
    limit = size_label(settings.DOCUMENT_MAX_BYTES)
    # Translators: a size, as in "50 MB".
    return gettext("The file is larger than %(limit)s, the largest Signpost accepts.") % {
        "limit": limit
    }


class RefuseLargeUploadsMiddleware:
    """A request that says it is larger than any form of uploads allowed gets 413 before its
    body is read; nothing else of it is looked at, so nothing of it is kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DOCUMENT_MAX_BYTES * FILES_PER_FORM + FORM_ALLOWANCE:
            # Before LocaleMiddleware: the page's language is its address's.
            language = translation.get_language_from_path(request.path_info)
            with translation.override(language or settings.LANGUAGE_CODE):
                page = render_to_string(
                    "documents/too_large.html", {"message": too_large_message()}, request=None
                )
            return HttpResponse(page, status=413)
        return self.get_response(request)


class LimitedUploadHandler(FileUploadHandler):
    """Stops keeping a file once it passes the limit; the form then says why it is missing."""

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.DOCUMENT_MAX_BYTES:
            refused: set[str] = getattr(self.request, "uploads_too_large", set())
            refused.add(self.field_name)
            self.request.uploads_too_large = refused  # type: ignore[union-attr]
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
