"""What the editorial side keeps: for now, failed sign-ins, kept only as keyed hashes."""

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
