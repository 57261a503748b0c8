"""What the catalogue announces when it writes, for other apps (search) to follow.

Services announce inside their own transaction, and listeners do their work in that same
transaction: the index commits together with the catalogue write or not at all, so no crash
between two commits can leave them disagreeing. The call is explicit at the call site of
each write; the catalogue itself imports no other app.
"""

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, transaction
from django.dispatch import Signal

# Sent with `ids`: the primary keys of resources created, changed or deleted.
resources_changed = Signal()


class NotInTransaction(RuntimeError):
    """An announcement made outside the write's transaction could not commit with it."""


def announce_resources_changed(ids: Iterable[int]) -> None:
    """Tell listeners which resources changed; their work joins the current transaction."""
    changed = sorted(set(ids))
    if not changed:
        return
    if not transaction.get_connection(DEFAULT_DB_ALIAS).in_atomic_block:
        raise NotInTransaction("announce inside the atomic block of the write")
    resources_changed.send(sender=None, ids=changed)
