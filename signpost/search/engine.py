"""Search: full-text match, facet counts, ranking, highlights and suggestions.

Every query here only reads, through the database alias in settings.SEARCH_DATABASE, so
that searches can be sent to a read replica by configuration alone.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connections
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from signpost.catalogue.models import (
    Audience,
    Country,
    Language,
    Organisation,
    Resource,
    ResourceQuerySet,
    Topic,
)

from .backends import backend_for
from .backends.base import START, STOP, SearchBackend
from .documents import FACETS, TYPE_LABELS
from .facets import FacetTable, Mask, facet_table
from .models import SearchWord
from .query import ParsedQuery, parse

SORTS = ("relevance", "newest", "oldest", "title")
FACET_LABELS = {
    "type": "Type",
    "topic": "Topic",
    "audience": "Audience",
    "language": "Language",
    "organisation": "Organisation",
    "country": "Country",
    "year": "Year",
}
MAX_PAGE_SIZE = 100
LABEL_SOURCES: dict[str, tuple[Any, str, str]] = {
    "topic": (Topic, "slug", "name"),
    "audience": (Audience, "slug", "name"),
    "organisation": (Organisation, "slug", "name"),
    "country": (Country, "slug", "name"),
    "language": (Language, "code", "name_en"),
}
# Counting how many resources a word finds stops here: enough to compare two words.
COUNT_CAP = 500
# "Did you mean" looks up at most this many unknown words, for at most this long.
SUGGEST_WORDS = 3
SUGGEST_SECONDS = 0.25


@dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet name -> values
    year_from: int | None = None
    year_to: int | None = None
    sort: str = ""
    page: int = 1
    page_size: int = 20


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Highlight:
    title: SafeString
    excerpt: SafeString


@dataclass
class Relaxation:
    """What removing one filter would bring back, offered when a search finds nothing."""

    facet: str
    label: str
    count: int


@dataclass
class SearchResults:
    params: SearchParams
    query: ParsedQuery
    count: int
    page: int
    num_pages: int
    resources: list[Resource]
    facets: dict[str, list[FacetValue]]
    highlights: dict[int, Highlight] = field(default_factory=dict)
    relaxed: bool = False
    sort: str = "newest"
    suggestion: str | None = None
    relaxations: list[Relaxation] = field(default_factory=list)
    without_filters: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def items(self) -> list[tuple[Resource, Highlight | None]]:
        return [(r, self.highlights.get(r.pk)) for r in self.resources]

    @property
    def previous_page(self) -> int:
        return self.page - 1

    @property
    def next_page(self) -> int:
        return self.page + 1

    @property
    def page_window(self) -> list[int | None]:
        """Page numbers to link: the first, the last and those near this one; None is a gap."""
        wanted = {1, self.num_pages} | set(range(self.page - 2, self.page + 3))
        numbers = sorted(n for n in wanted if 1 <= n <= self.num_pages)
        window: list[int | None] = []
        for previous, n in zip([0, *numbers], numbers, strict=False):
            if previous and n - previous > 1:
                window.append(None)
            window.append(n)
        return window

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.params.page_size + 1 if self.count else 0


def _alias() -> str:
    return getattr(settings, "SEARCH_DATABASE", "default")


def _matching(
    qs: ResourceQuerySet, backend: SearchBackend, query: ParsedQuery, any_clause: bool
) -> ResourceQuerySet:
    if not query:
        return qs
    # The backend's SQL holds no reader input: the query's words travel as parameters.
    sql, sql_params = backend.match_sql(query, any_clause=any_clause)
    return qs.filter(pk__in=RawSQL(sql, sql_params))  # noqa: S611


def facet_labels(facet: str, values: Iterable[str]) -> dict[str, str]:
    """What a reader calls each value the catalogue has: read now, so that renames show."""
    values = [v for v in values if 0 < len(v) <= 200 and v.isprintable()]
    if facet == "type":
        return {v: TYPE_LABELS[v] for v in values if v in TYPE_LABELS}
    if facet == "year":
        return {v: v for v in values if v.isdigit() and len(v) == 4}
    if not values:
        return {}
    model, key, name = LABEL_SOURCES[facet]
    query = model.objects.using(_alias()).filter(**{f"{key}__in": values})
    return dict(query.values_list(key, name))


def _facets(
    table: FacetTable, match: Mask, masks: dict[str, Mask], params: SearchParams
) -> dict[str, list[FacetValue]]:
    """Counts for every facet; a facet's own selection is left out of its counts."""
    selected = [f for f in FACETS if f in masks]
    counts = table.counts(_combine(match, masks), [f for f in FACETS if f not in masks])
    for facet in selected:
        counts.update(table.counts(_combine(match, masks, skip=facet), [facet]))
    result: dict[str, list[FacetValue]] = {}
    for facet in FACETS:
        chosen = set(params.filters.get(facet, []))
        found = counts[facet]
        labels = facet_labels(facet, set(found) | chosen)
        values = [
            FacetValue(v, labels.get(v, v), found.get(v, 0), v in chosen)
            for v in set(found) | chosen
        ]
        if facet == "year":
            values.sort(key=lambda v: v.value, reverse=True)
        else:
            values.sort(key=lambda v: (-v.count, v.label.lower()))
        result[facet] = values
    return result


