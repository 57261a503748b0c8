"""Headers, cookies, staff sign-in and deployment checks, through HTTP and the commands."""

import contextlib
import os
import subprocess
import sys
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from .conftest import ROOT, public_urls

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


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def test_every_public_url_pattern_sets_no_cookie_and_sends_the_headers(client, demo):
    urls = [
        *public_urls(),
        "/api/v1/",
        "/api/v1/resources?q=trafficking",
        "/api/v1/resources/osce-be-safe-ukraine",
        "/api/v1/openapi.json",
        "/accessibility/",
        "/privacy/",
        "/no-such-page/",
    ]
    covered = set()
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert not response.cookies, f"{url} set {list(response.cookies)}"
        _check_headers(response)
        with contextlib.suppress(Resolver404):
            covered.add(resolve(urlparse(url).path).route)
    public = {p for p in _patterns() if not p.startswith("staff/")}
    assert public <= covered, public - covered


def test_bad_host_header_is_400(client, db):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400


def test_staff_sign_in_locks_after_repeated_failures(client, db):
    get_user_model().objects.create_superuser("editor", "editor@example.org", "right-password-123")
    login = "/staff/admin/login/?next=/staff/admin/"
    for _ in range(4):
        response = client.post(login, {"username": "editor", "password": "wrong"})
        assert response.status_code == 200
    client.post(login, {"username": "editor", "password": "wrong"})
    response = client.post(login, {"username": "editor", "password": "right-password-123"})
    assert response.status_code in (403, 429), "locked out even with the right password"
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) <= {"0.0.0.0", None}


def test_staff_can_sign_in_and_reach_the_admin(client, db):
    get_user_model().objects.create_superuser("editor", "editor@example.org", "right-password-123")
    response = client.post(
        "/staff/admin/login/?next=/staff/admin/",
        {"username": "editor", "password": "right-password-123"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Signpost editors" in response.content.decode()
    assert client.get("/staff/admin/catalogue/resource/add/").status_code == 200


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
