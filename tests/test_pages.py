"""The public site through HTTP, as a visitor's browser sees it."""

import hashlib
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from signpost.catalogue.models import Resource, Status

from .conftest import ROOT, public_urls
from .factories import AudienceFactory, OrganisationFactory, ResourceFactory, TopicFactory


def titles(response):
    return {r.title for r in response.context["results"].resources}


def test_every_published_demo_resource_is_listed_and_has_its_page(client, demo):
    published = Resource.objects.published()
    assert published.count() >= 55
    listed = set()
    page = 1
    while True:
        response = client.get("/resources/", {"page": page, "sort": "title"})
        listed |= titles(response)
        if not response.context["results"].has_next:
            break
        page += 1
    assert listed == set(published.values_list("title", flat=True))
    for resource in published:
        response = client.get(resource.get_absolute_url())
        assert response.status_code == 200, resource.slug
        assert escape(resource.title) in response.content.decode()
        for version in resource.versions.all():
            assert version.language.name_en in response.content.decode()


def test_every_public_page_has_quick_exit_no_cookie_and_no_referrer(client, demo):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Exit this page" in html, url
        assert 'href="https://www.bbc.co.uk/weather"' in html
        assert 'rel="nofollow noreferrer"' in html
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert not response.cookies, f"{url} set {list(response.cookies)}"
        assert "<script>" not in html and "style=" not in html, f"{url} has inline code"


def test_quick_exit_goes_to_the_configured_page(client, demo, settings):
    settings.QUICK_EXIT_URL = "https://example.org/neutral"
    html = client.get("/").content.decode()
    assert 'data-quick-exit-url="https://example.org/neutral"' in html
    assert html.count('href="https://example.org/neutral"') == 2  # the button and the skip link


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN])
def test_unpublished_resources_are_not_found(client, db, status):
    resource = ResourceFactory(status=status, title="Hidden thing")
    assert client.get(resource.get_absolute_url()).status_code == 404
    assert "Hidden thing" not in client.get("/resources/").content.decode()
    assert "Hidden thing" not in client.get("/").content.decode()


def test_filters_combine_or_within_and_across(client, db):
    red, blue = TopicFactory(slug="red", name="Red"), TopicFactory(slug="blue", name="Blue")
    police = AudienceFactory(slug="police", name="Police")
    ResourceFactory(title="Red for police", topics=[red], audiences=[police])
    ResourceFactory(
        title="Blue for police", topics=[blue], audiences=[police], languages=["en", "uk"]
    )
    ResourceFactory(title="Red for nobody", topics=[red])
    ResourceFactory(title="Green for police", audiences=[police], resource_type="leaflet")

    assert titles(client.get("/resources/?topic=red&topic=blue")) == {
        "Red for police",
        "Blue for police",
        "Red for nobody",
    }
    assert titles(client.get("/resources/?topic=red&topic=blue&audience=police")) == {
        "Red for police",
        "Blue for police",
    }
    assert titles(client.get("/resources/?audience=police&type=leaflet")) == {"Green for police"}
    assert titles(client.get("/resources/?language=uk")) == {"Blue for police"}
    assert titles(client.get("/resources/?audience=police&language=uk&topic=red")) == set()


def test_year_range_and_sort(client, db):
    import datetime

    for year in (2015, 2018, 2021):
        ResourceFactory(
            title=f"From {year}",
            published_date=datetime.date(year, 1, 1),
            published_precision="year",
        )
    ResourceFactory(title="Undated")
    response = client.get("/resources/?year_from=2016&year_to=2021")
    assert titles(response) == {"From 2018", "From 2021"}
    newest = [r.title for r in client.get("/resources/").context["results"].resources]
    assert newest == ["From 2021", "From 2018", "From 2015", "Undated"]
    oldest = [r.title for r in client.get("/resources/?sort=oldest").context["results"].resources]
    assert oldest == ["From 2015", "From 2018", "From 2021", "Undated"]


def test_selected_filters_show_as_removable_tags(client, db):
    organisation = OrganisationFactory(slug="htf", name="Human Trafficking Foundation")
    ResourceFactory(organisations=[organisation])
    html = client.get("/resources/?organisation=htf&language=en&q=x").content.decode()
    assert "Organisation: Human Trafficking Foundation" in html
    assert 'href="?language=en&amp;q=x"' in html


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc", "?page=999999", "?page=-1", "?page=1e9", "?topic=nope", "?type=novel",
        "?language=xx&language=", "?year_from=abcd&year_to=99999", "?sort=sideways",
        "?q=%22%27--%09tab", "?q=" + "a" * 5000, "?page=%C2%B2", "?page=%EF%BC%91",
        "?year_from=%C2%B2%C2%B2%C2%B2%C2%B2",
    ],
)  # fmt: skip
def test_bad_list_input_gives_a_normal_page(client, demo, query):
    response = client.get("/resources/" + query)
    assert response.status_code == 200
    assert "Resources" in response.content.decode()


