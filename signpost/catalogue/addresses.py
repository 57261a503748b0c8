"""The one check every writer of an external address goes through (import, forms, admin).

An address is accepted as data when it is a plain http or https address; whether it is ever
fetched (a public host, say) is for the link checker to decide, not this.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\<>\"{}|^`]")

# Each problem as the import and the link checker name it after an address (in English), and
# as a form says it, whole, in the reader's language.
MALFORMED_IPV6 = "has a malformed IPv6 address"
NOT_IDNA = "has a host name that is not a valid internationalised domain name"
MALFORMED_HOST = "has a malformed host name"
FORBIDDEN_CHARACTERS = "contains spaces or characters an address cannot hold"
NOT_WELL_FORMED = "is not a well-formed address"
NOT_HTTP = "must start with http:// or https://"
USER_INFO = "must not hold a user name or password"
NO_HOST = "has no host name"
PORT_ZERO = "has port 0"
_SENTENCES = {
    MALFORMED_IPV6: gettext_lazy("This address has a malformed IPv6 address."),
    NOT_IDNA: gettext_lazy(
        "This address has a host name that is not a valid internationalised domain name."
    ),
    MALFORMED_HOST: gettext_lazy("This address has a malformed host name."),
    FORBIDDEN_CHARACTERS: gettext_lazy(
        "This address contains spaces or characters an address cannot hold."
    ),
    NOT_WELL_FORMED: gettext_lazy("This address is not a well-formed address."),
    NOT_HTTP: gettext_lazy("This address must start with http:// or https://."),
    USER_INFO: gettext_lazy("This address must not hold a user name or password."),
    NO_HOST: gettext_lazy("This address has no host name."),
    PORT_ZERO: gettext_lazy("This address has port 0."),
}


def _host_problem(host: str) -> str | None:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1] if host.endswith("]") else "")
        except ValueError:
            return MALFORMED_IPV6
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return NOT_IDNA
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        return MALFORMED_HOST
    return None


def address_problem(url: str) -> str | None:
    """Why `url` cannot be recorded as an address, or None when it can."""
    if _FORBIDDEN.search(url):
        return FORBIDDEN_CHARACTERS
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return NOT_WELL_FORMED
    if parts.scheme not in ("http", "https"):
        return NOT_HTTP
    if "@" in parts.netloc:
        return USER_INFO
    host = (
        parts.netloc.rsplit(":", 1)[0]
        if port is not None or parts.netloc.endswith(":")
        else parts.netloc
    )
    if not host:
        return NO_HOST
    if port == 0:
        return PORT_ZERO
    return _host_problem(host)


def validate_address(value: str) -> None:
    """Django validator for model and form fields that hold an external address."""
    problem = address_problem(value) if value else None
    if problem:
        raise ValidationError(_SENTENCES[problem], code="invalid_address")
