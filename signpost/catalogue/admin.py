from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from .events import Change, announce_recorded, announce_resources_changed, field_changes
from .models import (
    Audience,
    Country,
    Language,
    Organisation,
    Person,
    Resource,
    ResourceOrganisation,
    ResourcePerson,
    Series,
    Topic,
    Version,
)
from .selectors import resource_record, resources_for_export


class VersionInline(admin.TabularInline):
    model = Version
    extra = 1
    fields = ["language", "format", "url", "file", "title", "position"]
    autocomplete_fields = ["language"]


class ResourceOrganisationInline(admin.TabularInline):
    model = ResourceOrganisation
    extra = 1
    autocomplete_fields = ["organisation"]


class ResourcePersonInline(admin.TabularInline):
    model = ResourcePerson
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "resource_type", "status", "published_date", "review_by", "updated_at"]
    list_filter = ["status", "resource_type", "topics", "audiences"]
    search_fields = ["title", "uid", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["series", "related"]
    filter_horizontal = ["topics", "audiences", "countries"]
    readonly_fields = ["created_at", "updated_at", "published_at"]
    inlines = [VersionInline, ResourceOrganisationInline, ResourcePersonInline]
    fieldsets = [
        (None, {"fields": ["uid", "title", "slug", "summary", "resource_type", "access_note"]}),
        ("Publication date", {"fields": ["published_date", "published_precision"]}),
        ("Browsing", {"fields": ["topics", "audiences", "countries", "series", "related"]}),
        (
            "Editorial",
            {
                "fields": [
                    "status",
                    ("agreement_by", "agreement_on", "agreement_how"),
                    ("review_by", "reviewed_on"),
                    ("created_at", "updated_at", "published_at"),
                ]
            },
        ),
    ]

    # The admin runs each change in a transaction; the announcements join it, so the search
    # index and the audit history commit with the change. Actions are not wrapped by the
    # admin: wrap them here. The record before the change is kept on the request (the admin
    # object is shared by every request).
    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        request.signpost_before = _snapshot(obj.pk) if change else None
        # Record when a resource first went public, whatever route it took there.
        if obj.status == "published" and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            resource = form.instance
            announce_resources_changed([resource.pk])
            before = getattr(request, "signpost_before", None)
            fields = field_changes(before, _snapshot(resource.pk))
            action = "update" if before is not None else "create"
            if fields:
                change_record = Change(action, resource.uid, resource.pk, fields)
                announce_recorded(changes=[change_record], actor=request.user, via="admin")

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        self.delete_queryset(request, Resource.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            resources = list(queryset)
            changes = [
                Change("delete", r.uid, None, field_changes(_snapshot(r.pk), None))
                for r in resources
            ]
            ids = [r.pk for r in resources]
            super().delete_queryset(request, queryset)
            announce_resources_changed(ids)
            announce_recorded(changes=changes, actor=request.user, via="admin")


def _snapshot(pk: int) -> dict[str, object]:
    """The resource as an interchange record: what the audit history compares."""
    return resource_record(resources_for_export().get(pk=pk))


class TermAdminMixin(admin.ModelAdmin):
    """A renamed or deleted term changes what its resources are found by: reindex them."""

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            announce_resources_changed(obj.resources.values_list("pk", flat=True))

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            ids = list(obj.resources.values_list("pk", flat=True))
            super().delete_model(request, obj)
            announce_resources_changed(ids)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            ids = [pk for term in queryset for pk in term.resources.values_list("pk", flat=True)]
            super().delete_queryset(request, queryset)
            announce_resources_changed(ids)


@admin.register(Organisation)
class OrganisationAdmin(TermAdminMixin):
    list_display = ["name", "abbreviation", "url"]
    search_fields = ["name", "abbreviation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person, Topic, Audience, Country, Series)
class TermAdmin(TermAdminMixin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_native"]
    search_fields = ["code", "name_en", "name_native"]


def csv_download(*, filename: str, text: str) -> HttpResponse:
    """A CSV file (made with catalogue.spreadsheets) as a staff download."""
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def resource_admin_section(
    *, field: str, title: str, description: str, render: Callable[[Resource], str]
) -> None:
    """Add a read-only section to each resource's staff page, for another app's data.

    The registered admin (whichever app extended it last) is subclassed and registered again,
    so that the catalogue imports none of the apps that show something here.
    """
    base: Any = type(admin.site._registry[Resource])
    shown = admin.display(description=description)(lambda self, obj: render(obj))
    extended = type(
        f"{base.__name__}_{field}",
        (base,),
        {
            "readonly_fields": [*base.readonly_fields, field],
            "fieldsets": [*base.fieldsets, (title, {"fields": [field]})],
            field: shown,
            "__module__": base.__module__,
        },
    )
    admin.site.unregister(Resource)
    admin.site.register(Resource, extended)
