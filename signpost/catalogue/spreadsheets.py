"""CSV that a spreadsheet opens safely: every staff download (links, audit history) uses it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula: "=", "+", "-", "@" (and tab or
    carriage return) at the start get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(header: Sequence[str] | None, rows: Iterable[Sequence[object]]) -> str:
    """CSV with a header line (none where `header` is None: the next piece of a long file)."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
