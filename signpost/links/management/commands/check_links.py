from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from signpost.catalogue.management.progress import ProgressBar
from signpost.links.services import links_check


class Command(BaseCommand):
    help = "Check the external addresses of published resources and organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, help="check at most this many, oldest first")

    def handle(self, *args: Any, limit: int | None, **options: Any) -> None:
        bar = ProgressBar(self.stdout, "Checking")
        summary = links_check(limit=limit, progress=bar)
        bar.finish()
        self.stdout.write(f"Link check: {summary}.")
