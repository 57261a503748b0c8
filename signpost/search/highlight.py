"""Highlights as data: a text cut into spans, each marked or not.

The backends mark matched words with two control characters; here they become spans, and no
HTML is made: the site renders spans with a template filter, the API returns them as they are.
A stop word is never marked, whatever the backend matched.
"""

from __future__ import annotations

from dataclasses import dataclass

from .backends.base import START, STOP
from .query import STOPWORDS

Span = tuple[str, bool]  # (text, whether it matched)


@dataclass
class Passage:
    """Words that matched inside one of a resource's files, and where: which version, which
    page (numbered from 1)."""

    version_id: int
    page: int
    excerpt: list[Span]


@dataclass
class Highlight:
    title: list[Span]
    excerpt: list[Span]
    # Set when the words matched inside a file and not in the title or the summary.
    passage: Passage | None = None

    @property
    def marked(self) -> bool:
        return any(matched for _, matched in self.title + self.excerpt)


def spans(marked: str) -> list[Span]:
    """The text between the markers as marked spans, the rest as plain spans; adjacent plain
    spans are joined."""
    result: list[Span] = []

    def add(text: str, matched: bool) -> None:
        if not text:
            return
        if matched and text.strip().lower() in STOPWORDS:
            matched = False
        if result and not result[-1][1] and not matched:
            result[-1] = (result[-1][0] + text, False)
        else:
            result.append((text, matched))

    rest = marked
    while rest:
        start = rest.find(START)
        if start < 0:
            add(rest.replace(STOP, ""), False)
            break
        add(rest[:start].replace(STOP, ""), False)
        stop = rest.find(STOP, start + 1)
        if stop < 0:
            add(rest[start + 1 :], False)
            break
        add(rest[start + 1 : stop].replace(START, ""), True)
        rest = rest[stop + 1 :]
    return result
