from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from signpost.catalogue.interchange import InterchangeError, file_lines, files_folder
from signpost.catalogue.management.progress import ProgressBar
from signpost.catalogue.services import resources_import


class Command(BaseCommand):
    help = (
        "Import resources from a JSON Lines file (docs/data-format.md); all or nothing. "
        "Uploaded files are read from the folder FILE.files beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"Cannot read {file}: there is no such file.")

        def waiting() -> None:
            self.stdout.write("Waiting for another import to finish before this one starts…")
            self.stdout.flush()

        bar = ProgressBar(self.stdout, "Importing")
        try:
            total = _count_lines(file) if bar.enabled else 0
            summary = resources_import(
                lines=file_lines(file),
                files_dir=files_folder(file),
                progress=lambda done: bar(done, total),
                on_wait=waiting,
                source=file.name,
            )
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from error
        except InterchangeError as error:
            count = len(error.problems)
            raise CommandError(
                f"{file} was not imported; nothing was written. {count} problem(s):\n{error}"
            ) from error
        except DatabaseError as error:
            raise CommandError(f"{file} was not imported; nothing was written: {error}") from error
        bar.finish()
        self.stdout.write(f"Imported {file}: {summary}.")


def _count_lines(file: Path) -> int:
    """Lines that may hold a record, for the progress bar: counted without decoding."""
    count = 0
    with file.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            count += chunk.count(b"\n")
    return count
