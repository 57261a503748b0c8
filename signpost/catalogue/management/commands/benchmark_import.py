"""Import benchmark: write a synthetic interchange file, then import it into an empty catalogue.

Run it through `make benchmark-import`, which points it at a database of its own; it refuses
any database whose name does not contain "bench", since it empties the catalogue. The import
runs in a child process, as an operator runs it, which reports its own peak memory.
"""

from __future__ import annotations

import json
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from signpost.catalogue.events import announce_resources_changed
from signpost.catalogue.interchange import dumps
from signpost.catalogue.models import (
    Audience,
    Country,
    Organisation,
    Person,
    Resource,
    ResourceType,
    Series,
    Topic,
)

DEMO_FILE = Path(settings.BASE_DIR) / "data" / "demo.jsonl"
LANGUAGES = ["en", "uk", "ru", "pl", "vi", "ro", "sq", "zh"]


def demo_vocabulary() -> list[str]:
    """Words of the demo catalogue's summaries, most used first."""
    counts: dict[str, int] = {}
    for line in DEMO_FILE.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            for word in re.findall(r"[a-z]{3,}", json.loads(line)["summary"].lower()):
                counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: -counts[w])


def write_synthetic_file(path: Path, count: int, seed: int) -> None:
    """`count` published resources shaped like the demo's: terms, organisations, versions."""
    rng = random.Random(seed)
    vocabulary = demo_vocabulary()
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

    def words(n: int) -> str:
        return " ".join(rng.choices(vocabulary, weights=weights, k=n))

    topics = [f"Topic {i} {words(2)}" for i in range(40)]
    audiences = [f"Audience {i}" for i in range(15)]
    countries = [f"Country {i}" for i in range(30)]
    organisations = [f"Organisation {i} {words(2)}" for i in range(300)]
    people = [f"Person {i}" for i in range(2000)]
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for i in range(count):
            year = rng.randint(2000, 2026)
            record = {
                "id": f"bench-{i}",
                "title": words(rng.randint(6, 14)).capitalize(),
                "summary": words(rng.randint(40, 120)) + ".\n\n" + words(rng.randint(10, 40)),
                "resource_type": rng.choice(ResourceType.values),
                "published": f"{year}-{rng.randint(1, 12):02d}",
                "organisations": [
                    {"name": name, "role": "publisher"}
                    for name in rng.sample(organisations, rng.randint(1, 3))
                ],
                "people": [
                    {"name": name, "role": "author"}
                    for name in rng.sample(people, rng.randint(0, 2))
                ],
                "topics": rng.sample(topics, rng.randint(1, 4)),
                "audiences": rng.sample(audiences, rng.randint(1, 3)),
                "countries": rng.sample(countries, rng.randint(0, 2)),
                "series": f"Series {rng.randrange(50)}" if rng.random() < 0.1 else None,
                "related": [f"bench-{rng.randrange(i)}"] if i and rng.random() < 0.2 else [],
                "status": "published",
                "owner_agreement": {"by": "Benchmark", "on": None, "how": "Synthetic"},
                "versions": [
                    {
                        "language": code,
                        "format": "pdf",
                        "url": f"https://example.org/{i}/{code}.pdf",
                        "title": "",
                    }
                    for code in ["en", *rng.sample(LANGUAGES[1:], rng.randint(0, 2))]
                ],
            }
            out.write(dumps(record) + "\n")


class Command(BaseCommand):
    help = "Import a synthetic catalogue of N resources into an empty database; report the time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resources", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, resources: int, runs: int, seed: int, **options: Any) -> None:
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in name:
            raise CommandError(
                f"Refusing to empty the catalogue in {name!r}: use a database named *bench*."
            )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "synthetic.jsonl"
            write_synthetic_file(path, resources, seed)
            size = path.stat().st_size
            seconds: list[float] = []
            peaks: list[float] = []
            for run in range(1, runs + 1):
                self._empty()
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-c", _CHILD, str(path)],
                    cwd=settings.BASE_DIR,
                    capture_output=True,
                    text=True,
                )
                if done.returncode:
                    raise CommandError(done.stdout + done.stderr)
                seconds.append(time.perf_counter() - started)
                peak = re.search(r"peak memory (\d+) MB", done.stdout)
                peaks.append(float(peak.group(1)) if peak else float("nan"))
                self.stdout.write(
                    f"  run {run}: {seconds[-1]:.1f} s, peak memory {peaks[-1]:.0f} MB"
                )
        median = statistics.median(seconds)
        self.stdout.write("")
        self.stdout.write(
            f"Backend: {connection.vendor}; {resources} resources; file {size / 1e6:.0f} MB"
        )
        self.stdout.write(
            f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
        )
        self.stdout.write(
            f"Import with the index, median of {runs}: {median:.1f} s "
            f"({resources / median:,.0f} resources a second); peak memory {max(peaks):.0f} MB"
        )
        indexed = Resource.objects.published().count()
        self.stdout.write(f"Published after the last run: {indexed}")

    def _empty(self) -> None:
        with transaction.atomic():
            ids = list(Resource.objects.values_list("pk", flat=True))
            Resource.related.through.objects.all().delete()
            Resource.objects.all().delete()
            for model in (Topic, Audience, Country, Organisation, Person, Series):
                model.objects.all().delete()
            announce_resources_changed(ids)
        if connection.vendor == "postgresql":
            # Each run starts from tables without the dead rows of the one before.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")


# The import as `manage.py import_resources` runs it, then the child's own peak memory.
_CHILD = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signpost.settings.dev")
import django
django.setup()
from django.core.management import call_command
call_command("import_resources", sys.argv[1])
with open("/proc/self/status") as status:
    peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM"))
print(f"peak memory {peak // 1024} MB")
"""
