"""Pick the full-text backend for a database alias from its engine."""

from django.db import connections

from .base import SearchBackend
from .postgres import PostgresBackend
from .sqlite import SQLiteBackend

BACKENDS: dict[str, type[SearchBackend]] = {"sqlite": SQLiteBackend, "postgresql": PostgresBackend}


def backend_for(alias: str) -> SearchBackend:
    vendor = connections[alias].vendor
    try:
        return BACKENDS[vendor](alias)
    except KeyError:
        raise NotImplementedError(f"Signpost's search has no backend for {vendor}") from None
