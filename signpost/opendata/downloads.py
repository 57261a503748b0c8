"""The published catalogue as files: JSONL (the interchange format) and CSV.

A download holds only what the public site shows: the editorial fields of the interchange
format (status, the owner's agreement, review dates) are left out.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterable, Iterator

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS

from signpost.catalogue.interchange import dumps
from signpost.catalogue.models import Resource
from signpost.catalogue.selectors import public_record
from signpost.catalogue.spreadsheets import csv_text
from signpost.search.facets import index_version

from .selectors import catalogue_in_batches

# Where the whole-catalogue files are kept, in the file storage (the media folder or S3).
DOWNLOADS_FOLDER = "downloads"
# A search's CSV holds at most this many; the whole catalogue is a download of its own.
SEARCH_DOWNLOAD_LIMIT = 10_000

CSV_COLUMNS = [
    "id", "title", "page", "type", "published", "publishers", "authors", "other organisations",
    "people", "topics", "audiences", "countries", "series", "languages", "links", "summary",
    "access note",
]  # fmt: skip


def jsonl_lines(resources: Iterable[Resource], *, base_url: str) -> Iterator[str]:
    for resource in resources:
        record = public_record(resource, base_url=base_url)
        yield dumps(record) + "\n"


def _joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def csv_row(resource: Resource, *, base_url: str) -> list[object]:
    links = resource.resource_organisations.all()
    versions = list(resource.versions.all())
    return [
        resource.uid,
        resource.title,
        base_url + resource.get_absolute_url(),
        resource.get_resource_type_display(),
        resource.published_iso,
        _joined(link.organisation.name for link in links if link.role == "publisher"),
        _joined(
            [link.organisation.name for link in links if link.role == "author"]
            + [p.person.name for p in resource.resource_people.all() if p.role == "author"]
        ),
        _joined(
            f"{link.organisation.name} ({link.get_role_display().lower()})"
            for link in links
            if link.role not in ("publisher", "author")
        ),
        _joined(
            f"{link.person.name} ({link.get_role_display().lower()})"
            for link in resource.resource_people.all()
        ),
        _joined(t.name for t in resource.topics.all()),
        _joined(a.name for a in resource.audiences.all()),
        _joined(c.name for c in resource.countries.all()),
        resource.series.name if resource.series else "",
        _joined(dict.fromkeys(v.language_id for v in versions)),
        _joined((v.href if v.is_external else base_url + v.href) for v in versions if v.href),
        resource.summary,
        resource.access_note,
    ]


def csv_chunks(resources: Iterable[Resource], *, base_url: str, batch: int = 200) -> Iterator[str]:
    """The CSV a piece at a time (header first), every cell safe to open in a spreadsheet."""
    rows: list[list[object]] = []
    header_sent = False
    for resource in resources:
        rows.append(csv_row(resource, base_url=base_url))
        if len(rows) == batch:
            yield _csv_piece(rows, with_header=not header_sent)
            rows, header_sent = [], True
    if rows or not header_sent:
        yield _csv_piece(rows, with_header=not header_sent)


def _csv_piece(rows: list[list[object]], *, with_header: bool) -> str:
    # With the header goes a byte order mark: without it Excel reads UTF-8 as another
    # encoding and garbles every dash and accent; csv readers that know UTF-8 skip it.
    if with_header:
        return "\ufeff" + csv_text(CSV_COLUMNS, rows)
    return csv_text(None, rows)


def catalogue_file(format: str, *, base_url: str) -> tuple[File, str]:
    """The whole catalogue as one file, made once for each state of the catalogue and kept
    in the file storage: a download costs a file read, not a pass over every resource (at
    100,000 resources that pass takes minutes). Returns the open file and its version tag."""
    # The index's version changes with every write to what the catalogue shows; the address
    # of the site is in every record.
    version = index_version(DEFAULT_DB_ALIAS)
    tag = hashlib.sha256(f"{version}|{base_url}|{format}".encode()).hexdigest()[:20]
    name = f"{DOWNLOADS_FOLDER}/signpost-catalogue-{tag}.{format}"
    if not default_storage.exists(name):
        resources = catalogue_in_batches()
        pieces = (
            jsonl_lines(resources, base_url=base_url)
            if format == "jsonl"
            else csv_chunks(resources, base_url=base_url)
        )
        with tempfile.TemporaryFile() as made:
            for piece in pieces:
                made.write(piece.encode())
            made.seek(0)
            saved = default_storage.save(name, File(made))
        _older_removed(keep=saved, format=format)
        name = saved
    return default_storage.open(name), tag


def _older_removed(*, keep: str, format: str) -> None:
    """Files of earlier states of the catalogue go once a newer one is made."""
    with contextlib.suppress(FileNotFoundError, NotImplementedError):
        for file_name in default_storage.listdir(DOWNLOADS_FOLDER)[1]:
            path = f"{DOWNLOADS_FOLDER}/{file_name}"
            if path != keep and file_name.endswith(f".{format}"):
                default_storage.delete(path)
