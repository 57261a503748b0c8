"""Small wording helpers for templates."""

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
