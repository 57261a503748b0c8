"""Languages in a search: a language the reader names, and the language the words are in.

"polski", "po polsku", "українською" or "leaflets in Polish" ask for resources in that
language: they become the language filter. The English name alone ("polish") does so only
when the rest of the search is about language, so "polish workers" stays a search for
words. Separately, the script, letters and common words of a search tell which language it
is written in, so that a search that finds nothing can offer the resources in that language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from signpost.catalogue.languages import LANGUAGES

from .query import STOPWORDS, words_of

LANGUAGES_FILE = Path(__file__).resolve().parent / "languages.txt"
# Words that, beside a language's English name, show the search is about language.
LANGUAGE_WORDS = frozenset(
    (
        "language", "languages", "version", "versions", "translation", "translations",
        "translated", "resources", "resource", "materials", "material", "information",
        "leaflet", "leaflets", "documents", "document", "available", "only", "written",
    )
)  # fmt: skip
# Letters only one of the catalogue's languages uses, checked in this order.
LETTERS: tuple[tuple[str, str], ...] = (
    ("vi", "ơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"),
    ("uk", "іїєґ"),
    ("ru", "ыэё"),
    ("bg", "ъ"),
    ("pl", "łńśźżć"),
    ("lt", "ėįų"),
    ("ro", "ășțşţ"),
    ("lv", "āēīūģķļņ"),
    ("sk", "ľĺŕôäťďň"),
    ("sq", "ë"),
)
_HAN = re.compile(r"[\u3400-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass
class LanguageTable:
    always: dict[tuple[str, ...], str] = field(default_factory=dict)  # name form -> code
    english: dict[tuple[str, ...], str] = field(default_factory=dict)
    words: dict[str, set[str]] = field(default_factory=dict)  # common word -> codes

    @property
    def longest(self) -> int:
        return max((len(form) for form in [*self.always, *self.english]), default=1)


@dataclass
class NamedLanguages:
    codes: list[str]
    remaining: str  # the search without the words that named the languages


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


@lru_cache(maxsize=2)
def _table(mtime: float) -> LanguageTable:
    table = LanguageTable()
    for code, english, native in LANGUAGES:
        table.always[tuple(words_of(_fold(native)))] = code
        table.english[tuple(words_of(english))] = code
    if mtime:
        for line in LANGUAGES_FILE.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0]
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or not parts[0]:
                continue
            code = parts[0]
            for form in parts[1].split(","):
                if words := tuple(words_of(_fold(form))):
                    table.always[words] = code
            for form in (parts[2] if len(parts) > 2 else "").split(","):
                if words := tuple(words_of(_fold(form))):
                    table.english[words] = code
            for word in (parts[3] if len(parts) > 3 else "").split(","):
                if word.strip():
                    table.words.setdefault(_fold(word.strip()), set()).add(code)
    # An English name that is also a native name ("English", "Tagalog") is not a language
    # filter on its own: "english" is a word in too many searches.
    table.always.pop(("english",), None)
    return table


def language_table() -> LanguageTable:
    try:
        mtime = LANGUAGES_FILE.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _table(mtime)


def named_languages(text: str) -> NamedLanguages:
    """The languages a search asks for by name, and what is left of the search."""
    table = language_table()
    words = words_of(_fold(text))
    codes: list[str] = []
    english: list[tuple[int, int, str]] = []  # (start, size, code) of English names
    kept: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(table.longest, len(words) - i), 0, -1):
            form = tuple(words[i : i + size])
            if form in table.always:
                codes.append(table.always[form])
                i += size
                break
            if form in table.english:
                english.append((len(kept), size, table.english[form]))
                kept.extend(form)
                i += size
                break
        else:
            kept.append(words[i])
            i += 1
    named = {start + offset for start, size, _ in english for offset in range(size)}
    others = [w for n, w in enumerate(kept) if n not in named]
    if english and all(w in STOPWORDS or w in LANGUAGE_WORDS for w in others):
        codes += [code for _, _, code in english]
        kept = others
    if not codes:
        return NamedLanguages([], text)
    # "in" before a language name was about the language too.
    remaining = [w for w in kept if w not in LANGUAGE_WORDS - {"leaflet", "leaflets"}]
    while remaining and remaining[-1] in STOPWORDS:
        remaining.pop()
    return NamedLanguages(list(dict.fromkeys(codes)), " ".join(remaining))


def written_in(text: str) -> str | None:
    """The language a search is written in, when its letters or words show it; None for
    English, or where they do not tell."""
    folded = _fold(text)
    if _HAN.search(folded):
        return "zh"
    for code, letters in LETTERS:
        if any(ch in folded for ch in letters):
            return code
    table = language_table()
    votes: dict[str, int] = {}
    for word in words_of(folded):
        for code in table.words.get(word, ()):
            votes[code] = votes.get(code, 0) + 1
    if votes:
        return max(sorted(votes), key=votes.__getitem__)
    if _CYRILLIC.search(folded):
        return "ru"
    return None
