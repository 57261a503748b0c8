"""PostgreSQL full text: weighted tsvectors in a GIN index, websearch_to_tsquery, ts_rank_cd,
an unaccenting English configuration."""

from __future__ import annotations

from typing import Any

from signpost.catalogue.models import FilePage
from signpost.search.documents import Document
from signpost.search.query import ParsedQuery

from .base import START, STOP, RawHighlight, SearchBackend

TABLE = "search_pg"
STAGING = "search_pg_staging"
CONFIG = "signpost"
# Text in languages other than English: each word as written, lower case, without accents.
WORDS_CONFIG = "signpost_words"
# PostgreSQL has four weight classes; the fields fall into them by importance.
WEIGHT_CLASSES = {
    "title": "A",
    "organisations": "B",
    "terms": "B",
    "people": "C",
    "summary": "C",
    "extra": "D",
    "document": "D",
    "document_words": "D",
}
# The text inside files has a vector of its own, kept without word positions, and is used to
# match, never to rank: ranking reads the catalogue's own vector alone, which stays small.
# With the files' text in one vector, with positions, a common word's search over 10,000
# files of 20 pages took 4 s (0.5 s without); stripped but in one vector, 190 ms, since
# ranking still unpacked every long vector (docs/performance.md).
INSIDE_FILES = ("document", "document_words")
FIELD_CONFIGS = {"document_words": WORDS_CONFIG}

# The weighted vector of a staged row, made from its columns (one per field).
VECTOR_SQL = " || ".join(
    f"setweight(to_tsvector('{CONFIG}', t.{name}), '{label}')"
    for name, label in WEIGHT_CLASSES.items()
    if name not in INSIDE_FILES
)
DOCUMENT_VECTOR_SQL = " || ".join(
    f"strip(to_tsvector('{FIELD_CONFIGS.get(name, CONFIG)}', t.{name}))" for name in INSIDE_FILES
)
# What a search matches: both vectors, through one GIN index on this very expression.
MATCHED = "(s.vector || s.document_vector)"


