"""What the editorial side keeps: accounts and invitations, submissions and their messages,
agreements, review reminders, the audit history, and failed sign-ins as keyed hashes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy


class SignInFailure(models.Model):
    """One failed staff sign-in. Neither the username nor the address is stored: only keyed
    hashes (HMAC with the site's secret key), enough to count failures and nothing more."""

    pair = models.CharField(max_length=64, help_text="hash of username and address together")
    address = models.CharField(max_length=64, help_text="hash of the address alone")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["pair", "at"], name="sign_in_failure_pair"),
            models.Index(fields=["address", "at"], name="sign_in_failure_address"),
        ]

    def __str__(self) -> str:
        return f"failed sign-in at {self.at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """One recorded change to a resource: who, when, how, and the fields before and after.

    Written in the same transaction as the change, by the catalogue's services; never edited
    or deleted through the site (the staff pages show it read-only).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="kept if the user goes")
    via = models.CharField(max_length=40)
    action = models.CharField(max_length=20)
    resource_uid = models.CharField(max_length=100, db_index=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.resource_uid} by {self.actor_name or 'a command'}"


class Role(models.TextChoices):
    EDITOR = "editor", pgettext_lazy("role of a staff account", "Editor")
    OWNER = "owner", pgettext_lazy("role of a staff account", "Owner")
    OPERATOR = "operator", pgettext_lazy("role of a staff account", "Operator")


class Account(models.Model):
    """What a person may do: an editor at the office, an owner at partner organisations, or
    an operator who runs the site. Nobody signs up: editors invite, operators create editors."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    organisations = models.ManyToManyField(
        "catalogue.Organisation", blank=True, related_name="owner_accounts"
    )
    # The interface language the person last signed in with: their emails are written in it.
    language = models.CharField(
        max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="account_role_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"

    @property
    def needs_two_factor(self) -> bool:
        return self.role in (Role.EDITOR, Role.OPERATOR)


class Invitation(models.Model):
    """A single-use, expiring invitation to set a password; its link is signed."""

    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OWNER)
    organisations = models.ManyToManyField("catalogue.Organisation", blank=True, related_name="+")
    # The language of the invitation's email and of the pages its link opens.
    language = models.CharField(
        max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation for {self.email}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    SUBMITTED = "submitted", gettext_lazy("Waiting for review")
    CHANGES_REQUESTED = "changes", gettext_lazy("Changes requested")
    APPROVED = "approved", gettext_lazy("Published")
    DECLINED = "declined", gettext_lazy("Declined")


class Submission(models.Model):
    """An owner's proposal: a new resource, or a change to a published one.

    The proposal is kept here as an interchange record (docs/data-format.md) until an editor
    approves it; a change to a published resource is a pending revision, and the public page
    keeps showing the approved text meanwhile.
    """

    resource = models.ForeignKey(
        "catalogue.Resource",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    organisation = models.ForeignKey(
        "catalogue.Organisation", on_delete=models.PROTECT, related_name="submissions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_change = models.BooleanField(default=False, help_text="a change to a published resource")
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    record = models.JSONField(default=dict)
    # Bumped by every save: a form opened before another person's save cannot overwrite it.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SubmissionStatus.values),
                name="submission_status_valid",
            )
        ]

    def __str__(self) -> str:
        return str(self.record.get("title") or "untitled submission")

    @property
    def title(self) -> str:
        return str(self)

    @property
    def editable(self) -> bool:
        return self.status in (SubmissionStatus.DRAFT, SubmissionStatus.CHANGES_REQUESTED)


class Message(models.Model):
    """A message on a submission between the editors and the owner."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    text = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"message from {self.author_name}"


class Agreement(models.Model):
    """The owner's agreement to publish, as an editor recorded it, with its evidence."""

    resource = models.ForeignKey(
        "catalogue.Resource", on_delete=models.CASCADE, related_name="agreements"
    )
    given_by = models.CharField("who agreed", max_length=200)
    given_on = models.DateField("when")
    how = models.CharField("how", max_length=300)
    note = models.TextField(blank=True)
    evidence = models.FileField(upload_to="agreements/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"agreement of {self.given_by} on {self.given_on}"


class ReviewReminder(models.Model):
    """A reminder sent to a resource's owners before its review-by date: sent once per date."""

    resource = models.ForeignKey(
        "catalogue.Resource", on_delete=models.CASCADE, related_name="review_reminders"
    )
    review_by = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "review_by"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"reminder for {self.resource_id} due {self.review_by}"
