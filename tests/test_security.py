"""Headers, cookies, staff sign-in and deployment checks, through HTTP and the commands."""

import contextlib
import os
import re
import subprocess
import sys
from urllib.parse import urlparse

import pytest
from django.urls import Resolver404, resolve

from .conftest import ROOT, public_urls, url_routes

REQUIRED_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _check_headers(response):
    for name, value in REQUIRED_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
        "script-src 'self'", "style-src 'self'",
    ):  # fmt: skip
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy


def test_every_public_url_pattern_sets_no_cookie_and_sends_the_headers(client, demo):
    urls = [
        *public_urls(),
        "/api/v1/",
        "/api/v1/resources?q=trafficking",
        "/api/v1/resources/osce-be-safe-ukraine",
        "/api/v1/openapi.json",
        "/accessibility/",
        "/privacy/",
        "/robots.txt",
        "/sitemap.xml",
        "/no-such-page/",
        "/data/",
        "/data/signpost-catalogue.jsonl",
        "/data/signpost-catalogue.csv",
        "/feed/",
        "/resources/feed/?q=war",
        "/resources/download.csv?q=war",
        "/organisations/iasc/feed/",
        "/topics/forced-labour/feed/",
        "/audiences/police/feed/",
        "/languages/uk/feed/",
        "/resources/osce-be-safe-ukraine/cite.ris",
        "/resources/osce-be-safe-ukraine/cite.bib",
        "/resources/osce-be-safe-ukraine/cite.json",
        "/resources/cite.ris?q=war",
        "/resources/cite.bib?q=war",
        "/resources/cite.json?q=war",
        "/oai/?verb=Identify",
    ]
    from signpost.catalogue.models import Version

    leaflet = Version.objects.exclude(stored__thumbnail="").filter(stored__isnull=False).first()
    files = [leaflet.href, f"/files/{leaflet.stored_id}/cover.webp"]
    covered = set()
    for url in urls + files:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert not response.cookies, f"{url} set {list(response.cookies)}"
        if url in files:
            # A file is never a page: sandboxed, with nothing allowed to load or run.
            assert response.status_code == 200
            policy = response["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in policy
            if response["Content-Type"] != "application/pdf":
                assert policy.startswith("sandbox; default-src 'none'")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Referrer-Policy"] == "no-referrer"
        else:
            _check_headers(response)
        with contextlib.suppress(Resolver404):
            covered.add(resolve(urlparse(url).path).route)
    public = {p for p in url_routes() if not p.startswith("staff/")}
    assert public <= covered, public - covered


def test_bad_host_header_is_400(client, db):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400


LOGIN = "/staff/sign-in/?next=/staff/"
PASSWORD = "right-password-123"


def _sign_in(client, username, password, address):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, follow=True
    )


def _signed_in(response):
    return response.wsgi_request.user.is_authenticated


def _error(response):
    return re.search(r'<a href="#id_username">(.*?)</a>', response.content.decode(), re.S)[1]


@pytest.fixture
def editor(db):
    from signpost.editorial.services import account_create

    return account_create(
        username="editor", email="editor@example.org", password=PASSWORD, role="editor"
    )


def test_five_failures_lock_that_username_from_that_address(client, editor):
    wrong = [_sign_in(client, "editor", "wrong", "203.0.113.9") for _ in range(5)]
    locked = _sign_in(client, "editor", PASSWORD, "203.0.113.9")
    assert not _signed_in(locked), "locked out even with the right password"
    # The same words and page for a locked account as for a wrong password: nothing to learn.
    assert _error(locked) == _error(wrong[0])
    assert locked.status_code == wrong[0].status_code == 200


def test_an_editor_still_signs_in_while_a_stranger_fails(client, editor):
    for _ in range(10):
        assert not _signed_in(_sign_in(client, "editor", "guess", "198.51.100.7"))
    assert _signed_in(_sign_in(client, "editor", PASSWORD, "192.0.2.44"))


def test_one_address_guessing_many_usernames_is_stopped(client, editor):
    for n in range(30):
        _sign_in(client, f"user{n}", "guess", "198.51.100.8")
    assert not _signed_in(_sign_in(client, "editor", PASSWORD, "198.51.100.8"))
    assert _signed_in(_sign_in(client, "editor", PASSWORD, "192.0.2.45"))


def test_failed_sign_ins_keep_no_username_address_or_browser(client, editor):
    from signpost.editorial.models import SignInFailure

    client.post(
        LOGIN + "&secret=query",
        {"username": "editor", "password": "wrong"},
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="Secret Browser/1.0",
    )
    rows = list(SignInFailure.objects.values())
    assert len(rows) == 1
    stored = " ".join(str(v) for v in rows[0].values())
    for secret in ("editor", "203.0.113.77", "Secret Browser", "secret=query"):
        assert secret not in stored


