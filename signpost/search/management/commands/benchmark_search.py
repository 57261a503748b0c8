"""Search benchmark: a synthetic catalogue, then server-side latency of a fixed query mix.

Run it through `make benchmark`, which points it at a database of its own; it refuses any
database whose name does not contain "bench", since it replaces the whole catalogue.
"""

from __future__ import annotations

import datetime
import json
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from signpost.catalogue.models import (
    Audience,
    Country,
    FilePage,
    Language,
    Organisation,
    Resource,
    ResourceOrganisation,
    ResourceType,
    StoredFile,
    TextState,
    Topic,
    Version,
)
from signpost.search.engine import SearchParams, search
from signpost.search.query import words_of

DEMO_FILE = Path(settings.BASE_DIR) / "data" / "demo.jsonl"
# The words left out of the synthetic vocabulary: fixed here, not taken from the search's own
# stop words, so that the catalogue and the queries stay the same when those change and
# figures from before and after a change compare like with like.
VOCABULARY_STOPWORDS = frozenset(
    (
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "how",
        "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were",
        "what", "when", "where", "which", "who", "will", "with",
    )
)  # fmt: skip
KINDS = ("one word", "two words", "phrase", "facets", "miss", "typo")


def _vocabulary() -> list[str]:
    """Words in the order of how often the demo catalogue uses them: a realistic vocabulary."""
    counts: dict[str, int] = {}
    for line in DEMO_FILE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for word in words_of(record["title"] + " " + record["summary"]):
            if len(word) > 2 and not word.isdigit() and word not in VOCABULARY_STOPWORDS:
                counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: -counts[w])


