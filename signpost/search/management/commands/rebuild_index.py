import time
from typing import Any

from django.core.management.base import BaseCommand

from signpost.catalogue.management.progress import ProgressBar
from signpost.search.index import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from the catalogue."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = index_rebuild(progress=ProgressBar(self.stdout, "Indexing"))
        self.stdout.write(
            f"Indexed {count} published resources in {time.perf_counter() - started:.1f} s."
        )