def test_unknown_filter_values_are_ignored_not_zeroing(client, demo):
    all_count = client.get("/resources/").context["results"].count
    assert client.get("/resources/?topic=nope").context["results"].count == all_count


def test_page_beyond_the_end_shows_the_last_page(client, demo):
    response = client.get("/resources/?page=999999")
    results = response.context["results"]
    assert results.page == results.num_pages > 1


@pytest.mark.parametrize(
    "url",
    [
        "/resources/no-such-thing/",
        "/topics/nope/",
        "/organisations/nope/",
        "/languages/xx/",
        "/nope/",
    ],
)
def test_missing_things_are_a_designed_404(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Exit this page" in response.content.decode()


def test_server_error_page_has_no_stack_trace(client, db, settings, monkeypatch):
    from signpost.site import views

    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.selectors, "resource_detail", broken)
    client.raise_request_exception = False
    response = client.get("/resources/anything/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "secret internals" not in html and "Traceback" not in html
    assert "Sorry, there is a problem" in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/resources/", "/", "/topics/topic-a/", "/audiences/"])
def test_query_count_does_not_grow_with_the_catalogue(client, db, url):
    topic = TopicFactory(slug="topic-a", name="Topic A")
    audience = AudienceFactory(slug="police", name="Police")
    organisations = [OrganisationFactory() for _ in range(3)]

    def add(n):
        for _ in range(n):
            ResourceFactory(
                topics=[topic],
                audiences=[audience],
                organisations=organisations,
                languages=["en", "uk"],
            )

    add(3)
    small = _queries(client, url)
    add(15)
    assert _queries(client, url) == small


def test_detail_query_count_does_not_grow_with_versions_and_terms(client, db):
    resource = ResourceFactory(languages=["en"])
    small = _queries(client, resource.get_absolute_url())
    big = ResourceFactory(
        languages=["en", "uk", "ru", "pl"],
        topics=[TopicFactory() for _ in range(4)],
        audiences=[AudienceFactory() for _ in range(4)],
        organisations=[OrganisationFactory() for _ in range(4)],
    )
    assert _queries(client, big.get_absolute_url()) == small


def test_external_links_carry_the_disclaimer_and_no_referrer(client, demo):
    resource = Resource.objects.get(uid="pec-covid-19-policy-brief")
    html = client.get(resource.get_absolute_url()).content.decode()
    assert re.search(
        r'href="https://www.modernslaverypec.org/resources/covid-modern-slavery"'
        r'[^>]*rel="noopener noreferrer"',
        html,
    )
    assert "A link is not an endorsement" in html


def test_resource_page_shows_language_names_in_english_and_natively(client, demo):
    resource = Resource.objects.get(uid="osce-be-safe-ukraine")
    html = client.get(resource.get_absolute_url()).content.decode()
    assert 'Ukrainian <span lang="uk">(Українська)</span>' in html
    assert 'Russian <span lang="ru">(Русский)</span>' in html


def test_built_assets_are_current():
    """The committed CSS and JS were built from the current frontend sources (make assets)."""
    frontend = ROOT / "frontend"
    digest = hashlib.sha256()
    files = ["package-lock.json"] + [f"src/{p.name}" for p in sorted((frontend / "src").iterdir())]
    for name in files:
        digest.update(name.encode() + b"\0")
        digest.update((frontend / name).read_bytes())
    recorded = (ROOT / "signpost/site/static/site/build-inputs.sha256").read_text().strip()
    assert recorded == digest.hexdigest(), "run `make assets` and commit the built files"
    built_js = (ROOT / "signpost/site/static/site/signpost.js").read_bytes()
    assert built_js == (frontend / "src/signpost.js").read_bytes()
    assert Path(ROOT / "signpost/site/static/site/signpost.css").stat().st_size > 10_000


def test_home_page_lists_the_most_used_topics_only(client, db):
    topics = [TopicFactory(name=f"Topic {n:02d}", slug=f"topic-{n:02d}") for n in range(60)]
    ResourceFactory(topics=topics)
    ResourceFactory(topics=topics[:1])
    html = client.get("/").content.decode()
    shown = re.findall(r'href="/topics/(topic-\d\d)/"', html)
    assert len(shown) == 24
    assert "topic-00" in shown, "the most used topic is always shown"
    assert 'href="/topics/">All topics</a>' in html


def test_the_sitemap_lists_every_published_resource_and_nothing_unpublished(client, demo):
    import re

    from signpost.catalogue.models import Resource

    withdrawn = Resource.objects.order_by("pk").first()
    Resource.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    xml = client.get("/sitemap.xml").content.decode()
    listed = set(re.findall(r"<loc>http://testserver(/resources/[^<]+/)</loc>", xml))
    published = {r.get_absolute_url() for r in Resource.objects.published()}
    assert listed == published
    hidden = Resource.objects.exclude(status="published")
    assert hidden.exists() and not any(r.get_absolute_url() in xml for r in hidden)
    assert "/staff/" not in xml and "<lastmod>" in xml


def test_robots_keeps_staff_pages_out_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /staff/" in lines
    assert "Disallow: /resources/download.csv" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
