"""SQLite FTS5: porter stemming over unicode61 with diacritics removed, ranked by weighted bm25."""

from __future__ import annotations

from typing import Any

from signpost.catalogue.models import FilePage
from signpost.catalogue.rows import id_list_sql
from signpost.search.documents import FIELDS, Document
from signpost.search.query import ParsedQuery

from .base import START, STOP, RawHighlight, SearchBackend

TABLE = "search_fts"
COLUMNS = [name for name, _ in FIELDS]
OWN_COLUMNS = [name for name in COLUMNS if name not in ("document", "document_words")]
WEIGHTS = ", ".join(str(weight) for _, weight in FIELDS)
TOKENIZER = "porter unicode61 remove_diacritics 2"
HIGHLIGHT_TABLE = "search_highlight"
PAGES_TABLE = "search_pages"


def match_expression(query: ParsedQuery, *, any_clause: bool) -> str:
    """An FTS5 query; every phrase is quoted, and holds only word characters."""
    clauses = []
    for clause in query.clauses:
        phrases = " OR ".join('"' + " ".join(phrase) + '"' for phrase in clause.alternatives)
        clauses.append(f"({phrases})")
    return (" OR " if any_clause else " AND ").join(clauses)


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"
    table = TABLE
    id_column = "rowid"

    def create_schema(self, schema_editor: Any) -> None:
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
            f"{', '.join(COLUMNS)}, tokenize = '{TOKENIZER}')"
        )

    def drop_schema(self, schema_editor: Any) -> None:
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def delete(self, ids: list[int]) -> None:
        with self.connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", chunk)  # noqa: S608

    def clear(self, *, also: list[str]) -> None:
        # SQLite empties a table it is told to delete everything from without visiting rows.
        with self.connection.cursor() as cursor:
            for table in [TABLE, *also]:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608

    def write(self, documents: list[Document]) -> None:
        marks = ", ".join(["%s"] * (len(COLUMNS) + 1))
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) VALUES ({marks})",  # noqa: S608
                [[d.resource_id, *(d.fields[c] for c in COLUMNS)] for d in documents],
            )

    def stale(self, documents: list[Document]) -> list[int]:
        if not documents:
            return []
        sql, params = id_list_sql([d.resource_id for d in documents], using=self.alias)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, {', '.join(COLUMNS)} FROM {TABLE} WHERE rowid IN ({sql})",  # noqa: S608
                params,
            )
            indexed = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
        return [
            d.resource_id
            for d in documents
            if d.resource_id in indexed
            and indexed[d.resource_id] != tuple(d.fields[c] for c in COLUMNS)
        ]

    def _match_sql(
        self, query: ParsedQuery, *, any_clause: bool, inside_files: bool = True
    ) -> tuple[str, list[Any]]:
        expression = match_expression(query, any_clause=any_clause)
        if not inside_files:  # an FTS5 column filter: the catalogue's own fields alone
            expression = "{" + " ".join(OWN_COLUMNS) + "} : (" + expression + ")"
        return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [expression]  # noqa: S608

    def _scored_sql(self, query: ParsedQuery, *, any_clause: bool) -> tuple[str, list[Any]]:
        # bm25 is lower for better matches; the engine wants higher.
        return (
            f"SELECT rowid, -bm25({TABLE}, {WEIGHTS}) FROM {TABLE} WHERE {TABLE} MATCH %s",  # noqa: S608
            [match_expression(query, any_clause=any_clause)],
        )

    def highlights(
        self, query: ParsedQuery, *, any_clause: bool, ids: list[int]
    ) -> dict[int, RawHighlight]:
        """Marked titles and excerpts for one page of results.

        Asking the main index would evaluate the whole query again for every row; copying the
        page's few rows into a small temporary index of the same kind is far cheaper.
        """
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        # OR, so that every word of the query is marked wherever it appears.
        expression = match_expression(query, any_clause=True)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{HIGHLIGHT_TABLE} USING fts5("
                f"title, summary, tokenize = '{TOKENIZER}')"
            )
            cursor.execute(f"DELETE FROM temp.{HIGHLIGHT_TABLE}")  # noqa: S608
            cursor.execute(
                f"INSERT INTO temp.{HIGHLIGHT_TABLE} (rowid, title, summary) "  # noqa: S608
                f"SELECT rowid, title, summary FROM {TABLE} WHERE rowid IN ({marks})",
                ids,
            )
            cursor.execute(
                f"SELECT rowid, highlight({HIGHLIGHT_TABLE}, 0, %s, %s), "  # noqa: S608
                f"snippet({HIGHLIGHT_TABLE}, 1, %s, %s, '…', 40) "
                f"FROM temp.{HIGHLIGHT_TABLE} WHERE {HIGHLIGHT_TABLE} MATCH %s",
                [START, STOP, START, STOP, expression],
            )
            found = {row[0]: RawHighlight(row[1], row[2]) for row in cursor.fetchall()}
            cursor.execute(f"DELETE FROM temp.{HIGHLIGHT_TABLE}")  # noqa: S608
        return found

    def _page_excerpts(self, query: ParsedQuery, page_ids: list[int]) -> list[tuple[int, str]]:
        """As for highlights: the pages are copied into a small temporary index of the same
        kind, searched there, and emptied again."""
        if not page_ids:
            return []
        pages = FilePage._meta.db_table
        expression = match_expression(query, any_clause=True)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{PAGES_TABLE} USING fts5("
                f"text, tokenize = '{TOKENIZER}')"
            )
            cursor.execute(f"DELETE FROM temp.{PAGES_TABLE}")  # noqa: S608
            for start in range(0, len(page_ids), 500):
                chunk = page_ids[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO temp.{PAGES_TABLE} (rowid, text) "  # noqa: S608
                    f"SELECT id, text FROM {pages} WHERE id IN ({marks})",
                    chunk,
                )
            cursor.execute(
                f"SELECT rowid, snippet({PAGES_TABLE}, 0, %s, %s, '…', 24) "  # noqa: S608
                f"FROM temp.{PAGES_TABLE} WHERE {PAGES_TABLE} MATCH %s ORDER BY rank",
                [START, STOP, expression],
            )
            found = [(row[0], row[1]) for row in cursor.fetchall()]
            cursor.execute(f"DELETE FROM temp.{PAGES_TABLE}")  # noqa: S608
        return found
