"""OAI-PMH: every verb and error through HTTP, and a real harvester (sickle) over a live server.

No copy of the OAI-PMH schema can be fetched here, so responses are not validated against it;
the tests check the order and content the protocol gives each element instead.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sickle import Sickle, oaiexceptions

from signpost.catalogue.models import (
    Country,
    Organisation,
    Person,
    RemovedResource,
    Resource,
    ResourceOrganisation,
    ResourcePerson,
    Status,
    StoredFile,
    Version,
)
from signpost.catalogue.selectors import resource_record, resources_for_export
from signpost.catalogue.services import (
    OwnerAgreement,
    resource_delete,
    resource_publish,
    resource_update,
    resource_withdraw,
)

from .factories import OrganisationFactory, ResourceFactory, TopicFactory

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "oai": OAI,
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
PREFIX = "oai:signpost:"
LIST = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}


def oai(client, arguments, *, method="get"):
    """The parsed response to one request, checked to be XML of the right type."""
    if method == "post":  # a form, as the protocol says a harvester posts it
        body = urlencode(arguments, doseq=True)
        response = client.post("/oai/", body, content_type="application/x-www-form-urlencoded")
    else:
        response = client.get("/oai/", arguments)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{OAI}}}OAI-PMH"
    return root


def error_code(root):
    errors = root.findall("oai:error", NS)
    return errors[0].get("code") if errors else None


def headers(root):
    return root.findall(".//oai:header", NS)


def uid_of(header):
    return header.findtext("oai:identifier", namespaces=NS).removeprefix(PREFIX)


def harvest(client, arguments):
    """Every header of a list, following resumption tokens; and the tokens' elements."""
    found, tokens = [], []
    root = oai(client, arguments)
    while True:
        assert error_code(root) is None, ET.tostring(root)
        found += headers(root)
        token = root.find(".//oai:resumptionToken", NS)
        if token is None or not token.text:
            if token is not None:
                tokens.append(token)
            return found, tokens
        tokens.append(token)
        root = oai(client, {"verb": arguments["verb"], "resumptionToken": token.text})


def datestamp(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def catalogue(db):
    """Published resources in two topics and two types; one withdrawn after it was public and
    one deleted after it was public; and one each of what never was public."""
    trafficking = TopicFactory(name="Trafficking", slug="trafficking")
    labour = TopicFactory(name="Labour exploitation", slug="labour-exploitation")
    hidden = TopicFactory(name="Only in drafts", slug="only-in-drafts")
    now = timezone.now()
    made = {
        "report": ResourceFactory(uid="report", topics=[trafficking], published_at=now),
        "guide": ResourceFactory(
            uid="guide", resource_type="guidance", topics=[labour], published_at=now
        ),
        "film": ResourceFactory(uid="film", resource_type="film", published_at=now),
        "withdrawn": ResourceFactory(uid="withdrawn", topics=[labour], published_at=now),
        "deleted": ResourceFactory(uid="deleted", topics=[trafficking], published_at=now),
        "draft": ResourceFactory(uid="draft", status=Status.DRAFT, topics=[hidden]),
        "submitted": ResourceFactory(uid="submitted", status=Status.SUBMITTED),
        # Withdrawn from the review queue without ever being published.
        "never": ResourceFactory(uid="never", status=Status.WITHDRAWN),
    }
    resource_withdraw(resource=made["withdrawn"], by=None, via="test")
    resource_delete(resource=made["deleted"], by=None, via="test")
    resource_delete(
        resource=ResourceFactory(uid="draft-deleted", status=Status.DRAFT), by=None, via="test"
    )
    return made


# Identify, ListMetadataFormats, ListSets.


def test_identify_describes_the_repository(client, catalogue, settings):
    settings.OAI_ADMIN_EMAIL = "library@signpost.example"
    root = oai(client, {"verb": "Identify"})
    assert root.findtext("oai:request", namespaces=NS) == "http://testserver/oai/"
    assert root.find("oai:request", NS).attrib == {"verb": "Identify"}
    identify = root.find("oai:Identify", NS)
    earliest = min(
        [r.updated_at for r in Resource.objects.exclude(uid__in=["draft", "submitted", "never"])]
        + [RemovedResource.objects.get().removed_at]
    )
    assert [(e.tag.removeprefix(f"{{{OAI}}}"), e.text) for e in identify] == [
        ("repositoryName", "Signpost"),
        ("baseURL", "http://testserver/oai/"),
        ("protocolVersion", "2.0"),
        ("adminEmail", "library@signpost.example"),
        ("earliestDatestamp", datestamp(earliest)),
        ("deletedRecord", "persistent"),
        ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
    ]
    response_date = root.findtext("oai:responseDate", namespaces=NS)
    assert datetime.datetime.strptime(response_date, "%Y-%m-%dT%H:%M:%SZ")


def test_a_harvester_may_post_its_arguments_without_a_csrf_token(catalogue):
    harvester = Client(enforce_csrf_checks=True)
    posted = oai(
        harvester,
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"{PREFIX}report"},
        method="post",
    )
    assert error_code(posted) is None
    assert posted.findtext(".//dc:title", namespaces=NS) == Resource.objects.get(uid="report").title
    assert error_code(oai(harvester, {"verb": "Nonsense"}, method="post")) == "badVerb"
    assert harvester.put("/oai/", "verb=Identify").status_code == 405


