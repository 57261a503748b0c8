"""HTTP caching: public pages carry a validator from the catalogue's version and answer
If-None-Match with 304; staff pages are never kept; a search is never kept by a browser."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from signpost.catalogue.models import Resource
from signpost.catalogue.services import resource_withdraw
from signpost.links.checker import CheckResult, Outcome
from signpost.links.models import Link
from signpost.links.services import link_check_record

PUBLIC_PAGES = [
    "/",
    "/resources/",
    "/resources/?topic=forced-labour",
    "/topics/",
    "/pl/",
    "/using-this-site-safely/",
    "/feed/",
    "/api/v1/resources",
]


def _revalidate(client, url, etag, **headers):
    return client.get(url, HTTP_IF_NONE_MATCH=etag, **headers)


def test_public_pages_carry_a_validator_and_answer_304_without_a_body(client, demo):
    for url in PUBLIC_PAGES:
        first = client.get(url)
        assert first.status_code == 200, url
        etag = first["ETag"]
        assert etag.startswith('W/"'), url
        cache_control = first["Cache-Control"]
        assert cache_control.startswith("public, max-age="), url
        assert "stale-while-revalidate=" in cache_control, url
        again = _revalidate(client, url, etag)
        assert again.status_code == 304, url
        assert again.content == b"" and again["ETag"] == etag, url
        # A strong form of the same tag, or one among others, matches too.
        assert _revalidate(client, url, f'"x", {etag.removeprefix("W/")}').status_code == 304


def test_a_resource_page_must_be_fetched_again_after_an_edit(client, demo):
    resource = Resource.objects.published().order_by("pk").first()
    url = f"/resources/{resource.slug}/"
    listed = client.get("/resources/")
    page = client.get(url)
    resource_withdraw(resource=resource, by=None, via="test")
    assert _revalidate(client, url, page["ETag"]).status_code == 404
    fresh = _revalidate(client, "/resources/", listed["ETag"])
    assert fresh.status_code == 200 and fresh["ETag"] != listed["ETag"]
    assert resource.title not in fresh.content.decode()


def test_a_link_that_breaks_changes_its_resource_page(client, demo):
    resource = Resource.objects.published().filter(versions__url__startswith="http").first()
    version = resource.versions.exclude(url="").first()
    url = f"/resources/{resource.slug}/"
    before = client.get(url)
    link = Link.objects.get_or_create(url=version.url)[0]
    start = timezone.now()
    for days in (0, 1, 2):
        link = link_check_record(
            link=link,
            result=CheckResult(Outcome.BROKEN, 404),
            now=start + datetime.timedelta(days=days),
        )
    assert link.is_broken
    after = _revalidate(client, url, before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]


def test_pages_differ_by_language_query_and_accepted_language(client, demo):
    tags = {
        client.get("/resources/")["ETag"],
        client.get("/pl/resources/")["ETag"],
        client.get("/resources/?type=report")["ETag"],
        client.get("/", HTTP_ACCEPT_LANGUAGE="pl")["ETag"],
        client.get("/")["ETag"],
    }
    assert len(tags) == 5
    assert "Accept-Language" in client.get("/")["Vary"]
    api = client.get("/api/v1/resources", HTTP_ACCEPT_LANGUAGE="uk")
    assert "Accept-Language" in api["Vary"]
    assert api["ETag"] != client.get("/api/v1/resources")["ETag"]


def test_a_search_is_never_kept_by_the_browser(client, demo):
    response = client.get("/resources/", {"q": "trafficking"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Accel-Expires"].isdigit()
    assert "ETag" not in response
    # The API is not a shared screen: its searches are public and revalidated like the rest.
    api = client.get("/api/v1/resources", {"q": "trafficking"})
    assert api["Cache-Control"].startswith("public")


def test_staff_pages_are_never_kept_whatever_is_asked(client, people):
    from .editorial_support import client_for

    owner = client_for(people["owner_a"])
    for person, url in (
        (client, "/staff/sign-in/"),
        (owner, "/staff/owner/"),
        (owner, "/pl/staff/owner/"),
    ):
        response = person.get(url, HTTP_IF_NONE_MATCH="*")
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url
        assert "ETag" not in response, url
    # Whoever changes something is not shown the public pages their browser held before.
    signed_out = owner.post("/staff/sign-out/")
    assert signed_out.status_code == 302
    assert signed_out["Clear-Site-Data"] == '"cache"'
    assert "Clear-Site-Data" not in client.get("/resources/")


def test_garbage_in_if_none_match_is_a_normal_answer(client, demo):
    for garbage in ('"', "W/", "not an etag", 'W/"x' * 200, "\t", ",,,"):
        response = client.get("/resources/", HTTP_IF_NONE_MATCH=garbage)
        assert response.status_code == 200, garbage
        assert response.content


def test_post_and_errors_are_not_cached(client, demo):
    missing = client.get("/resources/no-such-thing/")
    assert missing.status_code == 404 and "public" not in missing.get("Cache-Control", "")
    oai = client.post("/oai/", {"verb": "Identify"})
    assert oai.status_code == 200 and "ETag" not in oai


def _queries(client, url, django_assert_max_num_queries, most):
    with django_assert_max_num_queries(most):
        return client.get(url)


def test_a_page_is_rendered_once_for_each_state_of_the_catalogue(
    client, demo, django_assert_max_num_queries
):
    first = client.get("/resources/")
    # Kept by its validator: the next visitor costs the catalogue's version, nothing more.
    again = _queries(client, "/resources/", django_assert_max_num_queries, 1)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]
    resource = Resource.objects.published().order_by("pk").first()
    resource_withdraw(resource=resource, by=None, via="test")
    fresh = client.get("/resources/")
    assert fresh["ETag"] != first["ETag"]
    assert resource.title not in fresh.content.decode()
    # A search's page holds what a person typed: never kept.
    client.get("/resources/", {"q": "labour"})
    with django_assert_max_num_queries(50) as searched:
        client.get("/resources/", {"q": "labour"})
    assert len(searched) > 2


def _redis_or_skip():
    import os

    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip("no Redis at 127.0.0.1:6379 (CI, with REQUIRE_POSTGRES=1, requires one)")


def test_pages_are_shared_through_redis_when_cache_url_names_it(client, demo, settings):
    from django.core.cache import caches

    from signpost.settings.base import cache_from_url

    _redis_or_skip()
    settings.CACHES = {"default": cache_from_url("redis://127.0.0.1:6379/15")}
    caches["default"].clear()
    try:
        first = client.get("/topics/")
        etag = first["ETag"]
        stored = caches["default"].get(f"page:{etag}")
        assert stored is not None and stored[0] == first.content
        assert client.get("/topics/").content == first.content
    finally:
        caches["default"].clear()


def test_a_cache_url_that_is_not_understood_is_a_clear_error():
    from django.core.exceptions import ImproperlyConfigured

    from signpost.settings.base import cache_from_url

    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must start with"):
        cache_from_url("memcached://127.0.0.1:11211")
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
