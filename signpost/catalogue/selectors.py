"""Reads from the catalogue: what the public pages, the API and the exporter ask for."""

from __future__ import annotations

import datetime
from pathlib import PurePosixPath
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import (
    Audience,
    Language,
    Organisation,
    Resource,
    ResourceOrganisation,
    ResourcePerson,
    ResourceQuerySet,
    TextState,
    Topic,
    Version,
)


def resource_detail(*, slug: str) -> Resource | None:
    """One published resource with everything its page shows."""
    return (
        Resource.objects.published()
        .with_page_data()
        .prefetch_related(
            Prefetch(
                "related",
                queryset=Resource.objects.published().order_by("title"),
                to_attr="related_published",
            ),
        )
        .filter(slug=slug)
        .first()
    )


def series_others(*, resource: Resource) -> QuerySet[Resource]:
    if resource.series_id is None:
        return Resource.objects.none()
    return (
        Resource.objects.published()
        .filter(series_id=resource.series_id)
        .exclude(pk=resource.pk)
        .order_by("published_date", "title")
    )


def newest_resources(*, limit: int = 6) -> list[Resource]:
    newest = Resource.objects.published().order_by(
        F("published_date").desc(nulls_last=True), "title", "pk"
    )
    return list(newest.with_listing_data()[:limit])


def terms_with_counts(model: Any) -> QuerySet[Any]:
    """The terms of `model` (Topic, Audience, ...) that have published resources, with counts."""
    relation = "resource_links__resource" if model is Organisation else "resources"
    return (
        model.objects.annotate(
            published_count=Count(
                relation, filter=Q(**{f"{relation}__status": "published"}), distinct=True
            )
        )
        .filter(published_count__gt=0)
        .order_by("name")
    )


def languages_with_counts() -> QuerySet[Language]:
    return (
        Language.objects.annotate(
            published_count=Count(
                "versions__resource",
                filter=Q(versions__resource__status="published"),
                distinct=True,
            )
        )
        .filter(published_count__gt=0)
        .order_by("name_en")
    )


def resources_for_export() -> ResourceQuerySet:
    return (
        Resource.objects.order_by("uid")
        .prefetch_related(
            Prefetch(
                "resource_organisations",
                queryset=ResourceOrganisation.objects.select_related("organisation"),
            ),
            Prefetch("resource_people", queryset=ResourcePerson.objects.select_related("person")),
            "versions",
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
            Prefetch("audiences", queryset=Audience.objects.order_by("name")),
            "countries",
            Prefetch("related", queryset=Resource.objects.order_by("uid")),
        )
        .select_related("series")
    )


def resource_record(resource: Resource) -> dict[str, Any]:
    """A resource as one interchange record (docs/data-format.md), in a fixed key order."""

    def date(value: Any) -> str | None:
        return value.isoformat() if value else None

    agreement = None
    if resource.agreement_by or resource.agreement_on or resource.agreement_how:
        agreement = {
            "by": resource.agreement_by,
            "on": date(resource.agreement_on),
            "how": resource.agreement_how,
        }
    organisations = []
    for link in resource.resource_organisations.all():
        item = {"name": link.organisation.name, "role": link.role}
        if link.organisation.abbreviation:
            item["abbreviation"] = link.organisation.abbreviation
        if link.organisation.url:
            item["url"] = link.organisation.url
        organisations.append(item)
    return {
        "id": resource.uid,
        "slug": resource.slug,
        "title": resource.title,
        "summary": resource.summary,
        "resource_type": resource.resource_type,
        "published": resource.published_iso or None,
        "organisations": organisations,
        "people": [{"name": p.person.name, "role": p.role} for p in resource.resource_people.all()],
        "topics": sorted(t.name for t in resource.topics.all()),
        "audiences": sorted(a.name for a in resource.audiences.all()),
        "countries": sorted(c.name for c in resource.countries.all()),
        "series": resource.series.name if resource.series else None,
        "related": sorted(r.uid for r in resource.related.all()),
        "access_note": resource.access_note,
        "status": resource.status,
        "owner_agreement": agreement,
        "review_by": date(resource.review_by),
        "reviewed_on": date(resource.reviewed_on),
        "versions": [_version_record(v) for v in resource.versions.all()],
    }


EDITORIAL_FIELDS = ("status", "owner_agreement", "review_by", "reviewed_on")


def public_record(resource: Resource, *, base_url: str) -> dict[str, Any]:
    """A published resource as the API and the downloads give it: the interchange record
    without the editorial fields, with its page here and each uploaded file's address here
    (never its place in storage). `base_url` is the site's scheme and host."""
    record = resource_record(resource)
    for name in EDITORIAL_FIELDS:
        record.pop(name)
    # Only what is public: a draft or withdrawn resource is not named, even by its id.
    record["related"] = sorted(r.uid for r in resource.related.all() if r.status == "published")
    record["url"] = base_url + resource.get_absolute_url()
    for version, written in zip(resource.versions.all(), record["versions"], strict=True):
        written.pop("file", None)
        if version.file:
            written["url"] = base_url + version.href
    return record


def _version_record(version: Version) -> dict[str, Any]:
    record = {
        "language": version.language_id,
        "format": version.format,
        "url": version.url,
        "title": version.title,
    }
    if version.file:
        record["file"] = version.file.name
    return record


def export_file_name(version: Version) -> str:
    """A version's file in an export's file folder: named for its resource, language and
    format (unique within a catalogue, the same on every export, readable by people)."""
    extension = PurePosixPath(version.file.name).suffix
    return f"{version.resource.slug}-{version.language_id}-{version.format}{extension}"


def versions_with_unread_files() -> QuerySet[Version]:
    """Versions whose file's text could not be read (a scan, a picture, a damaged file), or
    still waits an hour after upload (no worker running?): its words are not searchable until
    someone puts them in the summary, uploads a better file, or starts the worker."""
    waited = timezone.now() - datetime.timedelta(hours=1)
    return (
        Version.objects.filter(
            Q(stored__text_state__in=[TextState.NO_TEXT, TextState.FAILED])
            | Q(stored__text_state=TextState.PENDING, stored__created_at__lt=waited)
        )
        .select_related("resource", "language", "stored")
        .order_by("resource__title", "position")
    )
