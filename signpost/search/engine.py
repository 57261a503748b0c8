"""Search: the plan that runs a query through the parts that each do one thing.

parse (query.py, language.py) → match (backends) → filter and count (facets.py) → rank
(rank.py, semantic.py) → one page (Django's Paginator) → highlight (highlight.py) and
suggest (suggest.py). Every query here only reads, through the database alias that
search_alias() (router.py) chooses, so that searches can be sent to a read replica.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.core.paginator import Page, Paginator
from django.utils import translation

from signpost.catalogue.languages import language_name
from signpost.catalogue.models import Language, Resource

from . import semantic
from .backends import backend_for
from .backends.base import SearchBackend
from .facets import FacetTable, Mask, facet_table
from .highlight import Highlight, Passage, spans
from .language import named_languages, written_in
from .params import MAX_PAGE_SIZE, SORTS, Problem, SearchParams, unknown_filter_problems
from .query import ParsedQuery, parse
from .rank import fused, lexical_order, semantic_order
from .registry import BY_NAME, FACET_NAMES, FACETS, TYPE_LABELS
from .router import search_alias
from .suggest import corrected, corrections, known_words, suggestion

__all__ = ["FACET_NAMES", "MAX_PAGE_SIZE", "SORTS", "SearchParams", "SearchResults", "search"]

# A resource joins the results on meaning alone when it is among the SEMANTIC_JOIN most
# similar to the query and its similarity reaches SEMANTIC_THRESHOLD: above what queries of
# random letters reach on the demo catalogue (docs/search-quality.md).
SEMANTIC_THRESHOLD = 0.3
SEMANTIC_JOIN = 10
# How much the meaning ranking counts beside the lexical one in the fusion.
SEMANTIC_WEIGHT = 1.0


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Relaxation:
    """What removing one filter would bring back, offered when a search finds nothing."""

    facet: str
    label: str
    count: int


@dataclass
class LanguageOffer:
    """Resources in the language a search is written in or names."""

    code: str
    name_en: str
    name_native: str
    count: int
    resources: list[Resource] = field(default_factory=list)


@dataclass
class SearchResults:
    params: SearchParams
    query: ParsedQuery
    page_obj: Page
    resources: list[Resource]
    facets: dict[str, list[FacetValue]]
    highlights: dict[int, Highlight] = field(default_factory=dict)
    relaxed: bool = False
    sort: str = "newest"
    suggestion: str | None = None
    relaxations: list[Relaxation] = field(default_factory=list)
    without_filters: int | None = None
    # With a year range: how many resources it hides for having no date.
    undated_hidden: int = 0
    # Languages the search named, now filters: shown as tags that remove them.
    named_languages: list[str] = field(default_factory=list)
    # Resources in the language the search is written in, offered beside the results.
    language_offer: LanguageOffer | None = None
    problems: list[Problem] = field(default_factory=list)
    # Which resources matched on meaning alone, not on any word of the query.
    meaning_only: set[int] = field(default_factory=set)
    # Every word of the search is one the catalogue or the field's vocabulary knows.
    words_known: bool = False

    @property
    def count(self) -> int:
        return self.page_obj.paginator.count

    @property
    def page(self) -> int:
        return self.page_obj.number

    @property
    def num_pages(self) -> int:
        return self.page_obj.paginator.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page_obj.has_previous()

    @property
    def has_next(self) -> bool:
        return self.page_obj.has_next()

    @property
    def previous_page(self) -> int:
        return self.page - 1

    @property
    def next_page(self) -> int:
        return self.page + 1

    @property
    def items(self) -> list[tuple[Resource, Highlight | None]]:
        return [(r, self.highlights.get(r.pk)) for r in self.resources]

    @property
    def page_window(self) -> list[int | None]:
        """Page numbers to link: the first, the last and those near this one; None is a gap."""
        window: list[int | None] = []
        for n in self.page_obj.paginator.get_elided_page_range(
            self.page, on_each_side=2, on_ends=1
        ):
            window.append(n if isinstance(n, int) else None)
        return window

    @property
    def start_index(self) -> int:
        return self.page_obj.start_index()


def _alias() -> str:
    return search_alias()


def facet_labels(
    facet: str, values: Iterable[str], table: FacetTable | None = None
) -> dict[str, str]:
    """What a reader calls each value the catalogue has, in the page's language: read once
    for each version of the index (a rename or a new translation makes a new one)."""
    values = {v for v in values if 0 < len(v) <= 200 and v.isprintable()}
    table = table or facet_table(_alias())
    kept = table.labels.setdefault((facet, translation.get_language() or ""), {})
    missing = values - kept.keys()
    if missing:
        kept.update(_labels_read(facet, missing))
    return {v: kept[v] for v in values if v in kept}


def _labels_read(facet: str, values: set[str]) -> dict[str, str]:
    if facet == "type":
        return {v: str(TYPE_LABELS[v]) for v in values if v in TYPE_LABELS}
    source = BY_NAME[facet].source
    if source is None:
        return {v: v for v in values}
    if not values:
        return {}
    model, key, name = source
    query = model.objects.using(_alias()).filter(**{f"{key}__in": values})
    if facet in ("topic", "audience", "country"):
        # In the interface's language where the vocabulary has it.
        return {str(getattr(term, key)): str(term) for term in query}
    labels = dict(query.values_list(key, name))
    if facet == "language":
        # In the interface's language, from CLDR; the catalogue's English name otherwise.
        return {code: language_name(code, english) for code, english in labels.items()}
    return labels


def _facets(
    table: FacetTable, match: Mask, masks: dict[str, Mask], params: SearchParams
) -> dict[str, list[FacetValue]]:
    """Counts for every facet; a facet's own selection is left out of its counts."""
    counts = table.counts(_combine(match, masks), [f for f in FACET_NAMES if f not in masks])
    for facet in masks:
        counts.update(table.counts(_combine(match, masks, skip=facet), [facet]))
    result: dict[str, list[FacetValue]] = {}
    for facet in FACET_NAMES:
        chosen = set(params.filters.get(facet, []))
        found = counts[facet]
        labels = facet_labels(facet, set(found) | chosen, table)
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
    """One mask per narrowed facet: OR within the facet's values; the year range narrows
    the year, letting undated resources through only when asked."""
    masks = {
        facet: table.mask_of_values(facet, values)
        for facet, values in params.filters.items()
        if facet in BY_NAME and facet != "year" and values
    }
    if params.has_years:
        years = table.mask_of_years(params.year_from, params.year_to)
        masks["year"] = years | (table.year_of == 0) if params.include_undated else years
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
    """The resources a query matches, as a mask over the table, and for ranking their
    positions best first."""

    mask: Mask
    order: np.ndarray | None = None
    relaxed: bool = False
    meaning_only: Mask | None = None


