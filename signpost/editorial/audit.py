"""The audit history: every change the catalogue announces, written in its transaction."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from signpost.catalogue.events import Change
from signpost.catalogue.rows import insert_rows

from .models import AuditEvent

COLUMNS = ("at", "actor_id", "actor_name", "via", "action", "resource_uid", "changes")


def on_resources_recorded(
    sender: Any, changes: list[Change], actor: Any, via: str, **kwargs: Any
) -> None:
    """Write one event per change. Plain rows: an import records one per resource."""
    user = actor if getattr(actor, "pk", None) else None
    name = user.get_username() if user is not None else ""
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [
        (
            at,
            user.pk if user is not None else None,
            name,
            via,
            change.action,
            change.uid,
            json.dumps({k: list(v) for k, v in change.fields.items()}, cls=DjangoJSONEncoder),
        )
        for change in changes
    ]
    insert_rows(AuditEvent._meta.db_table, COLUMNS, rows)
