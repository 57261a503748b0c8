import sqlite3
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from signpost.catalogue.management.progress import ProgressBar
from signpost.operations.backups import ENGINE_NAMES, BackupRefused, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files to a new folder, or to one file when "
        "the name ends in .tar (docs/backup.md)."
    )
    # A backup is most wanted when something is wrong: no system check may stand in its way.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", type=Path, help="a new folder, or a new file ending in .tar")

    def handle(self, *args: Any, target: Path, **options: Any) -> None:
        bar = ProgressBar(self.stdout, "Copying files")
        try:
            summary = backup_create(target=target, progress=bar)
        except BackupRefused as refused:
            raise CommandError(str(refused)) from refused
        except (DatabaseError, sqlite3.Error, OSError) as error:
            raise CommandError(f"No backup was made: {error}") from error
        bar.finish()
        for name in summary.missing:
            self.stderr.write(f"Missing from storage, so not in the backup: {name}")
        counts = summary.counts
        self.stdout.write(
            f"Backed up {counts['resources']} resources, {counts['versions']} versions and "
            f"{summary.files} files ({summary.size / 1e6:.1f} MB) from "
            f"{ENGINE_NAMES[summary.engine]} to {summary.target} in {summary.seconds:.2f} s."
        )
