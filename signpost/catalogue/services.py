"""Writes to the catalogue. Each state change is one keyword-only function in a transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from .events import announce_resources_changed
from .interchange import InterchangeError, Line, Problem, ResourceRecord, Validator
from .languages import LANGUAGES
from .locks import import_lock
from .models import (
    Audience,
    Country,
    Language,
    Organisation,
    Person,
    Resource,
    ResourceOrganisation,
    ResourcePerson,
    Series,
    Status,
    Topic,
    Version,
)

TermModel = TypeVar("TermModel", Topic, Audience, Country, Series, Organisation, Person)
IMPORT_BATCH = 1000


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated"


def _slug_base(text: str, max_length: int) -> str:
    return (slugify(text) or "item")[: max_length - 6].strip("-") or "item"


def _free_slug(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
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

    def __init__(self, files_dir: Path | None):
        self.files_dir = files_dir
        self.terms: dict[type[Model], _TermCache] = {
            model: _TermCache(model)
            for model in (Topic, Audience, Country, Series, Organisation, Person)
        }
        self.slugs = set(Resource.objects.values_list("slug", flat=True))
        self.pk_of: dict[str, int] = {}
        self.related: dict[int, list[str]] = {}
        self.summary = ImportSummary()

    def write(self, records: list[ResourceRecord]) -> list[int]:
        self._resolve_terms(records)
        existing = {
            row["uid"]: row
            for row in Resource.objects.filter(uid__in=[r.id for r in records]).values(
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
        Resource.objects.bulk_create(new)
        if changed:
            Resource.objects.bulk_update(changed, _RESOURCE_FIELDS)
        self.summary.created += len(new)
        self.summary.updated += len(changed)
        resources = {r.uid: r for r in [*new, *changed]}
        for record in records:
            self.pk_of[record.id] = resources[record.id].pk
            self.related[resources[record.id].pk] = record.related
        self._replace_links(records, resources, changed_ids=[r.pk for r in changed])
        return [r.pk for r in resources.values()]

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

    def _resource(self, record: ResourceRecord, row: dict[str, Any] | None, now: Any) -> Resource:
        resource = Resource(uid=record.id)
        slug = record.slug
        if row is not None:
            resource.pk, resource.created_at = row["pk"], row["created_at"]
            resource.published_at = row["published_at"]
            slug = slug or row["slug"]
            was_published = row["status"] == Status.PUBLISHED
        else:
            was_published = False
        if not slug:
            slug = _free_slug(_slug_base(record.title, 200), self.slugs)
        self.slugs.add(slug)
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
        if record.status == Status.PUBLISHED and not was_published:
            resource.published_at = now
        return resource

    def _replace_links(
        self, records: list[ResourceRecord], resources: dict[str, Resource], changed_ids: list[int]
    ) -> None:
        through: dict[str, Any] = {
            "topics": Resource.topics.through,
            "audiences": Resource.audiences.through,
            "countries": Resource.countries.through,
        }
        if changed_ids:
            models: list[Any] = [*through.values(), ResourceOrganisation, ResourcePerson, Version]
            for model in models:
                model.objects.filter(resource_id__in=changed_ids).delete()
        rows: dict[Any, list[Any]] = {model: [] for model in through.values()}
        organisations, people, versions = [], [], []
        for record in records:
            pk = resources[record.id].pk
            for name, term_model, column in (
                ("topics", Topic, "topic_id"),
                ("audiences", Audience, "audience_id"),
                ("countries", Country, "country_id"),
            ):
                model = through[name]
                rows[model] += [
                    model(resource_id=pk, **{column: self.terms[term_model][label].pk})
                    for label in getattr(record, name)
                ]
            organisations += [
                ResourceOrganisation(
                    resource_id=pk,
                    organisation_id=self.terms[Organisation][o.name].pk,
                    role=o.role,
                    position=i,
                )
                for i, o in enumerate(record.organisations)
            ]
            people += [
                ResourcePerson(
                    resource_id=pk,
                    person_id=self.terms[Person][p.name].pk,
                    role=p.role,
                    position=i,
                )
                for i, p in enumerate(record.people)
            ]
            versions += [
                Version(
                    resource_id=pk,
                    language_id=v.language,
                    format=v.format,
                    url=v.url,
                    file=self._stored_file(v.file),
                    title=v.title,
                    position=i,
                )
                for i, v in enumerate(record.versions)
            ]
        for model, objects in rows.items():
            model.objects.bulk_create(objects)
        ResourceOrganisation.objects.bulk_create(organisations)
        ResourcePerson.objects.bulk_create(people)
        Version.objects.bulk_create(versions)

    def _stored_file(self, name: str) -> str:
        """The file's name in storage, copied there from the file folder when not yet stored."""
        if not name:
            return ""
        assert self.files_dir is not None
        if default_storage.exists(name):
            return name
        with (self.files_dir / name).open("rb") as handle:
            return default_storage.save(name, File(handle))

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


_RESOURCE_FIELDS = [
    "slug", "title", "summary", "resource_type", "published_date", "published_precision",
    "series", "access_note", "status", "agreement_by", "agreement_on", "agreement_how",
    "review_by", "reviewed_on", "updated_at", "published_at",
]  # fmt: skip


def _batches(records: Iterable[ResourceRecord], size: int) -> Iterator[list[ResourceRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def resources_import(
    *,
    lines: Callable[[], Iterable[Line]],
    files_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> ImportSummary:
    """Import an interchange file: validate all of it, then write all of it or nothing.

    `lines` is called twice and must give the same lines each time: once to validate the
    whole file, once to write it a batch at a time, so memory stays bounded however long the
    file. Raises InterchangeError, naming every bad line, before anything is written. One
    import runs at a time; `on_wait` is called if this one has to wait for another.
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
        for line in lines():
            validator.record(line)
        validator.finish()
        total = validator.count
        del existing, validator

        with transaction.atomic():
            writer = _CatalogueWriter(files_dir)
            done = 0
            for batch in _batches(_records_again(lines, files_dir), IMPORT_BATCH):
                ids = writer.write(batch)
                # The index is written in this same transaction: it commits with the batch.
                announce_resources_changed(ids)
                done += len(batch)
                if progress:
                    progress(done, total)
            writer.write_related()
        return writer.summary


def _records_again(
    lines: Callable[[], Iterable[Line]], files_dir: Path | None
) -> Iterator[ResourceRecord]:
    """The records of a file that has been validated, read a second time to be written."""
    validator = Validator(
        languages=set(Language.objects.values_list("code", flat=True)),
        existing_ids=set(),
        existing_slugs={},
        files_dir=files_dir,
    )
    for line in lines():
        record = validator.record(line)
        if record is not None:
            yield record
        elif validator.problems:
            # The file changed between the two readings; the transaction is rolled back.
            raise InterchangeError(
                [*validator.problems, Problem(line.number, "", "changed while it was imported")]
            )


def resource_withdraw(*, resource: Resource) -> Resource:
    """Take a resource off the public site; its index entry goes in the same transaction."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        resource.status = Status.WITHDRAWN
        resource.save(update_fields=["status", "updated_at"])
        announce_resources_changed([resource.pk])
    return resource


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
