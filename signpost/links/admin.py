"""Link health for editors, in the staff pages: broken, moved and changed links, with CSV."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from signpost.catalogue.admin import csv_download, resource_admin_section
from signpost.catalogue.models import Organisation, Resource, Version

from .csv_export import links_csv
from .models import Link, LinkCheck, ResourceNeedingAttention
from .selectors import resources_needing_attention


class LinkCheckInline(admin.TabularInline):
    model = LinkCheck
    extra = 0
    can_delete = False
    fields = ("checked_at", "outcome", "status_code", "final_url", "redirects", "milliseconds")
    readonly_fields = fields
    max_num = 0


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("broken", "Broken"),
            ("failing", "Failing, not yet broken"),
            ("moved", "Moved permanently"),
            ("changed", "Changed since last review"),
        ]

    def queryset(self, request: Any, queryset: QuerySet[Link]) -> QuerySet[Link]:
        value = self.value()
        if value == "broken":
            return queryset.filter(is_broken=True)
        if value == "failing":
            return queryset.filter(is_broken=False, failures__gt=0)
        if value == "moved":
            return queryset.exclude(proposed_url="")
        if value == "changed":
            return queryset.filter(changed_at__isnull=False)
        return queryset


class OrganisationFilter(admin.SimpleListFilter):
    title = "organisation"
    parameter_name = "organisation"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return list(Organisation.objects.values_list("slug", "name"))

    def queryset(self, request: Any, queryset: QuerySet[Link]) -> QuerySet[Link]:
        if not self.value():
            return queryset
        urls = Version.objects.filter(
            resource__resource_organisations__organisation__slug=self.value()
        ).values("url")
        home = Organisation.objects.filter(slug=self.value()).values("url")
        return queryset.filter(Q(url__in=urls) | Q(url__in=home))


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ["url", "last_outcome", "is_broken", "failures", "last_ok_at", "proposed_url"]
    list_filter = [StateFilter, "last_outcome", OrganisationFilter]
    search_fields = ["url"]
    readonly_fields = [f.name for f in Link._meta.fields]
    inlines = [LinkCheckInline]
    actions = ["download_csv"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Download the selected links as CSV")
    def download_csv(self, request: HttpRequest, queryset: QuerySet[Link]) -> HttpResponse:
        return csv_download(filename="signpost-links.csv", text=links_csv(queryset))


@admin.register(ResourceNeedingAttention)
class NeedsAttentionAdmin(admin.ModelAdmin):
    """Published resources whose every link is broken: the evidence is each link's history."""

    list_display = ["title", "broken_links", "review_by"]
    search_fields = ["title"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        ids = resources_needing_attention().values("pk")
        return ResourceNeedingAttention.objects.filter(pk__in=ids).prefetch_related("versions")

    @admin.display(description="Broken links")
    def broken_links(self, obj: Any) -> str:
        return ", ".join(v.url for v in obj.versions.all() if v.url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _link_history(obj: Resource) -> str:
    """The state and recent checks of each of a resource's links, for its staff page."""
    urls = [v.url for v in obj.versions.all() if v.url] if obj.pk else []
    if not urls:
        return "No external links."
    links = {link.url: link for link in Link.objects.filter(url__in=urls)}
    rows = []
    for url in urls:
        link = links.get(url)
        if link is None:
            rows.append(format_html("<li>{}: not checked yet</li>", url))
            continue
        checks = ", ".join(
            f"{c.checked_at:%Y-%m-%d} {c.get_outcome_display()}" for c in link.checks.all()[:5]
        )
        state = "broken" if link.is_broken else link.get_last_outcome_display() or "unchecked"
        rows.append(format_html("<li>{}: {} (recent checks: {})</li>", url, state, checks))
    return format_html("<ul>{}</ul>", mark_safe("".join(rows)))  # noqa: S308


resource_admin_section(
    field="link_history",
    title="Link health",
    description="Links and their last checks",
    render=_link_history,
)
