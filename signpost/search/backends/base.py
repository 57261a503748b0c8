"""The small interface every full-text backend implements; nothing outside search sees its SQL."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connections

from signpost.catalogue.models import FilePage, Version
from signpost.search.documents import Document
from signpost.search.models import SearchWord
from signpost.search.query import ParsedQuery

# The most frequent words of about the right length and start that a misspelling is compared
# with: enough for a real vocabulary, and a fixed bound on the work.
SUGGEST_CANDIDATES = 3000
# Marks around matched words in highlights: control characters that indexed text never holds.
START, STOP = "\x02", "\x03"


@dataclass
class RawHighlight:
    title: str
    excerpt: str


@dataclass
class RawPassage:
    """Where a resource matched inside one of its files: the version, the page, the words."""

    version_id: int
    page: int
    excerpt: str


# Pages of each file looked through for a passage: a word found only further into a long
# report is still said to be inside the document, without its page.
PASSAGE_PAGES_PER_FILE = 100


class SearchBackend:
    vendor = ""

    def __init__(self, alias: str):
        self.alias = alias

    @property
    def connection(self) -> Any:
        return connections[self.alias]

    # Schema, called from the search app's migration.
    def create_schema(self, schema_editor: Any) -> None:
        raise NotImplementedError

    def drop_schema(self, schema_editor: Any) -> None:
        raise NotImplementedError

    def create_functions(self, schema_editor: Any) -> None:
        """Functions the backend keeps in the database: none unless it says otherwise."""

    def drop_functions(self, schema_editor: Any) -> None:
        """Remove what create_functions made."""

    # Writes.
    def delete(self, ids: list[int]) -> None:
        raise NotImplementedError

    def clear(self, *, also: list[str]) -> None:
        """Empty the full-text index and the tables named in `also`, cheaply."""
        raise NotImplementedError

    def write(self, documents: list[Document]) -> None:
        raise NotImplementedError

    # The full-text table and the column holding each row's resource id.
    table = ""
    id_column = ""

    def indexed_ids(self) -> set[int]:
        """The ids of every resource in the full-text index."""
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT {self.id_column} FROM {self.table}")  # noqa: S608
            return {row[0] for row in cursor.fetchall()}

    def stale(self, documents: list[Document]) -> list[int]:
        """The ids of those documents whose indexed text differs from theirs (every field)."""
        raise NotImplementedError

    def analyse(self) -> None:
        """Refresh the planner's statistics after a bulk load."""
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # Reads: ids and scores in, ids and scores out; no SQL leaves a backend.
    def match(
        self, query: ParsedQuery, *, any_clause: bool = False, inside_files: bool = True
    ) -> np.ndarray:
        """The ids of the resources that match (every clause, or any with `any_clause`), by
        all their text, or without the text inside their files."""
        rows = self._rows(*self._match_sql(query, any_clause=any_clause, inside_files=inside_files))
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def scored(
        self, query: ParsedQuery, *, any_clause: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ids of the matches and their relevance: higher is better, fields weighted."""
        rows = self._rows(*self._scored_sql(query, any_clause=any_clause))
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        scores = np.fromiter((row[1] for row in rows), dtype=np.float64, count=len(rows))
        return ids, scores

    def count(self, query: ParsedQuery, *, cap: int) -> int:
        """How many resources match, counted up to `cap` and no further: cheap for any query."""
        sql, params = self._match_sql(query, any_clause=False)
        rows = self._rows(f"SELECT COUNT(*) FROM ({sql} LIMIT {int(cap)}) AS matched", params)  # noqa: S608
        return int(rows[0][0])

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def _match_sql(
        self, query: ParsedQuery, *, any_clause: bool, inside_files: bool = True
    ) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _scored_sql(self, query: ParsedQuery, *, any_clause: bool) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def highlights(
        self, query: ParsedQuery, *, any_clause: bool, ids: list[int]
    ) -> dict[int, RawHighlight]:
        raise NotImplementedError

    def passages(self, query: ParsedQuery, *, ids: list[int]) -> dict[int, RawPassage]:
        """For each of these resources, the best-matching page inside its files, if any."""
        if not ids:
            return {}
        holders: dict[int, list[tuple[int, int]]] = {}  # file -> [(version, resource)]
        for pk, resource_id, stored in (
            Version.objects.using(self.alias)
            .filter(resource_id__in=ids, stored__isnull=False)
            .order_by("position", "id")
            .values_list("pk", "resource_id", "stored_id")
        ):
            holders.setdefault(stored, []).append((pk, resource_id))
        pages = {
            pk: (stored, number)
            for pk, stored, number in FilePage.objects.using(self.alias)
            .filter(file_id__in=list(holders), number__lte=PASSAGE_PAGES_PER_FILE)
            .values_list("pk", "file_id", "number")
        }
        found: dict[int, RawPassage] = {}
        for page_id, excerpt in self._page_excerpts(query, list(pages)):
            stored, number = pages[page_id]
            for version_id, resource_id in holders[stored]:
                found.setdefault(resource_id, RawPassage(version_id, number, excerpt))
        return found

    def _page_excerpts(self, query: ParsedQuery, page_ids: list[int]) -> list[tuple[int, str]]:
        """The pages among these that match any word of the query, best first, each with an
        excerpt whose matched words are marked."""
        raise NotImplementedError

    def suggest(self, word: str) -> str | None:
        """The word the catalogue has that is nearest to this one, if one is near enough.

        The same on every backend: the most frequent words of about the same length and the
        same first two letters (misspellings rarely change those), compared by difflib, which
        forgives a swapped pair of letters ("modren") where trigrams do not.
        """
        lengths = range(max(1, len(word) - 2), len(word) + 3)
        candidates = list(
            SearchWord.objects.using(self.alias)
            .filter(length__in=lengths, word__startswith=word[:2])
            .order_by("-frequency")
            .values_list("word", flat=True)[:SUGGEST_CANDIDATES]
        )
        matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
        return matches[0] if matches else None
