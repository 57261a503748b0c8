"""Atom feeds: what is new in the library, in any search, and for each organisation, topic,
audience and language.

Entries are the resources newest in the library first (when they were first published
here, not the date on the document: an old report added today is news to a reader). Each
entry's id is a tag URI made from the resource's interchange id, which no edit changes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from signpost.catalogue.models import Audience, Language, Organisation, Resource, Topic
from signpost.search.engine import FACET_NAMES, facet_labels, read_search

from . import selectors
from .citations import authors_of
from .xml_text import xml_safe

FEED_SIZE = 50
# The term feeds, by the kind in their address: (model, its key field, the search facet, the
# kind's name). Each feed's URL is named "<facet>_feed".
TERM_FEEDS: dict[str, tuple[Any, str, str, str]] = {
    "organisations": (Organisation, "slug", "organisation", "Organisation"),
    "topics": (Topic, "slug", "topic", "Topic"),
    "audiences": (Audience, "slug", "audience", "Audience"),
    "languages": (Language, "code", "language", "Language"),
}
# What a search feed's address may ask: the rest (tracking tags, page, sort) is left out.
SEARCH_PARAMETERS = frozenset(("q", "year_from", "year_to", "undated", *FACET_NAMES))


class CatalogueAtomFeed(Atom1Feed):
    """Atom with every author of an entry (Django's writes one) and labelled categories, and
    only characters XML can hold (a summary pasted from a PDF may carry a form feed)."""

    def add_item(self, *args: Any, **kwargs: Any) -> None:
        super().add_item(*args, **_xml_safe(kwargs))

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        authors = item.pop("authors", [])
        categories = item.pop("labelled_categories", [])
        item["categories"] = ()
        super().add_item_elements(handler, item)
        for name, uri in authors:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if uri:
                handler.addQuickElement("uri", uri)
            handler.endElement("author")
        for term, scheme, label in categories:
            handler.addQuickElement(
                "category", "", {"term": term, "scheme": scheme, "label": label}
            )


def _xml_safe(value: Any) -> Any:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(v) for v in value)
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    return value


@dataclass
class Subject:
    """What one feed follows: its title, the page it mirrors, and the search that fills it."""

    title: str
    page: str
    query: dict[str, list[str]] = field(default_factory=dict)
    subtitle: str = ""
    resources: list[Resource] = field(default_factory=list)
    # The feed's own address in a fixed form (its id): the same however a reader's address
    # orders or repeats the search's parameters. Blank: the address asked for.
    address: str = ""


def entry_id(resource: Resource) -> str:
    """A tag URI (RFC 4151) from the interchange id: the same however the resource changes."""
    return f"tag:{settings.FEED_ID_AUTHORITY},2024:resource/{resource.uid}"


class ResourceFeed(Feed):
    """One feed, made afresh for each request (it keeps the request for absolute addresses)."""

    feed_type = CatalogueAtomFeed
    # The feed's author, for the entries that name none (Atom asks for one or the other).
    author_name = "Signpost"

    def __init__(self, request: HttpRequest) -> None:
        super().__init__()
        self.request = request

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Subject:
        subject: Subject = kwargs["subject"]
        params, _ = read_search(subject.query)
        params.sort = "added"
        subject.resources = selectors.search_for_data(params, limit=FEED_SIZE)[0]
        return subject

    def title(self, obj: Subject) -> str:
        return f"{obj.title}: Signpost"

    def subtitle(self, obj: Subject) -> str:
        if obj.subtitle:
            return obj.subtitle
        if not obj.resources:
            return "Nothing matches this yet. New resources that match will appear here."
        return "The newest resources in the Signpost library, newest first."

    def link(self, obj: Subject) -> str:
        return obj.page

    def feed_url(self, obj: Subject) -> str:
        return self.request.get_full_path()

    def feed_guid(self, obj: Subject) -> str:
        return self.request.build_absolute_uri(obj.address or self.request.path)

    def items(self, obj: Subject) -> list[Resource]:
        return obj.resources

    def item_title(self, item: Resource) -> str:
        return item.title

    def item_description(self, item: Resource) -> str:
        # The summary is plain text: escaped, so that a reader shows it as it was written.
        # What it is and when it was published first: the entry's own dates are when it came
        # into the library.
        facts = item.get_resource_type_display()
        if item.published_label:
            facts = f"{facts}, {item.published_label}"
        return "".join(f"<p>{html.escape(str(p))}</p>" for p in [facts, *item.paragraphs])

    def item_link(self, item: Resource) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Resource) -> str:
        return entry_id(item)

    item_guid_is_permalink = False

    def item_pubdate(self, item: Resource) -> Any:
        return item.published_at

    def item_updateddate(self, item: Resource) -> Any:
        return item.updated_at

    def item_extra_kwargs(self, item: Resource) -> dict[str, Any]:
        pages = {
            link.organisation.name: self.request.build_absolute_uri(
                link.organisation.get_absolute_url()
            )
            for link in item.resource_organisations.all()
        }
        categories = [
            (
                item.resource_type,
                self.request.build_absolute_uri(reverse("site:resource_list")) + "?type=",
                item.get_resource_type_display(),
            )
        ] + [
            (
                topic.slug,
                self.request.build_absolute_uri(reverse("site:topics")),
                topic.name,
            )
            for topic in item.topics.all()
        ]
        return {
            "authors": [(name, pages.get(name, "")) for name in authors_of(item)],
            "labelled_categories": categories,
        }


def search_subject(query: dict[str, list[str]]) -> Subject:
    """A feed of a search of the resources page, named by what it asks for (the names of its
    filters' values, not their codes); anything else in the address is left out."""
    query = {name: values for name, values in sorted(query.items()) if name in SEARCH_PARAMETERS}
    words = xml_safe(" ".join(query.get("q", [])).strip())
    named = [
        label
        for name, values in query.items()
        if name in FACET_NAMES
        for label in facet_labels(name, values).values()
    ]
    if words and named:
        title = f"Resources matching “{words}” ({', '.join(named)})"
    elif words:
        title = f"Resources matching “{words}”"
    elif named:
        title = f"Resources: {', '.join(named)}"
    else:
        title = "Newest resources"
    page = reverse("site:resource_list") + "?" + urlencode({**query, "sort": "added"}, doseq=True)
    address = reverse("opendata:search_feed")
    if query:
        address += "?" + urlencode(query, doseq=True)
    return Subject(title=title, page=page, query=query, address=address)


def term_subject(*, kind: str, term: Any, facet: str, value: str) -> Subject:
    return Subject(
        title=f"{kind}: {term}",
        page=term.get_absolute_url(),
        query={facet: [value]},
        subtitle=f"The newest resources in the Signpost library for {kind.lower()} “{term}”.",
    )
