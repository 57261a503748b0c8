"""The JSON Lines interchange format: one resource a line (see docs/data-format.md).

Parsing validates a whole file before anything is written, and names every problem by
line number and field.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .models import DatePrecision, Format, OrganisationRole, PersonRole, ResourceType, Status

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PUBLISHED_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
FIELDS = (
    "id", "slug", "title", "summary", "resource_type", "published", "organisations", "people",
    "topics", "audiences", "countries", "series", "related", "access_note", "status",
    "owner_agreement", "review_by", "reviewed_on", "versions",
)  # fmt: skip
REQUIRED = ("id", "title", "resource_type")
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", field {self.field}" if self.field else "")
        return f"{where}: {self.message}"


class InterchangeError(Exception):
    """A file that cannot be imported; `problems` names every bad line and field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class NamedRole:
    name: str
    role: str
    abbreviation: str = ""


@dataclass
class VersionRecord:
    language: str
    format: str
    url: str = ""
    title: str = ""


@dataclass
class ResourceRecord:
    """One validated line of an interchange file."""

    line: int
    id: str
    title: str
    resource_type: str
    slug: str = ""
    summary: str = ""
    published_date: datetime.date | None = None
    published_precision: str = ""
    organisations: list[NamedRole] = field(default_factory=list)
    people: list[NamedRole] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    series: str = ""
    related: list[str] = field(default_factory=list)
    access_note: str = ""
    status: str = Status.DRAFT
    agreement_by: str = ""
    agreement_on: datetime.date | None = None
    agreement_how: str = ""
    review_by: datetime.date | None = None
    reviewed_on: datetime.date | None = None
    versions: list[VersionRecord] = field(default_factory=list)


