"""Uploaded files, served from their own path, never able to act as a page of the site."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from signpost.catalogue.models import Resource, StoredFile, Version

from .reader import KINDS

# A file is shown as what it is and nothing more: no script, no form, no plugin runs in it.
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
# The bytes behind an address never change (a new upload is a new stored file).
PUBLIC_CACHE = "public, max-age=86400, stale-while-revalidate=604800"
_INLINE = {"application/pdf", "image/png", "image/jpeg", "image/webp"}


def _published(version_id: int) -> tuple[Version, StoredFile]:
    """A version of a published resource and its stored file; anything else is not found."""
    version = (
        Version.objects.select_related("resource", "language")
        .filter(pk=version_id, resource__in=Resource.objects.published())
        .exclude(file="")
        .first()
    )
    stored = StoredFile.objects.filter(name=version.file.name).first() if version else None
    if version is None or stored is None:
        raise Http404("No such file")
    return version, stored


def download_name(version: Version, media_type: str) -> str:
    """The resource's title (or the version's own), its language, and the kind's extension."""
    extension = next((e for m, e, _ in KINDS.values() if m == media_type), (".bin",))[0]
    title = version.title or version.resource.title
    return f"{title[:120].strip()} ({version.language_id}){extension}"


def _served(
    request: HttpRequest, name: str, media_type: str, etag: str, filename: str
) -> HttpResponseBase:
    response: HttpResponseBase
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=media_type)
        disposition = content_disposition_header(media_type not in _INLINE, filename)
        response["Content-Disposition"] = disposition or "attachment"
    response["ETag"] = etag
    response["Cache-Control"] = PUBLIC_CACHE
    response["Content-Security-Policy"] = FILE_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_safe
def version_file(request: HttpRequest, version_id: int, filename: str) -> HttpResponseBase:
    version, stored = _published(version_id)
    name = download_name(version, stored.media_type)
    return _served(request, stored.name, stored.media_type, f'"{stored.sha256}"', name)


@require_safe
def version_thumbnail(request: HttpRequest, version_id: int) -> HttpResponseBase:
    _, stored = _published(version_id)
    if not stored.thumbnail:
        raise Http404("No thumbnail")
    etag = f'"{stored.sha256[:32]}-{stored.thumbnail_width}"'
    return _served(request, stored.thumbnail, "image/webp", etag, "cover.webp")
