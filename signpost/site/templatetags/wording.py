"""Small wording helpers for templates."""

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

APOSTROPHE = "\u2019"  # the typographic apostrophe the site's text uses


@register.filter
def possessive(name: str) -> str:
    """The possessive of a name: an apostrophe alone after a final "s"."""
    return name + APOSTROPHE + ("" if name.endswith(("s", "S")) else "s")


@register.filter
def marked(spans: list[tuple[str, bool]]) -> SafeString:
    """Highlight spans as text, each matched span in a <mark> element; all text escaped."""
    return format_html_join(
        "", "{}", ((format_html("<mark>{}</mark>", t) if m else t,) for t, m in spans)
    )


@register.filter
def version_of(resource: Any, version_id: int) -> Any:
    """The resource's version with this id, from its prefetched versions."""
    return next((v for v in resource.versions.all() if v.pk == version_id), None)


@register.filter
def file_size(size: int | None) -> str:
    """A file's size for people: 24 KB, 3.2 MB."""
    if not size:
        return ""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"
