"""The audit history in the staff pages: read-only, filterable, downloadable as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join

from signpost.catalogue.models import Resource

from .models import AuditEvent


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "resource_uid", "actor_name", "via"]
    list_filter = ["action", "via"]
    search_fields = ["resource_uid", "actor_name"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    actions = ["download_csv"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Download the selected events as CSV")
    def download_csv(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> HttpResponse:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["at", "action", "resource", "by", "via", "changes"])
        for event in queryset:
            row = [event.at.isoformat(), event.action, event.resource_uid, event.actor_name,
                   event.via, event.changes]  # fmt: skip
            writer.writerow([_csv_cell(cell) for cell in row])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="signpost-audit.csv"'
        return response


# Each resource's staff page shows its history (the registered admin, extended).
_ResourceAdmin: Any = type(admin.site._registry[Resource])
admin.site.unregister(Resource)


@admin.register(Resource)
class ResourceWithHistoryAdmin(_ResourceAdmin):
    readonly_fields = [*_ResourceAdmin.readonly_fields, "audit_history"]
    fieldsets = [*_ResourceAdmin.fieldsets, ("History", {"fields": ["audit_history"]})]

    @admin.display(description="Changes, newest first")
    def audit_history(self, obj: Resource) -> str:
        events = AuditEvent.objects.filter(resource_uid=obj.uid)[:50] if obj.pk else []
        if not events:
            return "No recorded changes."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} {} by {} ({}): {}</li>",
                (
                    (
                        f"{e.at:%Y-%m-%d %H:%M}",
                        e.action,
                        e.actor_name or "a command",
                        e.via,
                        "; ".join(f"{k}: {v[0]!r} → {v[1]!r}" for k, v in e.changes.items()),
                    )
                    for e in events
                ),
            ),
        )
