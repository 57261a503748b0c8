"""The editorial system through its pages: invitations, submissions, review, agreement,
withdrawal, reminders, conflicts, and who may open what."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from signpost.catalogue.models import Resource, Status, StoredFile, Topic
from signpost.catalogue.services import term_delete, term_merge
from signpost.editorial.models import Agreement, AuditEvent, Invitation, Submission
from signpost.editorial.services import confirmation_token, review_reminders_send

from .editorial_support import PASSWORD, client_for, resource_form
from .factories import ResourceFactory, TopicFactory


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a step as if its transaction committed: emails are sent on commit."""

    def run(step):
        with django_capture_on_commit_callbacks(execute=True):
            return step()

    return run


def _facets(client):
    return client.get("/api/v1/resources", {"page_size": 100}).json()["facets"]


def test_the_whole_journey_from_invitation_to_withdrawal(client, people, inbox, run_on_commit):
    editor = client_for(people["editor"])
    org = people["org_a"]

    # An editor invites an owner; the email arrives through a real SMTP server.
    invite = run_on_commit(
        lambda: editor.post(
            "/staff/editor/invite/",
            {"email": "new.owner@a.example", "role": "owner", "organisations": [org.pk]},
        )
    )
    assert invite.status_code == 302
    (invitation_mail,) = inbox.to("new.owner@a.example")
    link = inbox.link(invitation_mail)
    assert link.startswith("/staff/invitation/")

    # The owner sets a password and is signed in.
    owner = client.__class__()
    assert "Set your password" in owner.get(link).content.decode()
    weak = owner.post(link, {"username": "new-owner", "password": "x", "password_again": "x"})
    assert weak.status_code == 200 and "There is a problem" in weak.content.decode()
    accepted = owner.post(
        link, {"username": "new-owner", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert accepted.status_code == 302
    assert owner.get("/staff/", follow=True).request["PATH_INFO"] == "/staff/owner/"
    assert owner.get(link).status_code == 410  # used once, never again

    # The owner proposes a resource with two language versions and submits it.
    sent = owner.post(
        "/staff/owner/new/", resource_form(publisher=org, summary="Too short.", action="submit")
    )
    assert sent.status_code == 302
    submission = Submission.objects.get()
    resource = submission.resource
    assert submission.status == "submitted" and resource.status == Status.SUBMITTED
    assert sorted(resource.versions.values_list("language_id", flat=True)) == ["en", "pl"]
    assert client.get(f"/resources/{resource.slug}/").status_code == 404

    # The editor sees it in the queue and asks for a change.
    queue = editor.get("/staff/editor/").content.decode()
    assert "Safe work guide" in queue and "Partner A" in queue
    review = editor.get(f"/staff/submissions/{submission.pk}/").content.decode()
    assert "What is proposed" in review and "Too short." in review
    run_on_commit(
        lambda: editor.post(
            f"/staff/submissions/{submission.pk}/changes/",
            {"message": "Please describe who the guide is for."},
        )
    )
    (answer,) = inbox.to("new.owner@a.example")[1:]
    assert "Please describe who the guide is for." in inbox.body(answer)

    # The owner fixes it and submits again.
    page = owner.get(f"/staff/submissions/{submission.pk}/").content.decode()
    assert "Changes requested" in page and "Please describe who the guide is for." in page
    revision = Submission.objects.get().revision
    fixed = resource_form(
        publisher=org,
        summary="A guide for employers on spotting forced labour.",
        action="submit",
        revision=str(revision),
    )
    assert owner.post(f"/staff/submissions/{submission.pk}/edit/", fixed).status_code == 302
    assert Submission.objects.get().status == "submitted"

    # The editor publishes with the owner's agreement.
    published = editor.post(
        f"/staff/submissions/{submission.pk}/publish/",
        {"given_by": "A. Owner, Partner A", "given_on": "2026-11-20", "how": "Email"},
    )
    assert published.status_code == 302
    resource.refresh_from_db()
    assert resource.status == Status.PUBLISHED and resource.agreement_by == "A. Owner, Partner A"
    assert resource.review_by == timezone.localdate() + datetime.timedelta(days=365)
    assert resource.agreements.get().how == "Email"
    public = client.get(f"/resources/{resource.slug}/")
    assert public.status_code == 200
    assert "spotting forced labour" in public.content.decode()
    found = client.get("/api/v1/resources", {"q": "forced labour employers"}).json()
    assert [r["slug"] for r in found["results"]] == [resource.slug]
    assert client.get(f"/api/v1/resources/{resource.uid}").status_code == 200
    assert _facets(client)["topic"]

    # The owner withdraws agreement: gone at once from the page, the API, search and facets.
    withdrawn = run_on_commit(
        lambda: owner.post(
            f"/staff/owner/resources/{resource.pk}/withdraw/", {"reason": "Out of date."}
        )
    )
    assert withdrawn.status_code == 302
    assert client.get(f"/resources/{resource.slug}/").status_code == 404
    assert client.get(f"/api/v1/resources/{resource.uid}").status_code == 404
    assert client.get("/api/v1/resources", {"q": "forced labour"}).json()["count"] == 0
    assert all(not values for values in _facets(client).values())
    (notice,) = inbox.to("editor@office.example")
    assert "Out of date." in inbox.body(notice)

    # The audit trail of the journey, in order, with who did each step.
    trail = list(
        AuditEvent.objects.filter(resource_uid=resource.uid)
        .order_by("id")
        .values_list("action", "actor_name")
    )
    assert trail == [
        ("create", "new-owner"),
        ("submit", "new-owner"),
        ("update", "new-owner"),  # the fixed summary, sent again
        ("submit", "new-owner"),
        ("publish", "editor"),
        ("withdraw", "new-owner"),
    ]
    update = AuditEvent.objects.get(resource_uid=resource.uid, action="update")
    assert update.changes["summary"] == [
        "Too short.",
        "A guide for employers on spotting forced labour.",
    ]
    publish = AuditEvent.objects.get(resource_uid=resource.uid, action="publish")
    assert publish.changes["status"] == ["submitted", "published"]


def test_a_change_to_a_published_resource_waits_until_approved(client, people):
    resource = ResourceFactory(title="Old title", organisations=[people["org_a"]])
    owner = client_for(people["owner_a"])
    start = owner.post(f"/staff/owner/resources/{resource.pk}/change/")
    submission = Submission.objects.get()
    assert start["Location"] == f"/staff/submissions/{submission.pk}/edit/"
    data = resource_form(
        publisher=people["org_a"], title="New title", action="submit", revision="1"
    )
    assert owner.post(start["Location"], data).status_code == 302
    # Pending: the public page still shows the approved text.
    assert "Old title" in client.get(f"/resources/{resource.slug}/").content.decode()
    editor = client_for(people["editor"])
    review = editor.get(f"/staff/submissions/{submission.pk}/").content.decode()
    assert "<del>Old title</del>" in review and "<ins>New title</ins>" in review
    editor.post(
        f"/staff/submissions/{submission.pk}/publish/",
        {"given_by": "Owner A", "given_on": "2026-11-01", "how": "Email"},
    )
    assert "New title" in client.get(f"/resources/{resource.slug}/").content.decode()


def test_bad_input_is_shown_beside_its_field_and_the_draft_is_kept(people):
    owner = client_for(people["owner_a"])
    data = resource_form(
        publisher=people["org_a"],
        title="",
        action="submit",
        versions=[{"language": "en", "format": "pdf", "url": "javascript:alert(1)"}],
    )
    empty_title = owner.post("/staff/owner/new/", data)
    assert empty_title.status_code == 200
    assert "There is a problem" in empty_title.content.decode()
    data["title"] = "Guide"
    refused = owner.post("/staff/owner/new/", data)
    html = refused.content.decode()
    assert refused.status_code == 422 and "There is a problem" in html
    assert "was not sent" in html and "javascript" in html
    submission = Submission.objects.get()
    assert submission.status == "draft" and submission.record["title"] == "Guide"


def test_two_editors_saving_at_once_get_a_conflict_not_a_lost_change(people):
    resource = ResourceFactory(title="First title", organisations=[people["org_a"]])
    other = client_for(people["editor"])
    page = other.get(f"/staff/editor/resources/{resource.pk}/").content.decode()
    seen = re.search(r'name="seen" value="([^"]+)"', page)[1]
    mine = resource_form(publisher=people["org_a"], title="Mine", seen=seen)
    theirs = resource_form(publisher=people["org_a"], title="Theirs", seen=seen)
    assert other.post(f"/staff/editor/resources/{resource.pk}/", theirs).status_code == 302
    conflict = client_for(people["editor"]).post(f"/staff/editor/resources/{resource.pk}/", mine)
    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Theirs" in html and "Mine" in html and "not saved" in html
    resource.refresh_from_db()
    assert resource.title == "Theirs"


def test_deleting_or_merging_a_term_leaves_no_stale_facet(client, db, admin_client):
    red, blue, green = (TopicFactory(name=n, slug=n.lower()) for n in ("Red", "Blue", "Green"))
    ResourceFactory(topics=[red, blue])
    ResourceFactory(topics=[red])
    ResourceFactory(topics=[green])
    term_merge(source=red, target=blue, by=None, via="test")
    topics = {v["value"]: v["count"] for v in _facets(client)["topic"]}
    assert topics == {"blue": 2, "green": 1}
    term_delete(term=Topic.objects.get(slug="blue"), by=None, via="test")
    assert {v["value"] for v in _facets(client)["topic"]} == {"green"}
    # Through the admin, as the issue reproduced it.
    admin_client.post(f"/staff/admin/catalogue/topic/{green.pk}/delete/", {"post": "yes"})
    assert _facets(client)["topic"] == []
    assert AuditEvent.objects.filter(via="admin", action="update").count() == 1


def test_owners_are_reminded_and_confirm_in_one_step(client, people, inbox):
    soon = timezone.localdate() + datetime.timedelta(days=20)
    resource = ResourceFactory(organisations=[people["org_a"]], review_by=soon)
    ResourceFactory(organisations=[people["org_b"]], review_by=soon + datetime.timedelta(99))
    assert review_reminders_send() == 1
    assert review_reminders_send() == 0  # once per review-by date
    (reminder,) = inbox.to("owner@a.example")
    link = inbox.link(reminder, r"http://\S+/still-current/\S+")
    assert "still current" in client.get(link).content.decode()
    resource.refresh_from_db()
    assert resource.review_by == soon  # opening the link changes nothing
    done = client.post(link)
    assert done.status_code == 200
    resource.refresh_from_db()
    assert resource.review_by == timezone.localdate() + datetime.timedelta(days=365)
    assert resource.reviewed_on == timezone.localdate()
    assert client.post(link).status_code == 410  # already confirmed
    assert client.get(link[:-4] + "abc/").status_code == 410  # forged


def test_expired_and_forged_invitations_are_refused(client, people):
    from signpost.editorial.services import invitation_create, invitation_token

    invitation = invitation_create(
        email="x@a.example", role="owner", organisations=[people["org_a"]], by=None
    )
    link = f"/staff/invitation/{invitation_token(invitation)}/"
    assert client.get(link).status_code == 200
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    expired = client.get(link)
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert client.get("/staff/invitation/not-a-token/").status_code == 410
    other = invitation_token(invitation).replace(":", ";", 1)
    assert client.get(f"/staff/invitation/{other}/").status_code == 410


def test_confirmation_links_name_the_date_they_were_sent_for(people):
    resource = ResourceFactory(review_by=timezone.localdate())
    token = confirmation_token(resource)
    Resource.objects.filter(pk=resource.pk).update(
        review_by=timezone.localdate() + datetime.timedelta(1)
    )
    from signpost.editorial.services import LinkRefused, confirmation_resource

    with pytest.raises(LinkRefused):
        confirmation_resource(token)


# --- who may open what -----------------------------------------------------------------------

ROLES = ["anonymous", "owner_a", "owner_b", "editor", "operator"]


@pytest.fixture
def states(people):
    published = ResourceFactory(organisations=[people["org_a"]])
    withdrawn = ResourceFactory(organisations=[people["org_a"]], status=Status.WITHDRAWN)
    submitted = Submission.objects.create(
        organisation=people["org_a"], record={"title": "Sent"}, status="submitted"
    )
    stored = StoredFile.objects.create(
        name=default_storage.save("documents/draft.pdf", ContentFile(b"%PDF-1.4 draft")),
        sha256="d" * 64, size=14, media_type="application/pdf",
    )  # fmt: skip
    draft = Submission.objects.create(
        organisation=people["org_a"],
        record={"title": "Draft", "versions": [{"language": "en", "file": stored.name}]},
    )
    agreement = Agreement.objects.create(
        resource=published, given_by="Owner A", given_on="2026-11-01", how="Email",
        evidence=ContentFile(b"%PDF-1.4 agreed", name="email.pdf"),
    )  # fmt: skip
    return {
        "published": published, "withdrawn": withdrawn, "submitted": submitted,
        "draft": draft, "agreement": agreement, "stored": stored,
    }  # fmt: skip


# (path template, status for each role in ROLES order). 302 for anonymous: to sign in.
MATRIX = [
    ("/staff/", [302, 302, 302, 302, 302]),
    ("/staff/owner/", [302, 200, 200, 404, 404]),
    ("/staff/owner/new/", [302, 200, 200, 404, 404]),
    ("/staff/owner/resources/{published}/change/", [302, 200, 404, 404, 404]),
    ("/staff/owner/resources/{withdrawn}/change/", [302, 404, 404, 404, 404]),
    ("/staff/owner/resources/{published}/withdraw/", [302, 200, 404, 404, 404]),
    ("/staff/owner/resources/{withdrawn}/withdraw/", [302, 404, 404, 404, 404]),
    ("/staff/submissions/{submitted}/", [302, 200, 404, 200, 404]),
    ("/staff/submissions/{draft}/", [302, 200, 404, 200, 404]),
    ("/staff/submissions/{draft}/edit/", [302, 200, 404, 404, 404]),
    ("/staff/submissions/999999/", [302, 404, 404, 404, 404]),
    ("/staff/editor/", [302, 404, 404, 200, 404]),
    ("/staff/editor/invite/", [302, 404, 404, 200, 404]),
    ("/staff/editor/resources/{published}/", [302, 404, 404, 200, 404]),
    ("/staff/editor/agreements/{agreement}/evidence/", [302, 404, 404, 200, 404]),
    # An uploaded file before publication: for editors, and the owners who sent it.
    ("/staff/files/{stored}/", [302, 200, 404, 200, 404]),
    # Only operators pass; the others are sent to sign in (an editor's sign-in page is 404).
    ("/staff/admin/", [302, 302, 302, 302, 200]),
]
POSTS = [
    ("/staff/owner/resources/{published}/withdraw/", [302, 302, 404, 404, 404]),
    ("/staff/owner/resources/{published}/still-current/", [302, 302, 404, 404, 404]),
    ("/staff/submissions/{submitted}/decline/", [302, 404, 404, 422, 404]),
    ("/staff/submissions/{submitted}/message/", [302, 302, 404, 302, 404]),
]


@pytest.mark.parametrize(("method", "template", "expected"), [
    *[("get", t, e) for t, e in MATRIX], *[("post", t, e) for t, e in POSTS]
])  # fmt: skip
def test_permission_matrix(people, states, method, template, expected):
    path = template.format(**{name: obj.pk for name, obj in states.items()})
    for role, status in zip(ROLES, expected, strict=True):
        user = None if role == "anonymous" else people[role]
        response = getattr(client_for(user), method)(path, {"message": "", "reason": ""})
        assert response.status_code == status, (role, path)
        if role == "anonymous" and status == 302:
            assert response["Location"].startswith(("/staff/sign-in/", "/staff/admin/login/"))
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_an_owner_learns_nothing_of_another_organisation(people, states):
    owner_b = client_for(people["owner_b"])
    home = owner_b.get("/staff/owner/").content.decode()
    assert "Sent" not in home and "Draft" not in home
    assert states["published"].title not in home


# Pages that anyone may open, each tested above or in test_security.py: signing in, setting up
# two-factor sign-in, and the emailed links (which carry their own signed token).
OPEN_ROUTES = {
    "staff/sign-in/",
    "staff/sign-in/code/",
    "staff/sign-out/",
    "staff/two-factor/",
    "staff/invitation/<str:token>/",
    "staff/still-current/<str:token>/",
}


def test_the_matrix_covers_every_editorial_page(people, states):
    from django.urls import resolve

    from .conftest import url_routes

    covered = OPEN_ROUTES | {
        resolve(t.format(**{n: o.pk for n, o in states.items()})).route
        for t, _ in [*MATRIX, *POSTS]
    }
    covered.add("staff/submissions/<int:pk>/<str:decision>/")  # publish: in the journey
    editorial = {r for r in url_routes() if r.startswith("staff/") and "admin" not in r}
    assert editorial <= covered, editorial - covered


def test_an_operator_creates_the_first_editor_from_the_command_line(db, monkeypatch):
    import io

    from django.core.management import CommandError, call_command

    from signpost.editorial.models import Account

    monkeypatch.setenv("SIGNPOST_ACCOUNT_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command(
            "create_account", "--role=editor", "--username=sam", "--email=sam@office.example"
        )
    monkeypatch.setenv("SIGNPOST_ACCOUNT_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command(
        "create_account", "--role=editor", "--username=sam", "--email=sam@office.example",
        stdout=out,
    )  # fmt: skip
    assert Account.objects.get(user__username="sam").role == "editor"
    assert "two-factor" in out.getvalue()


# Writes to catalogue models that only the catalogue's services may make. The two benchmark
# commands build synthetic catalogues and refuse any database whose name lacks "bench".
CATALOGUE_MODELS = (
    "Resource|Version|Organisation|Person|Topic|Audience|Country|Series|Language"
    "|ResourceOrganisation|ResourcePerson"
)
WRITE = re.compile(
    rf"\b({CATALOGUE_MODELS})(\.\w+)*\.objects\.(\w+\([^)]*\)\.)*"
    r"(create|bulk_create|update|bulk_update|get_or_create|update_or_create|delete)\("
)
ALLOWED_WRITERS = {
    "catalogue/services.py",
    "catalogue/management/commands/benchmark_import.py",
    "search/management/commands/benchmark_search.py",
}


def test_no_code_writes_to_the_catalogue_around_its_services():
    from .conftest import ROOT

    offenders = []
    for path in (ROOT / "signpost").rglob("*.py"):
        relative = path.relative_to(ROOT / "signpost").as_posix()
        if "/migrations/" in relative or relative in ALLOWED_WRITERS:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if WRITE.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
    # The check finds what it looks for.
    assert WRITE.search('Topic.objects.filter(slug="x").delete()')
    assert WRITE.search("Resource.related.through.objects.bulk_create(rows)")


def test_a_submission_answered_meanwhile_gives_a_message_not_an_error(people):
    from signpost.editorial.services import submission_request_changes

    submission = Submission.objects.create(
        organisation=people["org_a"], record={"title": "Sent"}, status="submitted"
    )
    editor = client_for(people["editor"])
    page = editor.get(f"/staff/submissions/{submission.pk}/")
    assert "Ask for changes" in page.content.decode()
    submission_request_changes(submission=submission, by=people["editor"], message="First.")
    late = editor.post(f"/staff/submissions/{submission.pk}/decline/", {"message": "Second."})
    assert late.status_code == 302
    assert "already been answered" in editor.get(late["Location"]).content.decode()
    assert Submission.objects.get().status == "changes"


def test_withdrawing_agreement_closes_a_pending_change(client, people):
    resource = ResourceFactory(title="Old title", organisations=[people["org_a"]])
    owner = client_for(people["owner_a"])
    edit = owner.post(f"/staff/owner/resources/{resource.pk}/change/")["Location"]
    sent = resource_form(publisher=people["org_a"], title="New", action="submit", revision="1")
    owner.post(edit, sent)
    # A second "propose a change" while one is with the editors opens that one, not a new one.
    again = owner.post(f"/staff/owner/resources/{resource.pk}/change/")
    assert Submission.objects.count() == 1
    assert again["Location"] == f"/staff/submissions/{Submission.objects.get().pk}/"
    owner.post(f"/staff/owner/resources/{resource.pk}/withdraw/", {"reason": ""})
    submission = Submission.objects.get()
    assert submission.status == "declined"
    assert "withdrew agreement" in submission.messages.get().text
    # Nothing an editor does now puts it back on the site.
    editor = client_for(people["editor"])
    editor.post(
        f"/staff/submissions/{submission.pk}/publish/",
        {"given_by": "Owner A", "given_on": "2026-11-01", "how": "Email"},
    )
    assert client.get(f"/resources/{resource.slug}/").status_code == 404


def test_the_invitation_email_names_the_organisations(
    people, inbox, django_capture_on_commit_callbacks
):
    from signpost.editorial.services import invitation_create

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            email="x@a.example", role="owner", organisations=[people["org_a"]], by=None
        )
    (message,) = inbox.to("x@a.example")
    assert "look after the resources of Partner A." in inbox.body(message)


def test_an_editor_downloads_an_agreement_s_evidence(people, states):
    editor = client_for(people["editor"])
    page = editor.get(f"/staff/editor/resources/{states['published'].pk}/").content.decode()
    assert "Download the evidence" in page
    answer = editor.get(f"/staff/editor/agreements/{states['agreement'].pk}/evidence/")
    assert b"".join(answer.streaming_content) == b"%PDF-1.4 agreed"
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["Content-Security-Policy"].startswith("sandbox")
    assert answer["X-Content-Type-Options"] == "nosniff"


def test_a_partner_invited_in_polish_gets_polish_emails_and_pages(
    client, people, inbox, run_on_commit
):
    from signpost.editorial.models import Account

    editor = client_for(people["editor"])
    org = people["org_a"]
    form = editor.get("/staff/editor/invite/").content.decode()
    assert 'value="pl"' in form and "Polski" in form
    run_on_commit(
        lambda: editor.post(
            "/staff/editor/invite/",
            {
                "email": "nowy@a.example",
                "role": "owner",
                "organisations": [org.pk],
                "language": "pl",
            },
        )
    )
    (invitation_mail,) = inbox.to("nowy@a.example")
    assert invitation_mail["Subject"] != "You are invited to Signpost"
    assert "Partner A" in inbox.body(invitation_mail)
    assert "If you did not expect this email" not in inbox.body(invitation_mail)
    link = inbox.link(invitation_mail)
    assert link.startswith("/pl/staff/invitation/")

    owner = client.__class__()
    page = owner.get(link)
    assert page.status_code == 200 and 'lang="pl"' in page.content.decode()
    accepted = owner.post(
        link, {"username": "nowy", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert accepted["Location"].startswith("/pl/staff/")
    account = Account.objects.get(user__username="nowy")
    assert account.language == "pl"

    # The editors' answer reaches the Polish owner in Polish and the English owner in English.
    english_owner = people["owner_a"].account
    submission = _submitted_by(owner, org)
    run_on_commit(
        lambda: editor.post(
            f"/staff/submissions/{submission.pk}/changes/", {"message": "Więcej szczegółów."}
        )
    )
    (polish_answer,) = inbox.to("nowy@a.example")[1:]
    (english_answer,) = inbox.to(english_owner.user.email)
    assert english_answer["Subject"].startswith("Changes requested: ")
    assert not polish_answer["Subject"].startswith("Changes requested: ")
    assert "/pl/staff/submissions/" in inbox.body(polish_answer)
    assert "/pl/" not in inbox.body(english_answer)

    # Signing in on the English pages makes English their language again.
    owner.post("/staff/sign-out/")
    owner.post("/staff/sign-in/", {"username": "nowy", "password": PASSWORD})
    account.refresh_from_db()
    assert account.language == "en-gb"


def _submitted_by(owner, org):
    sent = owner.post(
        "/staff/owner/new/", resource_form(publisher=org, summary="Za krótkie.", action="submit")
    )
    assert sent.status_code == 302
    return Submission.objects.get()