def test_oai_dc_is_the_one_metadata_format(client, catalogue):
    for arguments in ({}, {"identifier": f"{PREFIX}report"}, {"identifier": f"{PREFIX}deleted"}):
        root = oai(client, {"verb": "ListMetadataFormats", **arguments})
        formats = root.findall(".//oai:metadataFormat", NS)
        assert [f.findtext("oai:metadataPrefix", namespaces=NS) for f in formats] == ["oai_dc"]
        assert formats[0].findtext("oai:metadataNamespace", namespaces=NS) == NS["oai_dc"]
        assert formats[0].findtext("oai:schema", namespaces=NS).endswith("/oai_dc.xsd")
    for unknown in ("draft", "submitted", "never", "draft-deleted", "no-such-thing"):
        root = oai(client, {"verb": "ListMetadataFormats", "identifier": f"{PREFIX}{unknown}"})
        assert error_code(root) == "idDoesNotExist"


def test_sets_are_every_type_and_each_topic_with_published_resources(client, catalogue):
    root = oai(client, {"verb": "ListSets"})
    specs = [s.findtext("oai:setSpec", namespaces=NS) for s in root.findall(".//oai:set", NS)]
    assert {"type", "type:report", "type:film", "type:website", "type:case-studies"} <= set(specs)
    assert [s for s in specs if s.startswith("topic")] == [
        "topic",
        "topic:labour-exploitation",
        "topic:trafficking",
    ]
    names = {
        s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
        for s in root.findall(".//oai:set", NS)
    }
    assert names["type:policy-brief"] == "Resource type: Policy brief"
    assert names["topic:trafficking"] == "Topic: Trafficking"


# Records.


