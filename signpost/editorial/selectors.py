"""Reads for the editorial pages: who may see what, the queue, the lists, the differences."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from signpost.catalogue.models import Organisation, Resource, Status, StoredFile
from signpost.catalogue.selectors import resource_record, resources_for_export

from .models import Account, Role, Submission, SubmissionStatus

DUE_WITHIN = datetime.timedelta(days=30)


def account_of(user: Any) -> Account | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Account.objects.filter(user=user).first()


def organisations_of(account: Account) -> QuerySet[Organisation]:
    """The organisations whose resources an account may work on: all of them for editors."""
    if account.role == Role.OWNER:
        return account.organisations.order_by("name")
    return Organisation.objects.order_by("name")


def submissions_visible(account: Account) -> QuerySet[Submission]:
    submissions = Submission.objects.select_related("organisation", "resource")
    if account.role == Role.OWNER:
        submissions = submissions.filter(organisation__in=account.organisations.all())
    return submissions


def submission_get(account: Account, pk: int) -> Submission:
    """A submission the account may see; 404 for anything else, so ids reveal nothing."""
    submission = submissions_visible(account).filter(pk=pk).first()
    if submission is None:
        raise Http404("No such submission")
    return submission


def resources_owned(account: Account) -> QuerySet[Resource]:
    resources = Resource.objects.all()
    if account.role == Role.OWNER:
        resources = resources.filter(organisations__in=account.organisations.all()).distinct()
    return resources.order_by("title")


def resource_owned_get(account: Account, pk: int) -> Resource:
    resource = resources_owned(account).filter(pk=pk).first()
    if resource is None:
        raise Http404("No such resource")
    return resource


def review_queue() -> QuerySet[Submission]:
    """What waits for an editor, oldest first."""
    return (
        Submission.objects.filter(status=SubmissionStatus.SUBMITTED)
        .select_related("organisation", "resource")
        .order_by("submitted_at", "id")
    )


def resources_due_for_review(*, today: datetime.date | None = None) -> QuerySet[Resource]:
    today = today or timezone.localdate()
    return (
        Resource.objects.published()
        .filter(review_by__gte=today, review_by__lte=today + DUE_WITHIN)
        .order_by("review_by")
    )


def resources_overdue(*, today: datetime.date | None = None) -> QuerySet[Resource]:
    today = today or timezone.localdate()
    return Resource.objects.published().filter(review_by__lt=today).order_by("review_by")


def resources_withdrawn() -> QuerySet[Resource]:
    return Resource.objects.filter(status=Status.WITHDRAWN).order_by("-updated_at")


def published_record(resource: Resource | None) -> dict[str, Any]:
    """The resource as the public sees it now, as an interchange record ({} if not public)."""
    if resource is None or resource.status != Status.PUBLISHED:
        return {}
    return resource_current_record(resource)


def resource_current_record(resource: Resource) -> dict[str, Any]:
    return resource_record(resources_for_export().get(pk=resource.pk))


@dataclass(frozen=True)
class FieldDifference:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


FIELD_LABELS = [
    ("title", gettext_lazy("Title")),
    ("summary", gettext_lazy("Summary")),
    # Translators: the type of a resource (a report, a leaflet...).
    ("resource_type", gettext_lazy("Type")),
    ("published", pgettext_lazy("the date a resource was published", "Published")),
    ("organisations", gettext_lazy("Organisations")),
    ("people", gettext_lazy("People")),
    ("topics", gettext_lazy("Topics")),
    ("audiences", gettext_lazy("Audiences")),
    ("countries", gettext_lazy("Countries")),
    # Translators: the series of publications a resource belongs to.
    ("series", gettext_lazy("Series")),
    ("access_note", gettext_lazy("Access note")),
    ("versions", gettext_lazy("Versions")),
]


def _shown(name: str, value: Any) -> str:
    if not value:
        return ""
    if name in ("organisations", "people"):
        return "\n".join(f"{item.get('name')} ({item.get('role')})" for item in value)
    if name == "versions":
        return "\n".join(
            " ".join(
                part
                for part in (
                    item.get("language", ""),
                    item.get("format", ""),
                    item.get("url") or item.get("file") or gettext("no address yet"),
                    # Translators: a version's own title, in the language's quotation marks.
                    gettext("“%(title)s”") % {"title": item["title"]} if item.get("title") else "",
                )
                if part
            )
            for item in value
        )
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def record_differences(before: dict[str, Any], after: dict[str, Any]) -> list[FieldDifference]:
    """Field by field, what a proposal changes in what is published."""
    return [
        FieldDifference(str(label), _shown(name, before.get(name)), _shown(name, after.get(name)))
        for name, label in FIELD_LABELS
    ]


def stored_file_visible(account: Account, pk: int) -> StoredFile:
    """A stored file the account may open: any, for an editor; for an owner, one named in a
    submission of their organisations. 404 for anything else."""
    stored = StoredFile.objects.filter(pk=pk).first() if pk < 2**63 else None
    if stored is None:
        raise Http404("No such file")
    if account.role == Role.EDITOR:
        return stored
    for record in submissions_visible(account).values_list("record", flat=True):
        if any(v.get("file") == stored.name for v in (record or {}).get("versions") or []):
            return stored
    raise Http404("No such file")
