"""What the editorial tests share: people in each role, a real SMTP server, form data."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from signpost.editorial.services import account_create

from .factories import OrganisationFactory

PASSWORD = "a-long-test-password-1"


class Inbox:
    """An SMTP server's handler that keeps every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def body(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]

    def link(self, message: EmailMessage, pattern: str = r"http://\S+") -> str:
        """The path of the first link in the message that matches `pattern`."""
        found = re.search(pattern, self.body(message))
        assert found, self.body(message)
        return re.sub(r"^https?://[^/]+", "", found[0])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(settings):
    """A real SMTP server on 127.0.0.1 that the site's email backend sends to."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.SITE_URL = "http://testserver"
    yield handler
    controller.stop()


@pytest.fixture
def people(db):
    """Two partner organisations with an owner each, an editor and an operator."""
    org_a = OrganisationFactory(name="Partner A", slug="partner-a")
    org_b = OrganisationFactory(name="Partner B", slug="partner-b")
    editor = account_create(
        username="editor", email="editor@office.example", password=PASSWORD, role="editor"
    )
    operator = account_create(
        username="operator", email="op@office.example", password=PASSWORD, role="operator"
    )
    owner_a = account_create(
        username="owner-a",
        email="owner@a.example",
        password=PASSWORD,
        role="owner",
        organisations=[org_a],
    )
    owner_b = account_create(
        username="owner-b",
        email="owner@b.example",
        password=PASSWORD,
        role="owner",
        organisations=[org_b],
    )
    return {
        "org_a": org_a,
        "org_b": org_b,
        "editor": editor,
        "operator": operator,
        "owner_a": owner_a,
        "owner_b": owner_b,
    }


def verified_client(user):
    """A test client signed in as `user` who has passed two-factor sign-in."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def client_for(user):
    """Signed in as `user`; editors and operators have passed two-factor sign-in too."""
    from django.test import Client

    if user is None:
        return Client()
    if user.account.needs_two_factor:
        return verified_client(user)
    client = Client()
    client.force_login(user)
    return client


def resource_form(*, publisher, title="Safe work guide", summary="About safe work.", **extra):
    """What the resource form posts, with two language versions by default."""
    versions = extra.pop(
        "versions",
        [
            {"language": "en", "format": "pdf", "url": "https://partner.example/guide-en.pdf"},
            {"language": "pl", "format": "pdf", "url": "https://partner.example/guide-pl.pdf"},
        ],
    )
    data = {
        "title": title,
        "summary": summary,
        "resource_type": "guidance",
        "published": "2025-03",
        "publisher": str(publisher.pk),
        "partners": "",
        "topics": "Labour exploitation",
        "countries": "United Kingdom",
        "access_note": "",
        "versions-TOTAL_FORMS": str(len(versions)),
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "20",
    }
    for index, version in enumerate(versions):
        for key, value in version.items():
            data[f"versions-{index}-{key}"] = value
    data.update(extra)
    return data