def _lexical(
    table: FacetTable, backend: SearchBackend, query: ParsedQuery, masks: dict[str, Mask]
) -> Matches:
    """Every clause must match. When no resource has them all, a resource must match at
    least half of the clauses the catalogue knows (a word no resource has cannot count
    against it), and those matching more come first. Clauses are counted in the catalogue's
    own text, not inside files: a long file holds most common words, and would otherwise
    both come first and raise the bar for every other resource."""
    ids, scores = backend.scored(query)
    positions, present = table.find(ids)
    positions, scores = positions[present], scores[present]
    mask = table.mask_at(positions)
    relaxed = False
    coordination = np.ones(len(positions), dtype=np.int32)
    if not _combine(mask, masks).any() and len(query.clauses) > 1:
        counts = np.zeros(table.size, dtype=np.int32)
        known = 0
        for clause in query.clauses:
            matched = table.mask_of_ids(
                backend.match(ParsedQuery(query.text, [clause]), inside_files=False)
            )
            known += bool(matched.any())
            counts += matched
        if known:
            relaxed = True
            ids, scores = backend.scored(query, any_clause=True)
            positions, present = table.find(ids)
            keep = present & (counts[positions] * 2 >= known)
            positions, scores = positions[keep], scores[keep]
            coordination = counts[positions]
            mask = table.mask_at(positions)
    order = lexical_order(positions, scores, coordination)
    return Matches(mask, order, relaxed and bool(mask.any()))


