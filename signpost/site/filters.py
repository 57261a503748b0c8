"""Turns a reader's query string into search parameters, and the results into form controls."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import QueryDict

from signpost.search.engine import FACET_LABELS, FACETS, SearchParams, SearchResults, known_filters
from signpost.search.query import clean

# The query string name of each facet's filter is the facet's own name.
FILTER_ORDER = ("type", "audience", "topic", "language", "organisation", "country", "year")


@dataclass
class SelectedTag:
    """A selected filter value, shown as a tag that removes it."""

    group: str
    label: str
    remove_url: str


# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_YEAR = re.compile(r"[0-9]{4}")
_PAGE = re.compile(r"[0-9]{1,6}")


def _year(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if _YEAR.fullmatch(value) else None


def page_number(value: str | None) -> int:
    """The page asked for; anything that is not a plain number means the first."""
    value = (value or "").strip()
    return max(1, int(value)) if _PAGE.fullmatch(value) else 1


def params_from_query(query: QueryDict, *, page_size: int = 20) -> SearchParams:
    return SearchParams(
        q=clean(query.get("q", "")),
        filters=known_filters({f: query.getlist(f) for f in FACETS if query.getlist(f)}),
        year_from=_year(query.get("year_from")),
        year_to=_year(query.get("year_to")),
        sort=query.get("sort", ""),
        page=page_number(query.get("page")),
        page_size=page_size,
    )


def query_without(query: QueryDict, name: str, value: str | None = None) -> str:
    """The query string with one value (or all values) of a parameter removed, page reset."""
    remaining = query.copy()
    if value is None:
        remaining.pop(name, None)
    else:
        remaining.setlist(name, [v for v in query.getlist(name) if v != value])
    remaining.pop("page", None)
    return remaining.urlencode()


def selected_tags(query: QueryDict, results: SearchResults) -> list[SelectedTag]:
    tags = []
    for facet in FILTER_ORDER:
        for item in results.facets[facet]:
            if item.selected:
                tags.append(
                    SelectedTag(
                        FACET_LABELS[facet],
                        item.label,
                        "?" + query_without(query, facet, item.value),
                    )
                )
    params = results.params
    if params.year_from is not None:
        tags.append(
            SelectedTag("From", str(params.year_from), "?" + query_without(query, "year_from"))
        )
    if params.year_to is not None:
        tags.append(SelectedTag("To", str(params.year_to), "?" + query_without(query, "year_to")))
    return tags


def checkbox_groups(results: SearchResults) -> list[dict[str, object]]:
    """The filter form's checkbox groups, with counts, in the order a reader scans them."""
    return [
        {
            "legend": FACET_LABELS[facet],
            "name": facet,
            "items": results.facets[facet],
        }
        for facet in FILTER_ORDER
        if results.facets[facet]
    ]


def relaxation_links(query: QueryDict, results: SearchResults) -> list[tuple[str, str, int]]:
    """(label, url, count) for each filter whose removal would bring results back."""
    links = []
    for relaxation in results.relaxations:
        remaining = query.copy()
        for name in (relaxation.facet, "page") + (
            ("year_from", "year_to") if relaxation.facet == "year" else ()
        ):
            remaining.pop(name, None)
        links.append((relaxation.label, "?" + remaining.urlencode(), relaxation.count))
    return links
