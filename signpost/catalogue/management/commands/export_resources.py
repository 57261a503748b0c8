import shutil
import sys
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from signpost.catalogue.interchange import dumps, files_folder
from signpost.catalogue.management.progress import ProgressBar
from signpost.catalogue.models import Resource, Version
from signpost.catalogue.selectors import export_file_name, resource_record, resources_for_export


class Command(BaseCommand):
    help = (
        "Export every resource as JSON Lines (docs/data-format.md), to FILE or standard output; "
        "uploaded files are copied into the folder FILE.files beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")

    def handle(self, *args: Any, file: Path | None, **options: Any) -> None:
        has_files = Version.objects.exclude(file="").exists()
        if file is None:
            if has_files:
                raise CommandError("The catalogue holds uploaded files: export to a FILE.")
            count = 0
            for resource in resources_for_export().iterator(chunk_size=1000):
                sys.stdout.write(dumps(resource_record(resource)) + "\n")
                count += 1
            self.stderr.write(f"Exported {count} resources.")
            return
        total = Resource.objects.count()
        progress = ProgressBar(self.stdout, "Exporting")
        folder = files_folder(file)
        tmp = file.with_name(file.name + ".part")
        copied = 0
        with tmp.open("w", encoding="utf-8", newline="\n") as out:
            for index, resource in enumerate(resources_for_export().iterator(chunk_size=1000), 1):
                record = resource_record(resource)
                for version, written in zip(
                    resource.versions.all(), record["versions"], strict=True
                ):
                    if version.file:
                        written["file"] = export_file_name(version)
                        try:
                            _copy_file(version.file.name, folder / written["file"])
                        except OSError as error:
                            tmp.unlink(missing_ok=True)
                            raise CommandError(
                                f"The file of {resource.uid!r} ({version.language_id} "
                                f"{version.format}) could not be copied: {error}. "
                                "Nothing was exported."
                            ) from error
                        copied += 1
                out.write(dumps(record) + "\n")
                progress(index, total)
        tmp.replace(file)
        where = f" and {copied} file(s) to {folder}" if has_files else ""
        self.stdout.write(f"Exported {total} resources to {file}{where}.")


def _copy_file(name: str, target: Path) -> None:
    """Copy a stored file into the export's folder, over any copy an earlier export left."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with default_storage.open(name, "rb") as source, target.open("wb") as out:
        shutil.copyfileobj(source, out)