def test_a_record_is_the_resource_in_dublin_core(client, db):
    publisher = OrganisationFactory(name="Home Office", slug="home-office")
    resource = ResourceFactory(
        uid="rich",
        title="Spotting the signs",
        resource_type="guidance",
        topics=[TopicFactory(name="Forced labour", slug="forced-labour")],
        organisations=[publisher],
        languages=["en", "uk"],
        published_date=datetime.date(2021, 4, 1),
        published_precision="month",
        access_note="Free registration required",
    )
    for role, name in (
        ("author", "Anti-Slavery Unit"),
        ("partner", "Partner Trust"),
        ("funder", "Big Fund"),
    ):
        organisation = Organisation.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        ResourceOrganisation.objects.create(resource=resource, organisation=organisation, role=role)
    for role, name in (("author", "A. Writer"), ("speaker", "S. Peaker")):
        person = Person.objects.create(name=name, slug=name.lower().replace(". ", "-"))
        ResourcePerson.objects.create(resource=resource, person=person, role=role)
    resource.countries.set([Country.objects.create(name="Poland", slug="poland")])
    resource.versions.filter(language_id="en").update(url="https://example.org/signs.pdf")
    stored = StoredFile.objects.create(
        name="versions/2021/a1b2.pdf", sha256="0" * 64, size=10, media_type="application/pdf"
    )
    resource.versions.filter(language_id="uk").update(file=stored.name, stored=stored)
    uploaded = Version.objects.get(resource=resource, language_id="uk")

    root = oai(
        client, {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"{PREFIX}rich"}
    )
    assert root.find("oai:request", NS).attrib == {
        "verb": "GetRecord",
        "metadataPrefix": "oai_dc",
        "identifier": f"{PREFIX}rich",
    }
    record = root.find("oai:GetRecord/oai:record", NS)
    header = record.find("oai:header", NS)
    assert [child.tag.removeprefix(f"{{{OAI}}}") for child in header] == [
        "identifier",
        "datestamp",
        "setSpec",
        "setSpec",
    ]
    assert header.get("status") is None
    assert header.findtext("oai:datestamp", namespaces=NS) == datestamp(
        Resource.objects.get(uid="rich").updated_at
    )
    assert [s.text for s in header.findall("oai:setSpec", NS)] == [
        "type:guidance",
        "topic:forced-labour",
    ]
    dc = record.find("oai:metadata/oai_dc:dc", NS)

    def values(name):
        return [e.text for e in dc.findall(f"dc:{name}", NS)]

    assert values("title") == ["Spotting the signs"]
    assert values("creator") == ["Anti-Slavery Unit", "A. Writer"]
    assert values("publisher") == ["Home Office"]
    assert values("contributor") == ["Partner Trust", "Big Fund", "S. Peaker"]
    assert values("date") == ["2021-04"]
    assert values("type") == ["Guidance", "Text"]
    assert values("description") == [resource.summary]
    assert values("subject") == ["Forced labour"]
    assert values("language") == ["en", "uk"]
    assert values("identifier") == [
        f"http://testserver{resource.get_absolute_url()}",
        "https://example.org/signs.pdf",
        f"http://testserver{uploaded.href}",
    ]
    assert uploaded.href.startswith("/files/")
    assert values("coverage") == ["Poland"]
    assert values("rights") == ["Free registration required"]


def test_without_authors_the_publisher_is_the_creator_and_films_are_moving_images(client, db):
    publisher = OrganisationFactory(name="Channel 4", slug="channel-4")
    ResourceFactory(uid="film", resource_type="film", organisations=[publisher])
    ResourceFactory(uid="talk", resource_type="recording").versions.update(format="audio")
    film = oai(
        client, {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"{PREFIX}film"}
    )
    assert [e.text for e in film.findall(".//dc:creator", NS)] == ["Channel 4"]
    assert [e.text for e in film.findall(".//dc:type", NS)] == ["Film", "MovingImage"]
    assert not film.findall(".//dc:rights", NS)
    talk = oai(
        client, {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"{PREFIX}talk"}
    )
    assert [e.text for e in talk.findall(".//dc:type", NS)] == ["Recording", "Sound"]
    assert not talk.findall(".//dc:creator", NS)


def test_withdrawn_and_deleted_resources_are_deleted_records_with_their_sets(client, catalogue):
    for uid, sets in (
        ("withdrawn", ["type:report", "topic:labour-exploitation"]),
        ("deleted", ["type:report", "topic:trafficking"]),
    ):
        root = oai(
            client,
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"{PREFIX}{uid}"},
        )
        record = root.find("oai:GetRecord/oai:record", NS)
        header = record.find("oai:header", NS)
        assert header.get("status") == "deleted"
        assert record.find("oai:metadata", NS) is None
        assert [s.text for s in header.findall("oai:setSpec", NS)] == sets
    removed = RemovedResource.objects.get()
    assert removed.uid == "deleted"
    assert oai(
        client, {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"{PREFIX}deleted"}
    ).findtext(".//oai:datestamp", namespaces=NS) == datestamp(removed.removed_at)


def test_what_was_never_public_is_nowhere(client, catalogue):
    for uid in ("draft", "submitted", "never", "draft-deleted"):
        root = oai(
            client,
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"{PREFIX}{uid}"},
        )
        assert error_code(root) == "idDoesNotExist"
    found, _ = harvest(client, LIST)
    assert sorted(uid_of(h) for h in found) == ["deleted", "film", "guide", "report", "withdrawn"]
    assert {uid_of(h) for h in found if h.get("status") == "deleted"} == {"deleted", "withdrawn"}


