"""What the catalogue announces when it writes, for other apps (search) to follow.

Services announce inside their own transaction, and listeners do their work in that same
transaction: the index commits together with the catalogue write or not at all, so no crash
between two commits can leave them disagreeing. The call is explicit at the call site of
each write; the catalogue itself imports no other app.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.dispatch import Signal

# Sent with `ids`: the primary keys of resources created, changed or deleted.
resources_changed = Signal()


class NotInTransaction(RuntimeError):
    """An announcement made outside the write's transaction could not commit with it."""


def announce_resources_changed(ids: Iterable[int]) -> None:
    """Tell listeners which resources changed; their work joins the current transaction."""
    changed = sorted(set(ids))
    if changed:
        _require_transaction()
        resources_changed.send(sender=None, ids=changed)


def _require_transaction() -> None:
    if not transaction.get_connection(DEFAULT_DB_ALIAS).in_atomic_block:
        raise NotInTransaction("announce inside the atomic block of the write")


# Sent with `changes` (a list of Change), `actor` (the user, or None for a command) and `via`
# (how the write came: "admin", "import", a command's name): what the audit history records.
resources_recorded = Signal()


@dataclass(frozen=True)
class Change:
    """One change to one resource: its action, and its fields before and after."""

    action: str
    uid: str
    resource_id: int | None = None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def announce_recorded(*, changes: list[Change], actor: Any, via: str) -> None:
    """Tell listeners (the audit history) what changed, inside the write's transaction."""
    if changes:
        _require_transaction()
        resources_recorded.send(sender=None, changes=changes, actor=actor, via=via)


def field_changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, tuple[Any, Any]]:
    """The fields whose value differs between two interchange records (None: no record)."""
    before, after = before or {}, after or {}
    return {
        name: (before.get(name), after.get(name))
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }
