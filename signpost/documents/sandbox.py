"""Runs the reader in a child process with limits, so that no file can hang or sink a worker."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, ngettext

from .reader import Limits, Refused

CHILD_ENVIRONMENT = {"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}


class Unreadable(Exception):
    """The reader did not finish within its limits, or failed: the file is kept, unread."""


def limits() -> Limits:
    return Limits(
        max_pages=settings.DOCUMENT_MAX_PAGES,
        text_pages=settings.DOCUMENT_TEXT_PAGES,
        text_chars=settings.DOCUMENT_TEXT_CHARS,
    )


def run(action: str, path: Path, *extra: str) -> dict[str, Any]:
    """The reader's answer for `action` on the file at `path`; raises Refused or Unreadable."""
    confinement = {
        **asdict(limits()),
        "seconds": settings.DOCUMENT_READ_SECONDS,
        "memory": settings.DOCUMENT_READ_MEMORY,
    }
    command = [sys.executable, "-m", "signpost.documents.reader", action, str(path)]
    command += [json.dumps(confinement), *extra]
    try:
        finished = subprocess.run(  # noqa: S603 (our own module, run by our own interpreter)
            command,
            capture_output=True,
            timeout=settings.DOCUMENT_READ_SECONDS * 2 + 5,
            # Nothing of the site's environment (its keys, its database's address) reaches the
            # child: a parser that a file got the better of finds nothing worth taking.
            env=CHILD_ENVIRONMENT,
            start_new_session=True,
            cwd=Path(settings.BASE_DIR),
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        seconds = settings.DOCUMENT_READ_SECONDS * 2 + 5
        raise Unreadable(
            # Translators: completes "The file could not be checked: ..." (lowercase, no full stop).
            ngettext(
                "reading took longer than %(seconds)s second",
                "reading took longer than %(seconds)s seconds",
                seconds,
            )
            % {"seconds": seconds}
        ) from error
    if finished.returncode != 0:
        raise Unreadable(_why(finished.returncode, finished.stderr))
    try:
        answer = json.loads(finished.stdout)
    except ValueError as error:
        # Translators: completes "The file could not be checked: ..." (lowercase, no full stop).
        raise Unreadable(gettext("the reader gave no answer")) from error
    if "refused" in answer:
        raise Refused(answer.get("message") or answer["refused"], **answer.get("params") or {})
    return dict(answer)


def _why(code: int, stderr: bytes) -> str:
    """A short reason for editors, from how the child ended (never the file's contents)."""
    if code == -9:
        # Translators: completes "The file could not be checked: ..." (lowercase, no full stop).
        return gettext("it used more than its processor time")
    if code == -24:
        return gettext("it used too much time")
    if code < 0:
        return gettext("the reader stopped (signal %(signal)s)") % {"signal": -code}
    if b"MemoryError" in stderr:
        return gettext("reading it needed more memory than allowed")
    return gettext("the reader could not make sense of it")
