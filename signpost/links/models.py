"""The health of every external address the catalogue links to, and each check's record."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

from signpost.catalogue.models import Resource


class Outcome(models.TextChoices):
    OK = "ok", "Working"
    MOVED = "moved", "Moved permanently"
    BROKEN = "broken", "Not found (404 or 410)"
    SERVER_ERROR = "server_error", "Server error"
    CLIENT_ERROR = "client_error", "Refused by the site"
    TIMEOUT = "timeout", "Timed out"
    DNS_FAILURE = "dns_failure", "Name not found"
    TLS_ERROR = "tls_error", "Certificate or TLS error"
    CONNECTION_ERROR = "connection_error", "Could not connect"
    TOO_MANY_REDIRECTS = "too_many_redirects", "Too many redirects"
    NOT_PUBLIC = "not_public", "Not checked: not a public address"
    ROBOTS = "robots", "Not checked: the site asks robots not to"


# Outcomes that say nothing against the link: it was not fetched, by rule.
NOT_CHECKED = {Outcome.NOT_PUBLIC, Outcome.ROBOTS}
WORKING = {Outcome.OK, Outcome.MOVED}
# A link is broken only after failing this many checks in a row, spread over this long.
BROKEN_AFTER_FAILURES = 3
BROKEN_AFTER = timedelta(days=2)


class Link(models.Model):
    url = models.CharField(max_length=500, unique=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_checked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    last_ok_at = models.DateTimeField("last seen working", null=True, blank=True)
    failures = models.PositiveIntegerField("failed checks in a row", default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    is_broken = models.BooleanField(default=False, db_index=True)
    proposed_url = models.CharField(
        max_length=500, blank=True, help_text="Where a permanent redirect points: for an editor."
    )
    fingerprint = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField("changed since last review", null=True, blank=True)

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url


class LinkCheck(models.Model):
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.CharField(max_length=500, blank=True)
    redirects = models.JSONField(default=list, blank=True)
    milliseconds = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.link} {self.outcome} at {self.checked_at:%Y-%m-%d %H:%M}"


class ResourceNeedingAttention(Resource):
    """A published resource whose every link is broken, on an editor's list. Nothing is
    unpublished by the checker: an editor decides."""

    class Meta:
        proxy = True
        verbose_name = "resource needing attention"
        verbose_name_plural = "resources needing attention"