def test_an_operator_signs_in_with_two_factors_before_reaching_the_admin(client, db):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from signpost.editorial.services import account_create

    account_create(username="op", email="op@example.org", password=PASSWORD, role="operator")
    response = client.post(
        "/staff/sign-in/?next=/staff/admin/", {"username": "op", "password": PASSWORD}
    )
    # A password alone opens nothing: the operator must set up an authenticator first.
    assert response.status_code == 302 and response["Location"].startswith("/staff/two-factor/")
    assert client.get("/staff/admin/").status_code == 302
    setup = client.get("/staff/two-factor/")
    assert "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user__username="op")
    wrong = client.post("/staff/two-factor/", {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    # A wrong code makes the next try wait a second (django-otp's throttling): skip the wait.
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()
    done = client.post("/staff/two-factor/", {"code": f"{totp(device.bin_key):06d}"})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/staff/admin/").status_code == 200
    assert client.get("/staff/admin/catalogue/resource/").status_code == 200
    # Next time: password, then a recovery code (each works once).
    client.post("/staff/sign-out/")
    client.post("/staff/sign-in/", {"username": "op", "password": PASSWORD})
    assert client.get("/staff/admin/").status_code == 302
    assert client.post("/staff/sign-in/code/", {"code": codes[0]}).status_code == 302
    assert client.get("/staff/admin/").status_code == 200
    client.post("/staff/sign-out/")
    client.post("/staff/sign-in/", {"username": "op", "password": PASSWORD})
    reused = client.post("/staff/sign-in/code/", {"code": codes[0]})
    assert "has been used" in reused.content.decode()
    assert client.get("/staff/admin/").status_code == 302


def _production_env(**extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "signpost.settings.production",
        "SECRET_KEY": "a-long-random-production-key-for-the-check-" + "x" * 30,
        "ALLOWED_HOSTS": "signpost.example",
        **extra,
    }


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_are_strict():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.PASSWORD_HASHERS[0], s.ADMIN_PATH)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=_production_env(ADMIN_PATH="back-office/"),
        capture_output=True,
        text=True,
        check=True,
    )
    hsts, subdomains, secure, httponly, samesite, hasher, admin = result.stdout.split()
    assert int(hsts) >= 31_536_000 and subdomains == "True"
    assert (secure, httponly, samesite) == ("True", "True", "Strict")
    assert hasher.endswith("Argon2PasswordHasher")
    assert admin == "back-office/"


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("path", ["/", "/resources/?q=x"])
def test_pages_are_compressed_for_browsers_that_accept_it(client, demo, path):
    response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert response.headers.get("Content-Encoding") == "gzip"


def _via_proxy(client, username, password, forwarded):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
        follow=True,
    )


def test_behind_the_proxy_a_stranger_still_cannot_lock_an_editor_out(client, editor):
    for _ in range(10):
        assert not _signed_in(_via_proxy(client, "editor", "guess", "198.51.100.7"))
    assert _signed_in(_via_proxy(client, "editor", PASSWORD, "192.0.2.44"))


def test_a_forwarded_address_from_a_client_that_is_not_a_proxy_is_ignored(client, editor):
    for n in range(10):
        _sign_in_forged = client.post(
            LOGIN,
            {"username": "editor", "password": "guess"},
            REMOTE_ADDR="203.0.113.50",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
        assert _sign_in_forged.status_code == 200
    assert not _signed_in(_sign_in(client, "editor", PASSWORD, "203.0.113.50"))


def test_one_ipv6_network_counts_as_one_address(client, editor):
    for n in range(5):
        _sign_in(client, "editor", "guess", f"2001:db8:1:2::{n + 1}")
    assert not _signed_in(_sign_in(client, "editor", PASSWORD, "2001:db8:1:2::ffff"))
    assert _signed_in(_sign_in(client, "editor", PASSWORD, "2001:db8:9:9::1"))


def test_logs_lose_visitors_addresses_and_queries_but_keep_times_and_the_bind_address():
    from signpost.site.private_logs import redact

    line = redact("[29/Nov/2026:03:11:29 +0000] ip=10.1.2.3 GET /resources/?q=my+boss 2001:db8::7")
    assert line == "[29/Nov/2026:03:11:29 +0000] ip=- GET /resources/?… -"
    assert redact("from 192.168.0.9 and [fe80::1]") == "from - and -"
    assert redact("Listening at: http://127.0.0.1:8765 (12)") == (
        "Listening at: http://127.0.0.1:8765 (12)"
    )
    assert redact("/staff/invitation/abc.def/") == "/staff/invitation/…/"
