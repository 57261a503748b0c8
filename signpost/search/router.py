"""Which database a search reads, and where everything else goes.

Writes and migrations go to the primary. Searches read from the replica in
settings.SEARCH_DATABASE when there is one, except in two cases, both reading the primary:
a request of someone signed in (signpost/search/replica.py: an editor sees their own change
at once, whatever the replica's replay lag), and a replica that does not answer (the site
keeps answering, and the log says so once when it stops and once when it is back).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

# Set by ReadYourWritesMiddleware for the length of one request: whether its reader is
# signed in, asked only when a search needs to know (asking reads the session).
signed_in_reader: ContextVar[Callable[[], bool] | None] = ContextVar(
    "signed_in_reader", default=None
)


class PrimaryReplicaRouter:
    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaHealth:
    """Whether this process's search replica answers.

    A replica that did not answer is left alone for `retry_after` seconds, so that while it
    is down a request costs no connection attempt (and no connect timeout) but for one every
    few seconds per process. Only the changes between answering and not are logged, with
    the database's error and nothing of the request that met it.
    """

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    def answers(self, alias: str) -> bool:
        failed_at = self._failed_at
        if failed_at is not None and time.monotonic() - failed_at < self.retry_after:
            return False
        connection = connections[alias]
        try:
            # A kept connection is checked once a request (CONN_HEALTH_CHECKS), so a replica
            # stopped since the last request is noticed here rather than in the search.
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as error:
            self._failed(error)
            return False
        if failed_at is not None:
            self._answered()
        return True

    def invalidate(self) -> None:
        """Forget any failure: the replica is tried on the next search."""
        with self._lock:
            self._failed_at = None

    def _failed(self, error: DatabaseError) -> None:
        with self._lock:
            first = self._failed_at is None
            self._failed_at = time.monotonic()
        if first:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            logger.warning(
                "The search replica does not answer (%s: %s); searches read from the "
                "primary until it does.",
                type(error).__name__,
                reason,
            )

    def _answered(self) -> None:
        with self._lock:
            was_down = self._failed_at is not None
            self._failed_at = None
        if was_down:
            logger.warning("The search replica answers again; searches read from it.")


replica_health = ReplicaHealth(retry_after=settings.SEARCH_REPLICA_RETRY_SECONDS)


def search_alias() -> str:
    """The database this search reads: the replica, unless the reader is signed in or the
    replica does not answer."""
    alias: str = settings.SEARCH_DATABASE
    if alias == DEFAULT_DB_ALIAS:
        return alias
    signed_in = signed_in_reader.get()
    if signed_in is not None and signed_in():
        return DEFAULT_DB_ALIAS
    return alias if replica_health.answers(alias) else DEFAULT_DB_ALIAS
