"""Two-factor sign-in with django-otp: a TOTP authenticator app, and recovery codes."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


def device_unconfirmed(user: Any) -> TOTPDevice:
    """The authenticator being set up: the same key until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def device_confirm(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app with one code; returns fresh recovery codes, or None if the code is wrong.

    Confirming a new app replaces any earlier one and its recovery codes.
    """
    if not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    StaticDevice.objects.filter(user=device.user).delete()
    static = StaticDevice.objects.create(user=device.user, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def key_text(device: TOTPDevice) -> str:
    """The key as an app expects it typed: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The key as a QR code, inline SVG (no image request, nothing for the CSP to allow)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, title=gettext("QR code of the key")
    )