def test_published_again_or_made_anew_is_live_until_deleted_again(client, catalogue):
    agreement = OwnerAgreement(by="Owner", on=datetime.date(2025, 1, 1), how="Email")
    resource_publish(resource=catalogue["withdrawn"], agreement=agreement, by=None, via="test")
    first_removal = RemovedResource.objects.get().removed_at
    again = ResourceFactory(uid="deleted", slug="deleted-again", published_at=timezone.now())
    found, _ = harvest(client, LIST)
    assert {uid_of(h): h.get("status") for h in found} == {
        "deleted": None,
        "film": None,
        "guide": None,
        "report": None,
        "withdrawn": None,
    }
    resource_delete(resource=again, by=None, via="test")
    assert RemovedResource.objects.get().removed_at >= first_removal
    found, _ = harvest(client, {**LIST, "set": "type:report"})
    assert {uid_of(h): h.get("status") for h in found} == {
        "deleted": "deleted",
        "report": None,
        "withdrawn": None,
    }


# Selective harvesting.


def test_sets_select_their_records_live_and_deleted(client, catalogue):
    cases = {
        "type:report": ["deleted", "report", "withdrawn"],
        "type:film": ["film"],
        "type": ["deleted", "film", "guide", "report", "withdrawn"],
        "topic": ["deleted", "guide", "report", "withdrawn"],
        "topic:trafficking": ["deleted", "report"],
        "topic:labour-exploitation": ["guide", "withdrawn"],
    }
    for spec, uids in cases.items():
        found, _ = harvest(client, {**LIST, "set": spec})
        assert sorted(uid_of(h) for h in found) == uids, spec
    for spec in ("type:website", "topic:only-in-drafts", "topic:nothing", "nonsense", "type:"):
        assert error_code(oai(client, {**LIST, "set": spec})) == "noRecordsMatch", spec


def test_from_and_until_select_by_datestamp_at_either_granularity(client, catalogue):
    moments = {
        "report": datetime.datetime(2024, 3, 1, 9, 30, 15, 500_000, tzinfo=datetime.UTC),
        "guide": datetime.datetime(2024, 3, 2, 0, 0, 0, tzinfo=datetime.UTC),
        "film": datetime.datetime(2024, 3, 2, 23, 59, 59, 900_000, tzinfo=datetime.UTC),
        "withdrawn": datetime.datetime(2024, 3, 3, 12, 0, 0, tzinfo=datetime.UTC),
    }
    for uid, moment in moments.items():
        Resource.objects.filter(uid=uid).update(updated_at=moment)
    RemovedResource.objects.update(removed_at=datetime.datetime(2024, 3, 4, tzinfo=datetime.UTC))
    cases = [
        ({"from": "2024-03-02"}, ["deleted", "film", "guide", "withdrawn"]),
        ({"until": "2024-03-02"}, ["film", "guide", "report"]),
        ({"from": "2024-03-02", "until": "2024-03-02"}, ["film", "guide"]),
        ({"from": "2024-03-01T09:30:15Z", "until": "2024-03-01T09:30:15Z"}, ["report"]),
        ({"from": "2024-03-01T09:30:16Z", "until": "2024-03-02T23:59:59Z"}, ["film", "guide"]),
        ({"until": "2024-03-02T23:59:58Z"}, ["guide", "report"]),
        ({"from": "2024-03-04T00:00:00Z"}, ["deleted"]),
    ]
    for window, uids in cases:
        found, _ = harvest(client, {**LIST, **window})
        assert sorted(uid_of(h) for h in found) == uids, window
    removed = next(h for h in found if uid_of(h) == "deleted")
    assert removed.findtext("oai:datestamp", namespaces=NS) == "2024-03-04T00:00:00Z"
    root = oai(client, {**LIST, "until": "2024-02-29"})
    assert error_code(root) == "noRecordsMatch"


# Errors: each code, and the request element echoing the arguments only when they are good.

