"""Editorial writes: invitations, submissions and their review, agreements, reminders.

Every change to the catalogue itself goes through the catalogue's services, which record it
in the audit history and reindex it; these functions add the editorial state around them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from signpost.catalogue.models import Organisation, Resource, Status
from signpost.catalogue.services import (
    OwnerAgreement,
    resource_create,
    resource_publish,
    resource_record_check,
    resource_review_confirm,
    resource_submit,
    resource_update,
    resource_withdraw,
)

from .models import (
    Account,
    Agreement,
    Invitation,
    Message,
    ReviewReminder,
    Role,
    Submission,
    SubmissionStatus,
)

INVITATION_LIFETIME = datetime.timedelta(days=7)
OPEN_STATUSES = [
    SubmissionStatus.DRAFT,
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.CHANGES_REQUESTED,
]
CONFIRMATION_LIFETIME = datetime.timedelta(days=60)
REMIND_BEFORE = datetime.timedelta(days=30)
_INVITATION_SALT = "signpost.editorial.invitation"
_CONFIRMATION_SALT = "signpost.editorial.still-current"
# A proposal has no catalogue id until it is submitted; checking it needs one.
_PROPOSAL_ID = "proposal"


class LinkRefused(Exception):
    """An invitation or confirmation link that is forged, expired or already used."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class SubmissionConflict(Exception):
    """The submission was saved by someone else since this form was opened."""

    def __init__(self, current: Submission):
        self.current = current
        super().__init__("the submission changed since the form was opened")


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# A person to write to: their address and the interface language they use.
Recipient = tuple[str, str]


def _mail(
    *,
    to: Iterable[Recipient],
    subject: Callable[[], str],
    template: str,
    context: Callable[[], dict[str, Any]],
) -> None:
    """One email for each language its recipients use, written in that language: the
    subject, the body and the links (which open the pages in that language)."""
    by_language: dict[str, list[str]] = defaultdict(list)
    for address, language in to:
        by_language[language].append(address)
    for language, addresses in sorted(by_language.items()):
        with translation.override(language):
            body = render_to_string(template, context())
            send_mail(subject(), body, None, sorted(addresses))


def account_create(
    *,
    username: str,
    email: str,
    password: str,
    role: str,
    organisations: list[Organisation] | None = None,
    language: str = settings.LANGUAGE_CODE,
) -> AbstractBaseUser:
    """A person who can sign in, with their role; the password must pass the validators."""
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model(username=username, email=email)
        validate_password(password, user)
        user.set_password(password)
        if role == Role.OPERATOR:
            user.is_staff = user.is_superuser = True
        user.full_clean()
        user.save()
        account = Account.objects.create(user=user, role=role, language=language)
        account.organisations.set(organisations or [])
    return user


