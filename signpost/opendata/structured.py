"""What a resource page tells machines: schema.org JSON-LD, citation_* meta tags for
reference managers (Zotero, Google Scholar) and Dublin Core."""

from __future__ import annotations

import json
from typing import Any

from signpost.catalogue.models import Format, Resource, ResourceType, Version

from .citations import authors_of, primary_language

SCHEMA_TYPES: dict[str, str] = {
    ResourceType.REPORT: "Report",
    ResourceType.RESEARCH: "Report",
    ResourceType.POLICY_BRIEF: "Report",
    ResourceType.BRIEFING: "Report",
    ResourceType.CASE_STUDIES: "Report",
    ResourceType.UPDATE: "Report",
    ResourceType.GUIDANCE: "DigitalDocument",
    ResourceType.TOOLKIT: "DigitalDocument",
    ResourceType.LEAFLET: "DigitalDocument",
    ResourceType.AGREEMENT: "DigitalDocument",
    ResourceType.HANDBOOK: "Book",
    ResourceType.SLIDES: "PresentationDigitalDocument",
    ResourceType.RECORDING: "VideoObject",
    ResourceType.WEBINAR: "VideoObject",
    ResourceType.FILM: "Movie",
    ResourceType.WEBSITE: "WebSite",
    ResourceType.INFORMATION: "WebPage",
}

# The DCMI Type Vocabulary's term for each schema.org type that is not text. A website is
# Text: the sites in this catalogue are read for what they say, not used as applications.
DCMI_TYPES = {
    "VideoObject": "MovingImage",
    "Movie": "MovingImage",
    "AudioObject": "Sound",
}

# Kinds that may be only heard.
AUDIBLE = {ResourceType.RECORDING, ResourceType.WEBINAR, ResourceType.FILM}

REPORT_TYPES = {t for t, schema in SCHEMA_TYPES.items() if schema == "Report"}


def schema_type(resource: Resource) -> str:
    """The schema.org type; a recording heard, not seen (every version audio), is audio."""
    formats = {v.format for v in resource.versions.all()}
    if resource.resource_type in AUDIBLE and formats == {Format.AUDIO}:
        return "AudioObject"
    return SCHEMA_TYPES.get(resource.resource_type, "CreativeWork")


def dcmi_type(resource: Resource) -> str:
    """The DCMI type, for Dublin Core on pages and in OAI-PMH."""
    return DCMI_TYPES.get(schema_type(resource), "Text")


def _absolute(href: str, base_url: str) -> str:
    return href if href.startswith(("http://", "https://")) else base_url + href


def _organisation(link: Any, base_url: str) -> dict[str, Any]:
    node = {
        "@type": "Organization",
        "name": link.organisation.name,
        "url": base_url + link.organisation.get_absolute_url(),
    }
    if link.organisation.url:
        node["sameAs"] = link.organisation.url
    return node


def _version_node(version: Version, resource: Resource, base_url: str, kind: str) -> dict:
    node: dict[str, Any] = {
        "@type": kind,
        "name": version.title or resource.title,
        "inLanguage": version.language_id,
    }
    if version.href:
        node["url"] = _absolute(version.href, base_url)
    if version.stored_id and version.stored:
        node["encodingFormat"] = version.stored.media_type
    return node


