"""Uploaded files, served from their own path, never able to act as a page of the site."""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from signpost.catalogue.models import Resource, StoredFile, Version

from .reader import extension_of

# A file is shown as what it is and nothing more: no script, no form, no plugin runs in it.
FILE_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
# A PDF is shown by the browser's own viewer, which a sandbox stops (Safari shows an empty
# page, Chromium's viewer refuses to run): it gets every limit but that one. Its bytes were
# checked to be a PDF and nothing else, it is sent as one, and PDF viewers run a document's
# scripts apart from the site.
PDF_POLICY = "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Short, and revalidated by the ETag: a withdrawn resource's file is gone from caches soon.
PUBLIC_CACHE = "public, max-age=300"
LARGEST_ID = 2**63 - 1
_INLINE = {"application/pdf", "image/png", "image/jpeg", "image/webp"}


def _published(file_id: int) -> tuple[StoredFile, Version]:
    """A stored file that a published resource's version holds, and the first such version;
    anything else is not found. Addressed by the file, not the version, so that an edit of
    the resource (which writes its versions anew) keeps every printed or shared link."""
    if file_id > LARGEST_ID:  # no database can hold it; some cannot even be asked
        raise Http404("No such file")
    version = (
        Version.objects.select_related("resource", "stored")
        .filter(stored_id=file_id, resource__in=Resource.objects.published())
        .order_by("resource_id", "position")
        .first()
    )
    if version is None or version.stored is None:
        raise Http404("No such file")
    return version.stored, version


def download_name(version: Version, media_type: str) -> str:
    """The resource's title (or the version's own), its language, and the kind's extension."""
    title = re.sub(r'[\\/:*?"<>|]+', " ", version.title or version.resource.title)
    return f"{' '.join(title[:120].split())} ({version.language_id}){extension_of(media_type)}"


def _served(
    request: HttpRequest, name: str, media_type: str, etag: str, filename: str
) -> HttpResponseBase:
    response: HttpResponseBase
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
        _protect(response, media_type)
    else:
        response = _file(name, media_type, filename)
    response["ETag"] = etag
    response["Cache-Control"] = PUBLIC_CACHE
    return response


def file_response(stored: StoredFile, *, filename: str) -> HttpResponseBase:
    """A stored file with the headers every file gets, for a page that has already decided
    who may see it (the editorial pages)."""
    return _file(stored.name, stored.media_type, filename + extension_of(stored.media_type))


def _file(name: str, media_type: str, filename: str) -> HttpResponseBase:
    """The file in storage as its kind, named, and never able to act as a page."""
    response = FileResponse(default_storage.open(name, "rb"), content_type=media_type)
    disposition = content_disposition_header(media_type not in _INLINE, filename)
    response["Content-Disposition"] = disposition or "attachment"
    _protect(response, media_type)
    return response


def _protect(response: HttpResponseBase, media_type: str) -> None:
    response["Content-Security-Policy"] = (
        PDF_POLICY if media_type == "application/pdf" else FILE_POLICY
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"


@require_safe
def file_download(request: HttpRequest, file_id: int, filename: str) -> HttpResponseBase:
    stored, version = _published(file_id)
    name = download_name(version, stored.media_type)
    return _served(request, stored.name, stored.media_type, f'"{stored.sha256}"', name)


@require_safe
def file_thumbnail(request: HttpRequest, file_id: int) -> HttpResponseBase:
    stored, _ = _published(file_id)
    if not stored.thumbnail:
        raise Http404("No thumbnail")
    etag = f'"{stored.sha256[:32]}-{stored.thumbnail_width}"'
    return _served(request, stored.thumbnail, "image/webp", etag, "cover.webp")
