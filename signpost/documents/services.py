"""Taking in files (check, then store once) and reading them (text, thumbnail), for versions."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext

from signpost.catalogue.files import FileRefused
from signpost.catalogue.models import StoredFile, TextState, Version
from signpost.catalogue.services import (
    stored_file_create,
    stored_file_read_record,
    version_files_link,
)

from . import sandbox
from .reader import KINDS, Refused
from .uploads import too_large_message

logger = logging.getLogger(__name__)

# Names browsers give for the accepted kinds besides the standard one.
_ALSO_CLAIMED = {"image/jpeg": {"image/jpg", "image/pjpeg"}, "image/png": {"image/x-png"}}
_CLAIMS_NOTHING = {"", "application/octet-stream", "binary/octet-stream"}


def _claims_match(kind: str, name: str, claimed_type: str) -> None:
    media_type, extensions, label = KINDS[kind]
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in extensions:
        if suffix:
            # Translators: the name's ending (.docx), then the kind of file (PDF, PNG image).
            message = gettext(
                "The file is named %(suffix)s but it is a %(kind)s: rename it, or upload the "
                "right file."
            )
        else:
            # Translators: the kind of file (PDF, Word document (DOCX), PNG image).
            message = gettext(
                "The file is named without a type but it is a %(kind)s: rename it, or upload "
                "the right file."
            )
        raise FileRefused(message % {"suffix": suffix, "kind": gettext(label)})
    claimed = claimed_type.split(";")[0].strip().lower()
    if claimed not in _CLAIMS_NOTHING | {media_type} | _ALSO_CLAIMED.get(media_type, set()):
        raise FileRefused(
            # Translators: a media type (text/html), then the kind of file (PDF, PNG image).
            gettext("Your browser sent the file as %(claimed)s, but it is a %(kind)s.")
            % {"claimed": claimed, "kind": gettext(label)}
        )


def _checked(path: Path, name: str, claimed_type: str = "") -> tuple[str, int | None]:
    """The file's kind and page count; raises FileRefused with the reason for a person."""
    status = path.stat()
    if status.st_size > settings.DOCUMENT_MAX_BYTES:
        raise FileRefused(too_large_message())
    if status.st_size == 0:
        raise FileRefused(gettext("The file is empty."))
    kind, pages = _sandbox_check(str(path), status.st_size, status.st_mtime_ns)
    _claims_match(kind, name, claimed_type)
    return kind, pages


@functools.lru_cache(maxsize=64)
def _sandbox_check(path: str, size: int, mtime_ns: int) -> tuple[str, int | None]:
    """The sandbox's check of one file, once: an import checks each file as it validates its
    line and again as it stores it. Keyed by the file's size and time of change too, so an
    edited file is checked anew; a refusal is not kept (the exception passes through)."""
    try:
        answer = sandbox.run("check", Path(path))
    except Refused as refused:
        raise FileRefused(refused.text(gettext, _grouped)) from refused
    except sandbox.Unreadable as unreadable:
        raise FileRefused(
            gettext("The file could not be checked: %(reason)s.") % {"reason": unreadable}
        ) from unreadable
    return str(answer["kind"]), answer.get("pages")


def _grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


