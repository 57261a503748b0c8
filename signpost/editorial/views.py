"""The editorial pages: thin views over the editorial and catalogue services."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from signpost.catalogue.interchange import InterchangeError
from signpost.catalogue.models import Resource, Status
from signpost.catalogue.selectors import versions_with_unread_files
from signpost.catalogue.services import (
    EditConflict,
    OwnerAgreement,
    resource_review_confirm,
    resource_update,
)
from signpost.documents.views import file_response
from signpost.links.selectors import resources_needing_attention

from . import two_factor
from .access import (
    editor_or_owner_required,
    editor_required,
    owner_required,
    second_step_needed,
    staff_required,
)
from .forms import (
    AgreementForm,
    CodeForm,
    InvitationForm,
    MessageForm,
    ResourceForm,
    SetPasswordForm,
    SignInForm,
    VersionFormSet,
    WithdrawForm,
    problems_to_forms,
    versions_initial,
)
from .models import Agreement, AuditEvent, Role, Submission, SubmissionStatus
from .selectors import (
    account_of,
    organisations_of,
    published_record,
    record_differences,
    resource_current_record,
    resource_owned_get,
    resources_due_for_review,
    resources_overdue,
    resources_owned,
    resources_withdrawn,
    review_queue,
    stored_file_visible,
    submission_get,
    submissions_visible,
)
from .services import (
    OPEN_STATUSES,
    LinkRefused,
    SubmissionConflict,
    account_language_set,
    agreement_withdraw,
    confirmation_resource,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    message_add,
    review_confirm,
    submission_approve,
    submission_create,
    submission_decline,
    submission_request_changes,
    submission_save,
    submission_submit,
)

# --- signing in -------------------------------------------------------------------------


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=False):
        return target
    return default


def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is not None:
            login(request, user)
            # Their emails come in the language they sign in with.
            account_language_set(user=user, language=translation.get_language())
            account = account_of(user)
            step = second_step_needed(request, account) if account else None
            target = _next(request, reverse("editorial:home"))
            if step:
                return redirect(f"{step}?next={target}")
            return redirect(target)
        error = gettext(
            "The username or password is not right, or this account is locked for a while "
            "after too many tries."
        )
    return render(
        request,
        "editorial/sign_in.html",
        {"form": form, "error": error, "next": _next(request, "")},
    )


def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app, or a recovery code."""
    user: Any = request.user
    if not user.is_authenticated:
        return redirect("editorial:sign_in")
    if not user_has_device(user):
        return redirect("editorial:two_factor")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request, reverse("editorial:home")))
        form.add_error(
            "code", gettext("That code is not right, or it has been used. Try the next one.")
        )
    return render(
        request, "editorial/sign_in_code.html", {"form": form, "next": _next(request, "")}
    )