def invitation_create(
    *,
    email: str,
    role: str,
    organisations: list[Organisation],
    by: Any,
    language: str = settings.LANGUAGE_CODE,
) -> Invitation:
    """Invite someone by email, written in their language: the link sets a password, once,
    within a week."""
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            language=language,
            invited_by=by,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        invitation.organisations.set(organisations)
        token = invitation_token(invitation)
        names = [organisation.name for organisation in organisations]
        transaction.on_commit(
            lambda: _mail(
                to=[(email, language)],
                subject=lambda: gettext("You are invited to Signpost"),
                template="editorial/email/invitation.txt",
                context=lambda: {
                    "invitation": invitation,
                    "link": _absolute(reverse("editorial:invitation", args=[token])),
                    "organisations": names,
                },
            )
        )
    return invitation


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=_INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link names; raises LinkRefused when it cannot be used."""
    try:
        pk = signing.loads(token, salt=_INVITATION_SALT, max_age=INVITATION_LIFETIME)
    except signing.SignatureExpired as error:
        raise LinkRefused(gettext("This invitation has expired.")) from error
    except signing.BadSignature as error:
        raise LinkRefused(gettext("This invitation link is not valid.")) from error
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None:
        raise LinkRefused(gettext("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise LinkRefused(gettext("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise LinkRefused(gettext("This invitation has expired."))
    return invitation


def invitation_accept(*, token: str, username: str, password: str) -> AbstractBaseUser:
    """Set a password from an invitation; the invitation cannot be used again."""
    with transaction.atomic():
        invitation = invitation_from_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise LinkRefused(gettext("This invitation has already been used."))
        user = account_create(
            username=username,
            email=invitation.email,
            password=password,
            role=invitation.role,
            organisations=list(invitation.organisations.all()),
            language=invitation.language,
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user


def submission_check(submission: Submission, record: dict[str, Any]) -> None:
    """Raise InterchangeError naming each field that an editor could not publish."""
    uid = submission.resource.uid if submission.resource else _PROPOSAL_ID
    resource_record_check({**record, "id": uid, "status": Status.DRAFT, "owner_agreement": None})


def submission_create(
    *, organisation: Organisation, by: Any, record: dict[str, Any], resource: Resource | None = None
) -> Submission:
    """A new draft proposal: a new resource, or (with `resource`) a change to a published one."""
    return Submission.objects.create(
        organisation=organisation,
        author=by,
        record=record,
        resource=resource,
        is_change=resource is not None and resource.status == Status.PUBLISHED,
    )


def submission_save(
    *, submission: Submission, record: dict[str, Any], by: Any, revision: int
) -> Submission:
    """Save a draft. `revision` is the one the form was opened at: a later save wins nothing
    silently, it raises SubmissionConflict."""
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if current.revision != revision:
            raise SubmissionConflict(current)
        if not current.editable:
            raise ValueError(
                gettext("this submission is with the editors and cannot be changed now")
            )
        current.record = record
        current.revision += 1
        current.save()
    return current


def submission_submit(*, submission: Submission, by: Any) -> Submission:
    """Send a proposal to the editors. A new resource enters the catalogue as submitted (never
    public); a change to a published one waits here as a pending revision."""
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if not current.editable:
            raise ValueError(gettext("this submission has already been sent"))
        submission_check(current, current.record)
        if not current.is_change:
            record = {k: v for k, v in current.record.items() if k != "id"}
            if current.resource is None:
                current.resource = resource_create(record=record, by=by, via="owner")
            else:
                resource_update(resource=current.resource, record=record, by=by, via="owner")
            resource_submit(resource=current.resource, by=by, via="owner")
        current.status = SubmissionStatus.SUBMITTED
        current.submitted_at = timezone.now()
        current.revision += 1
        current.save()
    return current


def message_add(*, submission: Submission, by: Any, text: str) -> Message:
    return Message.objects.create(
        submission=submission, author=by, author_name=by.get_username(), text=text
    )


def _owner_emails(organisation_ids: list[int]) -> list[Recipient]:
    return sorted(
        set(
            Account.objects.filter(role=Role.OWNER, organisations__in=organisation_ids)
            .exclude(user__email="")
            .values_list("user__email", "language")
        )
    )


def _editor_emails() -> list[Recipient]:
    return sorted(
        set(
            Account.objects.filter(role=Role.EDITOR, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", "language")
        )
    )


def account_language_set(*, user: Any, language: str) -> None:
    """Remember the interface language a person signed in with, for the emails they get."""
    if language in dict(settings.LANGUAGES):
        Account.objects.filter(user=user).exclude(language=language).update(language=language)


def _review_outcome(
    *, submission: Submission, by: Any, message: str, status: str, subject: Callable[[], str]
) -> Submission:
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if current.status != SubmissionStatus.SUBMITTED:
            raise ValueError(gettext("only a submission waiting for review can be answered"))
        current.status = status
        current.revision += 1
        current.save()
        if message:
            message_add(submission=current, by=by, text=message)
        to = _owner_emails([current.organisation_id])
        transaction.on_commit(
            lambda: _mail(
                to=to,
                subject=subject,
                template="editorial/email/outcome.txt",
                context=lambda: {
                    "submission": current,
                    "message": message,
                    "link": _absolute(reverse("editorial:submission", args=[current.pk])),
                },
            )
        )
    return current


def submission_request_changes(*, submission: Submission, by: Any, message: str) -> Submission:
    return _review_outcome(
        submission=submission,
        by=by,
        message=message,
        status=SubmissionStatus.CHANGES_REQUESTED,
        subject=lambda: gettext("Changes requested: %(title)s") % {"title": submission.title},
    )


def submission_decline(*, submission: Submission, by: Any, message: str) -> Submission:
    return _review_outcome(
        submission=submission,
        by=by,
        message=message,
        status=SubmissionStatus.DECLINED,
        subject=lambda: gettext("Not published: %(title)s") % {"title": submission.title},
    )


def submission_approve(
    *,
    submission: Submission,
    by: Any,
    agreement: OwnerAgreement,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> Resource:
    """Publish what the owner proposed, recording their agreement and its evidence."""
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if current.status != SubmissionStatus.SUBMITTED:
            raise ValueError(gettext("only a submission waiting for review can be published"))
        assert current.resource is not None
        if current.is_change and current.resource.status != Status.PUBLISHED:
            raise ValueError(gettext("the owner withdrew agreement for this resource meanwhile"))
        record = {k: v for k, v in current.record.items() if k != "id"}
        resource = resource_update(resource=current.resource, record=record, by=by, via="editor")
        resource = resource_publish(resource=resource, agreement=agreement, by=by, via="editor")
        Agreement.objects.create(
            resource=resource,
            given_by=agreement.by,
            given_on=agreement.on,
            how=agreement.how,
            note=note,
            evidence=evidence or "",
            recorded_by=by,
        )
        current.status = SubmissionStatus.APPROVED
        current.revision += 1
        current.save()
        message_add(submission=current, by=by, text=note or gettext("Published."))
    return resource


def agreement_withdraw(*, resource: Resource, by: Any, reason: str) -> Resource:
    """The owner withdraws agreement: the resource leaves the public site at once and the
    editors are told."""
    with transaction.atomic():
        resource = resource_withdraw(resource=resource, by=by, via="owner")
        Agreement.objects.filter(resource=resource, withdrawn_at=None).update(
            withdrawn_at=timezone.now()
        )
        # Changes still open for it would put it back on the site: they end here.
        for pending in Submission.objects.filter(resource=resource, status__in=OPEN_STATUSES):
            pending.status = SubmissionStatus.DECLINED
            pending.revision += 1
            pending.save()
            message_add(
                submission=pending,
                by=by,
                text=gettext("Closed: the owner withdrew agreement."),
            )
        to = _editor_emails()
        transaction.on_commit(
            lambda: _mail(
                to=to,
                subject=lambda: (
                    gettext("Agreement withdrawn: %(title)s") % {"title": resource.title}
                ),
                template="editorial/email/withdrawn.txt",
                context=lambda: {
                    "resource": resource,
                    "reason": reason,
                    "by": by.get_username(),
                    "link": _absolute(reverse("editorial:editor_resource", args=[resource.pk])),
                },
            )
        )
    return resource


def confirmation_token(resource: Resource) -> str:
    """A link's token to confirm a resource is still current; it names the review-by date it
    was sent for, so it works once."""
    review_by = resource.review_by.isoformat() if resource.review_by else ""
    return signing.dumps([resource.pk, review_by], salt=_CONFIRMATION_SALT)


def confirmation_resource(token: str) -> Resource:
    try:
        pk, review_by = signing.loads(token, salt=_CONFIRMATION_SALT, max_age=CONFIRMATION_LIFETIME)
    except signing.SignatureExpired as error:
        raise LinkRefused(
            gettext("This link has expired. Sign in to confirm the resource.")
        ) from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise LinkRefused(gettext("This link is not valid.")) from error
    resource = Resource.objects.filter(pk=pk, status=Status.PUBLISHED).first()
    if resource is None:
        raise LinkRefused(gettext("This link is not valid."))
    current = resource.review_by.isoformat() if resource.review_by else ""
    if current != review_by:
        raise LinkRefused(gettext("This resource has already been confirmed."))
    return resource


def review_confirm(*, token: str) -> Resource:
    """Confirm "still current" from an emailed link, in one step."""
    with transaction.atomic():
        resource = confirmation_resource(token)
        return resource_review_confirm(resource=resource, by=None, via="emailed link")


def _reminder_subject(title: str) -> str:
    return gettext("Is this still current? %(title)s") % {"title": title}


def _reminder_context(resource: Resource, token: str) -> dict[str, Any]:
    return {
        "resource": resource,
        "confirm": _absolute(reverse("editorial:confirm", args=[token])),
        "change": _absolute(reverse("editorial:owner_change", args=[resource.pk])),
    }


def review_reminders_send(*, today: datetime.date | None = None) -> int:
    """Email each published resource's owners a month before its review-by date, once."""
    today = today or timezone.localdate()
    due = (
        Resource.objects.published()
        .filter(review_by__lte=today + REMIND_BEFORE)
        .exclude(
            Exists(
                ReviewReminder.objects.filter(
                    resource=OuterRef("pk"), review_by=OuterRef("review_by")
                )
            )
        )
        .prefetch_related("resource_organisations")
    )
    sent = 0
    for resource in due:
        organisations = [link.organisation_id for link in resource.resource_organisations.all()]
        to = _owner_emails(organisations)
        with transaction.atomic():
            _, created = ReviewReminder.objects.get_or_create(
                resource=resource, review_by=resource.review_by
            )
            if not created or not to:
                continue
            token = confirmation_token(resource)
            _mail(
                to=to,
                subject=partial(_reminder_subject, resource.title),
                template="editorial/email/reminder.txt",
                context=partial(_reminder_context, resource, token),
            )
            sent += 1
    return sent
