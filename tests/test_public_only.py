"""Only published things are public, everywhere; hostile input is a 400 or 404, never a 500.

Run on SQLite and again on PostgreSQL by `make test`.
"""

import pytest
from django.utils import timezone

from signpost.catalogue.models import (
    Language,
    Organisation,
    Resource,
    Series,
    Status,
    Topic,
    Version,
)

from .conftest import url_routes
from .factories import OrganisationFactory, ResourceFactory, TopicFactory

SECRET_WORDS = ("Zanzibarian", "Quokkaville")


@pytest.fixture
def catalogue(db):
    """A published resource beside a draft and a withdrawn one that share its series."""
    series = Series.objects.create(name="Shared series", slug="shared-series")
    public_topic = TopicFactory(name="Public topic", slug="public-topic")
    draft_topic = TopicFactory(name="Draft only topic", slug="draft-only-topic")
    draft_org = OrganisationFactory(name="Draft only organisation", slug="draft-only-org")
    Language.objects.get_or_create(code="lv", defaults={"name_en": "Latvian", "name_native": "x"})
    public = ResourceFactory(
        uid="public-one", slug="public-one", title="The public resource", topics=[public_topic]
    )
    draft = ResourceFactory(
        uid="draft-one",
        slug="draft-one",
        title=f"A draft about {SECRET_WORDS[0]}",
        status=Status.DRAFT,
        topics=[draft_topic],
        organisations=[draft_org],
        languages=["lv"],
    )
    withdrawn = ResourceFactory(
        uid="withdrawn-one",
        slug="withdrawn-one",
        title=f"Withdrawn about {SECRET_WORDS[1]}",
        status=Status.WITHDRAWN,
        topics=[draft_topic],
    )
    # Withdrawn after it was public: a harvester is told it is deleted, and nothing more.
    withdrawn.published_at = timezone.now()
    for resource in (public, draft, withdrawn):
        resource.series = series
        resource.save()
    public.related.set([draft, withdrawn])
    return public


