"""Keeps the search index in step with the catalogue: writes go to the primary database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction

from signpost.catalogue.models import Resource

from .backends import backend_for
from .documents import Document, document_for, resources_for_index
from .models import SearchFacet, SearchWord
from .query import words_of

BATCH = 1000


def _words(documents: list[Document]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for document in documents:
        for text in document.fields.values():
            counts.update(w for w in words_of(text) if 2 < len(w) <= 40 and not w.isdigit())
    return counts


def _write(documents: list[Document], *, words: Counter[str] | None = None) -> None:
    backend_for(DEFAULT_DB_ALIAS).write(documents)
    SearchFacet.objects.bulk_create(
        [
            SearchFacet(resource_id=d.resource_id, facet=facet, value=value)
            for d in documents
            for facet, value in d.facets
        ],
        batch_size=5000,
    )
    counts = words if words is not None else _words(documents)
    SearchWord.objects.bulk_create(
        [SearchWord(word=w, length=len(w), frequency=n) for w, n in counts.items()],
        batch_size=5000,
        ignore_conflicts=True,
    )


def resources_reindex(*, ids: Iterable[int]) -> int:
    """Bring the index up to date for these resources; unpublished or deleted ones leave it."""
    ids = sorted(set(ids))
    documents = [document_for(r) for r in resources_for_index(ids)]
    with transaction.atomic():
        backend_for(DEFAULT_DB_ALIAS).delete(ids)
        SearchFacet.objects.filter(resource_id__in=ids).delete()
        _write(documents)
    return len(documents)


def index_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the catalogue, in one transaction."""
    total = Resource.objects.published().count()
    done = 0
    batch: list[Document] = []
    words: Counter[str] = Counter()
    with transaction.atomic():
        backend_for(DEFAULT_DB_ALIAS).clear()
        SearchFacet.objects.all().delete()
        SearchWord.objects.all().delete()
        for resource in resources_for_index():
            batch.append(document_for(resource))
            if len(batch) >= BATCH:
                words.update(_words(batch))
                _write(batch, words=Counter())
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total)
        words.update(_words(batch))
        _write(batch, words=words)
        done += len(batch)
        if progress:
            progress(done, total)
    backend_for(DEFAULT_DB_ALIAS).analyse()
    return done


def on_resources_changed(sender: Any, ids: list[int], **kwargs: Any) -> None:
    resources_reindex(ids=ids)
