from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from signpost.catalogue.interchange import InterchangeError
from signpost.catalogue.management.progress import ProgressBar
from signpost.catalogue.services import resources_import


class Command(BaseCommand):
    help = "Import resources from a JSON Lines file (docs/data-format.md); all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            summary = resources_import(lines=lines, progress=ProgressBar(self.stdout, "Importing"))
        except InterchangeError as error:
            count = len(error.problems)
            raise CommandError(
                f"{file} was not imported; nothing was written. {count} problem(s):\n{error}"
            ) from error
        except DatabaseError as error:
            raise CommandError(f"{file} was not imported; nothing was written: {error}") from error
        self.stdout.write(f"Imported {file}: {summary}.")
