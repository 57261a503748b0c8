"""The audit history in the staff pages: read-only, filterable, downloadable as CSV."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from signpost.catalogue.admin import csv_download, resource_admin_section
from signpost.catalogue.models import Resource
from signpost.catalogue.spreadsheets import csv_text

from .models import AuditEvent


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
        rows = (
            [e.at.isoformat(), e.action, e.resource_uid, e.actor_name, e.via, e.changes]
            for e in queryset
        )
        header = ["at", "action", "resource", "by", "via", "changes"]
        return csv_download(filename="signpost-audit.csv", text=csv_text(header, rows))


def _audit_history(obj: Resource) -> str:
    """A resource's recorded changes, newest first, for its staff page."""
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


resource_admin_section(
    field="audit_history",
    title="History",
    description="Changes, newest first",
    render=_audit_history,
)


class OperatorAdminSite(admin.AdminSite):
    """The admin is for operators: superusers who have passed two-factor sign-in. Everyone
    signs in on the editorial sign-in page."""

    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_superuser and user.is_verified())

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        user: Any = request.user
        if user.is_authenticated and user.is_verified() and not user.is_superuser:
            raise Http404("The admin is for operators")
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('editorial:sign_in')}?{urlencode({'next': target})}")


admin.site.__class__ = OperatorAdminSite
