"""Writes to the catalogue. Each state change is one keyword-only function in a transaction."""

from __future__ import annotations

import contextlib
import datetime
import queue
import re
import threading
import uuid
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from .events import Change, announce_recorded, announce_resources_changed, field_changes
from .files import FilesFrom, file_store
from .interchange import (
    RESERVED_SLUGS,
    InterchangeError,
    Line,
    Problem,
    ResourceRecord,
    Validator,
    dumps,
)
from .languages import LANGUAGES
from .locks import import_lock
from .models import (
    Audience,
    Country,
    FilePage,
    Language,
    Organisation,
    Person,
    RemovedResource,
    Resource,
    ResourceOrganisation,
    ResourcePerson,
    Series,
    Status,
    StoredFile,
    Topic,
    Version,
)
from .rows import insert_rows, insert_rows_returning_ids, planner_statistics_refresh
from .selectors import resource_record, resources_for_export

TermModel = TypeVar("TermModel", Topic, Audience, Country, Series, Organisation, Person)
IMPORT_BATCH = 1000
# How long a published resource stays current before its owner is asked to review it.
REVIEW_INTERVAL = datetime.timedelta(days=365)
# After how many resources an import refreshes the planner's statistics: often while the
# tables are small and their shape changes fast, then every 32 batches. Without it, a
# 100,000-resource import on PostgreSQL took half as long again (measured: 97 s against 145 s).
_STATISTICS_AT = {IMPORT_BATCH * n for n in (1, 2, 4, 8, 16)}


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated"


def _slug_base(text: str, max_length: int) -> str:
    # slugify keeps "_", which addresses and the interchange format do not use.
    slug = re.sub(r"[-_]+", "-", slugify(text)).strip("-")
    return slug[: max_length - 6].strip("-") or "item"


def _free_slug(base: str, used: Container[str]) -> str:
    candidate, n = base, 2
    while candidate in used or candidate in RESERVED_SLUGS:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def unique_slug(
    model: type[Model], text: str, *, exclude_pk: int | None = None, max_length: int = 200
) -> str:
    """A slug for `text` not yet used by another row of `model`."""
    base = _slug_base(text, max_length)
    taken = model._default_manager.filter(slug__startswith=base)  # type: ignore[attr-defined]
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return _free_slug(base, set(taken.values_list("slug", flat=True)))


def term_get_or_create(*, model: type[TermModel], name: str) -> TermModel:
    """The term called `name`, matched case-insensitively, created when missing.

    Safe when two writers create the same term at once: the loser's insert fails inside
    its own savepoint, and it takes the winner's row.
    """
    manager = model._default_manager
    term = manager.filter(name__iexact=name).first()
    if term is not None:
        return term
    try:
        with transaction.atomic():
            return manager.create(name=name, slug=unique_slug(model, name))
    except IntegrityError:
        term = manager.filter(name__iexact=name).first()
        if term is None:
            raise
        return term


class _TermCache:
    """Every term of one model by its lower-cased name, for an import's batches."""

    def __init__(self, model: type[Any]):
        self.model = model
        self.by_name: dict[str, Any] = {}
        self.slugs: set[str] = set()
        for term in model._default_manager.all():
            self.by_name[term.name.lower()] = term
            self.slugs.add(term.slug)

    def resolve(self, names: Iterable[str]) -> None:
        """Make sure every name has a term, creating the missing ones together."""
        missing: dict[str, str] = {}
        for name in names:
            if name.lower() not in self.by_name:
                missing.setdefault(name.lower(), name)
        if not missing:
            return
        created = []
        for name in missing.values():
            slug = _free_slug(_slug_base(name, 200), self.slugs)
            self.slugs.add(slug)
            created.append(self.model(name=name, slug=slug))
        with transaction.atomic():
            try:
                self.model._default_manager.bulk_create(created)
            except IntegrityError:
                created = []
        if created:
            for term in created:
                self.by_name[term.name.lower()] = term
            return
        # Another writer made some of these meanwhile: take each one by one.
        for name in missing.values():
            self.by_name[name.lower()] = term_get_or_create(model=self.model, name=name)

    def __getitem__(self, name: str) -> Any:
        return self.by_name[name.lower()]


