"""Link reports as CSV."""

from __future__ import annotations

from collections.abc import Iterable

from signpost.catalogue.spreadsheets import csv_text

from .models import Link

COLUMNS = [
    "url", "state", "last outcome", "failed checks in a row", "failing since",
    "last seen working", "last checked", "proposed new address", "changed since review",
]  # fmt: skip


def links_csv(links: Iterable[Link]) -> str:
    return csv_text(
        COLUMNS,
        (
            [
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
            for link in links
        ),
    )
