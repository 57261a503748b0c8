"""Background work of documents: reading a stored file's text and drawing its thumbnail."""

from __future__ import annotations

from django_tasks import task

from signpost.catalogue.models import StoredFile

from .services import stored_file_read


@task()
def read_file(stored_id: int) -> str:
    """Read one stored file (gone since it was queued: nothing to do)."""
    stored = StoredFile.objects.filter(pk=stored_id).first()
    if stored is None:
        return f"stored file {stored_id} is gone"
    return stored_file_read(stored=stored)
