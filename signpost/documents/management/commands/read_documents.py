"""Read stored files now: those waiting (after an upgrade, or with no worker running), or all
of them again (after a change of limits); files of versions from before stored-file records
existed are recorded first."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from signpost.catalogue.models import StoredFile, TextState
from signpost.documents.services import stored_file_read, versions_without_records_record


class Command(BaseCommand):
    help = "Read the text and draw the thumbnail of stored files waiting to be read (or --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="read every stored file again")

    def handle(self, *args: Any, all: bool, **options: Any) -> None:
        recorded, refused = versions_without_records_record()
        for name, reason in refused:
            self.stderr.write(f"Not recorded: {name}: {reason}")
        files = StoredFile.objects.order_by("pk")
        if not all:
            files = files.filter(text_state=TextState.PENDING)
        counts: dict[str, int] = {}
        for stored in files.iterator():
            stored_file_read(stored=stored)
            stored.refresh_from_db()
            counts[stored.text_state] = counts.get(stored.text_state, 0) + 1
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none"
        self.stdout.write(f"Recorded {recorded} older file(s); read: {summary}.")