class _CatalogueWriter:
    """Writes validated records a batch at a time: a few queries per batch, not per row."""

    def __init__(
        self,
        files_dir: FilesFrom,
        existing_uids: set[str],
        saved_files: list[str],
        source: str = "",
    ):
        self.files_dir = files_dir
        self.saved_files = saved_files  # stored by this import: removed again if it fails
        self.reindex_also: set[int] = set()
        self.changes: list[Change] = []  # for the audit history, announced a batch at a time
        self.source = source
        self.existing_uids = existing_uids
        self.terms: dict[type[Model], _TermCache] = {
            model: _TermCache(model)
            for model in (Topic, Audience, Country, Series, Organisation, Person)
        }
        self.slug_owner = dict(Resource.objects.values_list("slug", "uid"))
        self.pk_of: dict[str, int] = {}
        self.related: dict[int, list[str]] = {}
        self.summary = ImportSummary()

    def write(self, records: list[ResourceRecord]) -> list[int]:
        self._resolve_terms(records)
        existing = {}
        updating = [r.id for r in records if r.id in self.existing_uids]
        if updating:
            existing = {
                row["uid"]: row
                for row in Resource.objects.filter(uid__in=updating).values(
                    "pk", "uid", "slug", "status", "published_at", "created_at"
                )
            }
        now = timezone.now()
        new: list[Resource] = []
        changed: list[Resource] = []
        for record in records:
            row = existing.get(record.id)
            resource = self._resource(record, dict(row) if row else None, now)
            (changed if row else new).append(resource)
        self._insert(new)
        if changed:
            Resource.objects.bulk_update(changed, _RESOURCE_FIELDS)
        self.changes += [
            Change(
                "create" if row is None else "update",
                r.uid,
                fields={
                    "status": (row["status"] if row else None, r.status),
                    "import": (None, self.source),
                },
            )
            for r in [*new, *changed]
            for row in [existing.get(r.uid)]
        ]
        self.summary.created += len(new)
        self.summary.updated += len(changed)
        resources = {r.uid: r for r in [*new, *changed]}
        for record in records:
            self.pk_of[record.id] = resources[record.id].pk
            self.related[resources[record.id].pk] = record.related
        self._replace_links(records, resources, changed_ids=[r.pk for r in changed])
        ids = {r.pk for r in resources.values()} | self.reindex_also
        self.reindex_also = set()
        return sorted(ids)

    def _insert(self, resources: list[Resource]) -> None:
        """New resources as plain rows: a model's save path costs more than the insert."""
        ops = connection.ops
        date, moment = ops.adapt_datefield_value, ops.adapt_datetimefield_value
        rows = [
            (
                r.uid, r.title, r.slug, r.summary, r.resource_type, date(r.published_date),
                r.published_precision, r.series_id, r.access_note, r.status, r.agreement_by,
                date(r.agreement_on), r.agreement_how, date(r.review_by), date(r.reviewed_on),
                moment(r.created_at), moment(r.updated_at), moment(r.published_at),
            )
            for r in resources
        ]  # fmt: skip
        ids = insert_rows_returning_ids(Resource._meta.db_table, _INSERT_COLUMNS, rows)
        for resource, pk in zip(resources, ids, strict=True):
            resource.pk = pk

    def _resolve_terms(self, records: list[ResourceRecord]) -> None:
        names: dict[type[Model], set[str]] = {model: set() for model in self.terms}
        for record in records:
            names[Topic].update(record.topics)
            names[Audience].update(record.audiences)
            names[Country].update(record.countries)
            if record.series:
                names[Series].add(record.series)
            names[Organisation].update(o.name for o in record.organisations)
            names[Person].update(p.name for p in record.people)
        for model, wanted in names.items():
            self.terms[model].resolve(wanted)
        changed: dict[int, Organisation] = {}
        for record in records:
            for named in record.organisations:
                organisation = self.terms[Organisation][named.name]
                if named.abbreviation and organisation.abbreviation != named.abbreviation:
                    organisation.abbreviation = named.abbreviation
                    changed[organisation.pk] = organisation
                if named.url and organisation.url != named.url:
                    organisation.url = named.url
                    changed[organisation.pk] = organisation
        if changed:
            Organisation.objects.bulk_update(list(changed.values()), ["abbreviation", "url"])
            # An abbreviation is part of every one of the organisation's resources' search text.
            self.reindex_also.update(
                ResourceOrganisation.objects.filter(organisation_id__in=changed).values_list(
                    "resource_id", flat=True
                )
            )

    def _resource(self, record: ResourceRecord, row: dict[str, Any] | None, now: Any) -> Resource:
        resource = Resource(uid=record.id)
        slug = record.slug
        if row is not None:
            resource.pk, resource.created_at = row["pk"], row["created_at"]
            resource.published_at = row["published_at"]
            slug = slug or row["slug"]
            was_published = row["status"] == Status.PUBLISHED
        else:
            resource.created_at = now
            was_published = False
        if record.slug and self.slug_owner.get(record.slug, record.id) != record.id:
            # The validator sees slugs given in the file; this one was made from a title.
            owner = self.slug_owner[record.slug]
            message = f"{record.slug!r} was made from the title of {owner!r}, earlier in the file"
            raise InterchangeError([Problem(record.line, "slug", message)])
        if not slug:
            slug = _free_slug(_slug_base(record.title, 200), self.slug_owner.keys())
        self.slug_owner[slug] = record.id
        resource.slug = slug
        resource.title = record.title
        resource.summary = record.summary
        resource.resource_type = record.resource_type
        resource.published_date = record.published_date
        resource.published_precision = record.published_precision
        resource.series = self.terms[Series][record.series] if record.series else None
        resource.access_note = record.access_note
        resource.status = record.status
        resource.agreement_by = record.agreement_by
        resource.agreement_on = record.agreement_on
        resource.agreement_how = record.agreement_how
        resource.review_by = record.review_by
        resource.reviewed_on = record.reviewed_on
        resource.updated_at = now
        # First publication only: a withdrawn resource published again keeps its first date.
        if record.status == Status.PUBLISHED and not was_published and not resource.published_at:
            resource.published_at = now
        return resource

    def _replace_links(
        self, records: list[ResourceRecord], resources: dict[str, Resource], changed_ids: list[int]
    ) -> None:
        """Every link row of the batch: plain rows, since there are a dozen per resource."""
        tables: list[tuple[Any, tuple[str, ...]]] = [
            (Resource.topics.through, ("resource_id", "topic_id")),
            (Resource.audiences.through, ("resource_id", "audience_id")),
            (Resource.countries.through, ("resource_id", "country_id")),
            (ResourceOrganisation, ("resource_id", "organisation_id", "role", "position")),
            (ResourcePerson, ("resource_id", "person_id", "role", "position")),
            (
                Version,
                (
                    "resource_id",
                    "language_id",
                    "format",
                    "url",
                    "file",
                    "stored_id",
                    "title",
                    "position",
                ),
            ),
        ]
        if changed_ids:
            for model, _ in tables:
                model.objects.filter(resource_id__in=changed_ids).delete()
        rows: list[list[tuple[Any, ...]]] = [[] for _ in tables]
        topics, audiences, countries = (self.terms[m] for m in (Topic, Audience, Country))
        organisations, people = self.terms[Organisation], self.terms[Person]
        for record in records:
            pk = resources[record.id].pk
            rows[0] += [(pk, topics[name].pk) for name in record.topics]
            rows[1] += [(pk, audiences[name].pk) for name in record.audiences]
            rows[2] += [(pk, countries[name].pk) for name in record.countries]
            rows[3] += [
                (pk, organisations[o.name].pk, o.role, i)
                for i, o in enumerate(record.organisations)
            ]
            rows[4] += [(pk, people[p.name].pk, p.role, i) for i, p in enumerate(record.people)]
            for i, v in enumerate(record.versions):
                name = self._stored_file(v.file)
                stored = self._stored_id(name) if name else None
                rows[5].append((pk, v.language, v.format, v.url, name, stored, v.title, i))
        for (model, columns), values in zip(tables, rows, strict=True):
            insert_rows(model._meta.db_table, columns, values)

    def _stored_file(self, name: str) -> str:
        """The file's name in storage: stored from the file folder (once, however many times it
        comes), or already there for a record edited on the site."""
        if not name or self.files_dir == "storage":
            return name
        assert self.files_dir is not None
        stored, created = file_store(self.files_dir / name, name)
        if created:
            self.saved_files.append(stored)
        return stored

    def _stored_id(self, name: str) -> int | None:
        """The id of the stored file of this name (files are few beside versions)."""
        return StoredFile.objects.filter(name=name).values_list("pk", flat=True).first()

    def write_related(self) -> None:
        """Related resources, once every resource of the file exists."""
        wanted = {uid for uids in self.related.values() for uid in uids} - set(self.pk_of)
        pk_of = {
            **dict(Resource.objects.filter(uid__in=wanted).values_list("uid", "pk")),
            **self.pk_of,
        }
        through = Resource.related.through
        ids = list(self.related)
        for start in range(0, len(ids), IMPORT_BATCH):
            through.objects.filter(from_resource_id__in=ids[start : start + IMPORT_BATCH]).delete()
        through.objects.bulk_create(
            [
                through(from_resource_id=pk, to_resource_id=pk_of[uid])
                for pk, uids in self.related.items()
                for uid in uids
            ],
            batch_size=IMPORT_BATCH,
        )


