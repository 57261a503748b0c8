"""OAI-PMH 2.0 for harvesters: the six verbs, their errors, and resources as oai_dc records.

What this repository answers, and why, is in docs/oai-pmh.md.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Min, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from signpost.catalogue.models import (
    OrganisationRole,
    PersonRole,
    RemovedResource,
    Resource,
    ResourceType,
    Status,
    Topic,
)
from signpost.catalogue.selectors import resources_for_export, terms_with_counts

from .structured import dcmi_type
from .xml_text import xml_safe

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
# OAI-PMH is the documents' default namespace; the prefixes are the ones the protocol shows.
for _prefix, _uri in (("", OAI), ("oai_dc", OAI_DC), ("dc", DC), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)

METADATA_PREFIX = "oai_dc"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
_SIGNING_SALT = "signpost.opendata.oai.resumption"
# Published resources, and every other that was public once (withdrawn, or put back to a draft
# by an import): those are deleted records. One never published never shows.
_HARVESTED = Q(status=Status.PUBLISHED) | Q(published_at__isnull=False)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


class OAIError(Exception):
    """An OAI-PMH error: its code from the protocol, and a message for people."""

    def __init__(self, code: str, message: str):
        self.code, self.message = code, message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class _Verb:
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    resumable: bool = False  # takes a resumptionToken, which excludes every other argument


_LIST = _Verb(frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), resumable=True)
VERBS: dict[str, _Verb] = {
    "Identify": _Verb(),
    "ListMetadataFormats": _Verb(optional=frozenset({"identifier"})),
    "ListSets": _Verb(resumable=True),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
    "GetRecord": _Verb(frozenset({"identifier", "metadataPrefix"})),
}


@dataclass(frozen=True)
class Site:
    """What a response needs of the request: its base URL, and how to make a path absolute."""

    base_url: str
    absolute: Callable[[str], str]


def respond(arguments: Mapping[str, Sequence[str]], *, site: Site) -> bytes:
    """The whole OAI-PMH response to a request's arguments (each name with all its values)."""
    root = ET.Element(_q(OAI, "OAI-PMH"), {_q(XSI, "schemaLocation"): f"{OAI} {OAI_SCHEMA}"})
    _add(root, _q(OAI, "responseDate"), _datestamp(timezone.now()))
    request = _add(root, _q(OAI, "request"), site.base_url)
    try:
        verb, values = arguments_check(arguments)
    except OAIError as error:
        # The protocol: after badVerb or badArgument the request element echoes nothing.
        _error(root, error)
        return _serialise(root)
    for name, value in {"verb": verb, **values}.items():
        request.set(name, _xml_text(value))
    try:
        root.append(_HANDLERS[verb](values, site))
    except OAIError as error:
        _error(root, error)
    return _serialise(root)


