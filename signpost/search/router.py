"""Writes and migrations go to the primary; a search replica, when configured, only reads."""

from typing import Any

from django.db import DEFAULT_DB_ALIAS


class PrimaryReplicaRouter:
    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
