"""“Did you mean”: a query with the words the catalogue does not know replaced, never the
words it, or the field's vocabulary, does know."""

from __future__ import annotations

import time

from .backends.base import SearchBackend
from .models import SearchWord
from .query import ParsedQuery, parse, vocabulary

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
    return min(len(backend.match(query)), COUNT_CAP) if query else 0


def suggestion(backend: SearchBackend, query: ParsedQuery) -> str | None:
    """The query with each unknown word replaced by the nearest known one, when the new
    words together find more than the old ones: so "modren slavery" becomes "modern slavery"
    because the phrase finds more, not each word alone.

    Bounded, whatever the query: at most SUGGEST_WORDS words are looked up, and none is
    started once SUGGEST_SECONDS have passed.
    """
    words = [w for clause in query.clauses for w in clause.original]
    candidates = list(dict.fromkeys(w for w in words if 3 < len(w) <= 40 and not w.isdigit()))
    candidates = candidates[: SUGGEST_WORDS * 4]
    known_terms = vocabulary()
    candidates = [w for w in candidates if w not in known_terms]
    if not candidates:
        return None
    known = set(
        SearchWord.objects.using(backend.alias)
        .filter(word__in=candidates)
        .values_list("word", flat=True)
    )
    unknown = [w for w in candidates if w not in known][:SUGGEST_WORDS]
    deadline = time.monotonic() + SUGGEST_SECONDS
    replaced = {}
    for word in unknown:
        if time.monotonic() > deadline:
            break
        found = backend.suggest(word)
        if found and found != word:
            replaced[word] = found
    if not replaced:
        return None
    before = " ".join(words)
    after = " ".join(replaced.get(w, w) for w in words)
    # A misspelling may stem like a real word and find something: offer what finds more.
    together = _count_alone(backend, after)
    if together and together > _count_alone(backend, before):
        return after
    # The words may not sit together: then compare the replaced words one by one.
    better = {
        w: s for w, s in replaced.items() if _count_alone(backend, s) > _count_alone(backend, w)
    }
    return " ".join(better.get(w, w) for w in words) if better else None