class _LineReader:
    """Checks the fields of one decoded line, collecting problems instead of stopping."""

    def __init__(self, line: int, data: dict[str, Any], problems: list[Problem]):
        self.line, self.data, self.problems = line, data, problems

    def fail(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.line, name, message))

    def text(self, name: str, *, max_length: int = 300, value: Any = None) -> str:
        value = self.data.get(name) if value is None else value
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(name, "must be a string")
            return ""
        value = value.strip()
        if len(value) > max_length:
            self.fail(name, f"is longer than {max_length} characters")
        if "\x00" in value:
            self.fail(name, "contains a NUL character")
        return value

    def choice(self, name: str, choices: list[str], default: str = "") -> str:
        value = self.text(name) or default
        if value and value not in choices:
            self.fail(name, f"{value!r} is not one of: {', '.join(choices)}")
        return value

    def date(self, name: str, value: Any = None) -> datetime.date | None:
        raw = self.text(name, value=value)
        if not raw:
            return None
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            self.fail(name, f"{raw!r} is not a date written YYYY-MM-DD")
            return None

    def labels(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(name, "must be a list of non-empty strings")
            return []
        labels = [v.strip() for v in value]
        if any(len(v) > 200 for v in labels):
            self.fail(name, "has a label longer than 200 characters")
        lowered = [v.lower() for v in labels]
        if len(set(lowered)) != len(lowered):
            self.fail(name, "names the same label twice")
        return labels

    def objects(self, name: str) -> list[dict[str, Any]]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(name, "must be a list of objects")
            return []
        return value

    def named_roles(self, name: str, roles: list[str]) -> list[NamedRole]:
        result: list[NamedRole] = []
        seen: set[tuple[str, str]] = set()
        for index, item in enumerate(self.objects(name)):
            where = f"{name}[{index}]"
            unknown = set(item) - {"name", "role", "abbreviation"}
            if unknown:
                self.fail(where, f"unknown field(s): {', '.join(sorted(unknown))}")
            person_or_org = self.text(f"{where}.name", value=item.get("name"), max_length=200)
            role = self.text(f"{where}.role", value=item.get("role"))
            if not person_or_org:
                self.fail(f"{where}.name", "is required")
            if role not in roles:
                self.fail(f"{where}.role", f"{role!r} is not one of: {', '.join(roles)}")
            abbreviation = self.text(
                f"{where}.abbreviation", value=item.get("abbreviation"), max_length=40
            )
            key = (person_or_org.lower(), role)
            if key in seen:
                self.fail(where, "repeats a name with the same role")
            seen.add(key)
            result.append(NamedRole(person_or_org, role, abbreviation))
        return result


def _published(reader: _LineReader) -> tuple[datetime.date | None, str]:
    raw = reader.text("published")
    if not raw:
        return None, ""
    match = PUBLISHED_PATTERN.match(raw)
    if match:
        year, month, day = match.groups()
        try:
            date = datetime.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            date = None
        if date is not None:
            precision = (
                DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
            )
            return date, precision
    reader.fail("published", f"{raw!r} is not a date written 2021, 2021-04 or 2021-04-12")
    return None, ""


def _versions(reader: _LineReader, languages: set[str]) -> list[VersionRecord]:
    versions: list[VersionRecord] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(reader.objects("versions")):
        where = f"versions[{index}]"
        unknown = set(item) - {"language", "format", "url", "title"}
        if unknown:
            reader.fail(where, f"unknown field(s): {', '.join(sorted(unknown))}")
        language = reader.text(f"{where}.language", value=item.get("language"))
        if language not in languages:
            reader.fail(f"{where}.language", f"{language!r} is not a known BCP 47 language code")
        fmt = reader.text(f"{where}.format", value=item.get("format"))
        if fmt not in Format.values:
            reader.fail(f"{where}.format", f"{fmt!r} is not one of: {', '.join(Format.values)}")
        url = reader.text(f"{where}.url", value=item.get("url"), max_length=500)
        if url:
            try:
                _url_validator(url)
            except ValidationError:
                reader.fail(f"{where}.url", f"{url!r} is not an http or https address")
        if (language, fmt) in seen:
            reader.fail(where, f"a {fmt} version in {language} is listed twice")
        seen.add((language, fmt))
        title = reader.text(f"{where}.title", value=item.get("title"))
        versions.append(VersionRecord(language, fmt, url, title))
    return versions


def _record(
    line: int, data: dict[str, Any], languages: set[str], problems: list[Problem]
) -> ResourceRecord:
    reader = _LineReader(line, data, problems)
    unknown = set(data) - set(FIELDS)
    if unknown:
        reader.fail("", f"unknown field(s): {', '.join(sorted(unknown))}")
    for name in REQUIRED:
        if not data.get(name):
            reader.fail(name, "is required")
    uid = reader.text("id", max_length=100)
    if uid and not ID_PATTERN.match(uid):
        reader.fail("id", "must be lower-case letters, digits, '.', '_' or '-'")
    slug = reader.text("slug", max_length=200)
    if slug and not SLUG_PATTERN.match(slug):
        reader.fail("slug", "must be lower-case words joined by '-'")
    published_date, precision = _published(reader)
    agreement = data.get("owner_agreement") or {}
    if not isinstance(agreement, dict):
        reader.fail("owner_agreement", "must be an object with by, on and how")
        agreement = {}
    elif set(agreement) - {"by", "on", "how"}:
        reader.fail("owner_agreement", "may hold only by, on and how")
    status = reader.choice("status", Status.values, default=Status.DRAFT)
    record = ResourceRecord(
        line=line,
        id=uid,
        slug=slug,
        title=reader.text("title"),
        summary=reader.text("summary", max_length=20_000),
        resource_type=reader.choice("resource_type", ResourceType.values),
        published_date=published_date,
        published_precision=precision,
        organisations=reader.named_roles("organisations", OrganisationRole.values),
        people=reader.named_roles("people", PersonRole.values),
        topics=reader.labels("topics"),
        audiences=reader.labels("audiences"),
        countries=reader.labels("countries"),
        series=reader.text("series", max_length=200),
        related=reader.labels("related"),
        access_note=reader.text("access_note"),
        status=status,
        agreement_by=reader.text("owner_agreement.by", value=agreement.get("by"), max_length=200),
        agreement_on=reader.date("owner_agreement.on", value=agreement.get("on")),
        agreement_how=reader.text("owner_agreement.how", value=agreement.get("how")),
        review_by=reader.date("review_by"),
        reviewed_on=reader.date("reviewed_on"),
        versions=_versions(reader, languages),
    )
    if status == Status.PUBLISHED and not record.agreement_by:
        reader.fail("owner_agreement.by", "a published resource needs the owner's agreement")
    return record


def parse(
    lines: Iterable[str],
    *,
    languages: set[str],
    existing_ids: set[str],
    existing_slugs: dict[str, str],
) -> list[ResourceRecord]:
    """Validate every line; return the records, or raise InterchangeError naming every problem.

    `existing_slugs` maps the slugs already in the catalogue to the id of their resource.
    """
    problems: list[Problem] = []
    records: list[ResourceRecord] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            problems.append(Problem(number, "", f"is not valid JSON ({error.msg})"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(number, "", "must be a JSON object"))
            continue
        records.append(_record(number, data, languages, problems))

    first_line: dict[str, int] = {}
    slugs: dict[str, str] = dict(existing_slugs)
    for record in records:
        if record.id in first_line:
            problems.append(
                Problem(
                    record.line,
                    "id",
                    f"{record.id!r} is already used on line {first_line[record.id]}",
                )
            )
        first_line.setdefault(record.id, record.line)
        if record.slug:
            owner = slugs.get(record.slug)
            if owner is not None and owner != record.id:
                problems.append(
                    Problem(record.line, "slug", f"{record.slug!r} belongs to {owner!r}")
                )
            slugs[record.slug] = record.id
    known_ids = existing_ids | set(first_line)
    for record in records:
        for related in record.related:
            if related not in known_ids:
                problems.append(Problem(record.line, "related", f"{related!r} is not a known id"))
            if related == record.id:
                problems.append(
                    Problem(record.line, "related", "a resource cannot relate to itself")
                )
    if not records and not problems:
        problems.append(Problem(0, "", "the file holds no resources"))
    if problems:
        raise InterchangeError(sorted(problems, key=lambda p: p.line))
    return records


def dumps(record: dict[str, Any]) -> str:
    """One line of the interchange format: stable key order, UTF-8 text, no trailing spaces."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
