"""How good the ranking is, on the hand-judged queries in tests/data/judged_queries.jsonl.

Prints nDCG@10 and recall@10, lexical only and hybrid (lexical fused with meaning), for the
database this runs against, overall and by kind of query. The ranked list is what a reader
sees first: the results, or when there are none, the resources in the language the search is
written in that the page offers instead. `make search-quality` runs it on SQLite and on
PostgreSQL against the demo catalogue (docs/search-quality.md).
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test.utils import override_settings

from signpost.search.engine import SearchParams, search

JUDGEMENTS = Path(settings.BASE_DIR) / "tests" / "data" / "judged_queries.jsonl"
DEPTH = 10


def ranked(query: str) -> list[str]:
    results = search(SearchParams(q=query, page_size=DEPTH, sort="relevance"))
    resources = results.resources
    if not resources and results.language_offer:
        resources = results.language_offer.resources
    return [r.uid for r in resources[:DEPTH]]


def ndcg(found: list[str], relevant: dict[str, int]) -> float:
    gains = [(2 ** relevant.get(uid, 0) - 1) / math.log2(i + 2) for i, uid in enumerate(found)]
    ideal = sorted(relevant.values(), reverse=True)[:DEPTH]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return sum(gains) / best if best else 0.0


def recall(found: list[str], relevant: dict[str, int]) -> float:
    return len(set(found) & set(relevant)) / len(relevant) if relevant else 0.0


def scored(judged: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """(nDCG@10, recall@10) of each judged query, searched once."""
    pairs = []
    for item in judged:
        found = ranked(item["query"])
        pairs.append((ndcg(found, item["relevant"]), recall(found, item["relevant"])))
    return pairs


def evaluate(
    judged: list[dict[str, Any]], pairs: list[tuple[float, float]] | None = None
) -> dict[str, dict[str, float]]:
    """The means overall and by kind of query."""
    by_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for item, scores in zip(judged, pairs or scored(judged), strict=True):
        by_kind["all"].append(scores)
        by_kind[item["kind"]].append(scores)
    return {
        kind: {
            "queries": len(pairs),
            "ndcg": statistics.fmean(p[0] for p in pairs),
            "recall": statistics.fmean(p[1] for p in pairs),
        }
        for kind, pairs in by_kind.items()
    }


class Command(BaseCommand):
    help = "nDCG@10 and recall@10 on the judged queries, lexical only and hybrid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
        parser.add_argument("--misses", action="store_true", help="list the worst queries")

    def handle(self, *args: Any, **options: Any) -> None:
        judged = [
            json.loads(line)
            for line in options["judgements"].read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        self.stdout.write(f"{len(judged)} judged queries, {connection.vendor}")
        for mode, semantic in (("lexical", False), ("hybrid", True)):
            with override_settings(SEARCH_SEMANTIC=semantic):
                pairs = scored(judged)
            figures = evaluate(judged, pairs)
            if options["misses"]:
                worst = sorted(zip(pairs, judged, strict=True), key=lambda pj: pj[0][0])
                for (score, _), item in worst[:15]:
                    self.stdout.write(f"  {mode} {score:.2f} {item['query']}")
            for kind, f in sorted(figures.items(), key=lambda kv: kv[0] != "all"):
                self.stdout.write(
                    f"{connection.vendor:10} {mode:8} {kind:15} {f['queries']:4} queries  "
                    f"nDCG@10 {f['ndcg']:.3f}  recall@10 {f['recall']:.3f}"
                )
