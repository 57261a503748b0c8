"""The schedule of background work (settings.SIGNPOST_SCHEDULE), kept without cron.

Each entry names a task (django-tasks) and how often it runs. A worker calls
`schedule_enqueue_due` every minute; a row per entry, taken with a row lock, makes sure two
workers never queue the same run twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun


def schedule_enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Queue every scheduled task whose time has come; returns their names."""
    now = now or timezone.now()
    queued = []
    schedule: dict[str, dict[str, Any]] = settings.SIGNPOST_SCHEDULE
    for name, entry in schedule.items():
        every: timedelta = entry["every"]
        task_path: str = entry["task"]
        kwargs: dict[str, Any] = entry.get("kwargs", {})
        with transaction.atomic():
            run, created = ScheduledRun.objects.select_for_update().get_or_create(
                name=name, defaults={"last_enqueued_at": now}
            )
            if not created and now - run.last_enqueued_at < every:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            import_string(task_path).enqueue(**kwargs)
            queued.append(name)
    return queued
