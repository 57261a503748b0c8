"""What the catalogue announces after a write commits, for other apps (search) to follow.

Services send these explicitly through `transaction.on_commit`, so a reader of a service can
see the side effect at its call site; the catalogue itself imports no other app.
"""

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

# Sent with `ids`: the primary keys of resources created, changed or deleted.
resources_changed = Signal()


def announce_resources_changed(ids: Iterable[int]) -> None:
    """After the current transaction commits, tell listeners which resources changed."""
    changed = sorted(set(ids))
    if changed:
        transaction.on_commit(lambda: resources_changed.send(sender=None, ids=changed))
