from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import DatabaseError


def unrecorded_files(*args: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Files stored before files had records are not served until they are recorded."""
    from signpost.catalogue.models import Version

    try:
        count = Version.objects.exclude(file="").filter(stored__isnull=True).count()
    except DatabaseError:  # not migrated yet
        return []
    if not count:
        return []
    return [
        checks.Warning(
            f"{count} version(s) hold a file with no record: it is not served or searchable.",
            hint="Run `manage.py read_documents` to check, record and read them.",
            id="documents.W001",
        )
    ]


class DocumentsConfig(AppConfig):
    name = "signpost.documents"
    label = "documents"
    verbose_name = "Documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from signpost.catalogue.files import file_handlers_register

        from .services import document_check, document_store

        file_handlers_register(check=document_check, store=document_store)
        checks.register(unrecorded_files, checks.Tags.database)
