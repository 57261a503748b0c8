"""Editorial writes: invitations, submissions and their review, agreements, reminders.

Every change to the catalogue itself goes through the catalogue's services, which record it
in the audit history and reindex it; these functions add the editorial state around them.
"""

from __future__ import annotations

import datetime
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
from django.utils import timezone

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


def _mail(*, to: list[str], subject: str, template: str, context: dict[str, Any]) -> None:
    if to:
        body = render_to_string(template, context)
        send_mail(subject, body, None, to)


def account_create(
    *,
    username: str,
    email: str,
    password: str,
    role: str,
    organisations: list[Organisation] | None = None,
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
        account = Account.objects.create(user=user, role=role)
        account.organisations.set(organisations or [])
    return user


def invitation_create(
    *, email: str, role: str, organisations: list[Organisation], by: Any
) -> Invitation:
    """Invite someone by email: the link sets a password, once, within a week."""
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            invited_by=by,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        invitation.organisations.set(organisations)
        link = _absolute(reverse("editorial:invitation", args=[invitation_token(invitation)]))
        names = [organisation.name for organisation in organisations]
        context = {"invitation": invitation, "link": link, "organisations": names}
        transaction.on_commit(
            lambda: _mail(
                to=[email],
                subject="You are invited to Signpost",
                template="editorial/email/invitation.txt",
                context=context,
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
        raise LinkRefused("This invitation has expired.") from error
    except signing.BadSignature as error:
        raise LinkRefused("This invitation link is not valid.") from error
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None:
        raise LinkRefused("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise LinkRefused("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        raise LinkRefused("This invitation has expired.")
    return invitation


def invitation_accept(*, token: str, username: str, password: str) -> AbstractBaseUser:
    """Set a password from an invitation; the invitation cannot be used again."""
    with transaction.atomic():
        invitation = invitation_from_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise LinkRefused("This invitation has already been used.")
        user = account_create(
            username=username,
            email=invitation.email,
            password=password,
            role=invitation.role,
            organisations=list(invitation.organisations.all()),
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
            raise ValueError("this submission is with the editors and cannot be changed now")
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
            raise ValueError("this submission has already been sent")
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


def _owner_emails(organisation_ids: list[int]) -> list[str]:
    return sorted(
        set(
            Account.objects.filter(role=Role.OWNER, organisations__in=organisation_ids)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _editor_emails() -> list[str]:
    return sorted(
        set(
            Account.objects.filter(role=Role.EDITOR, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _review_outcome(
    *, submission: Submission, by: Any, message: str, status: str, subject: str
) -> Submission:
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if current.status != SubmissionStatus.SUBMITTED:
            raise ValueError("only a submission waiting for review can be answered")
        current.status = status
        current.revision += 1
        current.save()
        if message:
            message_add(submission=current, by=by, text=message)
        link = _absolute(reverse("editorial:submission", args=[current.pk]))
        to = _owner_emails([current.organisation_id])
        context = {"submission": current, "message": message, "link": link}
        transaction.on_commit(
            lambda: _mail(
                to=to, subject=subject, template="editorial/email/outcome.txt", context=context
            )
        )
    return current


def submission_request_changes(*, submission: Submission, by: Any, message: str) -> Submission:
    return _review_outcome(
        submission=submission,
        by=by,
        message=message,
        status=SubmissionStatus.CHANGES_REQUESTED,
        subject=f"Changes requested: {submission.title}",
    )


def submission_decline(*, submission: Submission, by: Any, message: str) -> Submission:
    return _review_outcome(
        submission=submission,
        by=by,
        message=message,
        status=SubmissionStatus.DECLINED,
        subject=f"Not published: {submission.title}",
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
            raise ValueError("only a submission waiting for review can be published")
        assert current.resource is not None
        if current.is_change and current.resource.status != Status.PUBLISHED:
            raise ValueError("the owner withdrew agreement for this resource meanwhile")
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
        message_add(submission=current, by=by, text=note or "Published.")
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
            message_add(submission=pending, by=by, text="Closed: the owner withdrew agreement.")
        link = _absolute(reverse("editorial:editor_resource", args=[resource.pk]))
        to = _editor_emails()
        context = {"resource": resource, "reason": reason, "by": by.get_username(), "link": link}
        transaction.on_commit(
            lambda: _mail(
                to=to,
                subject=f"Agreement withdrawn: {resource.title}",
                template="editorial/email/withdrawn.txt",
                context=context,
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
        raise LinkRefused("This link has expired. Sign in to confirm the resource.") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise LinkRefused("This link is not valid.") from error
    resource = Resource.objects.filter(pk=pk, status=Status.PUBLISHED).first()
    if resource is None:
        raise LinkRefused("This link is not valid.")
    current = resource.review_by.isoformat() if resource.review_by else ""
    if current != review_by:
        raise LinkRefused("This resource has already been confirmed.")
    return resource


def review_confirm(*, token: str) -> Resource:
    """Confirm "still current" from an emailed link, in one step."""
    with transaction.atomic():
        resource = confirmation_resource(token)
        return resource_review_confirm(resource=resource, by=None, via="emailed link")


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
            confirm = _absolute(reverse("editorial:confirm", args=[confirmation_token(resource)]))
            change = _absolute(reverse("editorial:owner_change", args=[resource.pk]))
            context = {"resource": resource, "confirm": confirm, "change": change}
            _mail(
                to=to,
                subject=f"Is this still current? {resource.title}",
                template="editorial/email/reminder.txt",
                context=context,
            )
            sent += 1
    return sent
