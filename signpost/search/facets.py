"""Facet counts, filters, sort orders and meaning vectors in memory, for every indexed resource.

Counting facets with GROUP BY reads about a dozen rows per matching resource; at 100,000
resources that is most of a search's time. Here the same rows sit in numpy arrays, loaded
once per process and reloaded only when the index changes (the version in SearchState), so
a count is one vectorised pass. The arrays are rebuilt from the database, never edited, so
they cannot drift from it.

Memory per process, measured at 100,000 resources (docs/performance.md): the facet rows
(about 12 a resource: position, value and facet, 10 bytes a row) take about 12 MB, the sort
keys 1 MB, and the meaning vectors (64 floats a resource) 26 MB.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import connections

from signpost.catalogue.models import Resource

from . import semantic
from .models import SearchFacet, SearchState, SearchVector

Mask = np.ndarray


@dataclass
class FacetTable:
    version: int
    ids: np.ndarray  # sorted resource ids in the index
    row_position: np.ndarray  # per facet row: the position of its resource in `ids`
    row_value: np.ndarray  # per facet row: index into `values`
    row_facet: np.ndarray  # per facet row: index into `facets`
    values: list[tuple[str, str]]  # (facet, value)
    index_of: dict[tuple[str, str], int]
    facets: list[str]
    year_of: np.ndarray  # per resource position: its year, or 0
    date_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # ordinal or 0
    title_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # Per resource position: when it was first published here, in seconds, or 0.
    added_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # Per resource position: its meaning vector (float32, about unit length), or None.
    vectors: np.ndarray | None = None
    # What readers call the values, by (facet, language): kept as long as this table, whose
    # version every rename or translation of a term changes (engine.facet_labels).
    labels: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.ids)

    def everything(self) -> Mask:
        return np.ones(self.size, dtype=bool)

    def mask_of_ids(self, ids: np.ndarray) -> Mask:
        """Resources among these ids; ids the index no longer holds are left out."""
        positions, present = self.find(ids)
        return self.mask_at(positions[present])

    def mask_at(self, positions: np.ndarray) -> Mask:
        mask = np.zeros(self.size, dtype=bool)
        mask[positions] = True
        return mask

    def find(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each id's position, and whether the table holds it (a sorted search, not a set
        test: several times faster than np.isin at 100,000 ids)."""
        if not self.size:
            return np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=bool)
        positions = np.minimum(np.searchsorted(self.ids, ids), self.size - 1)
        return positions, self.ids[positions] == ids

    def mask_of_values(self, facet: str, values: Iterable[str]) -> Mask:
        """Resources that have any of these values of one facet (OR)."""
        indexes = [self.index_of[(facet, v)] for v in values if (facet, v) in self.index_of]
        mask = np.zeros(self.size, dtype=bool)
        if indexes:
            rows = np.isin(self.row_value, np.array(indexes, dtype=self.row_value.dtype))
            mask[self.row_position[rows]] = True
        return mask

    def mask_of_years(self, year_from: int | None, year_to: int | None) -> Mask:
        mask = self.year_of > 0
        if year_from is not None:
            mask &= self.year_of >= year_from
        if year_to is not None:
            mask &= self.year_of <= year_to
        return mask

    def counts(self, mask: Mask, facets: Iterable[str]) -> dict[str, dict[str, int]]:
        """For each facet, how many resources in `mask` have each of its values."""
        wanted = [self.facets.index(f) for f in facets if f in self.facets]
        result: dict[str, dict[str, int]] = {f: {} for f in facets}
        if not wanted:
            return result
        rows = mask[self.row_position] & np.isin(self.row_facet, wanted)
        tally = np.bincount(self.row_value[rows], minlength=len(self.values))
        for index in np.flatnonzero(tally):
            facet, value = self.values[index]
            result[facet][value] = int(tally[index])
        return result

    def ids_of(self, mask: Mask) -> np.ndarray:
        return self.ids[mask]

    def positions_of(self, ids: np.ndarray) -> np.ndarray:
        """The positions of these ids, which must all be in the table."""
        return np.searchsorted(self.ids, ids)

    def ordered(self, mask: Mask, sort: str) -> np.ndarray:
        """The positions in `mask`, by date (undated last), title, or the newest added to the
        library first; ties in title, id order."""
        positions = np.flatnonzero(mask)
        dates = self.date_of[positions]
        titles = self.title_rank[positions]
        if sort == "added":
            order = np.lexsort((positions, titles, -self.added_of[positions]))
        elif sort == "title":
            order = np.lexsort((positions, titles))
        else:
            date_key = -dates if sort == "newest" else dates
            order = np.lexsort((positions, titles, date_key, dates == 0))
        return positions[order]


