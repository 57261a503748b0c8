"""What a search asks for, read from a query string by the same rules on the page and the API.

`SearchParams.from_mapping()` never raises: whatever it cannot use it leaves out, and says
why in a problem that names the field, so a page can show a GOV.UK error message and the
API a 422 with the same words.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .query import clean
from .registry import BY_NAME, FACET_NAMES

SORTS = ("relevance", "newest", "oldest", "title", "added")
MAX_PAGE_SIZE = 100
MIN_YEAR = 1900
# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_DIGITS = re.compile(r"[0-9]+")
_PAGE = re.compile(r"[0-9]{1,6}")
# What is wrong with a year box, in a whole sentence for each box.
NOT_A_YEAR = {
    # Translators: "from" and "to" are the boxes "From" and "To" of the "Year published" filter.
    "year_from": _("Enter the ‘from’ year as 4 digits, like 2019"),  # noqa: RUF001
    "year_to": _("Enter the ‘to’ year as 4 digits, like 2019"),  # noqa: RUF001
}
OUT_OF_RANGE = {
    # Translators: "from" and "to" are the boxes "From" and "To" of the "Year published" filter.
    "year_from": _("The ‘from’ year must be between %(first)s and %(last)s"),  # noqa: RUF001
    "year_to": _("The ‘to’ year must be between %(first)s and %(last)s"),  # noqa: RUF001
}


def max_year() -> int:
    return datetime.date.today().year + 1


@dataclass(frozen=True)
class Problem:
    """Something in the request that was left out, and why, in words for the reader."""

    field: str
    message: str


@dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet name -> values
    year_from: int | None = None
    year_to: int | None = None
    # With a year range, also show resources that have no date at all.
    include_undated: bool = False
    sort: str = ""
    page: int = 1
    page_size: int = 20

    @property
    def has_years(self) -> bool:
        return self.year_from is not None or self.year_to is not None

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, page_size: int = 20
    ) -> tuple[SearchParams, list[Problem]]:
        """Parameters from a query string (a QueryDict, or a dict of lists or strings)."""
        problems: list[Problem] = []
        filters: dict[str, list[str]] = {}
        for name in FACET_NAMES:
            if name == "year":
                continue
            values = [v.strip() for v in _values(data, name) if v.strip()]
            if values:
                filters[name] = list(dict.fromkeys(values))
        year_from = _year(data, "year_from", problems)
        year_to = _year(data, "year_to", problems)
        # The older "year" checkboxes: their values become the range they span.
        legacy = [y for v in _values(data, "year") if (y := _plain_year(v)) is not None]
        if legacy and year_from is None and year_to is None and not problems:
            year_from, year_to = min(legacy), max(legacy)
        if year_from is not None and year_to is not None and year_from > year_to:
            problems.append(
                Problem(
                    "year_to",
                    # Translators: "from" and "to" are the boxes of the "Year published" filter.
                    gettext(
                        "The ‘to’ year must be the same as or after "  # noqa: RUF001
                        "the ‘from’ year"  # noqa: RUF001
                    ),
                )
            )
            year_from = year_to = None
        size = _number(_first(data, "page_size"), default=page_size)
        params = cls(
            q=clean(_first(data, "q")),
            filters=filters,
            year_from=year_from,
            year_to=year_to,
            include_undated=_first(data, "undated") in ("1", "include", "on", "true"),
            sort=sort if (sort := _first(data, "sort")) in SORTS else "",
            page=_number(_first(data, "page"), default=1),
            page_size=min(max(size, 1), MAX_PAGE_SIZE),
        )
        return params, problems


def unknown_filter_problems(
    asked: dict[str, list[str]], known: dict[str, list[str]]
) -> list[Problem]:
    """A problem for each filter value that no published resource has."""
    problems = []
    for name, values in asked.items():
        for value in values:
            if value not in known.get(name, []):
                # Translators: stands for a value too long or odd to show, in "No published
                # resource has the topic “%(value)s”".
                shown = value if len(value) <= 60 and value.isprintable() else gettext("that value")
                problems.append(Problem(name, BY_NAME[name].unknown % {"value": shown}))
    return problems


def _values(data: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(name)]
    value = data.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _first(data: Mapping[str, Any], name: str) -> str:
    values = _values(data, name)
    return values[-1] if values else ""


def page_number(value: str | None) -> int:
    """The page asked for; anything that is not a plain number means the first."""
    return _number(value or "", default=1)


def _number(value: str, *, default: int) -> int:
    value = value.strip()
    return max(1, int(value)) if _PAGE.fullmatch(value) else default


def _plain_year(value: str) -> int | None:
    value = value.strip()
    if _DIGITS.fullmatch(value) and len(value) == 4 and MIN_YEAR <= int(value) <= max_year():
        return int(value)
    return None


def _year(data: Mapping[str, Any], name: str, problems: list[Problem]) -> int | None:
    value = _first(data, name).strip()
    if not value:
        return None
    if not _DIGITS.fullmatch(value) or len(value) != 4:
        problems.append(Problem(name, str(NOT_A_YEAR[name])))
        return None
    year = int(value)
    if not MIN_YEAR <= year <= max_year():
        problems.append(Problem(name, OUT_OF_RANGE[name] % {"first": MIN_YEAR, "last": max_year()}))
        return None
    return year