def _with_meaning(table: FacetTable, query: ParsedQuery, lexical: Matches) -> Matches:
    """Lexical matches fused with the resources closest in meaning; the closest few join
    the results even without a word in common."""
    if table.vectors is None or not semantic.enabled():
        return lexical
    similarity = semantic.similarities(table.vectors, semantic.embed([query.meaning])[0])
    everyone = np.arange(table.size)
    by_meaning = semantic_order(everyone, similarity)
    near = by_meaning[:SEMANTIC_JOIN]
    near = near[similarity[near] >= SEMANTIC_THRESHOLD]
    joined = table.mask_at(near)
    meaning_only = joined & ~lexical.mask
    mask = lexical.mask | joined
    assert lexical.order is not None
    order = fused(lexical.order, by_meaning[mask[by_meaning]], table.size, SEMANTIC_WEIGHT)
    return Matches(mask, order, lexical.relaxed, meaning_only)


def _language_query(params: SearchParams) -> tuple[SearchParams, list[str]]:
    """A language named in the search becomes the language filter; the rest is searched."""
    named = named_languages(params.q)
    if not named.codes:
        return params, []
    filters = dict(params.filters)
    filters["language"] = list(dict.fromkeys([*filters.get("language", []), *named.codes]))
    return replace(params, q=named.remaining, filters=filters), named.codes


def _language_offer(table: FacetTable, code: str) -> LanguageOffer | None:
    language = Language.objects.using(_alias()).filter(code=code).first()
    mask = table.mask_of_values("language", [code])
    if language is None or not mask.any():
        return None
    positions = table.ordered(mask, "newest")[:5]
    ids = [int(i) for i in table.ids[positions]]
    return LanguageOffer(
        code, language.name_en, language.name_native, int(mask.sum()), _resources(ids)
    )


def _resources(ids: list[int]) -> list[Resource]:
    published = Resource.objects.using(_alias()).published()
    by_id = {r.pk: r for r in published.filter(pk__any_of=ids).with_listing_data()}
    return [by_id[i] for i in ids if i in by_id]


@dataclass
class Plan:
    """What one search will do, decided before anything is matched."""

    params: SearchParams
    query: ParsedQuery
    sort: str
    masks: dict[str, Mask]
    named: list[str]  # languages the search named, now filters
    language: str | None  # the language the search is written in, when not English
    known: set[str]  # the reader's words the catalogue or the vocabulary knows
    fixes: dict[str, str]  # unknown word -> the nearest known word


def _plan(params: SearchParams, backend: SearchBackend, table: FacetTable) -> Plan:
    params, named = _language_query(params)
    query = parse(params.q)
    sort = params.sort if params.sort in SORTS else ""
    if not sort or (sort == "relevance" and not query):
        sort = "relevance" if query else "newest"
    params = replace(params, page_size=min(max(params.page_size, 1), MAX_PAGE_SIZE))
    language = written_in(params.q) if query else None
    known = known_words(backend, query) if query else set()
    # Words in another language are not English misspellings: they are left as they are.
    fixes = corrections(backend, query, known) if query and language is None else {}
    return Plan(params, query, sort, _filter_masks(table, params), named, language, known, fixes)


def _match(plan: Plan, backend: SearchBackend, table: FacetTable) -> Matches:
    if not plan.query:
        return Matches(table.everything())
    matches = _lexical(table, backend, corrected(plan.query, plan.fixes), plan.masks)
    # The embeddings know English: words in another language would find only noise. A quoted
    # phrase asks for those exact words, and gets them alone. A search of words the catalogue
    # has never written (random letters) has no meaning to go by.
    if plan.language is None and '"' not in plan.params.q and (plan.known or plan.fixes):
        matches = _with_meaning(table, plan.query, matches)
    return matches


def _order(plan: Plan, table: FacetTable, matches: Matches, found: Mask) -> np.ndarray:
    """The positions of what was found, in the order asked for."""
    if plan.sort != "relevance" or matches.order is None:
        return table.ordered(found, plan.sort)
    order = matches.order[found[matches.order]]
    if plan.language and "language" not in plan.params.filters:
        # A search written in Polish puts what is available in Polish first.
        ours = table.mask_of_values("language", [plan.language])[order]
        order = np.concatenate([order[ours], order[~ours]])
    return order


def search(params: SearchParams) -> SearchResults:
    backend = backend_for(_alias())
    table = facet_table(_alias())
    plan = _plan(params, backend, table)
    query, masks = plan.query, plan.masks
    matches = _match(plan, backend, table)
    found = _combine(matches.mask, masks)
    page_obj = Paginator(_order(plan, table, matches, found), plan.params.page_size).get_page(
        plan.params.page
    )
    ids = [int(i) for i in table.ids[np.asarray(page_obj.object_list, dtype=np.int64)]]
    results = SearchResults(
        params=plan.params,
        query=query,
        page_obj=page_obj,
        resources=_resources(ids),
        facets=_facets(table, matches.mask, masks, plan.params),
        relaxed=matches.relaxed,
        sort=plan.sort,
        named_languages=plan.named,
        words_known=bool(query)
        and all(w in plan.known for clause in query.clauses for w in clause.original),
    )
    _explain(results, plan, backend, table, matches, ids)
    return results


