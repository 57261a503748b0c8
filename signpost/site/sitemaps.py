"""The sitemap: every published resource, and the pages that lead to them."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from signpost.catalogue.models import Resource


class ResourceSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "monthly"
    limit = 10_000

    def items(self) -> QuerySet[Resource]:
        return Resource.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, item: Resource) -> Any:
        return item.updated_at


class PageSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["site:home", "site:resource_list", "site:organisations", "site:topics",
                "site:audiences", "site:languages", "site:safety"]  # fmt: skip

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "resources": ResourceSitemap}
