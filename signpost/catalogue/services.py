"""Writes to the catalogue. Each state change is one keyword-only function in a transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from .events import announce_resources_changed
from .interchange import NamedRole, ResourceRecord, parse
from .languages import LANGUAGES
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


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated"


def unique_slug(
    model: type[Model], text: str, *, exclude_pk: int | None = None, max_length: int = 200
) -> str:
    """A slug for `text` not yet used by another row of `model`."""
    base = (slugify(text) or "item")[: max_length - 6].strip("-")
    candidate, n = base, 2
    taken = model._default_manager.filter(slug__startswith=base)  # type: ignore[attr-defined]
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    used = set(taken.values_list("slug", flat=True))
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def term_get_or_create(*, model: type[TermModel], name: str) -> TermModel:
    """The term called `name`, matched case-insensitively, created when missing."""
    term = model._default_manager.filter(name__iexact=name).first()
    if term is None:
        term = model._default_manager.create(name=name, slug=unique_slug(model, name))
    return term


def _organisation(role: NamedRole) -> Organisation:
    organisation = term_get_or_create(model=Organisation, name=role.name)
    if role.abbreviation and organisation.abbreviation != role.abbreviation:
        organisation.abbreviation = role.abbreviation
        organisation.save(update_fields=["abbreviation"])
    return organisation


def _terms(model: type[TermModel], names: Iterable[str]) -> list[TermModel]:
    return [term_get_or_create(model=model, name=name) for name in names]


def _resource_save(record: ResourceRecord) -> tuple[Resource, bool]:
    resource = Resource.objects.filter(uid=record.id).first()
    created = resource is None
    if resource is None:
        resource = Resource(uid=record.id)
    was_published = resource.status == Status.PUBLISHED
    resource.title = record.title
    resource.slug = record.slug or resource.slug or unique_slug(Resource, record.title)
    resource.summary = record.summary
    resource.resource_type = record.resource_type
    resource.published_date = record.published_date
    resource.published_precision = record.published_precision
    resource.series = (
        term_get_or_create(model=Series, name=record.series) if record.series else None
    )
    resource.access_note = record.access_note
    resource.status = record.status
    resource.agreement_by = record.agreement_by
    resource.agreement_on = record.agreement_on
    resource.agreement_how = record.agreement_how
    resource.review_by = record.review_by
    resource.reviewed_on = record.reviewed_on
    if record.status == Status.PUBLISHED and not was_published:
        resource.published_at = timezone.now()
    resource.full_clean()
    resource.save()

    resource.topics.set(_terms(Topic, record.topics))
    resource.audiences.set(_terms(Audience, record.audiences))
    resource.countries.set(_terms(Country, record.countries))
    resource.resource_organisations.all().delete()
    ResourceOrganisation.objects.bulk_create(
        ResourceOrganisation(
            resource=resource, organisation=_organisation(o), role=o.role, position=i
        )
        for i, o in enumerate(record.organisations)
    )
    resource.resource_people.all().delete()
    ResourcePerson.objects.bulk_create(
        ResourcePerson(
            resource=resource,
            person=term_get_or_create(model=Person, name=p.name),
            role=p.role,
            position=i,
        )
        for i, p in enumerate(record.people)
    )
    resource.versions.all().delete()
    Version.objects.bulk_create(
        Version(
            resource=resource,
            language_id=v.language,
            format=v.format,
            url=v.url,
            title=v.title,
            position=i,
        )
        for i, v in enumerate(record.versions)
    )
    return resource, created


def resources_import(
    *, lines: Iterable[str], progress: Callable[[int, int], None] | None = None
) -> ImportSummary:
    """Import an interchange file: validate all of it, then write all of it or nothing.

    Raises InterchangeError, naming every bad line, before anything is written.
    """
    languages_ensure(languages=LANGUAGES)
    records = parse(
        lines,
        languages=set(Language.objects.values_list("code", flat=True)),
        existing_ids=set(Resource.objects.values_list("uid", flat=True)),
        existing_slugs=dict(Resource.objects.values_list("slug", "uid")),
    )
    summary = ImportSummary()
    with transaction.atomic():
        saved: dict[str, Resource] = {}
        for index, record in enumerate(records, start=1):
            resource, created = _resource_save(record)
            saved[record.id] = resource
            if created:
                summary.created += 1
            else:
                summary.updated += 1
            if progress:
                progress(index, len(records))
        wanted = {rid for record in records for rid in record.related}
        by_uid = {r.uid: r for r in Resource.objects.filter(uid__in=wanted)}
        for record in records:
            saved[record.id].related.set([by_uid[rid] for rid in record.related])
        announce_resources_changed(r.pk for r in saved.values())
    return summary


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