GET_REPORT = {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"{PREFIX}report"}
ERRORS = [
    ({}, "badVerb"),
    ({"verb": "Nonsense"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": ["Identify", "ListSets"]}, "badVerb"),
    ({"verb": ""}, "badVerb"),
    ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListIdentifiers", "set": "type"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": f"{PREFIX}report"}, "badArgument"),
    ({**GET_REPORT, "set": "type"}, "badArgument"),
    ({**LIST, "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
    ({**LIST, "from": "2024-01-01", "until": "2024-01-02T00:00:00Z"}, "badArgument"),
    ({**LIST, "from": "2024-01-02", "until": "2024-01-01"}, "badArgument"),
    ({**LIST, "from": "2024-01-01T00:00:01Z", "until": "2024-01-01T00:00:00Z"}, "badArgument"),
    ({**LIST, "from": "2024-02-30"}, "badArgument"),
    ({**LIST, "from": "2024-1-1"}, "badArgument"),
    ({**LIST, "until": "2024-01-01T10:00Z"}, "badArgument"),
    ({**LIST, "until": "2024-01-01T10:00:00"}, "badArgument"),
    ({**LIST, "until": "2024-01-01T10:00:00+01:00"}, "badArgument"),
    ({**LIST, "from": "\uff12\uff10\uff12\uff14-01-01"}, "badArgument"),  # full-width digits
    ({**LIST, "from": "0000-01-01"}, "badArgument"),
    ({**LIST, "resumptionToken": "x"}, "badArgument"),
    ({"verb": "ListSets", "resumptionToken": "x", "set": "type"}, "badArgument"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": ""}, "badResumptionToken"),
    ({**LIST, "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({**GET_REPORT, "metadataPrefix": "oai_DC"}, "cannotDisseminateFormat"),
    ({**GET_REPORT, "identifier": "oai:signpost:"}, "idDoesNotExist"),
    ({**GET_REPORT, "identifier": "report"}, "idDoesNotExist"),
    ({**GET_REPORT, "identifier": "oai:elsewhere:report"}, "idDoesNotExist"),
    ({**LIST, "from": "2999-01-01"}, "noRecordsMatch"),
]


@pytest.mark.parametrize(("arguments", "code"), ERRORS)
def test_each_bad_request_gets_its_error_code(client, catalogue, arguments, code):
    root = oai(client, arguments)
    assert error_code(root) == code
    assert len(root) == 3  # responseDate, request, error: no verb element beside an error
    request = root.find("oai:request", NS)
    assert request.text == "http://testserver/oai/"
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}
    else:
        assert request.attrib == arguments


def test_resumption_tokens_that_are_tampered_with_expired_or_misused_are_refused(
    client, catalogue, settings
):
    settings.OAI_PAGE_SIZE = 2
    token = oai(client, LIST).findtext(".//oai:resumptionToken", namespaces=NS)
    assert token
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    for verb, value in (
        ("ListIdentifiers", tampered),
        ("ListRecords", token),
        ("ListIdentifiers", token + "x"),
    ):
        root = oai(client, {"verb": verb, "resumptionToken": value})
        assert error_code(root) == "badResumptionToken", (verb, value)
    assert error_code(oai(client, {"verb": "ListIdentifiers", "resumptionToken": token})) is None
    settings.OAI_TOKEN_LIFETIME = datetime.timedelta(seconds=-1)
    root = oai(client, {"verb": "ListIdentifiers", "resumptionToken": token})
    assert error_code(root) == "badResumptionToken"
    assert "expired" in root.findtext("oai:error", namespaces=NS)


def test_pages_carry_the_list_size_and_cursor_and_the_last_an_empty_token(
    client, catalogue, settings
):
    settings.OAI_PAGE_SIZE = 2
    found, tokens = harvest(client, LIST)
    assert len(found) == 5 and len({uid_of(h) for h in found}) == 5
    assert [(t.get("cursor"), t.get("completeListSize")) for t in tokens] == [
        ("0", "5"),
        ("2", "5"),
        ("4", "5"),
    ]
    assert [bool(t.text) for t in tokens] == [True, True, False]
    assert tokens[0].get("expirationDate") and tokens[-1].get("expirationDate") is None
    # The live records come first by key, then the deleted-for-good one.
    assert uid_of(found[-1]) == "deleted"
    settings.OAI_PAGE_SIZE = 5
    whole, tokens = harvest(client, LIST)
    assert len(whole) == 5 and tokens == []
    settings.OAI_PAGE_SIZE = 4  # the fifth record, alone on its page, is the deleted one
    found, tokens = harvest(client, {**LIST, "verb": "ListRecords"})
    assert [uid_of(h) for h in found[4:]] == ["deleted"] and len(tokens) == 2


def test_a_page_costs_the_same_queries_however_long(
    client, demo, settings, django_assert_max_num_queries
):
    resource_withdraw(resource=Resource.objects.order_by("pk")[1], by=None, via="test")
    resource_delete(resource=Resource.objects.order_by("pk")[2], by=None, via="test")
    # 3: a page of resources and the list's size; 100: every resource, then the deleted one.
    # One more on every GET: the catalogue's version, for the answer's validator.
    for size in (3, 100):
        settings.OAI_PAGE_SIZE = size
        with django_assert_max_num_queries(12):
            root = oai(client, {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
        assert len(root.findall(".//oai:record", NS)) == min(size, 61)
        with django_assert_max_num_queries(6):
            root = oai(client, LIST)
        assert len(headers(root)) == min(size, 61)


# Arbitrary input never fails.

NAMES = st.sampled_from(
    ["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken"]
) | st.text(max_size=10)
VALUES = st.sampled_from(
    [
        "Identify",
        "ListRecords",
        "ListIdentifiers",
        "GetRecord",
        "ListSets",
        "ListMetadataFormats",
        "oai_dc",
        "2024-01-01",
        "2024-01-01T00:00:00Z",
        f"{PREFIX}report",
        "type:report",
        "topic:trafficking",
        "topic",
    ]
) | st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pairs=st.lists(st.tuples(NAMES, VALUES), max_size=5),
    raw=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
)
def test_no_arguments_make_a_server_error(client, catalogue, pairs, raw):
    encoded = urlencode(pairs)
    answers = [
        client.get("/oai/", QUERY_STRING=encoded),
        client.get("/oai/", QUERY_STRING=raw),
        client.post("/oai/", encoded, content_type="application/x-www-form-urlencoded"),
    ]
    for response in answers:
        # 400 is the site's answer to control characters in a query string, before any view.
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            root = ET.fromstring(response.content)
            assert len(root) == 3
            code = error_code(root)
            if code in ("badVerb", "badArgument"):
                assert root.find("oai:request", NS).attrib == {}


def test_control_characters_posted_are_left_out_of_the_xml(client, catalogue):
    # A query string holding them is refused before any view; a posted form is not.
    arguments = {**GET_REPORT, "identifier": f"{PREFIX}re\x01po\x0brt"}
    root = oai(client, arguments, method="post")
    assert error_code(root) == "idDoesNotExist"
    assert root.find("oai:request", NS).get("identifier") == f"{PREFIX}report"


# A real harvester over HTTP.


@pytest.fixture
def oai_url(live_server, settings):
    """The base URL of a live server, which sees only committed data."""
    settings.OAI_PAGE_SIZE = 7
    yield live_server.url + "/oai/"
    # The full-text index is no Django model, so the flush after a live test leaves it full:
    # empty it, or later tests would search what this one wrote.
    from signpost.search.backends import backend_for

    backend_for(DEFAULT_DB_ALIAS).clear(also=[])


def _retitle(resource, title):
    record = resource_record(resources_for_export().get(pk=resource.pk))
    resource_update(resource=resource, record={**record, "title": title}, by=None, via="test")


def test_sickle_harvests_every_record_once_through_edits_between_pages(demo, oai_url):
    # The demo was loaded a moment ago: a day earlier, it is apart from the edits below.
    Resource.objects.update(updated_at=F("updated_at") - datetime.timedelta(days=1))
    by_pk = list(Resource.objects.published().order_by("pk"))
    withdrawn, deleted = by_pk[10], by_pk[20]
    resource_withdraw(resource=withdrawn, by=None, via="test")
    resource_delete(resource=deleted, by=None, via="test")
    ResourceFactory(uid="a-draft", title="A draft", status=Status.DRAFT)
    ResourceFactory(uid="a-submission", title="A submission", status=Status.SUBMITTED)
    harvested_first, not_yet = by_pk[0], by_pk[-1]
    titles = {r.uid: r.title for r in Resource.objects.published()}
    assert len(titles) == 59

    sickle = Sickle(oai_url, max_retries=0, timeout=10)
    identify = sickle.Identify()
    assert identify.repositoryName == "Signpost" and identify.deletedRecord == "persistent"
    records, deleted_seen = {}, []
    for number, record in enumerate(sickle.ListRecords(metadataPrefix="oai_dc"), start=1):
        uid = record.header.identifier.removeprefix(PREFIX)
        if record.deleted:
            deleted_seen.append(uid)
        else:
            assert uid not in records, f"{uid} came twice"
            records[uid] = record.metadata["title"][0]
        if number == 7:  # the first page is read: edit one record on it and one further on
            assert harvested_first.uid in records and not_yet.uid not in records
            _retitle(harvested_first, "Retitled after it was harvested")
            _retitle(not_yet, "Retitled before it was harvested")
    titles[not_yet.uid] = "Retitled before it was harvested"
    assert records == titles
    assert sorted(deleted_seen) == sorted([withdrawn.uid, deleted.uid])

    # The edit to the record harvested first comes with the next incremental harvest.
    since = Resource.objects.get(pk=harvested_first.pk).updated_at
    changed = sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": datestamp(since)})
    edited = {harvested_first.uid, not_yet.uid}
    changed_uids = {h.identifier.removeprefix(PREFIX) for h in changed}
    # The withdrawal and the deletion may fall within the same second as the first edit.
    assert edited <= changed_uids <= edited | {withdrawn.uid, deleted.uid}

    films = sickle.ListIdentifiers(metadataPrefix="oai_dc", set="type:film")
    published_films = Resource.objects.published().filter(resource_type="film")
    assert {h.identifier for h in films} == {PREFIX + r.uid for r in published_films}
    posted = Sickle(oai_url, http_method="POST", max_retries=0, timeout=10)
    record = posted.GetRecord(metadataPrefix="oai_dc", identifier=PREFIX + not_yet.uid)
    assert record.metadata["title"] == ["Retitled before it was harvested"]
    with pytest.raises(oaiexceptions.IdDoesNotExist):
        sickle.GetRecord(metadataPrefix="oai_dc", identifier=f"{PREFIX}a-draft")
    with pytest.raises(oaiexceptions.CannotDisseminateFormat):
        list(sickle.ListRecords(metadataPrefix="marc21"))
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="topic:none"))
    with pytest.raises(oaiexceptions.BadResumptionToken):
        list(sickle.ListRecords(resumptionToken="forged"))
    with pytest.raises(oaiexceptions.BadArgument):
        list(sickle.ListRecords(metadataPrefix="oai_dc", **{"from": "yesterday"}))


def test_a_deleted_record_names_no_topic_that_only_unpublished_resources_have(client, db):
    secret = TopicFactory(name="Only withdrawn", slug="only-withdrawn")
    shared = TopicFactory(name="Shared", slug="shared")
    ResourceFactory(uid="live", topics=[shared])
    gone = ResourceFactory(uid="gone", topics=[secret, shared])
    Resource.objects.filter(pk=gone.pk).update(published_at=timezone.now())
    resource_withdraw(resource=gone, by=None, via="test")
    text = client.get("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    body = text.content.decode()
    assert "only-withdrawn" not in body and "topic:shared" in body
    response = client.get(
        "/oai/",
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "topic:only-withdrawn"},
    )
    assert 'code="noRecordsMatch"' in response.content.decode()


def test_a_resource_put_back_to_a_draft_after_publication_is_a_deleted_record(client, db):
    resource = ResourceFactory(uid="back-to-draft")
    Resource.objects.filter(pk=resource.pk).update(published_at=timezone.now(), status=Status.DRAFT)
    body = client.get(
        "/oai/",
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"{PREFIX}back-to-draft"},
    ).content.decode()
    assert 'status="deleted"' in body and "<metadata>" not in body


def test_a_nul_in_a_posted_argument_is_a_bad_argument(client, db):
    response = client.post("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc\x00"})
    assert response.status_code == 200
    assert 'code="badArgument"' in response.content.decode()