def _page(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode()


def test_unpublished_things_leave_no_trace_on_public_pages(client, catalogue):
    pages = [
        "/",
        "/resources/",
        "/resources/public-one/",
        "/topics/",
        "/organisations/",
        "/languages/",
        "/topics/public-topic/",
        "/resources/?topic=draft-only-topic",
        "/resources/?organisation=draft-only-org&language=lv",
        f"/resources/?q={SECRET_WORDS[0]}",
        f"/resources/?q={SECRET_WORDS[1]}",
        "/feed/",
        "/resources/feed/?q=public",
        f"/resources/feed/?q={SECRET_WORDS[0]}",
        "/topics/public-topic/feed/",
        "/data/signpost-catalogue.jsonl",
        "/data/signpost-catalogue.csv",
        "/resources/download.csv",
        "/resources/cite.ris",
        "/resources/cite.json",
        "/resources/public-one/cite.bib",
        "/resources/public-one/cite.json",
        "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
        "/oai/?verb=ListSets",
        "/oai/?verb=ListIdentifiers&metadataPrefix=oai_dc",
    ]
    for url in pages:
        status, html = _page(client, url)
        assert status == 200, url
        for secret in ("A draft about", "Withdrawn about", "Draft only topic", "Draft only org"):
            assert secret not in html, (url, secret)
        assert "draft-one" not in html, url
        # A harvester is told that a withdrawn record is deleted (by its id, nothing more).
        assert "withdrawn-one" not in html or url.startswith("/oai/"), url
        if url.startswith("/oai/"):
            assert "draft-only-topic" not in html, url
    for word in SECRET_WORDS:
        results = client.get("/resources/", {"q": word}).context["results"]
        assert results.count == 0 and results.suggestion is None
    assert "Latvian" not in _page(client, "/languages/")[1]


@pytest.mark.parametrize(
    "url",
    [
        "/topics/draft-only-topic/",
        "/organisations/draft-only-org/",
        "/languages/lv/",
        "/resources/draft-one/",
        "/resources/withdrawn-one/",
        "/api/v1/resources/draft-one",
        "/topics/draft-only-topic/feed/",
        "/organisations/draft-only-org/feed/",
        "/languages/lv/feed/",
        "/resources/draft-one/cite.ris",
        "/resources/withdrawn-one/cite.json",
    ],
)
def test_terms_and_resources_with_nothing_published_are_404(client, catalogue, url):
    assert client.get(url).status_code == 404


def test_api_names_only_published_things(client, catalogue):
    record = client.get("/api/v1/resources/public-one").json()
    assert record["related"] == []
    assert record["series"] == "Shared series"
    found = client.get("/api/v1/resources", {"q": SECRET_WORDS[0]}).json()
    assert found["count"] == 0
    text = str(found)
    for secret in (*SECRET_WORDS, "Draft only topic", "draft-only-topic"):
        assert secret not in text
    # A topic only drafts have is refused exactly as one that never existed: nothing tells.
    draft_only = client.get("/api/v1/resources", {"topic": "draft-only-topic"})
    never = client.get("/api/v1/resources", {"topic": "never-existed-topic"})
    assert draft_only.status_code == never.status_code == 422
    assert draft_only.json() == never.json() | {
        "detail": [
            d | {"message": d["message"].replace("never-existed-topic", "draft-only-topic")}
            for d in never.json()["detail"]
        ]
    }
    assert "Draft only topic" not in draft_only.text
    everything = str(client.get("/api/v1/resources", {"page_size": 100}).json())
    for secret in (*SECRET_WORDS, "Draft only", "draft-only", "draft-one", "withdrawn-one"):
        assert secret not in everything


def test_a_withdrawn_resource_leaves_the_facets_and_counts_at_once(client, catalogue):
    from signpost.catalogue.services import resource_withdraw

    topic_page = client.get("/topics/public-topic/")
    assert topic_page.context["results"].count == 1
    resource_withdraw(resource=catalogue)
    assert client.get("/topics/public-topic/").status_code == 404
    answer = client.get("/api/v1/resources").json()
    assert answer["count"] == 0 and answer["results"] == []
    assert all(not values for values in answer["facets"].values())


# Characters that have broken number parsing or the database: Unicode digits (superscript,
# Arabic-Indic, full-width), NUL and other control characters, a C1 control, a line separator.
HOSTILE = ["²", "١٢٣", "１", "%00", "a%00b", "%01", "%7F", "%C2%85", "%E2%80%A8", "9" * 30]  # noqa: RUF001
PARAMETERS = [
    "q", "page", "page_size", "year_from", "year_to", "sort", "type", "topic", "audience",
    "language", "organisation", "country", "year",
]  # fmt: skip


def _public_routes():
    return sorted(r for r in set(url_routes()) if not r.startswith("staff/"))


def test_hostile_characters_in_every_path_are_400_or_404(client, catalogue):
    import re

    checked = 0
    for route in _public_routes():
        for value in HOSTILE:
            path = "/" + re.sub(r"<(?:\w+:)?\w+>", value, route)
            response = client.get(path)
            assert response.status_code in (200, 400, 404), (path, response.status_code)
            checked += 1
    assert checked >= len(HOSTILE) * 15


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_characters_in_every_parameter_never_fail(client, catalogue, value):
    for name in PARAMETERS:
        for path in ("/resources/", "/topics/public-topic/", "/api/v1/resources"):
            response = client.get(f"{path}?{name}={value}")
            assert response.status_code in (200, 400, 422), (path, name, value)
            if response.status_code == 200 and path.startswith("/api/"):
                assert response.json()["count"] >= 0


@pytest.mark.parametrize("value", ["\x00", "\x01", "\x7f", "\x1b"])
def test_control_characters_in_headers_are_refused(client, catalogue, value):
    response = client.get("/resources/", HTTP_ACCEPT_LANGUAGE=f"en{value}")
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


def test_utf8_text_in_a_header_is_not_refused(client, catalogue):
    # WSGI hands header bytes over as Latin-1: Cyrillic letters arrive as bytes such as "\xd1\x80".
    cyrillic = "прикордонник".encode().decode("latin-1")
    assert client.get("/resources/", HTTP_X_NOTE=cyrillic).status_code == 200


def test_models_used_here_are_the_catalogue_s(catalogue):
    # The fixture built what the checks above rely on; a silent factory change would void them.
    assert Resource.objects.published().count() == 1
    assert Version.objects.filter(language_id="lv").count() == 1
    assert Topic.objects.filter(slug="draft-only-topic").exists()
    assert Organisation.objects.filter(slug="draft-only-org").exists()
