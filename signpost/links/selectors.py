"""Reads of link health for other apps' pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from signpost.catalogue.models import Resource, Version

from .models import Link


def link_states(*, urls: Iterable[str]) -> dict[str, Link]:
    """The health of each of these addresses that has been checked, by address."""
    wanted = [u for u in set(urls) if u]
    if not wanted:
        return {}
    return {link.url: link for link in Link.objects.filter(url__in=wanted)}


def resources_needing_attention() -> QuerySet[Resource]:
    """Published resources with at least one link, every one of them broken."""
    broken = Link.objects.filter(is_broken=True).values("url")
    working = Version.objects.exclude(url="").exclude(url__in=broken).values("resource_id")
    with_links = Resource.objects.filter(status="published", versions__url__gt="")
    return Resource.objects.filter(pk__in=with_links.exclude(pk__in=working).values("pk"))
