"""The one check every writer of an external address goes through (import, forms, admin).

An address is accepted as data when it is a plain http or https address; whether it is ever
fetched (a public host, say) is for the link checker to decide, not this.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\<>\"{}|^`]")


def _host_problem(host: str) -> str | None:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1] if host.endswith("]") else "")
        except ValueError:
            return "has a malformed IPv6 address"
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return "has a host name that is not a valid internationalised domain name"
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        return "has a malformed host name"
    return None


def address_problem(url: str) -> str | None:
    """Why `url` cannot be recorded as an address, or None when it can."""
    if _FORBIDDEN.search(url):
        return "contains spaces or characters an address cannot hold"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a well-formed address"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if "@" in parts.netloc:
        return "must not hold a user name or password"
    host = (
        parts.netloc.rsplit(":", 1)[0]
        if port is not None or parts.netloc.endswith(":")
        else parts.netloc
    )
    if not host:
        return "has no host name"
    if port == 0:
        return "has port 0"
    return _host_problem(host)


def validate_address(value: str) -> None:
    """Django validator for model and form fields that hold an external address."""
    problem = address_problem(value) if value else None
    if problem:
        raise ValidationError(f"This address {problem}.", code="invalid_address")
