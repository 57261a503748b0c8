"""Plain-row inserts for bulk writes, where building a model instance per row costs the most."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, ForeignObject, Lookup

# SQLite allows 32,766 parameters a statement, PostgreSQL 65,535: stay well below both.
MAX_PARAMETERS = 30_000


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    using: str = DEFAULT_DB_ALIAS,
    extra: str = "",
) -> None:
    """Insert `rows` into `table`, many rows to a statement (one round trip each).

    `extra` is appended to every statement, e.g. "ON CONFLICT DO NOTHING".
    """
    if not rows:
        return
    connection = connections[using]
    if connection.vendor == "postgresql" and not extra:
        # COPY: the server's bulk path, and no per-value work in Python.
        with connection.cursor() as cursor:
            copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    with connection.cursor() as cursor:
        for sql, params in _insert_statements(table, columns, rows, size=1000, tail=extra):
            cursor.execute(sql, params)


def _insert_statements(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, size: int, tail: str
) -> Iterator[tuple[str, list[Any]]]:
    """Multi-row INSERT statements for `rows`, at most `size` rows and MAX_PARAMETERS each."""
    per_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    size = max(1, min(size, MAX_PARAMETERS // len(columns)))
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        sql = head + ", ".join([per_row] * len(chunk)) + (f" {tail}" if tail else "")
        yield sql, [value for row in chunk for value in row]


def insert_rows_returning_ids(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> list[int]:
    """Insert `rows` and return their new ids, in the order of `rows`.

    The first column must be unique among the rows (the resources' interchange id).
    """
    if not rows:
        return []
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Take the ids from the table's sequence first, then COPY the rows with them.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            new_ids = [row[0] for row in cursor.fetchall()]
        insert_rows(
            table, ["id", *columns], [(pk, *row) for pk, row in zip(new_ids, rows, strict=True)]
        )
        return new_ids
    # SQLite does not promise RETURNING rows in the order of VALUES: each row says which
    # it is by its first column (a unique key), and the ids are put back in order by it.
    ids_by_key: dict[Any, int] = {}
    tail = f"RETURNING {columns[0]}, id"
    with connection.cursor() as cursor:
        for sql, params in _insert_statements(table, columns, rows, size=500, tail=tail):
            cursor.execute(sql, params)
            ids_by_key.update(cursor.fetchall())
    return [ids_by_key[row[0]] for row in rows]


def id_list_sql(ids: Sequence[int], *, using: str = DEFAULT_DB_ALIAS) -> tuple[str, list[Any]]:
    """SQL selecting exactly these ids, with one parameter however many there are.

    A thousand ids as one parameter cost the ORM nothing to build, unlike `pk__in=[...]`.
    """
    if connections[using].vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", [list(ids)]
    return "SELECT value FROM json_each(%s)", [json.dumps(list(ids))]


class AnyOf(Lookup):
    """`pk__any_of=[...]`: membership in a list sent as one parameter.

    PostgreSQL gets `= ANY(array)`, which its planner answers from an index; `IN (SELECT
    unnest(...))` led it to scan whole tables. SQLite reads the list from JSON.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [value]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = [int(i) for i in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids]
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*lhs_params, json.dumps(ids)]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)


def planner_statistics_refresh(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Let PostgreSQL's planner see tables that have grown inside a long transaction.

    Without it, a bulk import plans its queries for the small tables it started with, and
    some of those plans scan tables that have since grown large. SQLite needs nothing.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    # Only the tables an import fills (the catalogue's, and the search index beside them in
    # the same database): ANALYZE holds a lock on each table until the transaction ends.
    tables = [
        name
        for name in connection.introspection.table_names()
        if name.startswith(("catalogue_", "search_"))
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