def json_ld(resource: Resource, *, base_url: str) -> dict[str, Any]:
    """The resource as schema.org data; each language version is a work of its own with its
    address, and those in other languages than the first are its translations."""
    page = base_url + resource.get_absolute_url()
    kind = schema_type(resource)
    links = list(resource.resource_organisations.all())
    versions = list(resource.versions.all())
    languages = list(dict.fromkeys(v.language_id for v in versions))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": page + "#resource",
        "name": resource.title,
        "url": page,
        "genre": resource.get_resource_type_display(),
    }
    if resource.summary:
        data["description"] = resource.summary
    if resource.published_iso:
        data["datePublished"] = resource.published_iso
    publishers = [_organisation(link, base_url) for link in links if link.role == "publisher"]
    if publishers:
        data["publisher"] = publishers
    authors = [_organisation(link, base_url) for link in links if link.role == "author"] + [
        {"@type": "Person", "name": link.person.name}
        for link in resource.resource_people.all()
        if link.role == "author"
    ]
    if authors:
        data["author"] = authors
    funders = [_organisation(link, base_url) for link in links if link.role == "funder"]
    if funders:
        data["funder"] = funders
    for role, key in (("editor", "editor"), ("director", "director"), ("speaker", "contributor")):
        people = [
            {"@type": "Person", "name": link.person.name}
            for link in resource.resource_people.all()
            if link.role == role
        ]
        if people:
            data[key] = people
    if languages:
        # The language it is cited in first, then the others.
        data["inLanguage"] = sorted(languages, key=lambda code: code != primary_language(resource))
    topics = [t.name for t in resource.topics.all()]
    if topics:
        data["keywords"] = topics
        data["about"] = [{"@type": "Thing", "name": name} for name in topics]
    audiences = [a.name for a in resource.audiences.all()]
    if audiences:
        data["audience"] = [{"@type": "Audience", "audienceType": name} for name in audiences]
    countries = [c.name for c in resource.countries.all()]
    if countries:
        data["spatialCoverage"] = [{"@type": "Place", "name": name} for name in countries]
    first = primary_language(resource)
    originals = [v for v in versions if v.language_id == first]
    translations = [v for v in versions if v.language_id != first]
    if originals:
        data["workExample"] = [_version_node(v, resource, base_url, kind) for v in originals]
    if translations:
        data["workTranslation"] = [
            {
                **_version_node(v, resource, base_url, kind),
                "translationOfWork": {"@id": data["@id"]},
            }
            for v in translations
        ]
    return data


def json_ld_text(data: dict[str, Any]) -> str:
    """JSON for a <script type="application/ld+json"> block: nothing in it can close the
    element or start markup."""
    text = json.dumps(data, ensure_ascii=False, indent=None)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def citation_meta(resource: Resource, *, base_url: str) -> list[tuple[str, str]]:
    """The citation_* tags (as Google Scholar documents them) that Zotero reads."""
    tags = [("citation_title", resource.title)]
    tags += [("citation_author", name) for name in authors_of(resource)]
    if resource.published_iso:
        tags.append(("citation_publication_date", resource.published_iso.replace("-", "/")))
    links = resource.resource_organisations.all()
    for link in links:
        if link.role == "publisher":
            tags.append(("citation_publisher", link.organisation.name))
            if resource.resource_type in REPORT_TYPES:
                tags.append(("citation_technical_report_institution", link.organisation.name))
    versions = list(resource.versions.all())
    for language in dict.fromkeys(v.language_id for v in versions):
        tags.append(("citation_language", language))
    pdf = next(
        (
            v
            for v in versions
            if v.href
            and (v.format == Format.PDF or (v.stored and v.stored.media_type == "application/pdf"))
        ),
        None,
    )
    if pdf:
        tags.append(("citation_pdf_url", _absolute(pdf.href, base_url)))
    tags.append(("citation_abstract_html_url", base_url + resource.get_absolute_url()))
    topics = [t.name for t in resource.topics.all()]
    if topics:
        tags.append(("citation_keywords", "; ".join(topics)))
    return tags


def dublin_core(resource: Resource, *, base_url: str) -> list[tuple[str, str]]:
    """Dublin Core tags: what they add to the rest is the DCMI type and the creators and
    languages in a vocabulary that library tools read."""
    tags = [("DC.title", resource.title)]
    tags += [("DC.creator", name) for name in authors_of(resource)]
    tags += [
        ("DC.publisher", link.organisation.name)
        for link in resource.resource_organisations.all()
        if link.role == "publisher"
    ]
    if resource.published_iso:
        tags.append(("DC.date", resource.published_iso))
    tags.append(("DC.type", dcmi_type(resource)))
    for language in dict.fromkeys(v.language_id for v in resource.versions.all()):
        tags.append(("DC.language", language))
    tags.append(("DC.identifier", base_url + resource.get_absolute_url()))
    tags += [("DC.subject", t.name) for t in resource.topics.all()]
    return tags
