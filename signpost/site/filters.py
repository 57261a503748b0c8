"""Turns search results into the resources page's form controls; `read_search` reads the
query string for the page and the API alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import QueryDict
from django.utils.translation import gettext

from signpost.catalogue.models import Language
from signpost.search.engine import SearchResults
from signpost.search.registry import BY_NAME, FACETS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

YEAR_PARAMETERS = ("year_from", "year_to", "year", "undated")


@dataclass
class SelectedTag:
    """A selected filter value, shown as a tag that removes it."""

    group: StrOrPromise
    label: str
    remove_url: str


def query_without(query: QueryDict, *names: str, value: str | None = None) -> str:
    """The query string with one value (or all values) of parameters removed, page reset."""
    remaining = query.copy()
    for name in names:
        if value is None:
            remaining.pop(name, None)
        else:
            remaining.setlist(name, [v for v in query.getlist(name) if v != value])
    remaining.pop("page", None)
    return remaining.urlencode()


def selected_tags(query: QueryDict, results: SearchResults) -> list[SelectedTag]:
    tags = []
    asked_languages = query.getlist("language")
    for facet in FACETS:
        if not facet.checkboxes:
            continue
        for item in results.facets[facet.name]:
            if not item.selected:
                continue
            if facet.name == "language" and item.value not in asked_languages:
                continue  # named in the search: its own tag below
            tags.append(
                SelectedTag(
                    facet.label,
                    item.label,
                    "?" + query_without(query, facet.name, value=item.value),
                )
            )
    params = results.params
    if params.has_years:
        years = {"first": params.year_from, "last": params.year_to}
        if params.year_from == params.year_to:
            label = str(params.year_from)
        elif params.year_to is None:
            label = gettext("%(first)s or later") % years
        elif params.year_from is None:
            label = gettext("%(last)s or earlier") % years
        else:
            label = gettext("%(first)s to %(last)s") % years
        if params.include_undated:
            # Translators: the years a year filter chose, and resources without a date too.
            label = gettext("%(years)s, and undated") % {"years": label}
        tags.append(
            SelectedTag(BY_NAME["year"].label, label, "?" + query_without(query, *YEAR_PARAMETERS))
        )
    return tags


def language_tags(query: QueryDict, results: SearchResults) -> list[SelectedTag]:
    """A tag for each language the search named, which searches again without it."""
    if not results.named_languages:
        return []
    remaining = query.copy()
    remaining["q"] = results.params.q
    remaining.pop("page", None)
    labels = {v.value: v.label for v in results.facets["language"]}
    natives = dict(
        Language.objects.filter(code__in=results.named_languages).values_list("code", "name_native")
    )
    tags = []
    for code in results.named_languages:
        english = labels.get(code, code)
        native = natives.get(code, english)
        label = native if native == english else f"{native} ({english})"
        tags.append(SelectedTag(BY_NAME["language"].label, label, "?" + remaining.urlencode()))
    return tags


def checkbox_groups(results: SearchResults) -> list[dict[str, object]]:
    """The filter form's checkbox groups, with counts, in the order a reader scans them."""
    return [
        {"legend": facet.label, "name": facet.name, "items": results.facets[facet.name]}
        for facet in FACETS
        if facet.checkboxes and results.facets[facet.name]
    ]


def relaxation_links(
    query: QueryDict, results: SearchResults
) -> list[tuple[StrOrPromise, str, int]]:
    """(words, url, count) for each filter whose removal would bring results back."""
    links = []
    for relaxation in results.relaxations:
        names = YEAR_PARAMETERS if relaxation.facet == "year" else (relaxation.facet,)
        words = BY_NAME[relaxation.facet].remove
        links.append((words, "?" + query_without(query, *names), relaxation.count))
    return links
