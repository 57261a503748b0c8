"""The catalogue's domain: resources, their versions, and the terms they are browsed by."""

from __future__ import annotations

import functools
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, formats, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .addresses import validate_address
from .languages import country_name


class ResourceType(models.TextChoices):
    REPORT = "report", pgettext_lazy("type of resource", "Report")
    RESEARCH = "research", pgettext_lazy("type of resource", "Research")
    POLICY_BRIEF = "policy-brief", pgettext_lazy("type of resource", "Policy brief")
    BRIEFING = "briefing", pgettext_lazy("type of resource", "Briefing")
    GUIDANCE = "guidance", pgettext_lazy("type of resource", "Guidance")
    HANDBOOK = "handbook", pgettext_lazy("type of resource", "Handbook")
    TOOLKIT = "toolkit", pgettext_lazy("type of resource", "Toolkit")
    LEAFLET = "leaflet", pgettext_lazy("type of resource", "Leaflet")
    CASE_STUDIES = "case-studies", pgettext_lazy("type of resource", "Case studies")
    UPDATE = "update", pgettext_lazy("type of resource", "Update")
    AGREEMENT = "agreement", pgettext_lazy("type of resource", "Agreement")
    SLIDES = "slides", pgettext_lazy("type of resource", "Slides")
    RECORDING = "recording", pgettext_lazy("type of resource", "Recording")
    WEBINAR = "webinar", pgettext_lazy("type of resource", "Webinar")
    FILM = "film", pgettext_lazy("type of resource", "Film")
    WEBSITE = "website", pgettext_lazy("type of resource", "Website")
    INFORMATION = "information", pgettext_lazy("type of resource", "Information")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DatePrecision(models.TextChoices):
    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


class OrganisationRole(models.TextChoices):
    PUBLISHER = "publisher", _("Publisher")
    AUTHOR = "author", _("Author")
    PARTNER = "partner", _("Partner")
    FUNDER = "funder", _("Funder")


class PersonRole(models.TextChoices):
    AUTHOR = "author", _("Author")
    EDITOR = "editor", _("Editor")
    CONTRIBUTOR = "contributor", _("Contributor")
    SPEAKER = "speaker", _("Speaker")
    DIRECTOR = "director", _("Director")


@functools.cache
def _choice_labels(choices: type[models.Choices], language: str) -> dict[str, str]:
    with translation.override(language or None):
        return {str(value): str(label) for value, label in choices.choices}


def choice_label(choices: type[models.Choices], value: str) -> str:
    """A choice's label in the active language, read from the catalogue once per language:
    Django's get_FOO_display turns every lazy label of the field into text on every call,
    and a results page asks for dozens."""
    return _choice_labels(choices, translation.get_language() or "").get(value, value)


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    WEB = "web", _("Web page")
    DOCUMENT = "document", _("Document")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    SLIDES = "slides", _("Slides")


def _choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Term(models.Model):
    """A browsable term with a name and a slug: the shape of topics, audiences and the rest."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(Term):
    abbreviation = models.CharField(max_length=40, blank=True)
    url = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_address],
        help_text="The organisation's own public home page.",
    )

    class Meta(Term.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("site:organisation", args=[self.slug])

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name


class Person(Term):
    class Meta(Term.Meta):
        verbose_name_plural = "people"


class TranslatedTerm(Term):
    """A term of the catalogue's vocabulary that carries its name in the interface languages."""

    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text='Its name in the other interface languages, by code: {"pl": "Zdrowie"}.',
    )

    class Meta(Term.Meta):
        abstract = True

    def __str__(self) -> str:
        # On every page, in the page's language.
        return self.name_in(translation.get_language() or "")

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.translations, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.translations.items()
        ):
            raise ValidationError(
                {"translations": 'Write each name as "code": "name", like {"pl": "Zdrowie"}.'}
            )

    def name_in(self, language: str) -> str:
        """Its name in this interface language, or the English one where none is written."""
        translated = (self.translations or {}).get(language)
        return translated if isinstance(translated, str) and translated.strip() else self.name


