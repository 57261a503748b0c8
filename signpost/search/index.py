"""Keeps the search index in step with the catalogue: writes go to the primary database."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction

from signpost.catalogue.models import Resource
from signpost.catalogue.rows import insert_rows
from signpost.site.proxy import proxy_cache_purge_on_commit

from . import semantic
from .backends import backend_for
from .documents import BATCH, Document, documents_for
from .models import SearchFacet, SearchState, SearchVector, SearchWord
from .query import words_of


def _words(documents: list[Document]) -> Counter[str]:
    """How often each word of 3 to 40 letters, not a number, is written in these documents."""
    # One pass over all the text, then a filter over the distinct words: far fewer than all.
    text = "\n".join(value for document in documents for value in document.fields.values())
    counts = Counter(words_of(text))
    return Counter({w: n for w, n in counts.items() if 2 < len(w) <= 40 and not w.isdigit()})


def _write(documents: list[Document], *, words: Counter[str]) -> None:
    backend_for(DEFAULT_DB_ALIAS).write(documents)
    # Plain rows, not model instances: an index build writes about a dozen per resource.
    insert_rows(
        SearchFacet._meta.db_table,
        ("resource_id", "facet", "value"),
        [(d.resource_id, facet, value) for d in documents for facet, value in d.facets],
    )
    insert_rows(
        SearchWord._meta.db_table,
        ("word", "length", "frequency"),
        [(w, len(w), n) for w, n in words.items()],
        extra="ON CONFLICT DO NOTHING",
    )
    if documents and semantic.enabled():
        vectors = semantic.quantised(semantic.embed([d.meaning for d in documents]))
        insert_rows(
            SearchVector._meta.db_table,
            ("resource_id", "vector"),
            [(d.resource_id, v) for d, v in zip(documents, vectors, strict=True)],
        )


def index_version_raise() -> None:
    """Tell every reader (and every process) that the index has changed.

    A fresh random version rather than a count: a rolled-back write then restores a version
    that belongs to exactly the rows it restores.
    """
    SearchState.objects.update_or_create(pk=1, defaults={"version": secrets.randbits(62)})
    proxy_cache_purge_on_commit()


def resources_reindex(*, ids: Iterable[int]) -> int:
    """Bring the index up to date for these resources; unpublished or deleted ones leave it."""
    ids = sorted(set(ids))
    documents = [d for batch in documents_for(ids) for d in batch]
    with transaction.atomic():
        backend_for(DEFAULT_DB_ALIAS).delete(ids)
        SearchFacet.objects.filter(resource_id__any_of=ids)._raw_delete(DEFAULT_DB_ALIAS)
        SearchVector.objects.filter(resource_id__any_of=ids)._raw_delete(DEFAULT_DB_ALIAS)
        _write(documents, words=_words(documents))
        index_version_raise()
    return len(documents)


def index_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the catalogue, in one transaction."""
    total = Resource.objects.published().count()
    done = 0
    words: Counter[str] = Counter()
    with transaction.atomic():
        backend_for(DEFAULT_DB_ALIAS).clear(
            also=[
                SearchFacet._meta.db_table,
                SearchWord._meta.db_table,
                SearchVector._meta.db_table,
            ]
        )
        for batch in documents_for():
            words.update(_words(batch))
            # Words are written once at the end, with their counts over the whole catalogue.
            _write(batch, words=Counter())
            done += len(batch)
            if progress:
                progress(done, total)
        _write([], words=words)
        index_version_raise()
        if progress and not total:
            progress(0, 0)
    backend_for(DEFAULT_DB_ALIAS).analyse()
    return done


@dataclass
class IndexReport:
    """Where the index and the catalogue disagree, by resource id."""

    published: int
    missing: list[int] = field(default_factory=list)  # published, not in the index
    extra: list[int] = field(default_factory=list)  # in the index, not published
    stale: list[int] = field(default_factory=list)  # in the index with other content

    @property
    def agrees(self) -> bool:
        return not (self.missing or self.extra or self.stale)

    @property
    def ids(self) -> list[int]:
        return sorted({*self.missing, *self.extra, *self.stale})


def index_check() -> IndexReport:
    """Compare every indexed resource with what the catalogue says it should be: presence,
    every text field, and the facet values."""
    backend = backend_for(DEFAULT_DB_ALIAS)
    indexed = backend.indexed_ids()
    facets: dict[int, Counter[tuple[str, str]]] = {}
    for pk, facet, value in SearchFacet.objects.values_list("resource_id", "facet", "value"):
        facets.setdefault(pk, Counter())[(facet, value)] += 1
    # With meaning on, every indexed resource has its vector too.
    with_vector = (
        set(SearchVector.objects.values_list("resource_id", flat=True))
        if semantic.enabled()
        else None
    )
    report = IndexReport(published=0)
    seen: set[int] = set()
    for batch in documents_for():
        present = []
        for document in batch:
            pk = document.resource_id
            seen.add(pk)
            report.published += 1
            if pk not in indexed:
                report.missing.append(pk)
                continue
            present.append(document)
            if facets.get(pk) != Counter(document.facets) or (
                with_vector is not None and pk not in with_vector
            ):
                report.stale.append(pk)
        report.stale += [pk for pk in backend.stale(present) if pk not in report.stale]
    report.extra = sorted((indexed | set(facets)) - seen)
    return report


def index_repair(*, report: IndexReport) -> int:
    """Reindex every resource the report names; returns how many."""
    ids = report.ids
    for start in range(0, len(ids), BATCH):
        resources_reindex(ids=ids[start : start + BATCH])
    return len(ids)


def on_resources_changed(sender: Any, ids: list[int], **kwargs: Any) -> None:
    resources_reindex(ids=ids)


def full_text_schema_recreate(schema_editor: Any) -> None:
    """Make the full-text table (and PostgreSQL's functions) anew, then fill it from the
    catalogue: for a migration that changes their shape. Uses this release's code, which is
    what reads the new shape."""
    backend = backend_for(schema_editor.connection.alias)
    backend.drop_schema(schema_editor)
    backend.create_schema(schema_editor)
    backend.drop_functions(schema_editor)
    backend.create_functions(schema_editor)
    index_rebuild()
