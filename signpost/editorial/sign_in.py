"""Staff sign-in that stops guessing without letting a stranger lock an editor out.

Failures are counted per username *and* address together (5 an hour lock that pair), and
per address alone with a higher limit (30 an hour), so someone guessing from one address is
stopped, while an editor signing in from their own address is never locked out by a
stranger's failures elsewhere. A locked attempt gets the same message as a wrong password,
and takes as long: the password is still checked, and the answer thrown away.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from .models import SignInFailure

WINDOW = timedelta(hours=1)


def _hash(*parts: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def client_address(request: HttpRequest | None) -> str:
    """The address a sign-in comes from, as the counting key: behind a trusted proxy, the
    nearest address in X-Forwarded-For that is not a trusted proxy; an IPv6 address stands
    for its whole /64, which one person can hold."""
    if request is None:
        return ""
    trusted = set(settings.SIGN_IN_TRUSTED_PROXIES)
    address = request.META.get("REMOTE_ADDR") or ""
    if address in trusted:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for hop in reversed([a for a in forwarded if a]):
            address = hop
            if hop not in trusted:
                break
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _keys(request: HttpRequest | None, username: str) -> tuple[str, str]:
    address = client_address(request)
    return _hash("pair", username.casefold(), address), _hash("address", address)


def sign_in_failures_forget() -> int:
    """Delete failures older than the window: after each failure, and hourly by the worker."""
    deleted, _ = SignInFailure.objects.filter(at__lt=timezone.now() - WINDOW).delete()
    return deleted


def sign_in_is_locked(*, request: HttpRequest | None, username: str) -> bool:
    pair, address = _keys(request, username)
    recent = SignInFailure.objects.filter(at__gte=timezone.now() - WINDOW)
    return (
        recent.filter(pair=pair).count() >= settings.SIGN_IN_FAILURES_PER_USER_AND_ADDRESS
        or recent.filter(address=address).count() >= settings.SIGN_IN_FAILURES_PER_ADDRESS
    )


def sign_in_failure_record(*, request: HttpRequest | None, username: str) -> None:
    pair, address = _keys(request, username)
    SignInFailure.objects.create(pair=pair, address=address)
    sign_in_failures_forget()


class ThrottledModelBackend(ModelBackend):
    """Django's own backend, refusing (with the usual message) while a lock applies."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if username is not None and sign_in_is_locked(request=request, username=username):
            # Django stops at PermissionDenied, sends user_login_failed and shows the form's
            # usual error: nothing tells a guesser that the account exists or is locked.
            raise PermissionDenied
        return user


def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    username = str(credentials.get("username") or "")
    sign_in_failure_record(request=request, username=username)


def on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    pair, _ = _keys(request, user.get_username())
    SignInFailure.objects.filter(pair=pair).delete()
