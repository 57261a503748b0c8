"""Turns a reader's query string into catalogue filters, dropping values that do not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from signpost.catalogue.selectors import SORTS, FilterOptions, ResourceFilters

MAX_QUERY_LENGTH = 1000


@dataclass
class SelectedTag:
    """A selected filter value, shown as a tag that removes it."""

    group: str
    label: str
    remove_url: str


def _year(value: str | None) -> int | None:
    if value and value.strip().isdigit() and len(value.strip()) == 4:
        return int(value)
    return None


def _clean_text(value: str) -> str:
    printable = "".join(ch if ch.isprintable() else " " for ch in value[:MAX_QUERY_LENGTH])
    return " ".join(printable.split())


def filters_from_query(query: QueryDict, options: FilterOptions) -> ResourceFilters:
    def known(name: str, allowed: set[str]) -> list[str]:
        return list(dict.fromkeys(v for v in query.getlist(name) if v in allowed))

    sort = query.get("sort", "")
    q = _clean_text(query.get("q", ""))
    return ResourceFilters(
        q=q,
        types=known("type", {value for value, _ in options.types}),
        topics=known("topic", {t.slug for t in options.topics}),
        audiences=known("audience", {a.slug for a in options.audiences}),
        languages=known("language", {lang.code for lang in options.languages}),
        organisations=known("organisation", {o.slug for o in options.organisations}),
        year_from=_year(query.get("year_from")),
        year_to=_year(query.get("year_to")),
        sort=sort if sort in SORTS else ("newest"),
    )


def query_without(query: QueryDict, name: str, value: str) -> str:
    """The query string with one value of one parameter removed, and the page reset."""
    remaining = query.copy()
    remaining.setlist(name, [v for v in query.getlist(name) if v != value])
    remaining.pop("page", None)
    return remaining.urlencode()


def selected_tags(
    query: QueryDict, filters: ResourceFilters, options: FilterOptions
) -> list[SelectedTag]:
    labels = {
        "type": ("Type", dict(options.types), filters.types),
        "topic": ("Topic", {t.slug: t.name for t in options.topics}, filters.topics),
        "audience": ("Audience", {a.slug: a.name for a in options.audiences}, filters.audiences),
        "language": (
            "Language",
            {lang.code: lang.name_en for lang in options.languages},
            filters.languages,
        ),
        "organisation": (
            "Organisation",
            {o.slug: o.name for o in options.organisations},
            filters.organisations,
        ),
    }
    tags = []
    for name, (group, names, values) in labels.items():
        for value in values:
            tags.append(SelectedTag(group, names[value], "?" + query_without(query, name, value)))
    if filters.year_from is not None:
        tags.append(
            SelectedTag(
                "From",
                str(filters.year_from),
                "?" + query_without(query, "year_from", query.get("year_from", "")),
            )
        )
    if filters.year_to is not None:
        tags.append(
            SelectedTag(
                "To",
                str(filters.year_to),
                "?" + query_without(query, "year_to", query.get("year_to", "")),
            )
        )
    return tags


def checkbox_groups(options: FilterOptions, filters: ResourceFilters) -> list[dict[str, object]]:
    """The filter form's checkbox groups, in the order a reader scans them."""
    return [
        {"legend": "Type", "name": "type", "items": options.types, "selected": filters.types},
        {
            "legend": "Audience",
            "name": "audience",
            "items": [(a.slug, a.name) for a in options.audiences],
            "selected": filters.audiences,
        },
        {
            "legend": "Topic",
            "name": "topic",
            "items": [(t.slug, t.name) for t in options.topics],
            "selected": filters.topics,
        },
        {
            "legend": "Language",
            "name": "language",
            "items": [(lang.code, lang.name_en) for lang in options.languages],
            "selected": filters.languages,
        },
        {
            "legend": "Organisation",
            "name": "organisation",
            "items": [(o.slug, o.name) for o in options.organisations],
            "selected": filters.organisations,
        },
    ]
