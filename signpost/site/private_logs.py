"""Logs that never hold what identifies a visitor or what they looked for.

One filter serves Django's loggers and gunicorn's logs: it removes client addresses, query
strings and the tokens of emailed links from every message, and replaces an exception's
message (which may quote a visitor's input) with its type, keeping the traceback's file and
line numbers.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import traceback
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

_IP_FIELD = re.compile(r"\bip=\S*")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_IPV6 = re.compile(r"\[?\b(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}\b\]?")
_QUERY = re.compile(r"\?[^\s'\"]*")
# The signed tokens of emailed links (invitations, "still current") work like passwords.
_LINK_TOKEN = re.compile(r"((?:/[\w-]+)?/staff/(?:invitation|still-current)/)[^/\s'\"]+")


def _address_removed(match: re.Match[str]) -> str:
    # Only what really is an address: "29/Nov/2026:03:11:29" has the shape of one, not the form.
    try:
        ipaddress.ip_address(match.group(0).strip("[]"))
    except ValueError:
        return match.group(0)
    return "-"


def redact(text: str) -> str:
    """The text without client addresses or query strings."""
    if text.startswith("Listening at:"):
        return text  # the server's own address, which the person starting it needs
    text = _IP_FIELD.sub("ip=-", text)
    text = _QUERY.sub("?…", text)
    text = _LINK_TOKEN.sub(r"\1…", text)
    text = _IPV4.sub(_address_removed, text)
    return _IPV6.sub(_address_removed, text)


def withheld_traceback(exc_info: Any) -> str:
    kind, _, tb = exc_info
    frames = "".join(traceback.format_list(traceback.extract_tb(tb)))
    name = getattr(kind, "__name__", "Exception")
    return (
        f"Traceback (most recent call last):\n{frames}"
        f"{name}: (message withheld: it may quote what a visitor sent)"
    )


class RedactVisitorData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = withheld_traceback(record.exc_info)
        return True


class PrivateGunicornLogger(GunicornLogger):
    """gunicorn's logger with the filter on its error log (its access log format already
    leaves out the address and query string: see gunicorn.conf.py)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in [*self.error_log.handlers, *self.access_log.handlers]:
            handler.addFilter(RedactVisitorData())