def _explain(
    results: SearchResults,
    plan: Plan,
    backend: SearchBackend,
    table: FacetTable,
    matches: Matches,
    ids: list[int],
) -> None:
    """What the page says beside the results: highlights, which matched on meaning alone,
    "Did you mean", resources in the reader's language, undated resources a year range
    hides, and which filters to remove when nothing is found."""
    query, masks, params = plan.query, plan.masks, plan.params
    if matches.meaning_only is not None and ids:
        alone = matches.meaning_only[table.positions_of(np.array(ids, dtype=np.int64))]
        results.meaning_only = {i for i, only in zip(ids, alone, strict=True) if only}
    if query and results.resources:
        raw = backend.highlights(corrected(query, plan.fixes), any_clause=True, ids=ids)
        results.highlights = {
            pk: Highlight(spans(h.title), spans(h.excerpt)) for pk, h in raw.items()
        }
        # Resources the words found only inside their files: show where.
        inside_only = [
            pk
            for pk in ids
            if pk not in results.meaning_only
            and not (pk in results.highlights and results.highlights[pk].marked)
        ]
        found = backend.passages(corrected(query, plan.fixes), ids=inside_only)
        titles = {r.pk: r.title for r in results.resources}
        for pk, raw_passage in found.items():
            highlight = results.highlights.setdefault(pk, Highlight([(titles[pk], False)], []))
            highlight.passage = Passage(
                raw_passage.version_id, raw_passage.page, spans(raw_passage.excerpt)
            )
    if plan.fixes:
        results.suggestion = suggestion(backend, query, plan.fixes)
    if plan.language and "language" not in params.filters:
        results.language_offer = _language_offer(table, plan.language)
    elif plan.named and not results.count:
        # "ulotka po polsku": the language was clear, the other words found nothing in it.
        results.language_offer = _language_offer(table, plan.named[0])
    if params.has_years and not params.include_undated:
        others = _combine(matches.mask, masks, skip="year")
        results.undated_hidden = int((others & (table.year_of == 0)).sum())
    if results.count == 0 and masks:
        results.relaxations = [
            Relaxation(facet.name, str(facet.label), n)
            for facet in FACETS
            if facet.name in masks
            and (n := int(_combine(matches.mask, masks, skip=facet.name).sum()))
        ]
        results.without_filters = int(matches.mask.sum())


def known_filters(filters: dict[str, list[str]]) -> dict[str, list[str]]:
    """The filters with every value no published resource has dropped.

    A value only unpublished resources use is unknown here, so that its name is never shown.
    """
    table = facet_table(_alias())
    known = {}
    for facet, values in filters.items():
        if facet in BY_NAME and values:
            kept = [v for v in dict.fromkeys(values) if (facet, v) in table.index_of]
            if kept:
                known[facet] = kept
    return known


def search_ids(params: SearchParams, *, limit: int) -> tuple[list[int], int]:
    """The ids of the first `limit` resources a search finds, in its order, and how many it
    finds in all: for feeds and downloads, which read the resources themselves."""
    backend = backend_for(_alias())
    table = facet_table(_alias())
    plan = _plan(params, backend, table)
    matches = _match(plan, backend, table)
    order = _order(plan, table, matches, _combine(matches.mask, plan.masks))
    return [int(i) for i in table.ids[order[:limit]]], len(order)


def facet_value_is_public(facet: str, value: str) -> bool:
    """Whether any published resource has this value: a term page exists only then."""
    return (facet, value) in facet_table(_alias()).index_of


def read_search(
    data: Mapping[str, Any], *, page_size: int = 20
) -> tuple[SearchParams, list[Problem]]:
    """The search a query string asks for, and what in it could not be used and why: the
    same for the resources page and the API."""
    params, problems = SearchParams.from_mapping(data, page_size=page_size)
    asked = params.filters
    params.filters = known_filters(asked)
    return params, problems + unknown_filter_problems(asked, params.filters)