def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out (a form's POST; a GET, from a typed address, changes nothing)."""
    if request.method == "POST":
        logout(request)
        messages.success(request, gettext("You are signed out."))
    return redirect("editorial:sign_in")


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn on two-factor sign-in: scan the key, type one code, keep the recovery codes."""
    user: Any = request.user
    if not user.is_authenticated:
        return redirect("editorial:sign_in")
    if user_has_device(user) and not user.is_verified():
        return redirect("editorial:sign_in_code")
    device = two_factor.device_unconfirmed(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.device_confirm(device, form.cleaned_data["code"].replace(" ", ""))
        if codes is not None:
            otp_login(request, device)
            return render(request, "editorial/recovery_codes.html", {"codes": codes})
        form.add_error(
            "code",
            gettext("That code is not right. Check the time on your phone and try again."),
        )
    return render(
        request,
        "editorial/two_factor.html",
        {
            "form": form,
            "key": two_factor.key_text(device),
            "qr_svg": two_factor.qr_svg(device),
            "already": user_has_device(user),
        },
    )


# --- invitations and emailed links ---------------------------------------------------------


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invited = invitation_from_token(token)
    except LinkRefused as refused:
        return render(
            request, "editorial/link_refused.html", {"reason": refused.reason}, status=410
        )
    form = SetPasswordForm(request.POST or None, initial={"username": invited.email})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except LinkRefused as refused:
            return render(
                request, "editorial/link_refused.html", {"reason": refused.reason}, status=410
            )
        except ValidationError as error:
            by_field = error.message_dict if hasattr(error, "error_dict") else {}
            for field, problems in by_field.items() or [("password", error.messages)]:
                target = field if field in form.fields else "password"
                for problem in problems:
                    form.add_error(target, problem)
        else:
            login(request, user, backend="signpost.editorial.sign_in.ThrottledModelBackend")  # type: ignore[arg-type]
            messages.success(request, gettext("Your password is set. Welcome to Signpost."))
            return redirect("editorial:home")
    return render(request, "editorial/invitation.html", {"form": form, "invitation": invited})


def still_current(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: one button confirms (a GET never changes anything, since mail
    scanners open links)."""
    try:
        resource = confirmation_resource(token)
    except LinkRefused as refused:
        return render(
            request, "editorial/link_refused.html", {"reason": refused.reason}, status=410
        )
    if request.method == "POST":
        try:
            resource = review_confirm(token=token)
        except LinkRefused as refused:
            return render(
                request, "editorial/link_refused.html", {"reason": refused.reason}, status=410
            )
        return render(request, "editorial/still_current_done.html", {"resource": resource})
    return render(request, "editorial/still_current.html", {"resource": resource})


# --- home --------------------------------------------------------------------------------


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    role = request.account.role  # type: ignore[attr-defined]
    if role == Role.OWNER:
        return redirect("editorial:owner")
    if role == Role.EDITOR:
        return redirect("editorial:editor")
    return redirect("admin:index")


# --- owners --------------------------------------------------------------------------------


@owner_required
def owner_home(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    return render(
        request,
        "editorial/owner_home.html",
        {
            "organisations": organisations_of(account),
            "resources": resources_owned(account).filter(
                status__in=[Status.PUBLISHED, Status.WITHDRAWN]
            ),
            "submissions": submissions_visible(account)
            .exclude(status=SubmissionStatus.APPROVED)
            .order_by("-updated_at"),
        },
    )


def _resource_forms(
    request: HttpRequest, account: Any, record: dict[str, Any]
) -> tuple[ResourceForm, Any]:
    organisations = organisations_of(account)
    if request.method == "POST":
        form = ResourceForm(request.POST, organisations=organisations)
        versions = VersionFormSet(
            request.POST,
            request.FILES,
            prefix="versions",
            form_kwargs={"too_large": getattr(request, "uploads_too_large", set())},
        )
    else:
        form = ResourceForm(initial=ResourceForm.initial_from(record), organisations=organisations)
        versions = VersionFormSet(initial=versions_initial(record), prefix="versions")
    return form, versions


def _record_from(form: ResourceForm, versions: Any, kept: dict[str, Any]) -> dict[str, Any]:
    record = form.record(kept)
    record["versions"] = [item for f in versions.forms if (item := f.item()) is not None]
    return record


def _forms_valid(form: ResourceForm, versions: Any) -> bool:
    valid_form = form.is_valid()
    return versions.is_valid() and valid_form


@owner_required
def owner_new(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    form, versions = _resource_forms(request, account, {})
    if request.method == "POST" and _forms_valid(form, versions):
        record = _record_from(form, versions, {})
        submission = submission_create(
            organisation=form.cleaned_data["publisher"], by=request.user, record=record
        )
        return _after_save(request, submission)
    return render(
        request,
        "editorial/submission_form.html",
        {"form": form, "versions": versions, "submission": None},
    )


def _owned_published(account: Any, pk: int) -> Resource:
    """One of the owner's published resources; 404 for anything else."""
    resource = resource_owned_get(account, pk)
    if resource.status != Status.PUBLISHED:
        raise Http404("Only a published resource")
    return resource


@owner_required
def owner_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose a change to a published resource: a draft that starts from what is public."""
    account = request.account  # type: ignore[attr-defined]
    resource = _owned_published(account, pk)
    if request.method != "POST":
        return render(request, "editorial/owner_change.html", {"resource": resource})
    pending = submissions_visible(account).filter(resource=resource, status__in=OPEN_STATUSES)
    waiting = pending.filter(status=SubmissionStatus.SUBMITTED).first()
    if waiting is not None:
        # A second change started from the published text would undo the first one.
        messages.info(request, gettext("A change to this resource is already with the editors."))
        return redirect("editorial:submission", pk=waiting.pk)
    submission = pending.first() or submission_create(
        organisation=organisations_of(account).filter(resources=resource).first(),  # type: ignore[arg-type]
        by=request.user,
        record=published_record(resource),
        resource=resource,
    )
    return redirect("editorial:submission_edit", pk=submission.pk)


@owner_required
def submission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    submission = submission_get(account, pk)
    if not submission.editable:
        messages.info(
            request, gettext("This submission is with the editors; it cannot be changed now.")
        )
        return redirect("editorial:submission", pk=submission.pk)
    form, versions = _resource_forms(request, account, submission.record)
    revision = request.POST.get("revision", str(submission.revision))
    if request.method == "POST" and _forms_valid(form, versions):
        record = _record_from(form, versions, submission.record)
        try:
            submission = submission_save(
                submission=submission,
                record=record,
                by=request.user,
                revision=int(revision) if revision.isdigit() else 0,
            )
        except ValueError as refused:  # sent to the editors meanwhile (another tab)
            messages.error(request, gettext("Not saved: %(reason)s.") % {"reason": refused})
            return redirect("editorial:submission", pk=submission.pk)
        except SubmissionConflict as conflict:
            return _conflict(
                request,
                theirs=conflict.current.record,
                yours=record,
                reopen=reverse("editorial:submission_edit", args=[submission.pk]),
            )
        return _after_save(request, submission)
    return render(
        request,
        "editorial/submission_form.html",
        {"form": form, "versions": versions, "submission": submission, "revision": revision},
    )


def _after_save(request: HttpRequest, submission: Submission) -> HttpResponse:
    if request.POST.get("action") != "submit":
        messages.success(request, gettext("Your draft is saved. Submit it when it is ready."))
        return redirect("editorial:submission", pk=submission.pk)
    try:
        submission_submit(submission=submission, by=request.user)
    except ValueError as refused:  # already sent, from another tab
        messages.info(request, f"{capfirst(str(refused))}.")
        return redirect("editorial:submission", pk=submission.pk)
    except InterchangeError as error:
        form, versions = _resource_forms(request, request.account, submission.record)  # type: ignore[attr-defined]
        _forms_valid(form, versions)
        problems_to_forms(error.problems, form, versions)
        return render(
            request,
            "editorial/submission_form.html",
            {
                "form": form,
                "versions": versions,
                "submission": submission,
                "revision": submission.revision,
                "saved_not_sent": True,
            },
            status=422,
        )
    messages.success(
        request, gettext("Sent to the editors. You will get an email when they answer.")
    )
    return redirect("editorial:submission", pk=submission.pk)


def _submission_context(submission: Submission, **forms: Any) -> dict[str, Any]:
    """What a submission's page shows: its difference from what is public, and its thread."""
    before = published_record(submission.resource)
    return {
        "submission": submission,
        "differences": record_differences(before, submission.record),
        "is_new": not before,
        "thread": submission.messages.all(),
        "message_form": MessageForm(),
        "agreement_form": AgreementForm(
            initial={
                "given_on": datetime.date.today().isoformat(),
                "how": gettext("By email to the office"),
            }
        ),
        **forms,
    }


@editor_or_owner_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    context = _submission_context(submission_get(account, pk))
    if account.role == Role.EDITOR:
        return render(request, "editorial/editor_submission.html", context)
    return render(request, "editorial/owner_submission.html", context)


@editor_or_owner_required
@require_POST
def submission_message(request: HttpRequest, pk: int) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    submission = submission_get(account, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        message_add(submission=submission, by=request.user, text=form.cleaned_data["message"])
        messages.success(request, gettext("Message sent."))
    else:
        messages.error(request, gettext("Write a message first."))
    return redirect("editorial:submission", pk=submission.pk)


@owner_required
def owner_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    resource = _owned_published(account, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agreement_withdraw(resource=resource, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            gettext("“%(title)s” is no longer on the public site. The editors are told.")
            % {"title": resource.title},
        )
        return redirect("editorial:owner")
    return render(request, "editorial/owner_withdraw.html", {"resource": resource, "form": form})


@owner_required
@require_POST
def owner_still_current(request: HttpRequest, pk: int) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    resource = _owned_published(account, pk)
    resource = resource_review_confirm(resource=resource, by=request.user, via="owner")
    assert resource.review_by is not None  # a confirmation sets the next review date
    messages.success(
        request,
        gettext("Thank you. “%(title)s” is due for review again on %(date)s.")
        % {"title": resource.title, "date": date_format(resource.review_by, "j E Y")},
    )
    return redirect("editorial:owner")


# --- editors ---------------------------------------------------------------------------------


@editor_required
def editor_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "editorial/editor_home.html",
        {
            "queue": review_queue(),
            "due": resources_due_for_review(),
            "overdue": resources_overdue(),
            "withdrawn": resources_withdrawn()[:50],
            "attention": resources_needing_attention()[:50],
            "unread": versions_with_unread_files()[:50],
        },
    )


@editor_required
@require_POST
def editor_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    submission = submission_get(account, pk)
    if submission.status != SubmissionStatus.SUBMITTED:
        messages.error(request, gettext("This submission has already been answered."))
        return redirect("editorial:submission", pk=submission.pk)
    if decision == "publish":
        form = AgreementForm(request.POST, request.FILES)
        if not form.is_valid():
            return _review_again(request, submission, agreement_form=form)
        data = form.cleaned_data
        try:
            resource = submission_approve(
                submission=submission,
                by=request.user,
                agreement=OwnerAgreement(by=data["given_by"], on=data["given_on"], how=data["how"]),
                note=data["note"],
                evidence=data["evidence"],
            )
        except (InterchangeError, ValueError) as error:
            messages.error(
                request, gettext("It cannot be published as it is: %(reason)s") % {"reason": error}
            )
            return redirect("editorial:submission", pk=submission.pk)
        messages.success(request, gettext("“%(title)s” is published.") % {"title": resource.title})
        return redirect("editorial:editor_resource", pk=resource.pk)
    message_form = MessageForm(request.POST)
    if not message_form.is_valid():
        return _review_again(request, submission, message_form=message_form)
    text = message_form.cleaned_data["message"]
    answers = {
        "changes": (submission_request_changes, gettext("The owner is asked for changes.")),
        "decline": (
            submission_decline,
            gettext("The submission is declined; the owner is told."),
        ),
    }
    if decision not in answers:
        raise Http404("No such decision")
    answer, done = answers[decision]
    try:
        answer(submission=submission, by=request.user, message=text)
    except ValueError as refused:  # answered meanwhile by another editor
        messages.error(request, f"{capfirst(str(refused))}.")
        return redirect("editorial:submission", pk=submission.pk)
    messages.success(request, done)
    return redirect("editorial:editor")


def _review_again(request: HttpRequest, submission: Submission, **forms: Any) -> HttpResponse:
    context = _submission_context(submission, **forms)
    return render(request, "editorial/editor_submission.html", context, status=422)


@editor_required
def editor_resource(request: HttpRequest, pk: int) -> HttpResponse:
    """An editor's page for one resource: edit it directly, see its agreements and history."""
    account = request.account  # type: ignore[attr-defined]
    resource = Resource.objects.filter(pk=pk).first()
    if resource is None:
        raise Http404("No such resource")
    record = resource_current_record(resource)
    form, versions = _resource_forms(request, account, record)
    seen = request.POST.get("seen") or resource.updated_at.isoformat()
    if request.method == "POST" and _forms_valid(form, versions):
        mine = _record_from(form, versions, record)
        try:
            resource_update(
                resource=resource,
                record=mine,
                by=request.user,
                via="editor",
                seen_updated_at=parse_datetime(seen),
            )
        except EditConflict as conflict:
            return _conflict(
                request,
                theirs=conflict.current,
                yours=mine,
                reopen=reverse("editorial:editor_resource", args=[resource.pk]),
            )
        except InterchangeError as error:
            problems_to_forms(error.problems, form, versions)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("editorial:editor_resource", pk=resource.pk)
    return render(
        request,
        "editorial/editor_resource.html",
        {
            "resource": resource,
            "form": form,
            "versions": versions,
            "seen": seen,
            "agreements": resource.agreements.all(),
            "history": AuditEvent.objects.filter(resource_uid=resource.uid)[:50],
        },
        status=422 if request.method == "POST" else 200,
    )


def _conflict(
    request: HttpRequest, *, theirs: dict[str, Any], yours: dict[str, Any], reopen: str
) -> HttpResponse:
    """Someone saved first: show both versions; nothing is overwritten."""
    rows = record_differences(theirs, yours)
    return render(
        request,
        "editorial/conflict.html",
        {"rows": rows, "reopen": reopen},
        status=409,
    )


@editor_required
def agreement_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file an editor attached as evidence of an agreement: for editors, as a download."""
    agreement = Agreement.objects.filter(pk=pk).exclude(evidence="").first()
    if agreement is None:
        raise Http404("No such evidence")
    response = FileResponse(
        agreement.evidence.open("rb"),
        as_attachment=True,
        filename=f"agreement-{agreement.pk}{Path(agreement.evidence.name).suffix[:10]}",
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@editor_or_owner_required
def stored_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An uploaded file as the public would get it once published, for the editors who review
    it and the owners who sent it (private and never cached, as every staff page)."""
    stored = stored_file_visible(request.account, pk)  # type: ignore[attr-defined]
    return file_response(stored, filename=f"file-{stored.pk}")


@editor_required
def editor_invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation_create(
            email=data["email"],
            role=data["role"],
            organisations=list(data["organisations"]),
            by=request.user,
            language=data["language"],
        )
        messages.success(
            request,
            gettext("An invitation is on its way to %(email)s.") % {"email": data["email"]},
        )
        return redirect("editorial:editor")
    return render(request, "editorial/invite.html", {"form": form})
