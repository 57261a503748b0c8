"""The published catalogue as files: JSONL (the interchange format) and CSV.

A download holds only what the public site shows: the editorial fields of the interchange
format (status, the owner's agreement, review dates) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from signpost.catalogue.interchange import dumps
from signpost.catalogue.models import Resource
from signpost.catalogue.selectors import public_record
from signpost.catalogue.spreadsheets import csv_text

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
