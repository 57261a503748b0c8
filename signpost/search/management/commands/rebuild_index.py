import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from signpost.catalogue.management.progress import ProgressBar
from signpost.search.index import index_rebuild


def _peak_memory() -> str:
    """This process's peak resident memory, where Linux tells it (VmHWM)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return ""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return f"; peak memory {int(line.split()[1]) // 1024} MB"
    return ""


class Command(BaseCommand):
    help = "Rebuild the search index from the catalogue."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = index_rebuild(progress=ProgressBar(self.stdout, "Indexing"))
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Indexed {count} published resources in {seconds:.1f} s{_peak_memory()}."
        )
