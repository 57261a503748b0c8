"""The small interface every full-text backend implements; nothing outside search sees its SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections

from signpost.search.documents import Document
from signpost.search.query import ParsedQuery

# Marks around matched words in highlights: control characters that indexed text never holds.
START, STOP = "\x02", "\x03"


@dataclass
class RawHighlight:
    title: str
    excerpt: str


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

    def id_list_sql(self, ids: list[int]) -> tuple[str, list[Any]]:
        """SQL selecting exactly these ids, with one parameter however many there are."""
        raise NotImplementedError

    def analyse(self) -> None:
        """Refresh the planner's statistics after a bulk load."""
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # Reads.
    def match_sql(self, query: ParsedQuery, *, any_clause: bool) -> tuple[str, list[Any]]:
        """SQL selecting the ids of resources that match, with its parameters."""
        raise NotImplementedError

    def scored_sql(self, query: ParsedQuery, *, any_clause: bool) -> tuple[str, list[Any]]:
        """SQL selecting (id, relevance) of every match; higher is better, fields weighted."""
        raise NotImplementedError

    def highlights(
        self, query: ParsedQuery, *, any_clause: bool, ids: list[int]
    ) -> dict[int, RawHighlight]:
        raise NotImplementedError

    def suggest(self, word: str) -> str | None:
        raise NotImplementedError
