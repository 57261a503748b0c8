from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

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
from .services import resource_delete, resource_withdraw, term_delete, term_merge, term_update


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

    # Operators only (editors work in the editorial pages). The admin writes nothing itself:
    # resources are read here, and withdrawn or deleted through the catalogue's services.
    actions = ["withdraw_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Withdraw the selected resources from the public site")
    def withdraw_selected(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        for resource in queryset:
            resource_withdraw(resource=resource, by=request.user, via="admin")

    def delete_model(self, request: HttpRequest, obj: Resource) -> None:
        resource_delete(resource=obj, by=request.user, via="admin")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        with transaction.atomic():
            for resource in queryset:
                resource_delete(resource=resource, by=request.user, via="admin")


class TermAdminMixin(admin.ModelAdmin):
    """Terms change through the catalogue's services, which reindex and record their resources."""

    actions = ["merge_selected"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        term_update(term=obj, values={}, by=request.user, via="admin")

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        term_delete(term=obj, by=request.user, via="admin")

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            for term in queryset:
                term_delete(term=term, by=request.user, via="admin")

    @admin.action(description="Merge the selected into one of them")
    def merge_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        terms = list(queryset)
        if len(terms) < 2:
            self.message_user(request, "Choose two or more to merge.", level="error")
            return None
        target_pk = request.POST.get("target", "")
        target = next((t for t in terms if str(t.pk) == target_pk), None)
        if "apply" in request.POST and target is not None:
            with transaction.atomic():
                for term in terms:
                    if term.pk != target.pk:
                        term_merge(source=term, target=target, by=request.user, via="admin")
            self.message_user(request, f"Merged {len(terms) - 1} into “{target}”.")
            return None
        return TemplateResponse(
            request,
            "admin/catalogue/merge_terms.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge into one",
                "terms": terms,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


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
