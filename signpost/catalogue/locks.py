"""A lock that lets one import run at a time, on whichever database the site uses.

PostgreSQL has advisory locks; SQLite gets a lock file beside its database file. Either way a
second import waits its turn, after saying why, instead of failing on the first write.
"""

from __future__ import annotations

import fcntl
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

# A fixed number that names the import lock among the server's advisory locks.
IMPORT_LOCK_KEY = 7_465_323_001


def _lock_file_path() -> Path:
    name = str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    if name and not name.startswith(("file:", ":memory:")):
        return Path(name).with_name(Path(name).name + ".import-lock")
    # An in-memory database (the test suite's) belongs to one process: a private lock file.
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"signpost-{digest}.import-lock"


@contextmanager
def import_lock(*, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the import lock for the block; call `on_wait` once if another import holds it."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [IMPORT_LOCK_KEY])
            if not cursor.fetchone()[0]:
                if on_wait:
                    on_wait()
                cursor.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [IMPORT_LOCK_KEY])
        return
    path = _lock_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
