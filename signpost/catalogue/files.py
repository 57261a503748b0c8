"""How the catalogue takes in a file: the documents app checks and stores it.

The catalogue imports no other app, so the documents app registers its two functions here
when it starts (as listeners register for the catalogue's events).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from django.utils.translation import gettext

# Where a record's file names point: a folder beside an interchange file, the catalogue's own
# storage (a record edited on the site names files already stored), or nowhere.
FilesFrom = Path | Literal["storage"] | None


class FileRefused(ValueError):
    """The file is not one the catalogue keeps; the message says why, for a person."""


Check = Callable[[Path, str], None]  # (the file, its name as given): raises FileRefused
Store = Callable[[Path, str], tuple[str, bool]]  # -> (its name in storage, newly stored)

_handlers: dict[str, Callable[..., object]] = {}


def file_handlers_register(*, check: Check, store: Store) -> None:
    _handlers["check"], _handlers["store"] = check, store


def file_check(path: Path, name: str) -> None:
    """Raise FileRefused unless the file is of a kind the catalogue accepts, and whole."""
    _handler("check")(path, name)


def file_store(path: Path, name: str) -> tuple[str, bool]:
    """Store the file (once, however often it comes): its name in storage, and whether new."""
    answer: tuple[str, bool] = _handler("store")(path, name)  # type: ignore[assignment]
    return str(answer[0]), bool(answer[1])


def _handler(name: str) -> Callable[..., object]:
    if name not in _handlers:
        raise FileRefused(gettext("Files cannot be taken in: the documents app is not installed."))
    return _handlers[name]