def tsquery(
    query: ParsedQuery, *, any_clause: bool, as_written: bool = True
) -> tuple[str, list[Any]]:
    """A tsquery expression built from quoted phrases of word characters only: each phrase as
    English (stemmed) and, with `as_written`, also as written, for text in other languages."""
    parts: list[str] = []
    params: list[Any] = []
    for clause in query.clauses:
        alternatives = []
        for phrase in clause.alternatives:
            alternatives.append(f"websearch_to_tsquery('{CONFIG}', %s)")
            params.append('"' + " ".join(phrase) + '"')
            if as_written:
                alternatives.append(f"websearch_to_tsquery('{WORDS_CONFIG}', %s)")
                params.append(params[-1])
        parts.append("(" + " || ".join(alternatives) + ")")
    return "(" + (" || " if any_clause else " && ").join(parts) + ")", params


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    table = TABLE
    id_column = "resource_id"

    def create_schema(self, schema_editor: Any) -> None:
        for statement in (
            "CREATE EXTENSION IF NOT EXISTS unaccent",
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            f"""DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
                    CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english);
                    ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
                END IF;
                IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{WORDS_CONFIG}') THEN
                    CREATE TEXT SEARCH CONFIGURATION {WORDS_CONFIG} (COPY = simple);
                    ALTER TEXT SEARCH CONFIGURATION {WORDS_CONFIG}
                        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
                END IF;
            END $$""",  # noqa: S608
            f"""CREATE TABLE IF NOT EXISTS {TABLE} (
                resource_id bigint PRIMARY KEY,
                vector tsvector NOT NULL,
                document_vector tsvector NOT NULL,
                title text NOT NULL,
                summary text NOT NULL)""",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_matched ON {TABLE} "
            f"USING GIN ((vector || document_vector))",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_vector ON {TABLE} USING GIN (vector)",
            "CREATE INDEX IF NOT EXISTS search_word_trgm ON search_searchword "
            "USING GIN (word gin_trgm_ops)",
        ):
            schema_editor.execute(statement)

    def drop_schema(self, schema_editor: Any) -> None:
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def delete(self, ids: list[int]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE resource_id = ANY(%s)", [ids])  # noqa: S608

    def clear(self, *, also: list[str]) -> None:
        # TRUNCATE leaves no dead rows behind for VACUUM, unlike DELETE. It refuses while
        # deferred foreign-key checks are pending in this transaction: run them first.
        with self.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join([TABLE, *also])}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _staged(self, cursor: Any, documents: list[Document]) -> None:
        """Copy the documents into a session-local staging table: the server's bulk path."""
        fields = list(WEIGHT_CLASSES)
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (resource_id bigint, "
            + ", ".join(f"{name} text" for name in fields)
            + ")"
        )
        cursor.execute(f"TRUNCATE {STAGING}")
        with cursor.cursor.copy(
            f"COPY {STAGING} (resource_id, {', '.join(fields)}) FROM STDIN"
        ) as copy:
            for d in documents:
                copy.write_row([d.resource_id, *(d.fields[name] for name in fields)])

    def write(self, documents: list[Document]) -> None:
        """Stage the documents, then make all their vectors in one statement."""
        if not documents:
            return
        with self.connection.cursor() as cursor:
            self._staged(cursor, documents)
            cursor.execute(
                f"INSERT INTO {TABLE} (resource_id, vector, document_vector, title, summary) "  # noqa: S608
                f"SELECT resource_id, {VECTOR_SQL}, {DOCUMENT_VECTOR_SQL}, title, summary "
                f"FROM {STAGING} t"
            )

    def stale(self, documents: list[Document]) -> list[int]:
        """Compare each stored vector with the one the document's text makes now."""
        if not documents:
            return []
        with self.connection.cursor() as cursor:
            self._staged(cursor, documents)
            cursor.execute(
                f"SELECT t.resource_id FROM {STAGING} t JOIN {TABLE} s USING (resource_id) "  # noqa: S608
                f"WHERE s.vector <> ({VECTOR_SQL}) OR s.document_vector <> ({DOCUMENT_VECTOR_SQL}) "
                f"OR s.title <> t.title OR s.summary <> t.summary"
            )
            return [row[0] for row in cursor.fetchall()]

    def create_functions(self, schema_editor: Any) -> None:
        """Matching and scoring as functions that always use the GIN index.

        The planner's guess at how many rows a tsquery matches is poor, and near the line it
        flips to reading every row's vector (50-150 ms more at 100,000 resources, seen on two
        databases holding the same catalogue). The functions carry enable_seqscan = off, which
        holds inside them only; PostgreSQL does not inline a function with a SET clause, so
        the setting applies when their query is planned.
        """
        # Scoring matches with `q` and ranks with `r`, the English form alone, by the
        # catalogue's own vector: the words as written find text inside files, which is not
        # ranked, and ranking with them too made a common word's search half as slow again.
        for name, arguments, columns, select, matched in (
            ("signpost_matching", "q tsquery", "resource_id bigint", "s.resource_id", MATCHED),
            # The catalogue's own text alone, without the text inside files.
            (
                "signpost_matching_own",
                "q tsquery",
                "resource_id bigint",
                "s.resource_id",
                "s.vector",
            ),
            (
                "signpost_scored",
                "q tsquery, r tsquery",
                "resource_id bigint, score real",
                "s.resource_id, ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', s.vector, r)",
                MATCHED,
            ),
        ):
            statement = (
                f"CREATE OR REPLACE FUNCTION {name}({arguments}) RETURNS TABLE ({columns}) "  # noqa: S608
                f"LANGUAGE sql STABLE SET enable_seqscan = off AS "
                f"$$ SELECT {select} FROM {TABLE} s WHERE {matched} @@ q $$"
            )
            schema_editor.execute(statement)

    def drop_functions(self, schema_editor: Any) -> None:
        for signature in (
            "signpost_matching(tsquery)",
            "signpost_matching_own(tsquery)",
            "signpost_scored(tsquery)",
            "signpost_scored(tsquery, tsquery)",
        ):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {signature}")

    def _match_sql(
        self, query: ParsedQuery, *, any_clause: bool, inside_files: bool = True
    ) -> tuple[str, list[Any]]:
        expression, params = tsquery(query, any_clause=any_clause)
        function = "signpost_matching" if inside_files else "signpost_matching_own"
        return f"SELECT resource_id FROM {function}({expression})", params  # noqa: S608

    def _scored_sql(self, query: ParsedQuery, *, any_clause: bool) -> tuple[str, list[Any]]:
        expression, params = tsquery(query, any_clause=any_clause)
        rank, rank_params = tsquery(query, any_clause=any_clause, as_written=False)
        return (
            f"SELECT resource_id, score FROM signpost_scored({expression}, {rank})",  # noqa: S608
            params + rank_params,
        )

    def highlights(
        self, query: ParsedQuery, *, any_clause: bool, ids: list[int]
    ) -> dict[int, RawHighlight]:
        if not ids:
            return {}
        expression, params = tsquery(query, any_clause=True)
        options = f"StartSel={START}, StopSel={STOP}"
        sql = (
            f"SELECT s.resource_id, "  # noqa: S608
            f"ts_headline('{CONFIG}', s.title, query.q, %s), "
            f"ts_headline('{CONFIG}', s.summary, query.q, %s) "
            f"FROM {TABLE} s, (SELECT {expression} AS q) AS query WHERE s.resource_id = ANY(%s)"
        )
        all_words = f"{options}, HighlightAll=true"
        excerpt = f'{options}, MaxWords=40, MinWords=20, MaxFragments=2, FragmentDelimiter=" … "'
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [all_words, excerpt, *params, ids])
            return {row[0]: RawHighlight(row[1], row[2]) for row in cursor.fetchall()}

    def _page_excerpts(self, query: ParsedQuery, page_ids: list[int]) -> list[tuple[int, str]]:
        if not page_ids:
            return []
        expression, params = tsquery(query, any_clause=True)
        vector = f"(to_tsvector('{CONFIG}', p.text) || to_tsvector('{WORDS_CONFIG}', p.text))"
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=1"
        sql = (
            f"SELECT p.id, ts_headline('{CONFIG}', p.text, query.q, %s) "  # noqa: S608
            f"FROM {FilePage._meta.db_table} p, (SELECT {expression} AS q) AS query "
            f"WHERE p.id = ANY(%s) AND {vector} @@ query.q "
            f"ORDER BY ts_rank({vector}, query.q) DESC, p.id"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [options, *params, page_ids])
            return [(row[0], row[1]) for row in cursor.fetchall()]
