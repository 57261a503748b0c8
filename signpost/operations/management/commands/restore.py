import datetime
import sqlite3
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from signpost.catalogue.management.progress import ProgressBar
from signpost.operations.backups import ENGINE_NAMES, BackupRefused, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup (a folder or a .tar file made by `backup`) into an empty database "
        "and the file storage, after checking it whole (docs/backup.md)."
    )
    # The system checks would open (and so create) a SQLite database before the backup is
    # known to be whole, and have nothing to say about a database about to be replaced.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="the backup's folder or .tar file")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace everything in a database that is not empty",
        )

    def handle(self, *args: Any, source: Path, replace: bool, **options: Any) -> None:
        bar = ProgressBar(self.stdout, "Storing files")
        try:
            summary = backup_restore(source=source, replace=replace, progress=bar)
        except BackupRefused as refused:
            raise CommandError(str(refused)) from refused
        except (DatabaseError, sqlite3.Error, OSError) as error:
            raise CommandError(f"The restore stopped: {error}") from error
        bar.finish()
        counts = summary.counts
        made = datetime.datetime.fromisoformat(summary.created_at).strftime("%Y-%m-%d %H:%M UTC")
        migrated = (
            f"; then {summary.migrations_applied} newer migration(s) applied"
            if summary.migrations_applied
            else ""
        )
        self.stdout.write(
            f"Restored {counts['resources']} resources, {counts['versions']} versions and "
            f"{summary.files_stored} files from {summary.source} (a "
            f"{ENGINE_NAMES[summary.engine]} backup made {made}) in "
            f"{summary.seconds:.2f} s{migrated}."
        )
