"""Open data, read back by the clients people use: feedparser, rispy, bibtexparser,
citeproc-py and extruct; the downloads by Python's csv and json readers."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from html import unescape
from urllib.parse import urlsplit

import bibtexparser
import extruct
import feedparser
import lxml.html
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON

from signpost.catalogue.models import (
    Organisation,
    Person,
    Resource,
    ResourceOrganisation,
    ResourcePerson,
    Status,
    Version,
)
from signpost.catalogue.selectors import resource_record
from signpost.catalogue.services import resource_update, resource_withdraw
from signpost.opendata import citations

from .factories import OrganisationFactory, ResourceFactory, TopicFactory


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return parsed


def _published_by_added():
    return list(Resource.objects.published().order_by("-published_at", "title", "pk"))


# Feeds


def test_every_kind_of_feed_parses_and_holds_what_the_catalogue_holds(client, demo):
    resource = Resource.objects.published().filter(topics__isnull=False).order_by("uid").first()
    topic = resource.topics.order_by("slug").first()
    organisation = resource.organisations.order_by("slug").first()
    audience = resource.audiences.order_by("slug").first()
    language = resource.versions.first().language_id
    feeds = {
        "/feed/": Resource.objects.published(),
        "/resources/feed/?q=labour": None,
        f"/topics/{topic.slug}/feed/": Resource.objects.published().filter(topics=topic),
        f"/audiences/{audience.slug}/feed/": Resource.objects.published().filter(
            audiences=audience
        ),
        f"/languages/{language}/feed/": Resource.objects.published().filter(
            versions__language_id=language
        ),
    }
    if organisation:
        feeds[f"/organisations/{organisation.slug}/feed/"] = Resource.objects.published().filter(
            organisations=organisation
        )
    for url, expected in feeds.items():
        parsed = _feed(client, url)
        assert parsed.feed.title.endswith("Signpost")
        links = {link.rel: link.href for link in parsed.feed.links}
        assert urlsplit(links["self"]).path == urlsplit(url).path
        entries = {entry.link: entry for entry in parsed.entries}
        assert len(entries) == len(parsed.entries)
        if expected is not None:
            wanted = {"http://testserver" + r.get_absolute_url() for r in expected.distinct()[:50]}
            assert (
                set(entries) == wanted if expected.distinct().count() <= 50 else len(entries) == 50
            )
        for link, entry in entries.items():
            slug = link.rstrip("/").rsplit("/", 1)[1]
            found = Resource.objects.published().get(slug=slug)
            assert entry.title == found.title
            assert entry.id == f"tag:signpost,2024:resource/{found.uid}"
            assert entry.published_parsed and entry.updated_parsed
            terms = {tag.term for tag in entry.tags}
            assert found.resource_type in terms
            assert {t.slug for t in found.topics.all()} <= terms
            names = {a.name for a in entry.get("authors", [])}
            assert names == set(citations.authors_of(found))
            words = unescape(re.sub("<[^>]+>", " ", entry.summary)).split()
            # What it is and when it was published, then the summary as written.
            label = found.get_resource_type_display().split()
            assert [*words[: len(label) - 1], words[len(label) - 1].rstrip(",")] == label
            assert words[-len(found.summary.split()) :] == found.summary.split()


def test_a_search_feed_follows_the_search_newest_in_the_library_first(client, demo):
    parsed = _feed(client, "/resources/feed/?q=labour&type=report")
    ids, _ = _search_ids({"q": ["labour"], "type": ["report"]})
    assert [e.link for e in parsed.entries] == [
        "http://testserver" + Resource.objects.get(pk=pk).get_absolute_url() for pk in ids
    ]
    assert parsed.entries, "the demo catalogue has reports about labour"
    assert "labour" in parsed.feed.title
    # The page it mirrors is the same search, on the resources page.
    page = next(link.href for link in parsed.feed.links if link.rel == "alternate")
    assert "q=labour" in page and "type=report" in page


def _search_ids(query):
    from signpost.search.engine import read_search, search_ids

    params, _ = read_search(query)
    params.sort = "added"
    return search_ids(params, limit=50)


def test_the_newest_feed_puts_the_latest_addition_first_whatever_its_date(client, db):
    old = ResourceFactory(title="An old report added today")
    old.published_date, old.published_precision = "1999-01-01", "day"
    old.save()
    newer = ResourceFactory(title="A newer report added long ago")
    from django.utils import timezone

    Resource.objects.filter(pk=old.pk).update(published_at=timezone.now())
    Resource.objects.filter(pk=newer.pk).update(
        published_at=timezone.now() - timezone.timedelta(days=400)
    )
    _reindex()
    titles = [e.title for e in _feed(client, "/feed/").entries]
    assert titles == ["An old report added today", "A newer report added long ago"]


def _reindex():
    from signpost.search.index import resources_reindex

    resources_reindex(ids=list(Resource.objects.values_list("pk", flat=True)))


def test_an_entry_keeps_its_id_when_the_resource_is_edited(client, demo, admin_user):
    resource = Resource.objects.published().order_by("uid").first()
    before = {e.link: e.id for e in _feed(client, "/feed/").entries}
    record = resource_record(resource)
    record["title"] = "A new title for an old friend"
    record["slug"] = resource.slug
    resource_update(resource=resource, record=record, by=admin_user, via="test")
    _reindex()
    after = {e.title: e.id for e in _feed(client, "/feed/").entries}
    assert (
        after["A new title for an old friend"]
        == before["http://testserver" + resource.get_absolute_url()]
    )


def test_withdrawn_and_draft_resources_never_reach_a_feed(client, db):
    topic = TopicFactory(name="Shared", slug="shared")
    kept = ResourceFactory(title="Kept", topics=[topic])
    gone = ResourceFactory(title="Gone", topics=[topic])
    ResourceFactory(title="Draft", status=Status.DRAFT, topics=[topic])
    resource_withdraw(resource=gone)
    _reindex()
    for url in ("/feed/", "/topics/shared/feed/", "/resources/feed/?q=gone+draft+kept"):
        assert [e.title for e in _feed(client, url).entries] == [kept.title], url


def test_a_feed_for_a_search_that_finds_nothing_is_an_empty_feed_that_says_so(client, demo):
    parsed = _feed(client, "/resources/feed/?q=zzqxjv")
    assert parsed.entries == []
    assert "Nothing matches this yet" in parsed.feed.subtitle


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/resources/feed/?year_from=19x9", 400, "4 digits"),
        ("/resources/feed/?topic=no-such-topic", 400, "no-such-topic"),
        ("/topics/no-such-topic/feed/", 404, "Page not found"),
        ("/languages/xx/feed/", 404, "Page not found"),
    ],
)
def test_a_feed_that_cannot_be_made_says_why(client, demo, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert message in response.content.decode()


def test_pages_announce_and_link_their_feeds(client, demo):
    home = client.get("/").content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in home and 'href="/feed/"' in home
    results = client.get("/resources/?q=labour&page=1&sort=title").content.decode()
    assert 'href="/resources/feed/?q=labour"' in results
    assert "Follow this search" in results
    topic = client.get("/topics/forced-labour/").content.decode()
    assert 'href="/topics/forced-labour/feed/"' in topic


# Citations


def _cited_resource():
    publisher = OrganisationFactory(name="Office & Co <Research>", slug="office-co")
    author = OrganisationFactory(name="Independent Anti-Slavery Commissioner", slug="iasc")
    resource = ResourceFactory(
        uid="cited-one",
        slug="cited-one",
        title="Modern slavery & the NHS: 50% of cases {unseen}",
        organisations=[publisher],
        languages=["en", "pl"],
        topics=[TopicFactory(name="Health", slug="health")],
    )
    ResourceOrganisation.objects.create(
        resource=resource, organisation=author, role="author", position=1
    )
    person = Person.objects.create(name="Ada Lovelace", slug="ada-lovelace")
    ResourcePerson.objects.create(resource=resource, person=person, role="editor")
    resource.published_date, resource.published_precision = "2021-04-12", "day"
    resource.save()
    Version.objects.filter(resource=resource, language_id="en").update(
        url="https://example.org/report.pdf"
    )
    _reindex()
    return resource


def test_ris_reads_back_with_the_resource_s_fields(client, db):
    _cited_resource()
    response = client.get("/resources/cited-one/cite.ris")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    assert "attachment" in response["Content-Disposition"]
    (entry,) = rispy.loads(response.content.decode())
    assert entry["type_of_reference"] == "RPRT"
    assert entry["title"] == "Modern slavery & the NHS: 50% of cases {unseen}"
    assert entry["authors"] == ["Independent Anti-Slavery Commissioner"]
    assert entry["secondary_authors"] == ["Ada Lovelace"]
    assert entry["publisher"] == "Office & Co <Research>"
    assert entry["year"] == "2021" and entry["date"] == "2021/04/12"
    assert entry["urls"] == ["https://example.org/report.pdf"]
    assert entry["language"] == "en"
    assert entry["keywords"] == ["Health"]
    assert entry["id"] == "cited-one"


def test_bibtex_reads_back_with_the_resource_s_fields(client, db):
    _cited_resource()
    response = client.get("/resources/cited-one/cite.bib")
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    (entry,) = library.entries
    fields = {f.key: f.value for f in entry.fields}
    assert entry.entry_type == "techreport" and entry.key == "citedone"
    assert fields["title"] == r"{Modern slavery \& the NHS: 50\% of cases \{unseen\}}"
    assert fields["author"] == "{Independent Anti-Slavery Commissioner}"
    assert fields["editor"] == "{Ada Lovelace}"
    assert fields["institution"] == r"Office \& Co <Research>"
    assert (fields["year"], fields["month"]) == ("2021", "4")
    assert fields["url"] == "https://example.org/report.pdf"


def test_csl_json_is_formatted_by_citeproc_in_both_styles(client, db):
    _cited_resource()
    items = json.loads(client.get("/resources/cited-one/cite.json").content)
    assert items[0]["type"] == "report"
    assert items[0]["issued"] == {"date-parts": [[2021, 4, 12]]}
    for style in citations.STYLES:
        bibliography = CitationStylesBibliography(
            CitationStylesStyle(style.file, locale="en-GB", validate=False),
            CiteProcJSON(items),
            citeproc_formatter.plain,
        )
        bibliography.register(Citation([CitationItem("cited-one")]))
        (text,) = [str(entry) for entry in bibliography.bibliography()]
        assert text.startswith("Independent Anti-Slavery Commissioner")
        assert "(2021" in text and "Modern slavery & the NHS" in text


def test_the_resource_page_shows_harvard_and_apa_escaped(client, db):
    _cited_resource()
    html = client.get("/resources/cited-one/").content.decode()
    section = html[html.index('id="cite"') : html.index("</details>", html.index('id="cite"'))]
    assert "Harvard" in section and "APA" in section
    # Cite Them Right: Author (year) <i>Title</i>. Publisher. APA: Author. (year, Month day).
    assert "Independent Anti-Slavery Commissioner (2021) <i>Modern slavery &amp; the NHS" in section
    assert "Independent Anti-Slavery Commissioner. (2021). <i>Modern slavery" in section
    assert "Edited by Ada Lovelace" in section
    assert "Office &amp; Co &lt;Research&gt;" in section
    assert "<Research>" not in section
    for extension in ("ris", "bib", "json"):
        assert f'href="/resources/cited-one/cite.{extension}"' in section


@pytest.mark.parametrize(
    ("resource_type", "csl", "ris", "bibtex"),
    [
        ("report", "report", "RPRT", "techreport"),
        ("handbook", "book", "BOOK", "book"),
        ("leaflet", "pamphlet", "PAMP", "booklet"),
        ("slides", "speech", "SLIDE", "misc"),
        ("recording", "speech", "VIDEO", "misc"),
        ("webinar", "speech", "VIDEO", "misc"),
        ("film", "motion_picture", "MPCT", "misc"),
        ("website", "webpage", "ELEC", "misc"),
    ],
)
def test_each_type_is_cited_as_its_kind(client, db, resource_type, csl, ris, bibtex):
    ResourceFactory(slug="typed", resource_type=resource_type)
    assert json.loads(client.get("/resources/typed/cite.json").content)[0]["type"] == csl
    assert (
        rispy.loads(client.get("/resources/typed/cite.ris").content.decode())[0][
            "type_of_reference"
        ]
        == ris
    )
    library = bibtexparser.parse_string(client.get("/resources/typed/cite.bib").content.decode())
    assert library.entries[0].entry_type == bibtex


def test_every_type_has_a_citation_kind():
    from signpost.catalogue.models import ResourceType

    assert set(citations.KINDS) == set(ResourceType.values)


def test_a_search_s_citations_match_its_results(client, demo):
    response = client.get("/resources/cite.ris", {"q": "police"})
    entries = rispy.loads(response.content.decode())
    ids, count = _search_ids({"q": ["police"]})
    assert count == len(entries) > 1
    found = {r.uid for r in Resource.objects.filter(pk__in=ids)}
    assert {e["id"] for e in entries} == found
    bib = bibtexparser.parse_string(
        client.get("/resources/cite.bib", {"q": "police"}).content.decode()
    )
    assert len(bib.entries) == count and not bib.failed_blocks
    csl = json.loads(client.get("/resources/cite.json", {"q": "police"}).content)
    assert {item["id"] for item in csl} == found


def test_too_many_citations_at_once_is_refused_with_a_message(client, demo, monkeypatch):
    monkeypatch.setattr(citations, "CITATION_LIMIT", 10)
    response = client.get("/resources/cite.ris")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Citations can be downloaded for up to 10 at a time" in text
    assert "Too many resources at once" in text
    assert "61 resources" in text
    # The results page offers them only where it can give them.
    page = client.get("/resources/").content.decode()
    assert "/resources/cite.ris" not in page and "up to 10 results at a time" in page
    assert client.get("/resources/cite.ris", {"q": "police", "type": "report"}).status_code == 200


def test_citations_of_what_is_not_published_are_404(client, db):
    ResourceFactory(slug="draft", status=Status.DRAFT)
    gone = ResourceFactory(slug="gone")
    resource_withdraw(resource=gone)
    for slug in ("draft", "gone", "never-was"):
        for extension in ("ris", "bib", "json"):
            assert client.get(f"/resources/{slug}/cite.{extension}").status_code == 404


# Structured data on resource pages


def test_every_resource_page_describes_itself_to_extruct(client, demo):
    for resource in Resource.objects.published().prefetch_related("versions"):
        html = client.get(resource.get_absolute_url()).content.decode()
        url = "http://testserver" + resource.get_absolute_url()
        data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "dublincore"])
        (item,) = data["json-ld"]
        assert item["name"] == resource.title
        assert item["url"] == url
        assert item["@type"]
        if resource.published_iso:
            assert item["datePublished"] == resource.published_iso
        languages = set(v.language_id for v in resource.versions.all())
        primary = citations.primary_language(resource)
        assert item["inLanguage"][0] == primary and set(item["inLanguage"]) == languages
        translations = item.get("workTranslation", [])
        assert {t["inLanguage"] for t in translations} == languages - {primary}
        for node in translations + item.get("workExample", []):
            if "url" in node:
                assert node["url"].startswith("http")
        publishers = {
            o.organisation.name for o in resource.resource_organisations.filter(role="publisher")
        }
        assert {p["name"] for p in item.get("publisher", [])} == publishers
        dc = {
            e["URI"].rsplit("/", 1)[1]: e["content"]
            for e in data["dublincore"][0]["elements"]
            if e["name"].startswith("DC.")
        }
        assert dc["title"] == resource.title
        assert dc["identifier"] == url
        tags = _meta(html)
        assert tags["citation_title"] == [resource.title]
        assert tags.get("citation_author", []) == citations.authors_of(resource)
        assert tags["citation_abstract_html_url"] == [url]
        if resource.published_iso:
            assert tags["citation_publication_date"] == [resource.published_iso.replace("-", "/")]


def _meta(html: str) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for element in lxml.html.fromstring(html).iter("meta"):
        name = element.get("name", "")
        if name.startswith("citation_"):
            tags.setdefault(name, []).append(element.get("content"))
    return tags


def test_json_ld_cannot_break_out_of_its_script(client, db):
    ResourceFactory(slug="hostile", title="</script><script>alert(1)</script> & more")
    html = client.get("/resources/hostile/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(block.group(1))["name"] == "</script><script>alert(1)</script> & more"
    assert "<script>alert" not in html


def test_json_ld_names_translations_with_their_own_addresses(client, db):
    resource = _cited_resource()
    Version.objects.filter(resource=resource, language_id="pl").update(
        url="https://example.org/raport.pdf", title="Współczesne niewolnictwo"
    )
    html = client.get("/resources/cited-one/").content.decode()
    (item,) = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    assert item["@type"] == "Report"
    (translation,) = item["workTranslation"]
    assert translation == {
        "@type": "Report",
        "name": "Współczesne niewolnictwo",
        "inLanguage": "pl",
        "url": "https://example.org/raport.pdf",
        "translationOfWork": {"@id": "http://testserver/resources/cited-one/#resource"},
    }
    assert [a["name"] for a in item["author"]] == ["Independent Anti-Slavery Commissioner"]
    assert _meta(html)["citation_pdf_url"] == ["https://example.org/report.pdf"]


# Downloads


def test_the_catalogue_downloads_hold_every_published_resource_and_nothing_else(client, demo):
    ResourceFactory(uid="draft-x", slug="draft-x", status=Status.DRAFT)
    published = set(Resource.objects.published().values_list("uid", flat=True))
    response = client.get("/data/signpost-catalogue.jsonl")
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    records = [json.loads(line) for line in _body(response).decode().splitlines()]
    assert {r["id"] for r in records} == published
    for record in records:
        assert not {"status", "owner_agreement", "review_by", "reviewed_on"} & set(record)
        assert record["url"].startswith("http://testserver/resources/")
        for version in record["versions"]:
            assert "file" not in version
            assert not version["url"] or version["url"].startswith("http")
    response = client.get("/data/signpost-catalogue.csv")
    rows = list(csv.DictReader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert {r["id"] for r in rows} == published
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(client, db):
    for n, start in enumerate(("=", "+", "-", "@", "\t", "\r")):
        ResourceFactory(uid=f"f{n}", slug=f"f{n}", title=f"{start}HYPERLINK(1) {n}")
    body = _body(client.get("/data/signpost-catalogue.csv")).decode("utf-8-sig")
    titles = sorted(row["title"] for row in csv.DictReader(io.StringIO(body)))
    assert all(title.startswith("'") for title in titles), titles
    search = client.get("/resources/download.csv", {"q": "hyperlink"}).content.decode("utf-8-sig")
    assert all(r["title"].startswith("'") for r in csv.DictReader(io.StringIO(search)))


def test_a_search_downloads_as_csv_in_its_order(client, demo):
    response = client.get("/resources/download.csv", {"q": "labour", "sort": "title"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    page = client.get("/resources/", {"q": "labour", "sort": "title", "page_size": 100})
    assert [r["title"] for r in rows][:20] == [r.title for r in page.context["results"].resources]
    assert len(rows) == page.context["results"].count


# Cross-origin reads


def test_the_api_and_open_data_may_be_read_from_other_sites_and_nothing_else(client, demo):
    for url in ("/api/v1/resources?q=police", "/feed/", "/data/signpost-catalogue.csv"):
        response = client.get(url, HTTP_ORIGIN="https://partner.example")
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert "Access-Control-Allow-Credentials" not in response
    for url in ("/", "/resources/", "/staff/sign-in/"):
        assert "Access-Control-Allow-Origin" not in client.get(url), url
    preflight = client.options("/api/v1/resources", HTTP_ORIGIN="https://partner.example")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD"


# The Data and API page


def test_the_data_page_is_in_the_footer_and_its_examples_work(client, demo):
    home = client.get("/").content.decode()
    assert 'href="/data/"' in home and "Data and API" in home
    page = client.get("/data/").content.decode()
    commands = [unescape(c) for c in re.findall(r"curl [^\n<]+", page)]
    assert len(commands) >= 10
    for command in commands:
        url = next(arg for arg in shlex.split(command) if arg.startswith("http"))
        parts = urlsplit(url)
        assert parts.netloc == "testserver", url
        response = client.get(parts.path, dict(_pairs(parts.query)))
        assert response.status_code == 200, (command, response.status_code)
        assert _body(response), command


def _pairs(query: str):
    from urllib.parse import parse_qsl

    return parse_qsl(query)


def test_the_data_page_states_the_licence(client, db):
    page = client.get("/data/").content.decode()
    assert "Creative Commons Attribution 4.0" in page
    assert 'rel="license noopener noreferrer"' in page


def test_an_organisation_s_page_feed_exists_for_the_demo_catalogue(client, demo):
    organisation = Organisation.objects.filter(resources__status="published").first()
    parsed = _feed(client, f"/organisations/{organisation.slug}/feed/")
    assert parsed.entries


def test_renaming_a_topic_dates_its_resources_for_feeds_and_harvesters(client, db, admin_user):
    from signpost.catalogue.models import Topic
    from signpost.catalogue.services import term_update

    resource = ResourceFactory(topics=[TopicFactory(name="Old name", slug="old-name")])
    before = Resource.objects.get(pk=resource.pk).updated_at
    term_update(
        term=Topic.objects.get(slug="old-name"),
        values={"name": "New name"},
        by=admin_user,
        via="test",
    )
    assert Resource.objects.get(pk=resource.pk).updated_at > before
    (entry,) = _feed(client, "/feed/").entries
    assert {tag.get("label") for tag in entry.tags} >= {"New name"}


def _cite_section(client, slug):
    html = client.get(f"/resources/{slug}/").content.decode()
    start = html.index('id="cite"')
    return html[start : html.index("</details>", start)]


def test_without_an_author_a_citation_names_the_title_once(client, db):
    ResourceFactory(slug="lonely", title="A lonely leaflet", resource_type="leaflet")
    paragraphs = re.findall(
        r'<p class="govuk-body sp-cite__text"[^>]*>(.*?)</p>', _cite_section(client, "lonely")
    )
    assert len(paragraphs) == 2
    for text in paragraphs:
        assert text.count("A lonely leaflet") == 1, text
    # The data a reference manager gets is still the plain truth: a title and no author.
    (item,) = json.loads(client.get("/resources/lonely/cite.json").content)
    assert item["title"] == "A lonely leaflet" and "author" not in item


def test_apa_leaves_out_a_publisher_that_is_also_the_author(client, db):
    office = OrganisationFactory(name="Home Office", slug="home-office")
    resource = ResourceFactory(slug="guide", title="Statutory guidance", organisations=[office])
    ResourceOrganisation.objects.create(
        resource=resource, organisation=office, role="author", position=1
    )
    apa = re.findall(
        r'<p class="govuk-body sp-cite__text"[^>]*>(.*?)</p>', _cite_section(client, "guide")
    )[1]
    assert apa.count("Home Office") == 1, apa


def test_the_catalogue_csv_opens_in_a_spreadsheet_as_utf8(client, db):
    ResourceFactory(title="Guidance \u2013 the Welsh edition")
    body = _body(client.get("/data/signpost-catalogue.csv"))
    assert body.startswith("\ufeff".encode())
    assert "Guidance \u2013 the Welsh edition" in body.decode("utf-8-sig")


def test_the_api_says_how_many_pages_there_are_and_how_to_put_a_page_right(client, demo):
    found = client.get("/api/v1/resources", {"page_size": 20}).json()
    assert found["pages"] == 4 and found["count"] == 61
    problem = client.get("/api/v1/resources", {"page": "abc"}).json()
    assert problem["detail"] == [
        {"field": "page", "message": "Enter the page as a whole number from 1 to 100000"}
    ]


def test_a_feed_holds_only_what_xml_can_and_names_its_author(client, db):
    ResourceFactory(title="Form\x0cfeed", summary="page one\x0cpage two\ufffe")
    parsed = _feed(client, "/feed/")
    assert parsed.feed.author == "Signpost"
    assert parsed.entries[0].title == "Formfeed"


def test_a_search_feed_is_named_by_labels_and_its_id_ignores_order_and_extras(client, demo):
    one = _feed(client, "/resources/feed/?topic=forced-labour&type=report&utm_source=x")
    two = _feed(client, "/resources/feed/?type=report&topic=forced-labour")
    assert one.feed.id == two.feed.id
    assert one.feed.title == "Resources: Forced labour, Report: Signpost"


def test_citing_or_downloading_a_search_that_finds_nothing_says_so(client, demo):
    for url in ("/resources/cite.ris", "/resources/download.csv"):
        response = client.get(url, {"q": "zzqxjv"})
        assert response.status_code == 404
        assert "No resources match this search" in response.content.decode()


def test_a_ris_value_stays_on_its_line(client, db):
    ResourceFactory(slug="forged", title="Line one\nER  - \nTY  - JOUR\nTI  - Injected")
    entries = rispy.loads(client.get("/resources/forged/cite.ris").content.decode())
    assert len(entries) == 1
    assert entries[0]["title"] == "Line one ER - TY - JOUR TI - Injected"


def test_a_slug_that_is_an_address_of_the_site_is_refused(client, db):
    from signpost.catalogue.interchange import InterchangeError
    from signpost.catalogue.services import resource_record_check

    record = resource_record(ResourceFactory(slug="fine"))
    with pytest.raises(InterchangeError, match="feed"):
        resource_record_check({**record, "slug": "feed"})


def test_the_catalogue_files_are_made_once_for_each_state_of_the_catalogue(
    client, db, django_assert_max_num_queries
):
    ResourceFactory(title="First")
    first = client.get("/data/signpost-catalogue.jsonl")
    etag, body = first["ETag"], _body(first)
    assert b"First" in body
    # Asked again: the file kept, read without going through the resources.
    with django_assert_max_num_queries(2):
        again = client.get("/data/signpost-catalogue.jsonl")
    assert again["ETag"] == etag and _body(again) == body
    assert client.get("/data/signpost-catalogue.jsonl", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A change to the catalogue makes a new file at once.
    ResourceFactory(title="Second")
    changed = client.get("/data/signpost-catalogue.jsonl")
    assert changed["ETag"] != etag and b"Second" in _body(changed)