class Command(BaseCommand):
    help = "Build a synthetic catalogue and measure search latency (p50, p95, p99)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resources", type=int, default=100_000)
        parser.add_argument("--per-kind", type=int, default=50, help="searches of each kind")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--reuse", action="store_true", help="keep the catalogue already built; reindex it"
        )
        parser.add_argument(
            "--text-share",
            type=float,
            default=0.0,
            help="the share of resources with an uploaded file whose text is indexed (0.1: 10%%)",
        )
        parser.add_argument(
            "--text-pages", type=int, default=20, help="pages of text in each such file"
        )

    def handle(
        self,
        *args: Any,
        resources: int,
        per_kind: int,
        seed: int,
        reuse: bool,
        text_share: float,
        text_pages: int,
        **options: Any,
    ) -> None:
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in name:
            raise CommandError(
                f"Refusing to replace the catalogue in {name!r}: use a database named *bench*."
            )
        rng = random.Random(seed)
        vocabulary = _vocabulary()
        weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

        def words(n: int) -> str:
            return " ".join(rng.choices(vocabulary, weights=weights, k=n))

        if reuse:
            resources = Resource.objects.count()
        else:
            started = time.perf_counter()
            self._build(resources, rng, words)
            if text_share:
                self._files(rng, words, text_share, text_pages)
            self.stdout.write(
                f"Built {resources} resources in {time.perf_counter() - started:.0f} s."
            )
        build_seconds, peak_mb = self._index()

        queries = self._queries(rng, vocabulary, weights, per_kind)
        for params, _ in queries[:10]:
            search(params)  # warm the caches as a running server would be
        timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
        for params, kind in queries:
            started = time.perf_counter()
            search(params)
            timings[kind].append((time.perf_counter() - started) * 1000)
        self._report(resources, build_seconds, peak_mb, timings)

    def _build(self, count: int, rng: random.Random, words: Callable[[int], str]) -> None:
        with transaction.atomic():
            Resource.objects.all().delete()
            for model in (Topic, Audience, Country, Organisation):
                model.objects.all().delete()
            topics = Topic.objects.bulk_create(
                Topic(name=f"Topic {i} {words(2)}", slug=f"topic-{i}") for i in range(40)
            )
            audiences = Audience.objects.bulk_create(
                Audience(name=f"Audience {i}", slug=f"audience-{i}") for i in range(15)
            )
            countries = Country.objects.bulk_create(
                Country(name=f"Country {i}", slug=f"country-{i}") for i in range(30)
            )
            organisations = Organisation.objects.bulk_create(
                Organisation(
                    name=f"Organisation {i} {words(2)}",
                    slug=f"organisation-{i}",
                    abbreviation=f"ORG{i}",
                )
                for i in range(300)
            )
            languages = list(Language.objects.values_list("code", flat=True)) or ["en"]
            types = ResourceType.values
            batch = 5000
            for start in range(0, count, batch):
                rows = []
                for i in range(start, min(start + batch, count)):
                    year = rng.randint(2000, 2026)
                    rows.append(
                        Resource(
                            uid=f"bench-{i}",
                            slug=f"bench-{i}",
                            title=words(rng.randint(6, 14)).capitalize(),
                            summary=words(rng.randint(40, 120))
                            + ".\n\n"
                            + words(rng.randint(10, 40))
                            + ".",
                            resource_type=rng.choice(types),
                            published_date=datetime.date(year, 1, 1),
                            published_precision="year",
                            status="published",
                            agreement_by="Benchmark",
                        )
                    )
                created = Resource.objects.bulk_create(rows)
                Topic.resources.through.objects.bulk_create(
                    Topic.resources.through(resource_id=r.pk, topic_id=t.pk)
                    for r in created
                    for t in rng.sample(topics, rng.randint(1, 4))
                )
                Audience.resources.through.objects.bulk_create(
                    Audience.resources.through(resource_id=r.pk, audience_id=a.pk)
                    for r in created
                    for a in rng.sample(audiences, rng.randint(1, 3))
                )
                Country.resources.through.objects.bulk_create(
                    Country.resources.through(resource_id=r.pk, country_id=c.pk)
                    for r in created
                    for c in rng.sample(countries, rng.randint(0, 2))
                )
                ResourceOrganisation.objects.bulk_create(
                    ResourceOrganisation(
                        resource_id=r.pk, organisation_id=o.pk, role="publisher", position=n
                    )
                    for r in created
                    for n, o in enumerate(rng.sample(organisations, rng.randint(1, 3)))
                )
                Version.objects.bulk_create(
                    Version(resource_id=r.pk, language_id=code, format="pdf", position=n)
                    for r in created
                    for n, code in enumerate(["en", *rng.sample(languages, rng.randint(0, 2))])
                    if code != "en" or n == 0
                )
                self.stdout.write(f"  {min(start + batch, count)} resources")

    def _files(
        self, rng: random.Random, words: Callable[[int], str], share: float, pages: int
    ) -> None:
        """Give a share of the resources a file with pages of text (about 300 words a page),
        as if uploaded and read: the text the index build must take in."""
        ids = list(Resource.objects.order_by("pk").values_list("pk", flat=True))
        chosen = sorted(rng.sample(ids, int(len(ids) * share)))
        for start in range(0, len(chosen), 500):
            with transaction.atomic():
                batch = chosen[start : start + 500]
                files = StoredFile.objects.bulk_create(
                    StoredFile(
                        name=f"bench/{pk}.pdf",
                        sha256=f"{pk:064d}",
                        size=pages * 40_000,
                        media_type="application/pdf",
                        page_count=pages,
                        text_state=TextState.READ,
                    )
                    for pk in batch
                )
                by_resource = {int(f.name[6:-4]): f for f in files}
                versions = list(
                    Version.objects.filter(resource_id__in=batch, position=0, language_id="en")
                )
                for version in versions:
                    version.file = by_resource[version.resource_id].name
                    version.stored = by_resource[version.resource_id]
                Version.objects.bulk_update(versions, ["file", "stored"])
                FilePage.objects.bulk_create(
                    (
                        FilePage(file=f, number=n, text=words(300) + ".")
                        for f in files
                        for n in range(1, pages + 1)
                    ),
                    batch_size=2000,
                )
            self.stdout.write(f"  {min(start + 500, len(chosen))} files of {pages} pages")

    def _index(self) -> tuple[float, float]:
        """Rebuild the index in a child process, which reports its own peak memory."""
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "manage.py", "rebuild_index"],
            check=True,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        self.stdout.write(done.stdout.strip().splitlines()[-1])
        peak = re.search(r"peak memory (\d+) MB", done.stdout)
        return seconds, float(peak.group(1)) if peak else float("nan")

    def _queries(
        self, rng: random.Random, vocabulary: list[str], weights: list[float], per_kind: int
    ) -> list[tuple[SearchParams, str]]:
        common = vocabulary[:300]
        queries: list[tuple[SearchParams, str]] = []
        # Titles picked by the seeded generator, not the database's random order: every run,
        # and every version of the code, searches the same phrases.
        all_ids = list(Resource.objects.order_by("pk").values_list("pk", flat=True))
        picked = rng.sample(all_ids, min(len(all_ids), per_kind * 2))
        titles = dict(Resource.objects.filter(pk__in=picked).values_list("pk", "title"))
        sample = [titles[pk] for pk in picked]
        for _ in range(per_kind):
            queries.append((SearchParams(q=rng.choice(common)), "one word"))
            queries.append((SearchParams(q=" ".join(rng.sample(common, 2))), "two words"))
            title_words = words_of(rng.choice(sample)) if sample else rng.sample(common, 3)
            at = rng.randrange(max(1, len(title_words) - 1))
            queries.append(
                (SearchParams(q='"' + " ".join(title_words[at : at + 2]) + '"'), "phrase")
            )
            filters: dict[str, list[str]] = {}
            for facet in rng.sample(
                ["topic", "audience", "language", "type", "country"], rng.randint(1, 3)
            ):
                filters[facet] = {
                    "topic": [f"topic-{rng.randrange(40)}"],
                    "audience": [f"audience-{rng.randrange(15)}"],
                    "language": [rng.choice(["en", "uk", "ru", "pl", "vi"])],
                    "type": [rng.choice(ResourceType.values)],
                    "country": [f"country-{rng.randrange(30)}"],
                }[facet]
            queries.append((SearchParams(q=rng.choice(common), filters=filters), "facets"))
            queries.append(
                (SearchParams(q="".join(rng.choices("bcdfghjklmnpqrstvwxz", k=9))), "miss")
            )
            word = rng.choice([w for w in common if len(w) > 6] or common)
            at = rng.randrange(1, len(word) - 1)
            queries.append((SearchParams(q=word[:at] + word[at + 1 :]), "typo"))
        rng.shuffle(queries)
        return queries

    def _report(
        self, count: int, build_seconds: float, peak_mb: float, timings: dict[str, list[float]]
    ) -> None:
        def pct(values: list[float], p: float) -> float:
            ordered = sorted(values)
            return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

        everything = [t for values in timings.values() for t in values]
        self.stdout.write("")
        self.stdout.write(
            f"Backend: {connection.vendor}; {count} resources; {len(everything)} searches with facets"
        )
        self.stdout.write(
            f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
        )
        self.stdout.write(
            f"Index build: {build_seconds:.1f} s; peak memory of the build: {peak_mb:.0f} MB"
        )
        self.stdout.write("| queries | p50 ms | p95 ms | p99 ms |")
        self.stdout.write("|---|---|---|---|")
        for kind in KINDS:
            values = timings[kind]
            self.stdout.write(
                f"| {kind} | {statistics.median(values):.1f} | {pct(values, 95):.1f} | {pct(values, 99):.1f} |"
            )
        self.stdout.write(
            f"| all | {statistics.median(everything):.1f} | {pct(everything, 95):.1f} | {pct(everything, 99):.1f} |"
        )
        self._memory()

    def _memory(self) -> None:
        """What each serving process holds in memory for search, from the table's arrays."""
        try:
            from signpost.search.facets import facet_table
        except ImportError:  # an older checkout benchmarked for comparison
            return
        table = facet_table(connection.alias)
        arrays = [v for v in vars(table).values() if hasattr(v, "nbytes")]
        vectors = getattr(table, "vectors", None)
        total = sum(a.nbytes for a in arrays) / 1e6
        meaning = vectors.nbytes / 1e6 if vectors is not None else 0.0
        self.stdout.write(
            f"Search arrays per process: {total:.1f} MB, of which meaning vectors {meaning:.1f} MB"
        )