class TableCache:
    """The one owner of every process's in-memory tables, one per database alias.

    A table is read again when the index version in SearchState differs from the one it was
    read at; `invalidate()` drops them all at once. The version is random rather than a
    count so that a rolled-back write cannot leave a version number that now names other rows.
    """

    def __init__(self) -> None:
        self._tables: dict[str, FacetTable] = {}
        self._lock = threading.Lock()

    def get(self, alias: str) -> FacetTable:
        version = index_version(alias)
        table = self._tables.get(alias)
        if table is not None and table.version == version:
            return table
        with self._lock:
            table = self._tables.get(alias)
            if table is None or table.version != version:
                table = _load(alias, version)
                self._tables[alias] = table
        return table

    def invalidate(self) -> None:
        with self._lock:
            self._tables.clear()


tables = TableCache()


def index_version(alias: str) -> int:
    state = SearchState.objects.using(alias).filter(pk=1).values_list("version", flat=True).first()
    return state or 0


def facet_table(alias: str) -> FacetTable:
    """The table for this database, reloaded when the index has changed since it was read."""
    return tables.get(alias)


def _load(alias: str, version: int) -> FacetTable:
    facets: list[str] = []
    values: list[tuple[str, str]] = []
    index_of: dict[tuple[str, str], int] = {}
    resources: list[int] = []
    row_value: list[int] = []
    row_facet: list[int] = []
    table = SearchFacet._meta.db_table
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT resource_id, facet, value FROM {table}")  # noqa: S608
        while rows := cursor.fetchmany(50_000):
            for resource_id, facet, value in rows:
                key = (facet, value)
                index = index_of.get(key)
                if index is None:
                    index = index_of[key] = len(values)
                    values.append(key)
                    if facet not in facets:
                        facets.append(facet)
                resources.append(resource_id)
                row_value.append(index)
                row_facet.append(facets.index(facet))
    row_resource = np.array(resources, dtype=np.int64)
    ids = np.unique(row_resource)
    row_position = np.searchsorted(ids, row_resource)
    year_of = np.zeros(len(ids), dtype=np.int32)
    value_array = np.array(row_value, dtype=np.int32)
    if "year" in facets:
        is_year = np.array(row_facet, dtype=np.int16) == facets.index("year")
        years = np.array([int(v) if f == "year" else 0 for f, v in values], dtype=np.int32)
        year_of[row_position[is_year]] = years[value_array[is_year]]
    date_of, title_rank, added_of = _sort_keys(alias, ids)
    return FacetTable(
        version=version,
        date_of=date_of,
        title_rank=title_rank,
        added_of=added_of,
        vectors=_vectors(alias, ids),
        ids=ids,
        row_position=row_position,
        row_value=value_array,
        row_facet=np.array(row_facet, dtype=np.int16),
        values=values,
        index_of=index_of,
        facets=facets,
        year_of=year_of,
    )


def _sort_keys(alias: str, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per position: the publication date as a day number (0 when undated), the rank of
    the title in reading order, and when it was first published here (seconds, or 0)."""
    date_of = np.zeros(len(ids), dtype=np.int32)
    added_of = np.zeros(len(ids), dtype=np.int64)
    titles: list[str] = [""] * len(ids)
    rows = Resource.objects.using(alias).filter(pk__any_of=ids.tolist())
    for pk, published, title, added in rows.values_list(
        "pk", "published_date", "title", "published_at"
    ).iterator(chunk_size=20_000):
        position = int(np.searchsorted(ids, pk))
        if published:
            date_of[position] = published.toordinal()
        if added:
            added_of[position] = int(added.timestamp())
        titles[position] = title.casefold()
    title_rank = np.empty(len(ids), dtype=np.int32)
    title_rank[sorted(range(len(ids)), key=titles.__getitem__)] = np.arange(len(ids))
    return date_of, title_rank, added_of


def _vectors(alias: str, ids: np.ndarray) -> np.ndarray | None:
    """The meaning vectors of the indexed resources, or None when none are stored."""
    table = SearchVector._meta.db_table
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT resource_id, vector FROM {table}")  # noqa: S608
        rows = [(resource_id, bytes(vector)) for resource_id, vector in cursor.fetchall()]
    if not rows or not len(ids):
        return None
    width = len(rows[0][1])
    rows = [row for row in rows if len(row[1]) == width]
    owners = np.fromiter((resource_id for resource_id, _ in rows), dtype=np.int64, count=len(rows))
    positions = np.minimum(np.searchsorted(ids, owners), len(ids) - 1)
    present = ids[positions] == owners
    packed = np.frombuffer(b"".join(vector for _, vector in rows), dtype=np.int8)
    vectors = np.zeros((len(ids), width), dtype=np.float32)
    vectors[positions[present]] = packed.reshape(len(rows), width)[present] / semantic.SCALE
    return vectors
