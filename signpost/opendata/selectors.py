"""Reads for open data: published resources with everything a feed, citation or download says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from signpost.catalogue.models import Resource, Topic
from signpost.catalogue.selectors import languages_with_counts, terms_with_counts
from signpost.search.engine import SearchParams, search_ids


def published_for_data() -> Any:
    """Published resources, each with its organisations, people, terms and versions."""
    # Related resources are named (when public) by the downloads.
    return Resource.objects.published().with_page_data().prefetch_related("related")


def resources_by_ids(ids: list[int]) -> list[Resource]:
    """These published resources, in the order of `ids`."""
    found = {r.pk: r for r in published_for_data().filter(pk__any_of=ids)}
    return [found[pk] for pk in ids if pk in found]


def catalogue_in_batches(batch: int = 500) -> Iterator[Resource]:
    """Every published resource in id order, read a batch at a time (for whole downloads)."""
    return published_for_data().order_by("uid").iterator(chunk_size=batch)


# What a search's query string may carry besides the search itself: left out of feeds and
# downloads of it.
NOT_SEARCH = ("page", "sort", "page_size")


def search_for_data(params: SearchParams, *, limit: int) -> tuple[list[Resource], int]:
    """The first `limit` resources a search finds, in its order, and how many it finds."""
    ids, count = search_ids(params, limit=limit)
    return resources_by_ids(ids), count


def examples() -> dict[str, Any]:
    """What the Data and API page's examples name, taken from the catalogue so that each
    works as written: a well-described resource (dated, with its organisation and an
    address), the most used topic, and a language besides English with resources."""
    published = Resource.objects.published()
    example = (
        published.filter(
            published_date__isnull=False,
            resource_organisations__role__in=["author", "publisher"],
            versions__url__gt="",
        )
        .order_by("uid")
        .first()
        or published.order_by("uid").first()
    )
    topic = terms_with_counts(Topic).order_by("-published_count", "slug").first()
    language = (
        languages_with_counts().exclude(code__startswith="en").order_by("-published_count").first()
    )
    return {"example": example, "example_topic": topic, "example_language": language}
