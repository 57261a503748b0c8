"""The JSON Lines interchange format: one resource a line (see docs/data-format.md).

Parsing validates a whole file before anything is written, and names every problem by
line number and field. Files are read a line at a time, split on "\n" alone (a summary may
hold U+2028 or U+0085, which `str.splitlines` would wrongly split on), and every size is
bounded: see LIMITS and docs/data-format.md.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files.storage import default_storage

from .addresses import address_problem
from .files import FileRefused, FilesFrom, file_check
from .models import (
    DatePrecision,
    Format,
    OrganisationRole,
    PersonRole,
    ResourceType,
    Status,
    StoredFile,
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Addresses under /resources/ that are not resources: no resource may take them.
RESERVED_SLUGS = frozenset(("feed",))
# ASCII digits only: "\d" would also take full-width and other scripts' digits.
PUBLISHED_PATTERN = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
FIELDS = (
    "id", "slug", "title", "summary", "resource_type", "published", "organisations", "people",
    "topics", "audiences", "countries", "series", "related", "access_note", "status",
    "owner_agreement", "review_by", "reviewed_on", "versions",
)  # fmt: skip
REQUIRED = ("id", "title", "resource_type")
# The vocabularies, listed once: an enum's `.values` is rebuilt on every use.
FORMATS = Format.values
STATUSES = Status.values
RESOURCE_TYPES = ResourceType.values
ORGANISATION_ROLES = OrganisationRole.values
PERSON_ROLES = PersonRole.values

# The most a line may hold; each is documented in docs/data-format.md.
MAX_LINE_BYTES = 1_000_000
MAX_DEPTH = 4  # a record, a list in it, an object in the list, a value
MAX_NUMBER_DIGITS = 20
MAX_LIST_LENGTHS = {
    "organisations": 50,
    "people": 100,
    "topics": 50,
    "audiences": 30,
    "countries": 100,
    "related": 100,
    "versions": 50,
}
# Characters some readers take for a line break; the exporter escapes them (see `dumps`).
LINE_SEPARATORS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\r"
_ESCAPE = {ord(ch): f"\\u{ord(ch):04x}" for ch in LINE_SEPARATORS}
BOM = "\ufeff"


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
    url: str = ""  # an organisation's home page


@dataclass
class VersionRecord:
    language: str
    format: str
    url: str = ""
    title: str = ""
    file: str = ""  # the stored name of an uploaded file, found under the file folder


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
            return ""
        if "\x00" in value:
            self.fail(name, "contains a NUL character")
            return ""
        if not _encodable(value):
            self.fail(name, "contains an unpaired surrogate, which is not text")
            return ""
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
            if DATE_PATTERN.match(raw):
                return datetime.date.fromisoformat(raw)
        except ValueError:
            pass
        self.fail(name, f"{raw!r} is not a date written YYYY-MM-DD")
        return None

    def labels(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(name, "must be a list of non-empty strings")
            return []
        if not self.short_enough(name, value):
            return []
        labels = [v.strip() for v in value]
        if any(len(v) > 200 for v in labels):
            self.fail(name, "has a label longer than 200 characters")
        if not all(_encodable(v) and "\x00" not in v for v in labels):
            self.fail(name, "has a label with a NUL character or an unpaired surrogate")
            return []
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
        return value if self.short_enough(name, value) else []

    def short_enough(self, name: str, value: list[Any]) -> bool:
        limit = MAX_LIST_LENGTHS.get(name.split("[", 1)[0])
        if limit is not None and len(value) > limit:
            self.fail(name, f"has {len(value)} items; at most {limit} are allowed")
            return False
        return True

    def named_roles(
        self, name: str, roles: list[str], *, with_home_page: bool = False
    ) -> list[NamedRole]:
        result: list[NamedRole] = []
        seen: set[tuple[str, str]] = set()
        allowed = {"name", "role", "abbreviation"} | ({"url"} if with_home_page else set())
        for index, item in enumerate(self.objects(name)):
            where = f"{name}[{index}]"
            unknown = set(item) - allowed
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
            url = self.address(f"{where}.url", item.get("url"), max_length=200)
            key = (person_or_org.lower(), role)
            if key in seen:
                self.fail(where, "repeats a name with the same role")
            seen.add(key)
            result.append(NamedRole(person_or_org, role, abbreviation, url))
        return result

    def address(self, name: str, value: Any, *, max_length: int) -> str:
        url = self.text(name, value=value, max_length=max_length)
        problem = address_problem(url) if url else None
        if problem:
            self.fail(name, f"{url!r} {problem}")
            return ""
        return url


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


def _versions(
    reader: _LineReader, languages: set[str], files_dir: FilesFrom
) -> list[VersionRecord]:
    versions: list[VersionRecord] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(reader.objects("versions")):
        where = f"versions[{index}]"
        unknown = set(item) - {"language", "format", "url", "title", "file"}
        if unknown:
            reader.fail(where, f"unknown field(s): {', '.join(sorted(unknown))}")
        language = reader.text(f"{where}.language", value=item.get("language"))
        if language not in languages:
            reader.fail(f"{where}.language", f"{language!r} is not a known BCP 47 language code")
        fmt = reader.text(f"{where}.format", value=item.get("format"))
        if fmt not in FORMATS:
            reader.fail(f"{where}.format", f"{fmt!r} is not one of: {', '.join(FORMATS)}")
        url = reader.address(f"{where}.url", item.get("url"), max_length=500)
        stored = _file(reader, f"{where}.file", item.get("file"), files_dir)
        if url and stored:
            reader.fail(where, "has both a url and a file; a version is one or the other")
        if (language, fmt) in seen:
            reader.fail(where, f"a {fmt} version in {language} is listed twice")
        seen.add((language, fmt))
        title = reader.text(f"{where}.title", value=item.get("title"))
        versions.append(VersionRecord(language, fmt, url, title, stored))
    return versions


def _file(reader: _LineReader, name: str, value: Any, files_dir: FilesFrom) -> str:
    """A version's file: a relative path inside the file folder that holds that file, of a
    kind the catalogue accepts; or, for a record edited on the site, a file already stored."""
    stored = reader.text(name, value=value, max_length=200)
    if not stored:
        return ""
    if files_dir == "storage":
        # A file stored before files had records counts too, until `read_documents` records it.
        if not (StoredFile.objects.filter(name=stored).exists() or default_storage.exists(stored)):
            reader.fail(name, f"{stored!r} is not a file Signpost holds")
            return ""
        return stored
    path = PurePosixPath(stored)
    if path.is_absolute() or ".." in path.parts or "\\" in stored:
        reader.fail(name, "must be a relative path inside the file folder")
        return ""
    if files_dir is None:
        reader.fail(name, "files can only be imported from a file with its file folder beside it")
        return ""
    target = files_dir / path
    if not target.is_file():
        reader.fail(name, f"{stored!r} is not in {files_dir.name}/")
        return ""
    # A link inside the folder could point anywhere on the machine: only plain files count.
    if target.is_symlink() or not target.resolve().is_relative_to(files_dir.resolve()):
        reader.fail(name, f"{stored!r} is a link, not a file in {files_dir.name}/")
        return ""
    try:
        file_check(target, stored)
    except FileRefused as refused:
        reader.fail(name, f"{stored!r}: {refused}")
        return ""
    return stored


def _record(
    line: int,
    data: dict[str, Any],
    languages: set[str],
    problems: list[Problem],
    files_dir: FilesFrom,
) -> ResourceRecord:
    reader = _LineReader(line, data, problems)
    unknown = set(data) - set(FIELDS)
    if unknown:
        reader.fail("", f"unknown field(s): {', '.join(sorted(unknown))}")
    for name in REQUIRED:
        value = data.get(name)
        if not value or (isinstance(value, str) and not value.strip()):
            reader.fail(name, "is required")
    uid = reader.text("id", max_length=100)
    if uid and not ID_PATTERN.match(uid):
        reader.fail("id", "must be lower-case letters, digits, '.', '_' or '-'")
    slug = reader.text("slug", max_length=200)
    if slug and not SLUG_PATTERN.match(slug):
        reader.fail("slug", "must be lower-case words joined by '-'")
    elif slug in RESERVED_SLUGS:
        reader.fail("slug", f"{slug!r} is an address of the site's own (the search's feed)")
    published_date, precision = _published(reader)
    agreement = data.get("owner_agreement") or {}
    if not isinstance(agreement, dict):
        reader.fail("owner_agreement", "must be an object with by, on and how")
        agreement = {}
    elif set(agreement) - {"by", "on", "how"}:
        reader.fail("owner_agreement", "may hold only by, on and how")
    status = reader.choice("status", STATUSES, default=Status.DRAFT)
    record = ResourceRecord(
        line=line,
        id=uid,
        slug=slug,
        title=reader.text("title"),
        summary=reader.text("summary", max_length=20_000),
        resource_type=reader.choice("resource_type", RESOURCE_TYPES),
        published_date=published_date,
        published_precision=precision,
        organisations=reader.named_roles("organisations", ORGANISATION_ROLES, with_home_page=True),
        people=reader.named_roles("people", PERSON_ROLES),
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
        versions=_versions(reader, languages, files_dir),
    )
    if status == Status.PUBLISHED and not record.agreement_by:
        reader.fail("owner_agreement.by", "a published resource needs the owner's agreement")
    return record


@dataclass(frozen=True)
class Line:
    """One line of a file: its text, or the problem that kept it from being read."""

    number: int
    text: str
    problem: str = ""


def file_lines(path: Path) -> Iterator[Line]:
    """The lines of a file, split on "\\n" alone, each at most MAX_LINE_BYTES long.

    A byte-order mark at the start is skipped. A line too long to read is reported and
    skipped without ever being held in memory whole.
    """
    with path.open("rb") as stream:
        number = 0
        while True:
            raw = stream.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                    pass
                yield Line(number, "", f"is longer than {MAX_LINE_BYTES:,} bytes")
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield Line(number, "", f"is not UTF-8 text (byte {error.start + 1})")
                continue
            if number == 1:
                text = text.removeprefix(BOM)
            yield Line(number, text.removesuffix("\n"))


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number longer than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _depth(value: Any) -> int:
    """How deeply containers nest in a decoded value, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _decode(line: Line) -> tuple[dict[str, Any] | None, Problem | None]:
    if line.problem:
        return None, Problem(line.number, "", line.problem)
    try:
        data = json.loads(line.text, parse_int=_parse_int, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        return None, Problem(line.number, "", f"is not valid JSON ({error.msg})")
    except RecursionError:
        return None, Problem(line.number, "", f"nests more than {MAX_DEPTH} levels deep")
    except ValueError as error:
        return None, Problem(line.number, "", f"is not valid JSON ({error})")
    if isinstance(data, dict | list) and _depth(data) > MAX_DEPTH:
        return None, Problem(line.number, "", f"nests more than {MAX_DEPTH} levels deep")
    if not isinstance(data, dict):
        return None, Problem(line.number, "", "must be a JSON object")
    return data, None


class Validator:
    """Checks a file a line at a time, keeping only what checks across lines need.

    `existing_slugs` maps the slugs already in the catalogue to the id of their resource.
    """

    def __init__(
        self,
        *,
        languages: set[str],
        existing_ids: set[str],
        existing_slugs: dict[str, str],
        files_dir: FilesFrom = None,
    ):
        self.languages, self.existing_ids, self.files_dir = languages, existing_ids, files_dir
        self.slugs = dict(existing_slugs)
        self.first_line: dict[str, int] = {}
        self.related: list[tuple[int, str, str]] = []  # (line, id, related id)
        self.home_pages: dict[str, tuple[str, int]] = {}  # organisation -> (url, line)
        self.problems: list[Problem] = []
        self.count = 0

    def record(self, line: Line) -> ResourceRecord | None:
        """The line's record, checked on its own and against the lines before it."""
        if not line.problem and not line.text.strip():
            return None
        data, problem = _decode(line)
        if problem is not None or data is None:
            self.problems.append(problem or Problem(line.number, "", "is empty"))
            return None
        before = len(self.problems)
        record = _record(line.number, data, self.languages, self.problems, self.files_dir)
        self.count += 1
        self._across_lines(record)
        return record if len(self.problems) == before else None

    def _across_lines(self, record: ResourceRecord) -> None:
        line = record.line
        if record.id in self.first_line:
            first = self.first_line[record.id]
            self.problems.append(
                Problem(line, "id", f"{record.id!r} is already used on line {first}")
            )
        self.first_line.setdefault(record.id, line)
        if record.slug:
            owner = self.slugs.get(record.slug)
            if owner is not None and owner != record.id:
                self.problems.append(Problem(line, "slug", f"{record.slug!r} belongs to {owner!r}"))
            self.slugs[record.slug] = record.id
        for related in record.related:
            self.related.append((line, record.id, related))
        for index, organisation in enumerate(record.organisations):
            if not organisation.url:
                continue
            key = organisation.name.lower()
            url, first = self.home_pages.setdefault(key, (organisation.url, line))
            if url != organisation.url:
                self.problems.append(
                    Problem(
                        line,
                        f"organisations[{index}].url",
                        f"differs from the home page given on line {first}",
                    )
                )

    def finish(self) -> None:
        """Check what only the whole file can tell; raise InterchangeError on any problem."""
        known_ids = self.existing_ids | set(self.first_line)
        for line, uid, related in self.related:
            if related not in known_ids:
                self.problems.append(Problem(line, "related", f"{related!r} is not a known id"))
            if related == uid:
                self.problems.append(Problem(line, "related", "a resource cannot relate to itself"))
        if not self.count and not self.problems:
            self.problems.append(Problem(0, "", "the file holds no resources"))
        if self.problems:
            raise InterchangeError(sorted(self.problems, key=lambda p: p.line))


def dumps(record: dict[str, Any]) -> str:
    """One line of the interchange format: stable key order, UTF-8 text, no trailing spaces.

    Characters that some readers take for a line break are written as escapes, so that a
    line of the file is always one record.
    """
    text = json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
    return text.translate(_ESCAPE)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def files_folder(path: Path) -> Path:
    """The folder beside an interchange file that holds its uploaded files: x.jsonl -> x.files."""
    return path.with_name(path.stem + ".files")