def _filter_masks(table: FacetTable, params: SearchParams) -> dict[str, Mask]:
    """One mask per narrowed facet: OR within the facet's values; a year range narrows year."""
    masks = {
        facet: table.mask_of_values(facet, values)
        for facet, values in params.filters.items()
        if facet in FACETS and values
    }
    if params.year_from is not None or params.year_to is not None:
        years = table.mask_of_years(params.year_from, params.year_to)
        masks["year"] = masks["year"] & years if "year" in masks else years
    return masks


def _combine(match: Mask, masks: dict[str, Mask], *, skip: str | None = None) -> Mask:
    """The matches that pass every facet's mask but `skip`'s: AND across facets."""
    result = match.copy()
    for facet, mask in masks.items():
        if facet != skip:
            result &= mask
    return result


@dataclass
class Matches:
    """The resources a query matches: a mask over the facet table, and when ranking is
    wanted, the matching ids with their relevance (higher is better)."""

    mask: Mask
    ids: np.ndarray | None = None
    scores: np.ndarray | None = None


def _matches(
    table: FacetTable, backend: SearchBackend, query: ParsedQuery, any_clause: bool, *, scored: bool
) -> Matches:
    if not query:
        return Matches(table.everything())
    if scored:
        sql, params = backend.scored_sql(query, any_clause=any_clause)
    else:
        sql, params = backend.match_sql(query, any_clause=any_clause)
    with connections[_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    if not scored:
        return Matches(table.mask_of_ids(ids))
    scores = np.fromiter((row[1] for row in rows), dtype=np.float64, count=len(rows))
    return Matches(table.mask_of_ids(ids), ids, scores)


def _ranked_ids(
    table: FacetTable, matches: Matches, found: Mask, offset: int, limit: int
) -> list[int]:
    """One page of the found resources, best first; equal scores in id order."""
    assert matches.ids is not None and matches.scores is not None
    inside = np.isin(matches.ids, table.ids_of(found))
    ids, scores = matches.ids[inside], matches.scores[inside]
    order = np.lexsort((ids, -scores))
    return [int(i) for i in ids[order[offset : offset + limit]]]


def _ordered(qs: ResourceQuerySet, sort: str) -> ResourceQuerySet:
    if sort == "title":
        return qs.order_by("title", "pk")
    if sort == "oldest":
        return qs.order_by(F("published_date").asc(nulls_last=True), "title", "pk")
    return qs.order_by(F("published_date").desc(nulls_last=True), "title", "pk")


def _marked(text: str) -> SafeString:
    """Escape everything, then turn the backend's markers into <mark> elements."""
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


def _count_alone(backend: SearchBackend, word: str) -> int:
    """How many resources a word finds by itself, stemmed but without synonyms."""
    published = Resource.objects.using(_alias()).published()
    matches = _matching(published, backend, parse(f'"{word}"', synonyms={}), False)
    return matches.order_by().values("pk")[:COUNT_CAP].count()


def _suggestion(backend: SearchBackend, query: ParsedQuery) -> str | None:
    """The query with each word the catalogue does not know replaced by the nearest one it does.

    Bounded, whatever the query: at most SUGGEST_WORDS words are looked up, and none is
    started once SUGGEST_SECONDS have passed.
    """
    words = [w for clause in query.clauses for w in clause.original]
    candidates = list(dict.fromkeys(w for w in words if 3 < len(w) <= 40 and not w.isdigit()))
    candidates = candidates[: SUGGEST_WORDS * 4]
    if not candidates:
        return None
    known = set(
        SearchWord.objects.using(_alias())
        .filter(word__in=candidates)
        .values_list("word", flat=True)
    )
    unknown = [w for w in candidates if w not in known][:SUGGEST_WORDS]
    deadline = time.monotonic() + SUGGEST_SECONDS
    replaced = {}
    for word in unknown:
        if time.monotonic() > deadline:
            break
        suggestion = backend.suggest(word)
        # A misspelling may stem like a real word and find something: offer what finds more.
        if (
            suggestion
            and suggestion != word
            and _count_alone(backend, suggestion) > _count_alone(backend, word)
        ):
            replaced[word] = suggestion
    if not replaced:
        return None
    return " ".join(replaced.get(w, w) for w in words)


def search(params: SearchParams) -> SearchResults:
    backend = backend_for(_alias())
    table = facet_table(_alias())
    query = parse(params.q)
    sort = params.sort if params.sort in SORTS else ""
    if not sort or (sort == "relevance" and not query):
        sort = "relevance" if query else "newest"
    page_size = min(max(params.page_size, 1), MAX_PAGE_SIZE)

    masks = _filter_masks(table, params)
    scored = bool(query) and sort == "relevance"
    any_clause = False
    matches = _matches(table, backend, query, False, scored=scored)
    found = _combine(matches.mask, masks)
    if not found.any() and len(query.clauses) > 1:
        relaxed = _matches(table, backend, query, True, scored=scored)
        if _combine(relaxed.mask, masks).any():
            any_clause, matches = True, relaxed
            found = _combine(matches.mask, masks)
    count = int(found.sum())

    num_pages = max(1, -(-count // page_size))
    page = min(max(params.page, 1), num_pages)
    offset = (page - 1) * page_size
    if scored:
        ids = _ranked_ids(table, matches, found, offset, page_size)
        published = Resource.objects.using(_alias()).published()
        by_id = {r.pk: r for r in published.filter(pk__in=ids).with_listing_data()}
        resources = [by_id[i] for i in ids if i in by_id]
    else:
        matched = Resource.objects.using(_alias()).published()
        if query or masks:
            # The resources found are already known: hand their ids to the database to sort,
            # rather than have it match the query again.
            id_sql, id_params = backend.id_list_sql(table.ids_of(found).tolist())
            matched = matched.filter(pk__in=RawSQL(id_sql, id_params))  # noqa: S611
        resources = list(_ordered(matched, sort).with_listing_data()[offset : offset + page_size])

    results = SearchResults(
        params=params,
        query=query,
        count=count,
        page=page,
        num_pages=num_pages,
        resources=resources,
        facets=_facets(table, matches.mask, masks, params),
        relaxed=any_clause,
        sort=sort,
    )
    if query and resources:
        raw = backend.highlights(query, any_clause=any_clause, ids=[r.pk for r in resources])
        results.highlights = {
            pk: Highlight(_marked(h.title), _marked(h.excerpt)) for pk, h in raw.items()
        }
    if query and count < 3:
        results.suggestion = _suggestion(backend, query)
    if count == 0 and masks:
        results.relaxations = [
            Relaxation(facet, FACET_LABELS[facet], n)
            for facet in FACETS
            if facet in masks and (n := int(_combine(matches.mask, masks, skip=facet).sum()))
        ]
        results.without_filters = int(matches.mask.sum())
    return results


def known_filters(filters: dict[str, list[str]]) -> dict[str, list[str]]:
    """The filters with every value no published resource has dropped.

    A value only unpublished resources use is unknown here, so that its name is never shown.
    """
    table = facet_table(_alias())
    known = {}
    for facet, values in filters.items():
        if facet in FACETS and values:
            known[facet] = [v for v in dict.fromkeys(values) if (facet, v) in table.index_of]
    return known


def facet_value_is_public(facet: str, value: str) -> bool:
    """Whether any published resource has this value: a term page exists only then."""
    return (facet, value) in facet_table(_alias()).index_of