def arguments_check(arguments: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, each given once and allowed with it; raises OAIError."""
    verbs = arguments.get("verb") or []
    if len(verbs) != 1:
        raise OAIError("badVerb", "Give the verb argument exactly once.")
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", f"{verb!r} is not an OAI-PMH verb.")
    spec = VERBS[verb]
    allowed = spec.required | spec.optional | ({"resumptionToken"} if spec.resumable else set())
    values: dict[str, str] = {}
    for name, given in arguments.items():
        if name == "verb":
            continue
        if name not in allowed:
            raise OAIError("badArgument", f"{verb} does not take the argument {name!r}.")
        if len(given) != 1:
            raise OAIError("badArgument", f"The argument {name} is given more than once.")
        if "\x00" in given[0]:
            raise OAIError("badArgument", f"The argument {name} holds a NUL character.")
        values[name] = given[0]
    if "resumptionToken" in values:
        if len(values) > 1:
            raise OAIError("badArgument", "A resumptionToken goes alone, with only the verb.")
        return verb, values
    missing = sorted(spec.required - values.keys())
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument {missing[0]}.")
    _window(values, error="badArgument")
    return verb, values


@dataclass(frozen=True)
class _Window:
    """The datestamps a list covers, both ends included."""

    start: datetime.datetime | None
    end: datetime.datetime | None


def _window(values: Mapping[str, str], *, error: str) -> _Window:
    """The `from` and `until` of a list request, at the one granularity both share."""
    start = _date(values.get("from"), error=error)
    end = _date(values.get("until"), error=error)
    if start and end:
        if start[1] != end[1]:
            raise OAIError(error, "Give from and until at the same granularity.")
        if start[0] > end[0]:
            raise OAIError(error, "The from date is after the until date.")
    if end is None:
        last = None
    elif end[1] == "day":
        # A day includes all of itself; a second includes its fractions (stored times have them).
        last = end[0].replace(hour=23, minute=59, second=59, microsecond=999_999)
    else:
        last = end[0].replace(microsecond=999_999)
    return _Window(start[0] if start else None, last)


def _date(value: str | None, *, error: str) -> tuple[datetime.datetime, str] | None:
    if value is None:
        return None
    try:
        if _DAY.fullmatch(value):
            moment = datetime.datetime.strptime(value, "%Y-%m-%d")
            return moment.replace(tzinfo=datetime.UTC), "day"
        if _SECOND.fullmatch(value):
            moment = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            return moment.replace(tzinfo=datetime.UTC), "second"
    except ValueError:
        pass
    raise OAIError(error, f"{value!r} is not a date as YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")


# The verbs. Each returns its element, or raises OAIError before building anything.


def _identify(values: dict[str, str], site: Site) -> ET.Element:
    earliest = [
        Resource.objects.filter(_HARVESTED).aggregate(at=Min("updated_at"))["at"],
        RemovedResource.objects.aggregate(at=Min("removed_at"))["at"],
    ]
    known = [moment for moment in earliest if moment is not None]
    element = ET.Element(_q(OAI, "Identify"))
    for name, text in (
        ("repositoryName", "Signpost"),
        ("baseURL", site.base_url),
        ("protocolVersion", "2.0"),
        ("adminEmail", settings.OAI_ADMIN_EMAIL),
        ("earliestDatestamp", _datestamp(min(known) if known else timezone.now())),
        ("deletedRecord", "persistent"),
        ("granularity", GRANULARITY),
    ):
        _add(element, _q(OAI, name), text)
    return element


def _list_metadata_formats(values: dict[str, str], site: Site) -> ET.Element:
    if "identifier" in values:
        _record_get(values["identifier"], for_records=False)
    element = ET.Element(_q(OAI, "ListMetadataFormats"))
    described = _add(element, _q(OAI, "metadataFormat"))
    _add(described, _q(OAI, "metadataPrefix"), METADATA_PREFIX)
    _add(described, _q(OAI, "schema"), OAI_DC_SCHEMA)
    _add(described, _q(OAI, "metadataNamespace"), OAI_DC)
    return element


def _list_sets(values: dict[str, str], site: Site) -> ET.Element:
    if "resumptionToken" in values:
        raise OAIError("badResumptionToken", "The list of sets comes whole: it has no tokens.")
    sets = [("type", "Resource types")]
    sets += [(f"type:{value}", f"Resource type: {label}") for value, label in ResourceType.choices]
    sets.append(("topic", "Topics"))
    sets += [
        (f"topic:{topic.slug}", f"Topic: {topic.name}")
        for topic in terms_with_counts(Topic).order_by("slug")
    ]
    element = ET.Element(_q(OAI, "ListSets"))
    for spec, name in sets:
        described = _add(element, _q(OAI, "set"))
        _add(described, _q(OAI, "setSpec"), spec)
        _add(described, _q(OAI, "setName"), name)
    return element


def _get_record(values: dict[str, str], site: Site) -> ET.Element:
    _prefix_check(values["metadataPrefix"])
    item = _record_get(values["identifier"], for_records=True)
    element = ET.Element(_q(OAI, "GetRecord"))
    element.append(_record(item, site, _public_topics()))
    return element


def _list_identifiers(values: dict[str, str], site: Site) -> ET.Element:
    return _list("ListIdentifiers", values, site)


def _list_records(values: dict[str, str], site: Site) -> ET.Element:
    return _list("ListRecords", values, site)


_HANDLERS: dict[str, Callable[[dict[str, str], Site], ET.Element]] = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list_identifiers,
    "ListRecords": _list_records,
}


# Lists, a page at a time.


@dataclass(frozen=True)
class _Position:
    """Where the next page starts: resources by primary key first (phase 0), then removed
    ones by theirs (phase 1). A key, not an offset, so that edits between pages neither skip
    nor repeat a record."""

    phase: int = 0
    after: int = 0
    cursor: int = 0  # records sent before this page


def _list(verb: str, values: dict[str, str], site: Site) -> ET.Element:
    if "resumptionToken" in values:
        query, position = _token_read(values["resumptionToken"], verb=verb)
        window = _window(query, error="badResumptionToken")
    else:
        query, position = values, _Position()
        window = _window(query, error="badArgument")
    _prefix_check(query["metadataPrefix"])
    records = verb == "ListRecords"
    public = _public_topics()
    spec = query.get("set")
    live = _selected(_resources(records=records), "updated_at", window, spec, public)
    removed = _selected(_removed(), "removed_at", window, spec, public)
    page, following = _page(live, removed, position, size=settings.OAI_PAGE_SIZE)
    if not page:
        raise OAIError("noRecordsMatch", "No records match these arguments.")
    element = ET.Element(_q(OAI, verb))
    for item in page:
        element.append(_record(item, site, public) if records else _header(item, public))
    if following is None and "resumptionToken" not in values:
        return element  # the whole list in one response: no token at all
    token = _add(
        element,
        _q(OAI, "resumptionToken"),
        attributes={
            "completeListSize": str(live.count() + removed.count()),
            "cursor": str(position.cursor),
        },
    )
    if following is not None:
        lifetime: datetime.timedelta = settings.OAI_TOKEN_LIFETIME
        token.text = _token_make(verb, query, following)
        token.set("expirationDate", _datestamp(timezone.now() + lifetime))
    return element


def _page(
    live: QuerySet[Resource], removed: QuerySet[RemovedResource], position: _Position, *, size: int
) -> tuple[list[Resource | RemovedResource], _Position | None]:
    """One page from `position`, and where the next starts (None: this is the last)."""
    items: list[Resource | RemovedResource] = []
    after = position.after
    if position.phase == 0:
        rows = list(live.filter(pk__gt=after)[: size + 1])
        items += rows[:size]
        if len(rows) > size:
            return items, _Position(0, rows[size - 1].pk, position.cursor + size)
        after = 0
    room = size - len(items)
    gone = list(removed.filter(pk__gt=after)[: room + 1])
    if len(gone) > room:
        items += gone[:room]
        last = gone[room - 1].pk if room else 0
        return items, _Position(1, last, position.cursor + size)
    return items + gone, None


def _resources(*, records: bool) -> QuerySet[Resource]:
    """Resources in the harvest, with what their records (or only their headers) show."""
    if records:
        return resources_for_export().filter(_HARVESTED).order_by("pk")
    topics = Prefetch("topics", queryset=Topic.objects.order_by("slug"))
    return Resource.objects.filter(_HARVESTED).prefetch_related(topics).order_by("pk")


def _removed() -> QuerySet[RemovedResource]:
    """Resources deleted for good, unless one with the same id is in the harvest again."""
    again = Resource.objects.filter(_HARVESTED).values("uid")
    topics = Prefetch("topics", queryset=Topic.objects.order_by("slug"))
    return RemovedResource.objects.exclude(uid__in=again).prefetch_related(topics).order_by("pk")


def _public_topics() -> frozenset[str]:
    """The topics a published resource has: the only topic sets there are. A deleted record
    names no other, so no topic used only by drafts or withdrawn resources is ever shown."""
    return frozenset(terms_with_counts(Topic).values_list("slug", flat=True))


def _selected(
    queryset: QuerySet[Any],
    stamp: str,
    window: _Window,
    spec: str | None,
    public: frozenset[str],
) -> QuerySet[Any]:
    """The records of a list within its dates and in its set (none for a set not named here)."""
    if window.start is not None:
        queryset = queryset.filter(**{f"{stamp}__gte": window.start})
    if window.end is not None:
        queryset = queryset.filter(**{f"{stamp}__lte": window.end})
    if spec is None or spec == "type":
        return queryset
    if spec == "topic":
        return queryset.filter(
            pk__in=queryset.model.objects.filter(topics__slug__in=public).values("pk")
        )
    kind, _, value = spec.partition(":")
    if kind == "type" and value:
        return queryset.filter(resource_type=value)
    if kind == "topic" and value in public:
        # A resource has a topic once, so this join repeats no row.
        return queryset.filter(topics__slug=value)
    return queryset.none()


def _token_make(verb: str, query: Mapping[str, str], position: _Position) -> str:
    state = {
        "verb": verb,
        "query": dict(query),
        "position": [position.phase, position.after, position.cursor],
    }
    return signing.dumps(state, salt=_SIGNING_SALT, compress=True)


def _token_read(token: str, *, verb: str) -> tuple[dict[str, str], _Position]:
    lifetime: datetime.timedelta = settings.OAI_TOKEN_LIFETIME
    try:
        state = signing.loads(token, salt=_SIGNING_SALT, max_age=lifetime)
    except signing.SignatureExpired as error:
        raise OAIError("badResumptionToken", "This resumptionToken has expired.") from error
    except (signing.BadSignature, ValueError) as error:
        raise OAIError("badResumptionToken", "This resumptionToken is not valid.") from error
    try:
        made_for, query, (phase, after, cursor) = state["verb"], state["query"], state["position"]
    except (KeyError, TypeError, ValueError) as error:  # a token from an older shape
        raise OAIError("badResumptionToken", "This resumptionToken is not valid.") from error
    if made_for != verb:
        raise OAIError("badResumptionToken", f"This resumptionToken is not one of {verb}.")
    return query, _Position(phase, after, cursor)


# Records.


def _record_get(identifier: str, *, for_records: bool) -> Resource | RemovedResource:
    """The resource, or removed resource, an identifier names; raises idDoesNotExist."""
    prefix = f"oai:{settings.OAI_REPOSITORY_ID}:"
    uid = identifier.removeprefix(prefix) if identifier.startswith(prefix) else ""
    if uid:
        resource = _resources(records=for_records).filter(uid=uid).first()
        if resource is not None:
            return resource
        removed = _removed().filter(uid=uid).first()
        if removed is not None:
            return removed
    raise OAIError("idDoesNotExist", f"No record has the identifier {identifier!r}.")


def _prefix_check(prefix: str) -> None:
    if prefix != METADATA_PREFIX:
        raise OAIError("cannotDisseminateFormat", f"Records come only as {METADATA_PREFIX}.")


def _record(item: Resource | RemovedResource, site: Site, public: frozenset[str]) -> ET.Element:
    element = ET.Element(_q(OAI, "record"))
    element.append(_header(item, public))
    if isinstance(item, Resource) and item.status == Status.PUBLISHED:
        metadata = _add(element, _q(OAI, "metadata"))
        metadata.append(_oai_dc(item, site))
    return element


def _header(item: Resource | RemovedResource, public: frozenset[str]) -> ET.Element:
    """A record's header; a removed resource carries the sets it had when it was deleted,
    of those that are still sets."""
    deleted = not isinstance(item, Resource) or item.status != Status.PUBLISHED
    element = ET.Element(_q(OAI, "header"), {"status": "deleted"} if deleted else {})
    stamp = item.updated_at if isinstance(item, Resource) else item.removed_at
    _add(element, _q(OAI, "identifier"), f"oai:{settings.OAI_REPOSITORY_ID}:{item.uid}")
    _add(element, _q(OAI, "datestamp"), _datestamp(stamp))
    _add(element, _q(OAI, "setSpec"), f"type:{item.resource_type}")
    for topic in item.topics.all():
        if topic.slug in public:
            _add(element, _q(OAI, "setSpec"), f"topic:{topic.slug}")
    return element


def _oai_dc(resource: Resource, site: Site) -> ET.Element:
    """A published resource in simple Dublin Core."""
    dc = ET.Element(_q(OAI_DC, "dc"), {_q(XSI, "schemaLocation"): f"{OAI_DC} {OAI_DC_SCHEMA}"})
    organisations = list(resource.resource_organisations.all())
    people = list(resource.resource_people.all())
    versions = list(resource.versions.all())

    def named(roles: set[str]) -> list[str]:
        return [link.organisation.name for link in organisations if link.role in roles]

    # A film has no author: its director made it.
    makers = {PersonRole.AUTHOR, PersonRole.DIRECTOR}
    publishers = named({OrganisationRole.PUBLISHER})
    creators = named({OrganisationRole.AUTHOR})
    creators += [link.person.name for link in people if link.role in makers]
    contributors = named({OrganisationRole.PARTNER, OrganisationRole.FUNDER})
    contributors += [link.person.name for link in people if link.role not in makers]
    languages = list(dict.fromkeys(version.language_id for version in versions))
    addresses = [site.absolute(resource.get_absolute_url())]
    for version in versions:
        href = version.href
        if href:
            # An uploaded file's address is a path on this site; an external one is whole.
            addresses.append(site.absolute(href) if href.startswith("/") else href)
    elements = [
        ("title", [resource.title]),
        ("creator", creators or publishers),
        ("publisher", publishers),
        ("contributor", contributors),
        ("date", [resource.published_iso]),
        (
            "type",
            [resource.get_resource_type_display(), dcmi_type(resource)],
        ),
        ("description", [resource.summary]),
        ("subject", [topic.name for topic in resource.topics.all()]),
        ("language", languages),
        ("identifier", list(dict.fromkeys(addresses))),
        ("coverage", [country.name for country in resource.countries.all()]),
        ("rights", [resource.access_note]),
    ]
    for name, texts in elements:
        for text in texts:
            if text:
                _add(dc, _q(DC, name), text)
    return dc


# XML.


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _xml_text(text: str) -> str:
    return xml_safe(text)


def _add(
    parent: ET.Element, tag: str, text: str = "", *, attributes: Mapping[str, str] | None = None
) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in (attributes or {}).items()})
    if text:
        element.text = _xml_text(text)
    return element


def _error(root: ET.Element, error: OAIError) -> None:
    _add(root, _q(OAI, "error"), error.message, attributes={"code": error.code})


def _datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _serialise(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@csrf_exempt  # harvesters POST forms with no CSRF token, and nothing here writes
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    """The OAI-PMH base URL: arguments in the query string, or in a POSTed form."""
    arguments = request.POST if request.method == "POST" else request.GET
    site = Site(
        base_url=request.build_absolute_uri(reverse("opendata:oai")),
        absolute=request.build_absolute_uri,
    )
    body = respond(dict(arguments.lists()), site=site)
    response = HttpResponse(body, content_type="text/xml; charset=utf-8")
    # Each answer carries its own responseDate, and a resumption token expires: it is made
    # afresh every time, never kept as the catalogue's pages are (site/caching.py).
    response.headers["Cache-Control"] = "no-cache"
    return response
