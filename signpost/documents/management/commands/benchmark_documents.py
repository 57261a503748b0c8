"""Reading benchmark: how long checking, reading and drawing one file takes, per page.

Each file is checked (as on upload) and read (text and thumbnail, as the background task
does) several times in the sandbox, a child process each time, as the site runs them; the
figures are medians. Files: the demo leaflets and poster, and a long PDF made from a
leaflet's pages repeated, so that the cost per page shows apart from the cost per file.
"""

from __future__ import annotations

import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from signpost.documents import sandbox

ACTIONS = ("check", "text", "thumbnail", "read")
DEMO_FILES = Path(settings.BASE_DIR) / "data" / "demo.files"


def _long_pdf(source: Path, pages: int, target: Path) -> Path:
    """A PDF of `pages` pages, the source's pages over and over."""
    import pypdfium2 as pdfium

    original = pdfium.PdfDocument(str(source))
    document = pdfium.PdfDocument.new()
    while len(document) < pages:
        document.import_pages(original, list(range(min(len(original), pages - len(document)))))
    document.save(str(target))
    return target


class Command(BaseCommand):
    help = "Measure checking, reading and thumbnail time per file and per page (medians)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=7)
        parser.add_argument("--long-pages", type=int, default=60)

    def handle(self, *args: Any, repeat: int, long_pages: int, **options: Any) -> None:
        with tempfile.TemporaryDirectory() as folder:
            leaflet = next(DEMO_FILES.glob("*-en-pdf.pdf"))
            files = [
                *sorted(DEMO_FILES.glob("*.pdf")),
                *sorted(DEMO_FILES.glob("*.png")),
                _long_pdf(leaflet, long_pages, Path(folder) / f"long-{long_pages}.pdf"),
            ]
            self.stdout.write(
                f"Machine: {platform.machine()}, {platform.python_implementation()} "
                f"{platform.python_version()}; each figure the median of {repeat} runs"
            )
            self.stdout.write(
                "| file | pages | check ms | text ms | text ms per page | thumbnail ms "
                "| read (text and thumbnail) ms |"
            )
            self.stdout.write("|---|---|---|---|---|---|---|")
            out = str(Path(folder) / "thumbnail.webp")
            for path in files:
                timings: dict[str, list[float]] = {a: [] for a in ACTIONS}
                pages = 1
                for _ in range(repeat):
                    for action in ACTIONS:
                        started = time.perf_counter()
                        answer = sandbox.run(action, path, out)
                        timings[action].append((time.perf_counter() - started) * 1000)
                        if action == "check":
                            pages = int(answer.get("pages") or 1)
                check, text, picture, read = (statistics.median(timings[a]) for a in ACTIONS)
                self.stdout.write(
                    f"| {path.name} | {pages} | {check:.0f} | {text:.0f} | {text / pages:.1f} "
                    f"| {picture:.0f} | {read:.0f} |"
                )
