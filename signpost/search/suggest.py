"""Misspellings: a word the catalogue has never written, and the field's vocabulary does not
know, is also searched as the nearest word the catalogue has ("trafficing" as "trafficking"),
and "Did you mean" offers the corrected search. A word the catalogue or the vocabulary knows
is never "corrected": "county lines" stays county lines, "section 54" stays section 54."""

from __future__ import annotations

import time

from .backends.base import SearchBackend
from .models import SearchWord
from .query import Clause, ParsedQuery, parse, vocabulary

# Counting how many resources a word finds stops here: enough to compare two words.
COUNT_CAP = 500
# At most this many unknown words are looked up, for at most this long.
SUGGEST_WORDS = 3
SUGGEST_SECONDS = 0.25


def _count_alone(backend: SearchBackend, words: str) -> int:
    """How many resources a word or phrase finds by itself, stemmed but without synonyms.

    The index holds published resources only, so what it matches is the count.
    """
    query = parse(f'"{words}"', synonyms={})
    return backend.count(query, cap=COUNT_CAP) if query else 0


def known_words(backend: SearchBackend, query: ParsedQuery) -> set[str]:
    """The reader's words that the catalogue has written, or the field's vocabulary knows."""
    words = list(dict.fromkeys(w for clause in query.clauses for w in clause.original))[:40]
    terms = vocabulary()
    known = {w for w in words if w in terms}
    rest = [w for w in words if w not in known and len(w) <= 100]
    if rest:
        found = SearchWord.objects.using(backend.alias).filter(word__in=rest)
        known |= set(found.values_list("word", flat=True))
    return known


def corrections(backend: SearchBackend, query: ParsedQuery, known: set[str]) -> dict[str, str]:
    """Each unknown word of the query and the nearest word the catalogue has.

    Bounded, whatever the query: at most SUGGEST_WORDS words are looked up, and none is
    started once SUGGEST_SECONDS have passed.
    """
    words = [w for clause in query.clauses for w in clause.original]
    unknown = list(
        dict.fromkeys(w for w in words if 4 < len(w) <= 40 and not w.isdigit() and w not in known)
    )[:SUGGEST_WORDS]
    deadline = time.monotonic() + SUGGEST_SECONDS
    found: dict[str, str] = {}
    for word in unknown:
        if time.monotonic() > deadline:
            break
        nearest = backend.suggest(word)
        if nearest and nearest != word:
            found[word] = nearest
    return found


def corrected(query: ParsedQuery, fixes: dict[str, str]) -> ParsedQuery:
    """The query with, beside each phrase holding an unknown word, the phrase corrected."""
    if not fixes:
        return query
    clauses = []
    for clause in query.clauses:
        extra = tuple(
            fixed
            for phrase in clause.alternatives
            if (fixed := tuple(fixes.get(w, w) for w in phrase)) != phrase
        )
        clauses.append(Clause(tuple(dict.fromkeys(clause.alternatives + extra)), clause.original))
    return ParsedQuery(query.text, clauses)


def suggestion(backend: SearchBackend, query: ParsedQuery, fixes: dict[str, str]) -> str | None:
    """The search with its unknown words corrected, offered when the corrected words find
    more than the reader's own: "modren slavery" becomes "modern slavery" because the phrase
    finds more, not each word alone."""
    if not fixes:
        return None
    words = [w for clause in query.clauses for w in clause.original]
    before = " ".join(words)
    after = " ".join(fixes.get(w, w) for w in words)
    # A misspelling may stem like a real word and find something: offer what finds more.
    together = _count_alone(backend, after)
    if together and together > _count_alone(backend, before):
        return after
    # The words may not sit together: then compare the corrected words one by one.
    better = {w: s for w, s in fixes.items() if _count_alone(backend, s) > _count_alone(backend, w)}
    return " ".join(better.get(w, w) for w in words) if better else None
