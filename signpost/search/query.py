"""Turns whatever a reader types into a safe, engine-neutral query.

A query becomes a list of clauses; every clause must match (AND), or any may (OR) when AND
finds nothing. A clause is a set of alternatives, each a phrase of one or more words: the
reader's own word or quoted phrase, plus its synonyms. Only word characters survive, so no
operator, quote or control character from the reader ever reaches a search engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MAX_QUERY_LENGTH = 1000
MAX_CLAUSES = 12
MAX_PHRASE_WORDS = 12  # a longer quoted phrase keeps its first words
SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.txt"
VOCABULARY_FILE = Path(__file__).resolve().parent / "vocabulary.txt"

# Words too common to search by on their own, and never highlighted; kept inside quoted
# phrases. Questions are full of them: "what do I do if my boss keeps my passport".
STOPWORDS = frozenset(
    (
        "a", "about", "after", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been",
        "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from", "get", "got",
        "had", "has", "have", "he", "her", "him", "his", "how", "i", "if", "im", "in", "into",
        "is", "it", "its", "me", "my", "of", "on", "or", "our", "out", "she", "should", "so",
        "some", "than", "that", "the", "their", "them", "then", "there", "these", "they",
        "this", "those", "to", "too", "up", "us", "was", "we", "were", "what", "when", "where",
        "which", "who", "whom", "why", "will", "with", "would", "you", "your",
    )
)  # fmt: skip
_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r'"([^"]*)"')

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    alternatives: tuple[Phrase, ...]
    # The reader's own words, for highlighting and suggestions.
    original: Phrase = ()


@dataclass
class ParsedQuery:
    text: str = ""
    clauses: list[Clause] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    @property
    def meaning(self) -> str:
        """The reader's own words without stop words: what the query means."""
        words = words_of(self.text)
        return " ".join(w for w in words if w not in STOPWORDS) or self.text

    @property
    def words(self) -> list[str]:
        """Every distinct word the query can match, synonyms included."""
        seen: dict[str, None] = {}
        for clause in self.clauses:
            for phrase in clause.alternatives:
                for word in phrase:
                    seen.setdefault(word, None)
        return list(seen)


def words_of(text: str) -> list[str]:
    # "_" is a word character for the regex, but not a word for a reader.
    return [w for w in _WORD.findall(text.replace("_", " ").lower()) if w]


def clean(text: str) -> str:
    """The text cut to the maximum length, with control characters turned into spaces."""
    text = text[:MAX_QUERY_LENGTH]
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _lines(path: Path) -> list[list[Phrase]]:
    """Each line's comma-separated phrases, comments and empty lines left out."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        members = [p for p in (tuple(words_of(part)) for part in line.split(",")) if p]
        if members:
            lines.append(members)
    return lines


@lru_cache(maxsize=4)
def _synonym_groups(
    path: Path, mtime: float, vocabulary_path: Path, vocabulary_mtime: float
) -> dict[Phrase, tuple[Phrase, ...]]:
    groups: dict[Phrase, tuple[Phrase, ...]] = {}
    for members in _lines(path):
        if len(members) < 2:
            continue
        for member in members:
            existing = groups.get(member, ())
            groups[member] = tuple(dict.fromkeys(existing + tuple(members)))
    # A term of several words is searched as a phrase: "county lines" is not "line up".
    if vocabulary_mtime:
        for members in _lines(vocabulary_path):
            for member in members:
                if len(member) > 1:
                    groups.setdefault(member, (member,))
    return groups


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def synonym_groups(path: Path = SYNONYMS_FILE) -> dict[Phrase, tuple[Phrase, ...]]:
    """Synonyms and phrase terms from the editable data files, reread when a file changes."""
    mtime = _mtime(path)
    if not mtime:
        return {}
    return _synonym_groups(path, mtime, VOCABULARY_FILE, _mtime(VOCABULARY_FILE))


@lru_cache(maxsize=4)
def _vocabulary(paths: tuple[tuple[Path, float], ...]) -> frozenset[str]:
    return frozenset(
        word
        for path, mtime in paths
        if mtime
        for members in _lines(path)
        for phrase in members
        for word in phrase
    )


def vocabulary() -> frozenset[str]:
    """Every word of the field's vocabulary and of the synonyms: never "corrected"."""
    return _vocabulary(tuple((p, _mtime(p)) for p in (SYNONYMS_FILE, VOCABULARY_FILE)))


def parse(text: str, *, synonyms: dict[Phrase, tuple[Phrase, ...]] | None = None) -> ParsedQuery:
    text = clean(text)
    groups = synonym_groups() if synonyms is None else synonyms
    longest = max((len(p) for p in groups), default=1)
    clauses: list[Clause] = []

    def add_words(words: list[str]) -> None:
        words = [w for w in words if w not in STOPWORDS] or words
        i = 0
        while i < len(words):
            # The longest run of words that is a synonym group member becomes one clause.
            for size in range(min(longest, len(words) - i), 0, -1):
                phrase = tuple(words[i : i + size])
                if phrase in groups:
                    clauses.append(Clause(groups[phrase], phrase))
                    i += size
                    break
            else:
                clauses.append(Clause(((words[i],),), (words[i],)))
                i += 1

    position = 0
    for match in _QUOTED.finditer(text):
        add_words(words_of(text[position : match.start()]))
        phrase = tuple(words_of(match.group(1)))[:MAX_PHRASE_WORDS]
        if phrase:
            alternatives = groups.get(phrase, (phrase,))
            clauses.append(Clause(alternatives, phrase))
        position = match.end()
    add_words(words_of(text[position:]))
    unique = list(dict.fromkeys(clauses))[:MAX_CLAUSES]
    return ParsedQuery(text=text, clauses=unique)
