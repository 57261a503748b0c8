from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from signpost.search.index import index_check, index_repair


class Command(BaseCommand):
    help = "Report where the search index and the catalogue disagree; --repair mends it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="reindex what disagrees")

    def handle(self, *args: Any, repair: bool, **options: Any) -> None:
        report = index_check()
        if report.agrees:
            self.stdout.write(
                f"The index agrees with the catalogue: {report.published} published resources."
            )
            return
        found = (
            f"{len(report.missing)} published but not indexed, "
            f"{len(report.extra)} indexed but not published, "
            f"{len(report.stale)} indexed with out-of-date content"
        )
        if not repair:
            raise CommandError(
                f"The index disagrees with the catalogue: {found} (ids {report.ids[:20]}). "
                "Run check_index --repair to mend it."
            )
        mended = index_repair(report=report)
        after = index_check()
        if not after.agrees:
            raise CommandError(f"The index still disagrees after repair: ids {after.ids[:20]}.")
        self.stdout.write(f"Found {found}; reindexed {mended} resources. The index now agrees.")