_INSERT_COLUMNS = [
    "uid", "title", "slug", "summary", "resource_type", "published_date", "published_precision",
    "series_id", "access_note", "status", "agreement_by", "agreement_on", "agreement_how",
    "review_by", "reviewed_on", "created_at", "updated_at", "published_at",
]  # fmt: skip
_RESOURCE_FIELDS = [
    "slug", "title", "summary", "resource_type", "published_date", "published_precision",
    "series", "access_note", "status", "agreement_by", "agreement_on", "agreement_how",
    "review_by", "reviewed_on", "updated_at", "published_at",
]  # fmt: skip


def resources_import(
    *,
    lines: Iterable[Line],
    files_dir: FilesFrom = None,
    progress: Callable[[int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
    by: Any = None,
    source: str = "",
) -> ImportSummary:
    """Import an interchange file: all of it or nothing; `by` (a user, or None for an
    operator's command) and `source` (the file's name) go into the audit history.

    One pass: each line is validated and written a batch at a time inside one transaction,
    so memory stays bounded however long the file. Once any line is wrong, writing stops,
    validation goes on to name every bad line, and the transaction is rolled back: raises
    InterchangeError. One import runs at a time; `on_wait` is called if this one has to wait.
    """
    with import_lock(on_wait=on_wait):
        languages_ensure(languages=LANGUAGES)
        existing = dict(Resource.objects.values_list("uid", "slug"))
        validator = Validator(
            languages=set(Language.objects.values_list("code", flat=True)),
            existing_ids=set(existing),
            existing_slugs={slug: uid for uid, slug in existing.items()},
            files_dir=files_dir,
        )
        existing_uids = set(existing)
        del existing
        saved_files: list[str] = []
        try:
            return _import_in_transaction(
                lines, validator, files_dir, existing_uids, saved_files, progress, by, source
            )
        except BaseException:
            for name in saved_files:
                default_storage.delete(name)
            raise


def _import_in_transaction(
    lines: Iterable[Line],
    validator: Validator,
    files_dir: FilesFrom,
    existing_uids: set[str],
    saved_files: list[str],
    progress: Callable[[int], None] | None,
    by: Any,
    source: str,
) -> ImportSummary:
    with transaction.atomic():
        writer = _CatalogueWriter(files_dir, existing_uids, saved_files, source)
        # Lines are read and checked in a thread of their own, a batch ahead, while this
        # one waits on the database: the two overlap instead of taking turns.
        for batch in _validated_batches(lines, validator):
            ids = writer.write(batch)
            # The index and the audit history are written in this same transaction: they
            # commit with the catalogue or not at all.
            announce_resources_changed(ids)
            announce_recorded(changes=writer.changes, actor=by, via="import")
            writer.changes = []
            written = writer.summary.created + writer.summary.updated
            if written in _STATISTICS_AT or written % (IMPORT_BATCH * 32) == 0:
                planner_statistics_refresh()
            if progress:
                progress(written)
        # Raises, rolling everything back, when any line was wrong.
        validator.finish()
        writer.write_related()
    return writer.summary


_DONE = object()


def _validated_batches(lines: Iterable[Line], validator: Validator) -> Iterator[list[Any]]:
    """Batches of records, checked in a reading thread; none once any line is wrong."""
    batches: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read() -> None:
        try:
            batch: list[ResourceRecord] = []
            for line in lines:
                if stop.is_set():
                    return
                record = validator.record(line)
                if validator.problems:
                    batch = []
                elif record is not None:
                    batch.append(record)
                    if len(batch) >= IMPORT_BATCH:
                        batches.put(batch)
                        batch = []
            if batch and not validator.problems:
                batches.put(batch)
            batches.put(_DONE)
        except BaseException as error:  # handed to the writing thread, which raises it
            batches.put(error)

    reader = threading.Thread(target=read, name="import-reader", daemon=True)
    reader.start()
    try:
        while (item := batches.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.1)
        reader.join()


class EditConflict(Exception):
    """The resource changed since the form was opened; `current` is it as it is now."""

    def __init__(self, current: dict[str, Any]):
        self.current = current
        super().__init__("the resource was changed by someone else since the form was opened")


@dataclass(frozen=True)
class OwnerAgreement:
    """The owner's agreement to publish: who gave it, when, and how (a note of the evidence)."""

    by: str
    on: datetime.date
    how: str


def _records(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Resources as interchange records, by primary key: what the audit history compares."""
    return {r.pk: resource_record(r) for r in resources_for_export().filter(pk__in=list(ids))}


def resource_record_check(record: dict[str, Any]) -> ResourceRecord:
    """One record checked exactly as an import checks a line; raises InterchangeError."""
    related = [uid for uid in record.get("related") or [] if isinstance(uid, str)]
    slug = record.get("slug")
    taken = Resource.objects.filter(slug=slug) if isinstance(slug, str) and slug else None
    validator = Validator(
        languages=set(Language.objects.values_list("code", flat=True)),
        existing_ids=set(Resource.objects.filter(uid__in=related).values_list("uid", flat=True)),
        existing_slugs=dict(taken.values_list("slug", "uid")) if taken is not None else {},
        files_dir="storage",
    )
    checked = validator.record(Line(1, dumps(record)))
    validator.finish()
    assert checked is not None
    return checked


def _record_write(
    *, record: dict[str, Any], before: dict[str, Any] | None, by: Any, via: str, action: str
) -> Resource:
    """Write one checked record inside the caller's transaction, announcing and recording it.

    `before` is the resource as it was (None for a new one), read once by the caller.
    """
    checked = resource_record_check(record)
    existing = {checked.id} if before is not None else set()
    writer = _CatalogueWriter("storage", existing, [])
    ids = writer.write([checked])
    writer.write_related()
    resource = Resource.objects.get(uid=checked.id)
    announce_resources_changed(ids)
    fields = field_changes(before, _records([resource.pk])[resource.pk])
    if fields or before is None:
        change = Change(action, resource.uid, resource.pk, fields)
        announce_recorded(changes=[change], actor=by, via=via)
    return resource


def resource_create(*, record: dict[str, Any], by: Any, via: str) -> Resource:
    """A new draft resource from an interchange record (docs/data-format.md).

    Raises InterchangeError naming each bad field. The status is always draft: it changes
    only through resource_submit, resource_publish and resource_withdraw.
    """
    record = {**record, "status": Status.DRAFT, "owner_agreement": None}
    record.setdefault("id", _new_uid())
    with transaction.atomic():
        if Resource.objects.filter(uid=record["id"]).exists():
            raise InterchangeError([Problem(1, "id", f"{record['id']!r} is already used")])
        return _record_write(record=record, before=None, by=by, via=via, action="create")


def resource_update(
    *,
    resource: Resource,
    record: dict[str, Any],
    by: Any,
    via: str,
    seen_updated_at: datetime.datetime | None = None,
) -> Resource:
    """Replace a resource's fields with those of `record`, keeping its id, status and agreement.

    With `seen_updated_at` (when the form was filled in), a change saved by someone else
    since then raises EditConflict instead of being overwritten.
    """
    with transaction.atomic():
        current = Resource.objects.select_for_update().get(pk=resource.pk)
        kept = _records([current.pk])[current.pk]
        if seen_updated_at is not None and current.updated_at != seen_updated_at:
            raise EditConflict(kept)
        record = {
            **record,
            "id": current.uid,
            "status": current.status,
            "owner_agreement": kept["owner_agreement"],
            "review_by": record.get("review_by", kept["review_by"]),
            "reviewed_on": kept["reviewed_on"],
        }
        return _record_write(record=record, before=kept, by=by, via=via, action="update")


def _new_uid() -> str:
    return f"r-{uuid.uuid4().hex[:12]}"


def _status_change(
    *, resource: Resource, by: Any, via: str, action: str, change: Callable[[Resource], None]
) -> Resource:
    with transaction.atomic():
        current = Resource.objects.select_for_update().get(pk=resource.pk)
        before = _records([current.pk])[current.pk]
        change(current)
        current.save()
        announce_resources_changed([current.pk])
        fields = field_changes(before, _records([current.pk])[current.pk])
        announce_recorded(
            changes=[Change(action, current.uid, current.pk, fields)], actor=by, via=via
        )
    return current


def resource_submit(*, resource: Resource, by: Any, via: str) -> Resource:
    """A draft offered for review; published and withdrawn resources are not drafts."""

    def change(current: Resource) -> None:
        # Shown to the owner who sent it (lowercase: the page begins it with a capital).
        if current.status == Status.PUBLISHED:
            raise ValueError(gettext("a published resource cannot be submitted"))
        if current.status not in (Status.DRAFT, Status.SUBMITTED):
            raise ValueError(gettext("a withdrawn resource cannot be submitted"))
        current.status = Status.SUBMITTED

    return _status_change(resource=resource, by=by, via=via, action="submit", change=change)


def resource_publish(
    *,
    resource: Resource,
    agreement: OwnerAgreement,
    by: Any,
    via: str,
    review_by: datetime.date | None = None,
) -> Resource:
    """Publish with the owner's agreement; due for review a year on unless another date is set.

    `published_at` is the first time the resource went public, whatever route it took.
    """

    def change(current: Resource) -> None:
        current.status = Status.PUBLISHED
        current.agreement_by, current.agreement_on = agreement.by, agreement.on
        current.agreement_how = agreement.how
        today = timezone.localdate()
        if review_by is not None:
            current.review_by = review_by
        elif current.review_by is None or current.review_by <= today:
            current.review_by = today + REVIEW_INTERVAL
        if current.published_at is None:
            current.published_at = timezone.now()

    return _status_change(resource=resource, by=by, via=via, action="publish", change=change)


def resource_withdraw(*, resource: Resource, by: Any = None, via: str = "service") -> Resource:
    """Take a resource off the public site; its index entry and its audit event go in the
    same transaction."""

    def change(current: Resource) -> None:
        current.status = Status.WITHDRAWN

    return _status_change(resource=resource, by=by, via=via, action="withdraw", change=change)


def resource_review_confirm(*, resource: Resource, by: Any, via: str) -> Resource:
    """The owner says the resource is still current: reviewed today, due again a year on."""

    def change(current: Resource) -> None:
        current.reviewed_on = timezone.localdate()
        current.review_by = current.reviewed_on + REVIEW_INTERVAL

    return _status_change(resource=resource, by=by, via=via, action="confirm", change=change)


def resource_delete(*, resource: Resource, by: Any, via: str) -> None:
    """Delete a resource for good; the audit history keeps what it was, and a RemovedResource
    tells harvesters it is gone if it was ever public."""
    with transaction.atomic():
        current = Resource.objects.select_for_update().get(pk=resource.pk)
        before = _records([current.pk])[current.pk]
        pk = current.pk
        if current.published_at is not None:
            # Deleted again after being made anew with the same id: the newest removal counts.
            removed, _ = RemovedResource.objects.update_or_create(
                uid=current.uid,
                defaults={"resource_type": current.resource_type, "removed_at": timezone.now()},
            )
            removed.topics.set(current.topics.all())
        current.delete()
        announce_resources_changed([pk])
        change = Change("delete", before["id"], None, field_changes(before, None))
        announce_recorded(changes=[change], actor=by, via=via)


# The link of each kind of term to its resources: (model holding the link, its field).
def _term_link(term: Model) -> tuple[type[Model], str]:
    if isinstance(term, Organisation):
        return ResourceOrganisation, "organisation"
    if isinstance(term, Person):
        return ResourcePerson, "person"
    if isinstance(term, Series):
        return Resource, "series"
    plural: dict[type[Model], str] = {Topic: "topics", Audience: "audiences", Country: "countries"}
    field: Any = Resource._meta.get_field(plural[type(term)])
    return field.remote_field.through, str(type(term)._meta.model_name)


def _term_resource_ids(term: Model) -> list[int]:
    model, name = _term_link(term)
    column = "pk" if model is Resource else "resource_id"
    return list(model._default_manager.filter(**{name: term}).values_list(column, flat=True))


def _term_write(*, terms: list[Model], by: Any, via: str, write: Callable[[], None]) -> None:
    """Run `write` and record what it did to every resource of `terms`, reindexing them."""
    with transaction.atomic():
        ids = sorted({pk for term in terms if term.pk for pk in _term_resource_ids(term)})
        before = _records(ids)
        write()
        after = _records(ids)
        announce_resources_changed(ids)
        changes = [
            Change("update", before[pk]["id"], pk, field_changes(before[pk], after.get(pk)))
            for pk in ids
        ]
        # What those resources show changed: harvesters, feeds and sitemaps go by this date.
        changed = [c.resource_id for c in changes if c.fields and c.resource_id in after]
        Resource.objects.filter(pk__any_of=changed).update(updated_at=timezone.now())
        announce_recorded(changes=[c for c in changes if c.fields], actor=by, via=via)


def term_update(*, term: Model, values: dict[str, Any], by: Any, via: str) -> Model:
    """Rename a term (or change its slug, abbreviation or home page); its resources follow."""

    def write() -> None:
        for name, value in values.items():
            setattr(term, name, value)
        term.full_clean()
        term.save()

    _term_write(terms=[term], by=by, via=via, write=write)
    return term


def vocabulary_translations_update(
    *, model: type[Topic | Audience], translations: dict[str, dict[str, str]], by: Any, via: str
) -> int:
    """Give terms (by their English name) their names in other languages, in one write (one
    reindex of the resources they touch); returns how many terms it found."""
    terms = list(model._default_manager.filter(name__in=list(translations)))

    def write() -> None:
        for term in terms:
            term.translations = {**term.translations, **translations[term.name]}
            term.full_clean()
            term.save(update_fields=["translations"])

    _term_write(terms=list(terms), by=by, via=via, write=write)
    return len(terms)


def term_delete(*, term: Model, by: Any, via: str) -> None:
    """Delete a term, taking it off every resource that has it."""

    def write() -> None:
        model, name = _term_link(term)
        if model is Resource:
            Resource.objects.filter(**{name: term}).update(**{name: None})
        else:
            model._default_manager.filter(**{name: term}).delete()
        term.delete()

    _term_write(terms=[term], by=by, via=via, write=write)


def term_merge(*, source: Model, target: Model, by: Any, via: str) -> Model:
    """Fold `source` into `target`: its resources get `target` instead, and `source` goes."""
    if type(source) is not type(target) or source.pk == target.pk:
        raise ValueError("merge two different terms of one kind")

    def write() -> None:
        model, name = _term_link(source)
        links = model._default_manager
        if model is Resource:
            links.filter(**{name: source}).update(**{name: target})
        else:
            # A resource that already has the target (in the same role) keeps that link.
            keys = [
                "resource_id",
                *(["role"] if model in (ResourceOrganisation, ResourcePerson) else []),
            ]
            held = set(links.filter(**{name: target}).values_list(*keys))
            for link in links.filter(**{name: source}):
                key = tuple(getattr(link, k) for k in keys)
                if key in held:
                    link.delete()
                else:
                    setattr(link, name, target)
                    link.save()
        source.delete()

    _term_write(terms=[source, target], by=by, via=via, write=write)
    return target


def languages_ensure(*, languages: Iterable[tuple[str, str, str]]) -> int:
    """Add the languages that are missing; returns how many were added."""
    existing = set(Language.objects.values_list("code", flat=True))
    missing = [
        Language(code=code, name_en=name_en, name_native=native)
        for code, name_en, native in languages
        if code not in existing
    ]
    Language.objects.bulk_create(missing)
    return len(missing)


def stored_file_create(
    *, name: str, sha256: str, size: int, media_type: str, page_count: int | None
) -> StoredFile:
    """Record a file just put in storage; its text is read later (stored_file_read_record)."""
    with transaction.atomic():
        stored = StoredFile(
            name=name, sha256=sha256, size=size, media_type=media_type, page_count=page_count
        )
        stored.full_clean()
        stored.save()
        return stored


def stored_file_read_record(
    *,
    stored: StoredFile,
    pages: list[str],
    state: str,
    note: str = "",
    thumbnail: str = "",
    width: int | None = None,
    height: int | None = None,
) -> None:
    """Keep what was read from a file (its text page by page, its thumbnail), and reindex the
    resources whose versions hold it, in the same transaction."""
    with transaction.atomic():
        StoredFile.objects.filter(pk=stored.pk).update(
            text_state=state,
            text_note=note[:300],
            thumbnail=thumbnail,
            thumbnail_width=width,
            thumbnail_height=height,
            read_at=timezone.now(),
        )
        FilePage.objects.filter(file=stored)._raw_delete(FilePage.objects.db)
        FilePage.objects.bulk_create(
            [
                FilePage(file=stored, number=number, text=text)
                for number, text in enumerate(pages, start=1)
                if text
            ],
            batch_size=200,
        )
        announce_resources_changed(
            Version.objects.filter(stored=stored).values_list("resource_id", flat=True)
        )


def version_files_link(*, stored: StoredFile, name: str = "") -> None:
    """Point the versions that name this file (or `name`, a copy of the same bytes stored
    before files had records) at its record."""
    with transaction.atomic():
        versions = Version.objects.filter(file=name or stored.name)
        ids = list(versions.values_list("resource_id", flat=True))
        versions.update(file=stored.name, stored=stored)
        announce_resources_changed(ids)
