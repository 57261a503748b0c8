"""When each scheduled task was last put on the queue, so that every worker agrees."""

from django.db import models


class ScheduledRun(models.Model):
    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} last queued {self.last_enqueued_at:%Y-%m-%d %H:%M}"
