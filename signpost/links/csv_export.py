"""Link reports as CSV that a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .models import Link

COLUMNS = [
    "url", "state", "last outcome", "failed checks in a row", "failing since",
    "last seen working", "last checked", "proposed new address", "changed since review",
]  # fmt: skip


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula: "=", "+", "-", "@" (and tab or
    carriage return) at the start get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def links_csv(links: Iterable[Link]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for link in links:
        row = [
            link.url,
            "broken" if link.is_broken else "failing" if link.failures else "ok",
            link.get_last_outcome_display(),
            link.failures,
            link.failing_since,
            link.last_ok_at,
            link.last_checked_at,
            link.proposed_url,
            link.changed_at,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