class Topic(TranslatedTerm):
    class Meta(Term.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("site:topic", args=[self.slug])


class Audience(TranslatedTerm):
    class Meta(Term.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("site:audience", args=[self.slug])


class Country(Term):
    class Meta(Term.Meta):
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        # On every page, in the page's language (CLDR's name, where it knows the country).
        return country_name(self.name)


class Series(Term):
    class Meta(Term.Meta):
        verbose_name_plural = "series"


class Language(models.Model):
    code = models.CharField(max_length=35, primary_key=True, help_text="BCP 47 language tag")
    name_en = models.CharField("English name", max_length=100)
    name_native = models.CharField("name in the language", max_length=100)

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en

    def get_absolute_url(self) -> str:
        return reverse("site:language", args=[self.code])


class ResourceQuerySet(models.QuerySet["Resource"]):
    def published(self) -> ResourceQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def with_page_data(self) -> ResourceQuerySet:
        """Everything a resource's page (and its citations and structured data) shows."""
        return self.select_related("series").prefetch_related(
            models.Prefetch(
                "resource_organisations",
                queryset=ResourceOrganisation.objects.select_related("organisation"),
            ),
            models.Prefetch(
                "resource_people", queryset=ResourcePerson.objects.select_related("person")
            ),
            models.Prefetch(
                "versions", queryset=Version.objects.select_related("language", "stored")
            ),
            models.Prefetch("topics", queryset=Topic.objects.order_by("name")),
            models.Prefetch("audiences", queryset=Audience.objects.order_by("name")),
            models.Prefetch("countries", queryset=Country.objects.order_by("name")),
        )

    def with_listing_data(self) -> ResourceQuerySet:
        """Everything a list row shows, in a fixed number of queries."""
        return self.select_related("series").prefetch_related(
            models.Prefetch(
                "resource_organisations",
                queryset=ResourceOrganisation.objects.select_related("organisation"),
            ),
            models.Prefetch(
                "versions", queryset=Version.objects.select_related("language", "stored")
            ),
        )


class Resource(models.Model):
    uid = models.CharField(
        "interchange id",
        max_length=100,
        unique=True,
        help_text="Stable id used by import and export.",
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True, help_text="Plain text; a blank line starts a paragraph.")
    resource_type = models.CharField(max_length=20, choices=ResourceType.choices)
    published_date = models.DateField(null=True, blank=True)
    published_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    organisations: models.ManyToManyField[Organisation, ResourceOrganisation] = (
        models.ManyToManyField(
            Organisation, through="ResourceOrganisation", related_name="resources"
        )
    )
    people: models.ManyToManyField[Person, ResourcePerson] = models.ManyToManyField(
        Person, through="ResourcePerson", related_name="resources"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="resources")
    audiences = models.ManyToManyField(Audience, blank=True, related_name="resources")
    countries = models.ManyToManyField(Country, blank=True, related_name="resources")
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.PROTECT, related_name="resources"
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=False)
    access_note = models.CharField(max_length=300, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    agreement_by = models.CharField("owner agreement: who agreed", max_length=200, blank=True)
    agreement_on = models.DateField("owner agreement: when", null=True, blank=True)
    agreement_how = models.CharField("owner agreement: how", max_length=300, blank=True)
    review_by = models.DateField(null=True, blank=True)
    reviewed_on = models.DateField("last reviewed", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            _choices_check("resource_type", ResourceType, "resource_type_valid"),
            _choices_check("status", Status, "resource_status_valid"),
            models.CheckConstraint(
                condition=Q(published_precision__in=[*DatePrecision.values, ""]),
                name="resource_precision_valid",
            ),
            models.CheckConstraint(
                condition=(Q(published_date__isnull=True) & Q(published_precision=""))
                | (Q(published_date__isnull=False) & ~Q(published_precision="")),
                name="resource_date_has_precision",
            ),
            # Nothing is published without the owner's agreement.
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | ~Q(agreement_by=""),
                name="resource_published_needs_agreement",
            ),
        ]
        indexes = [models.Index(fields=["status", "published_date"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("site:resource", args=[self.slug])

    def get_resource_type_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(ResourceType, self.resource_type)

    @property
    def published_label(self) -> str:
        """The publication date at the precision it is known, as a reader would write it."""
        if self.published_date is None:
            return ""
        if self.published_precision == DatePrecision.YEAR:
            return str(self.published_date.year)
        if self.published_precision == DatePrecision.MONTH:
            return formats.date_format(self.published_date, "YEAR_MONTH_FORMAT")
        # "E" is the month as a full date writes it ("12 kwietnia 2021"), as "F" in English.
        return dateformat.format(self.published_date, "j E Y")

    @property
    def published_iso(self) -> str:
        """The date as the interchange format writes it: "2021", "2021-04" or "2021-04-12"."""
        date = self.published_date
        if date is None:
            return ""
        if self.published_precision == DatePrecision.YEAR:
            return f"{date.year:04d}"
        if self.published_precision == DatePrecision.MONTH:
            return f"{date.year:04d}-{date.month:02d}"
        return date.isoformat()

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.summary.split("\n\n") if p.strip()]

    @property
    def cover(self) -> Version | None:
        """The first version with a thumbnail (from the prefetched versions of a list)."""
        return next((v for v in self.versions.all() if v.thumbnail_href), None)


class ResourceOrganisation(models.Model):
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="resource_organisations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="resource_links"
    )
    role = models.CharField(max_length=10, choices=OrganisationRole.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "organisation", "role"],
                name="resource_organisation_role_unique",
            ),
            _choices_check("role", OrganisationRole, "resource_organisation_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class ResourcePerson(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="resource_people")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="resource_links")
    role = models.CharField(max_length=12, choices=PersonRole.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "resource people"
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "person", "role"], name="resource_person_role_unique"
            ),
            _choices_check("role", PersonRole, "resource_person_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class Version(models.Model):
    """One language and format of a resource: an external link, an uploaded file, or no link yet."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    language = models.ForeignKey(Language, on_delete=models.PROTECT, related_name="versions")
    format = models.CharField(max_length=10, choices=Format.choices)
    url = models.CharField(max_length=500, blank=True, validators=[validate_address])
    file = models.FileField(upload_to="versions/%Y/", blank=True)
    # The record of `file` (its type, text and thumbnail), kept beside its name for one join.
    stored = models.ForeignKey(
        "StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    title = models.CharField(
        max_length=300, blank=True, help_text="Only where it differs from the resource's title."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "language", "format"], name="version_language_format_unique"
            ),
            _choices_check("format", Format, "version_format_valid"),
            models.CheckConstraint(
                condition=Q(url="") | Q(file=""), name="version_url_or_file_not_both"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} — {self.language} {self.get_format_display()}"

    def get_format_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(Format, self.format)

    @property
    def href(self) -> str:
        """Where the version is read: its address, or Signpost's own path for its file."""
        if self.file:
            if not self.stored_id:
                return ""  # a file from before files had records: `read_documents` records it
            name = slugify(self.title or self.resource.title)[:60] or "file"
            return reverse(
                "documents:file",
                args=[self.stored_id, name + PurePosixPath(self.file.name).suffix],
            )
        return self.url

    @property
    def is_external(self) -> bool:
        return bool(self.url)

    @property
    def thumbnail_href(self) -> str:
        if self.stored_id and self.stored and self.stored.thumbnail:
            return reverse("documents:thumbnail", args=[self.stored_id])
        return ""


class RemovedResource(models.Model):
    """A resource deleted for good after it was published: what harvesters are told of it.

    OAI-PMH keeps deleted records ("persistent"), so a harvester learns that a record it
    holds is gone. Its type and topics are kept for its sets, so that a selective harvest
    hears of the deletion too; a topic deleted later simply drops from it.
    """

    uid = models.CharField("interchange id", max_length=100, unique=True)
    resource_type = models.CharField(max_length=20, choices=ResourceType.choices)
    topics = models.ManyToManyField(Topic, blank=True, related_name="removed_resources")
    removed_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            _choices_check("resource_type", ResourceType, "removed_resource_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.uid} (removed {self.removed_at:%Y-%m-%d})"


class TextState(models.TextChoices):
    PENDING = "pending", _("Waiting to be read")
    READ = "read", _("Text read")
    NO_TEXT = "no-text", _("No text found (a scan or a picture?)")
    FAILED = "failed", _("Could not be read")


class StoredFile(models.Model):
    """An uploaded file, stored once however many versions use it, and what was read from it.

    Versions name it by `name`, its place in storage (a random name, so that the name says
    nothing of what the file holds). The documents app checks, reads and draws it; the
    catalogue keeps the record, so that search can index the text.
    """

    name = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    media_type = models.CharField(max_length=100)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    text_state = models.CharField(
        max_length=10, choices=TextState.choices, default=TextState.PENDING
    )
    text_note = models.CharField(max_length=300, blank=True)
    thumbnail = models.CharField(max_length=200, blank=True)
    thumbnail_width = models.PositiveSmallIntegerField(null=True, blank=True)
    thumbnail_height = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [_choices_check("text_state", TextState, "stored_file_text_state_valid")]

    def __str__(self) -> str:
        return f"{self.name} ({self.media_type}, {self.size} bytes)"


class FilePage(models.Model):
    """The text of one page (or slide) of a stored file, numbered from 1."""

    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["file", "number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="file_page_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.file.name} page {self.number}"
