"""The audit history: every change the catalogue announces, written in its transaction."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from signpost.catalogue.events import Change

from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def on_resources_recorded(
    sender: Any, changes: list[Change], actor: Any, via: str, **kwargs: Any
) -> None:
    user = actor if getattr(actor, "pk", None) else None
    name = user.get_username() if user is not None else ""
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=user,
                actor_name=name,
                via=via,
                action=change.action,
                resource_uid=change.uid,
                changes=_jsonable({k: list(v) for k, v in change.fields.items()}),
            )
            for change in changes
        ],
        batch_size=1000,
    )
