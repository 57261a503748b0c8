"""What the editorial side keeps: the audit history, and failed sign-ins as keyed hashes."""

from django.conf import settings
from django.db import models


class SignInFailure(models.Model):
    """One failed staff sign-in. Neither the username nor the address is stored: only keyed
    hashes (HMAC with the site's secret key), enough to count failures and nothing more."""

    pair = models.CharField(max_length=64, help_text="hash of username and address together")
    address = models.CharField(max_length=64, help_text="hash of the address alone")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["pair", "at"], name="sign_in_failure_pair"),
            models.Index(fields=["address", "at"], name="sign_in_failure_address"),
        ]

    def __str__(self) -> str:
        return f"failed sign-in at {self.at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """One recorded change to a resource: who, when, how, and the fields before and after.

    Written in the same transaction as the change, by the catalogue's services; never edited
    or deleted through the site (the staff pages show it read-only).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="kept if the user goes")
    via = models.CharField(max_length=40)
    action = models.CharField(max_length=20)
    resource_uid = models.CharField(max_length=100, db_index=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.resource_uid} by {self.actor_name or 'a command'}"
