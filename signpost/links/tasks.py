"""Background tasks of link health, run by the worker on the schedule in settings."""

from __future__ import annotations

from django_tasks import task

from .services import links_check


@task()
def check_links(limit: int | None = None) -> str:
    """Check the least recently checked links (all of them, or `limit`)."""
    return str(links_check(limit=limit))