def document_check(path: Path, name: str) -> None:
    """For the import: refuse a file the catalogue would not keep (catalogue.files.Check)."""
    _checked(path, name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def document_store(path: Path, name: str, claimed_type: str = "") -> tuple[str, bool]:
    """Check the file and store it under a random name, once: the same bytes uploaded again
    are the same stored file. Its text and thumbnail are read after the transaction commits.
    Returns (its name in storage, whether it was stored now)."""
    kind, pages = _checked(path, name, claimed_type)
    sha256 = _sha256(path)
    existing = StoredFile.objects.filter(sha256=sha256).first()
    if existing is not None:
        if default_storage.exists(existing.name):
            return existing.name, False
        # Recorded but gone from storage (restored elsewhere, or lost): put the bytes back.
        with path.open("rb") as handle:
            default_storage.save(existing.name, File(handle))
        return existing.name, True
    media_type, extensions, _ = KINDS[kind]
    target = f"documents/{secrets.token_hex(16)}{extensions[0]}"
    try:
        with path.open("rb") as handle:
            stored_name = default_storage.save(target, File(handle))
    except Exception as error:  # any storage's failure: a full disk, object storage down
        logger.exception("Could not store an upload")
        raise FileRefused(
            gettext("The file could not be stored just now: try again in a few minutes.")
        ) from error
    try:
        with transaction.atomic():
            stored = stored_file_create(
                name=stored_name,
                sha256=sha256,
                size=path.stat().st_size,
                media_type=media_type,
                page_count=pages,
            )
    except (IntegrityError, ValidationError):
        # The same bytes, sent at the same moment by someone else, were recorded first.
        default_storage.delete(stored_name)
        return StoredFile.objects.get(sha256=sha256).name, False
    transaction.on_commit(lambda: _read_later(stored.pk))
    return stored_name, True


def _read_later(stored_id: int) -> None:
    from .tasks import read_file

    read_file.enqueue(stored_id)


@contextlib.contextmanager
def _local_copy(upload: UploadedFile) -> Iterator[Path]:
    """An upload as a file on this machine, wherever Django put it."""
    temporary_path = getattr(upload, "temporary_file_path", None)
    if temporary_path is not None:
        yield Path(temporary_path())
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def upload_store(upload: UploadedFile) -> str:
    """An uploaded file checked and stored: its name in storage; raises FileRefused."""
    if upload.size is not None and upload.size > settings.DOCUMENT_MAX_BYTES:
        raise FileRefused(too_large_message())
    with _local_copy(upload) as path, transaction.atomic():
        stored, _ = document_store(path, upload.name or "", upload.content_type or "")
        return stored


@contextlib.contextmanager
def _from_storage(name: str) -> Iterator[Path]:
    """A stored file as a file on this machine: itself when stored locally, else a copy."""
    try:
        yield Path(default_storage.path(name))
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=PurePosixPath(name).suffix) as copy:
        with default_storage.open(name, "rb") as source:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def stored_file_read(*, stored: StoredFile) -> str:
    """Read a stored file's text page by page and draw its thumbnail, each in the sandbox;
    what cannot be read is recorded for editors, and the file stays published."""
    pages: list[str] = []
    state, note = TextState.READ, ""
    thumbnail, width, height = "", None, None
    # What is recorded (the note) is in the site's language, whoever's request queued it.
    with (
        translation.override(settings.LANGUAGE_CODE),
        _from_storage(stored.name) as path,
        tempfile.TemporaryDirectory() as folder,
    ):
        out = Path(folder) / "thumbnail.webp"
        try:
            answer = sandbox.run("read", path, str(out))
        except (Refused, sandbox.Unreadable) as error:
            answer = {"text_refused": str(error)}
        pages = list(answer.get("pages") or [])
        if "text_refused" in answer or "text_failed" in answer:
            why = answer.get("text_refused") or "the reader could not make sense of it"
            state, note = TextState.FAILED, f"Its text could not be read: {why}."
        elif not pages:
            state, note = TextState.NO_TEXT, "No text found: it may be a scan or a picture."
        drawn = answer.get("thumbnail") or {}
        if drawn.get("width"):
            with out.open("rb") as handle:
                thumbnail = default_storage.save(
                    f"thumbnails/{secrets.token_hex(16)}.webp", File(handle)
                )
            width, height = drawn["width"], drawn["height"]
        elif "thumbnail_failed" in answer:
            logger.warning(
                "No thumbnail for stored file %s: %s", stored.pk, answer["thumbnail_failed"]
            )
    old_thumbnail = stored.thumbnail
    stored_file_read_record(
        stored=stored,
        pages=pages,
        state=state,
        note=note,
        thumbnail=thumbnail,
        width=width,
        height=height,
    )
    if old_thumbnail and old_thumbnail != thumbnail:
        default_storage.delete(old_thumbnail)
    return f"{stored.name}: {state}, {len(pages)} pages"


def versions_without_records_record() -> tuple[int, list[tuple[str, str]]]:
    """Record the files of versions stored before files had records: each is checked as an
    upload is, and linked to its versions. Returns (how many recorded, [(name, why not)])."""
    names = (
        Version.objects.exclude(file="").filter(stored__isnull=True).values_list("file", flat=True)
    )
    recorded, refused = 0, []
    for name in sorted(set(names)):
        try:
            with _from_storage(name) as path, transaction.atomic():
                kind, pages = _checked(path, name)
                twin = StoredFile.objects.filter(sha256=_sha256(path)).first()
                if twin is not None:  # the same bytes, recorded already: one file serves both
                    version_files_link(stored=twin, name=name)
                    recorded += 1
                    continue
                stored = stored_file_create(
                    name=name,
                    sha256=_sha256(path),
                    size=path.stat().st_size,
                    media_type=KINDS[kind][0],
                    page_count=pages,
                )
                version_files_link(stored=stored)
            recorded += 1
        except (FileRefused, OSError) as error:
            refused.append((name, str(error)))
    return recorded, refused
