"""Reads from the catalogue: what the public pages, the API and the exporter ask for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear

from .models import (
    Audience,
    Language,
    Organisation,
    Resource,
    ResourceOrganisation,
    ResourcePerson,
    ResourceQuerySet,
    ResourceType,
    Topic,
    Version,
)

SORTS = ("newest", "oldest", "title")


@dataclass
class ResourceFilters:
    """What a reader asked for; every value is already known to exist in the catalogue."""

    q: str = ""
    types: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "newest"


def resource_list(*, filters: ResourceFilters) -> ResourceQuerySet:
    """Published resources matching the filters: OR within one filter, AND across filters."""
    qs = Resource.objects.published()
    if filters.q:
        for word in filters.q.split()[:20]:
            qs = qs.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    if filters.types:
        qs = qs.filter(resource_type__in=filters.types)
    if filters.topics:
        qs = qs.filter(
            Exists(
                Topic.resources.through.objects.filter(
                    resource_id=OuterRef("pk"), topic__slug__in=filters.topics
                )
            )
        )
    if filters.audiences:
        qs = qs.filter(
            Exists(
                Audience.resources.through.objects.filter(
                    resource_id=OuterRef("pk"), audience__slug__in=filters.audiences
                )
            )
        )
    if filters.organisations:
        qs = qs.filter(
            Exists(
                ResourceOrganisation.objects.filter(
                    resource_id=OuterRef("pk"), organisation__slug__in=filters.organisations
                )
            )
        )
    if filters.languages:
        qs = qs.in_language(filters.languages)
    if filters.year_from is not None:
        qs = qs.filter(published_date__year__gte=filters.year_from)
    if filters.year_to is not None:
        qs = qs.filter(published_date__year__lte=filters.year_to)
    return _sorted(qs, filters.sort).with_listing_data()


def _sorted(qs: ResourceQuerySet, sort: str) -> ResourceQuerySet:
    if sort == "title":
        return qs.order_by("title", "pk")
    if sort == "oldest":
        return qs.order_by(F("published_date").asc(nulls_last=True), "title", "pk")
    return qs.order_by(F("published_date").desc(nulls_last=True), "title", "pk")


@dataclass
class FilterOptions:
    """The values a reader can filter by: only those that some published resource has."""

    types: list[tuple[str, str]]
    topics: list[Topic]
    audiences: list[Audience]
    languages: list[Language]
    organisations: list[Organisation]
    years: list[int]


def filter_options() -> FilterOptions:
    published = Resource.objects.published()
    present_types = set(published.values_list("resource_type", flat=True).distinct())
    years = (
        published.exclude(published_date=None)
        .annotate(year=ExtractYear("published_date"))
        .values_list("year", flat=True)
        .distinct()
    )
    return FilterOptions(
        types=[(value, label) for value, label in ResourceType.choices if value in present_types],
        topics=list(Topic.objects.filter(resources__status="published").distinct()),
        audiences=list(Audience.objects.filter(resources__status="published").distinct()),
        languages=list(Language.objects.filter(versions__resource__status="published").distinct()),
        organisations=list(
            Organisation.objects.filter(resource_links__resource__status="published").distinct()
        ),
        years=sorted(set(years)),
    )


def resource_detail(*, slug: str) -> Resource | None:
    """One published resource with everything its page shows."""
    return (
        Resource.objects.published()
        .select_related("series")
        .prefetch_related(
            Prefetch(
                "resource_organisations",
                queryset=ResourceOrganisation.objects.select_related("organisation"),
            ),
            Prefetch("resource_people", queryset=ResourcePerson.objects.select_related("person")),
            Prefetch("versions", queryset=Version.objects.select_related("language")),
            "topics",
            "audiences",
            "countries",
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


def newest_resources(*, limit: int = 6) -> ResourceQuerySet:
    return _sorted(Resource.objects.published(), "newest").with_listing_data()[:limit]  # type: ignore[return-value]


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


def resources_for_export() -> QuerySet[Resource]:
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
        "versions": [
            {"language": v.language_id, "format": v.format, "url": v.url, "title": v.title}
            for v in resource.versions.all()
        ],
    }
