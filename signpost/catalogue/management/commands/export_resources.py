import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from signpost.catalogue.interchange import dumps
from signpost.catalogue.management.progress import ProgressBar
from signpost.catalogue.selectors import resource_record, resources_for_export


class Command(BaseCommand):
    help = "Export every resource as JSON Lines (docs/data-format.md), to FILE or standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")

    def handle(self, *args: Any, file: Path | None, **options: Any) -> None:
        resources = list(resources_for_export())
        lines = [dumps(resource_record(r)) + "\n" for r in resources]
        if file is None:
            sys.stdout.write("".join(lines))
            self.stderr.write(f"Exported {len(lines)} resources.")
            return
        progress = ProgressBar(self.stdout, "Exporting")
        tmp = file.with_name(file.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="\n") as out:
            for index, line in enumerate(lines, start=1):
                out.write(line)
                progress(index, len(lines))
        tmp.replace(file)
        self.stdout.write(f"Exported {len(lines)} resources to {file}.")
