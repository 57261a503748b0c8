"""What resource and results pages show of the open data: structured data, citations, feeds."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from signpost.catalogue.models import Resource

from .. import citations, downloads, structured
from ..feeds import TERM_FEEDS
from ..selectors import NOT_SEARCH

register = template.Library()


def _base_url(context: Any) -> str:
    return context["request"].build_absolute_uri("/")[:-1]


@register.inclusion_tag("opendata/includes/resource_head.html", takes_context=True)
def resource_head(context: Any, resource: Resource) -> dict[str, Any]:
    base = _base_url(context)
    return {
        "json_ld": structured.json_ld_text(structured.json_ld(resource, base_url=base)),
        "citation_meta": structured.citation_meta(resource, base_url=base),
        "dublin_core": structured.dublin_core(resource, base_url=base),
    }


@register.inclusion_tag("opendata/includes/cite.html", takes_context=True)
def resource_citations(context: Any, resource: Resource) -> dict[str, Any]:
    base = _base_url(context)
    item = citations.csl_item(resource, page_url=base + resource.get_absolute_url(), base_url=base)
    locale = citations.csl_locale()
    return {
        "resource": resource,
        "styles": [
            (style.label, citations.formatted_html(item, style=style.key))
            for style in citations.STYLES
        ],
        # A language CSL has no words for is cited in English, and says so.
        "citation_lang": locale if locale == citations.FALLBACK_LOCALE else "",
        "downloads": [
            (
                "RIS",
                "Zotero, EndNote, Mendeley",
                reverse("opendata:cite_ris", args=[resource.slug]),
            ),
            ("BibTeX", "LaTeX", reverse("opendata:cite_bib", args=[resource.slug])),
            ("CSL-JSON", "citeproc, Pandoc", reverse("opendata:cite_json", args=[resource.slug])),
        ],
    }


@register.simple_tag(takes_context=True)
def search_feed_url(context: Any) -> str:
    """The feed of the search on this page: its words and filters, without page or sort."""
    query = context["request"].GET.copy()
    for name in NOT_SEARCH:
        query.pop(name, None)
    encoded = query.urlencode()
    return reverse("opendata:search_feed") + (f"?{encoded}" if encoded else "")


@register.simple_tag(takes_context=True)
def search_export_url(context: Any, name: str) -> str:
    """A download of the search on this page (its order kept)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return reverse(f"opendata:{name}") + (f"?{encoded}" if encoded else "")


# The feed of each kind of term page, by the kind's name: its URL and the term's key field.
TERM_FEED_URLS = {
    name: (f"opendata:{facet}_feed", key) for _, key, facet, name in TERM_FEEDS.values()
}


@register.simple_tag
def term_feed_url(kind: str, term: Any) -> str:
    name, key = TERM_FEED_URLS[kind]
    return reverse(name, args=[getattr(term, key)])


@register.inclusion_tag("opendata/includes/results_reuse.html", takes_context=True)
def results_reuse(context: Any, results: Any) -> dict[str, Any]:
    """Follow a search, download it, cite it: each offered where the search is small enough."""
    return {
        "request": context["request"],
        "results": results,
        "can_cite": 0 < results.count <= citations.CITATION_LIMIT,
        "can_download": 0 < results.count <= downloads.SEARCH_DOWNLOAD_LIMIT,
        "citation_limit": citations.CITATION_LIMIT,
    }
