"""The audit history: every change to a resource, with who, when, how, before and after."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from signpost.catalogue.models import Resource
from signpost.catalogue.services import resource_withdraw
from signpost.editorial.models import AuditEvent

from .factories import ResourceFactory


def _import(tmp_path, records):
    path = tmp_path / "audit.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    call_command("import_resources", str(path), stdout=io.StringIO())


def test_imports_and_withdrawals_are_recorded(db, tmp_path, admin_user):
    agreed = {"by": "Owner", "on": None, "how": "Email"}
    record = {"id": "a", "title": "A", "resource_type": "report", "status": "published",
              "owner_agreement": agreed}  # fmt: skip
    _import(tmp_path, [record])
    _import(tmp_path, [{**record, "title": "A again"}])
    resource_withdraw(resource=Resource.objects.get(uid="a"), by=admin_user, via="editor")
    events = list(AuditEvent.objects.order_by("id").values_list("action", "via", "actor_name"))
    assert events == [
        ("create", "import", ""),
        ("update", "import", ""),
        ("withdraw", "editor", admin_user.get_username()),
    ]
    withdrawal = AuditEvent.objects.get(action="withdraw")
    assert withdrawal.changes == {"status": ["published", "withdrawn"]}
    assert AuditEvent.objects.get(action="create").changes["import"] == [None, "audit.jsonl"]


def test_a_failed_import_records_nothing(db, tmp_path):
    bad = [{"id": "a", "title": "A", "resource_type": "report"}, {"id": "b"}]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in bad) + "\n")
    with pytest.raises(CommandError):
        call_command("import_resources", str(path), stdout=io.StringIO())
    assert not AuditEvent.objects.exists()


def test_deleting_in_the_staff_pages_records_the_fields_it_had(admin_client, admin_user):
    resource = ResourceFactory(uid="gone", slug="gone", title="Soon gone")
    response = admin_client.post(
        f"/staff/admin/catalogue/resource/{resource.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="delete")
    assert event.resource_uid == "gone" and event.via == "admin"
    assert event.actor_name == admin_user.get_username()
    assert event.changes["title"] == ["Soon gone", None]


def test_the_history_is_shown_and_cannot_be_edited(admin_client, admin_user):
    resource = ResourceFactory(uid="h", slug="h")
    resource_withdraw(resource=resource, by=admin_user, via="editor")
    page = admin_client.get(f"/staff/admin/catalogue/resource/{resource.pk}/change/")
    assert "Changes, newest first" in page.content.decode()
    assert "withdraw" in page.content.decode()
    event = AuditEvent.objects.get()
    assert (
        admin_client.post(f"/staff/admin/editorial/auditevent/{event.pk}/delete/").status_code
        == 403
    )
    admin_client.post(f"/staff/admin/editorial/auditevent/{event.pk}/change/", {"action": "x"})
    assert AuditEvent.objects.get().action == "withdraw"
