"""Small wording helpers for templates."""

from django import template

register = template.Library()

APOSTROPHE = "\u2019"  # the typographic apostrophe the site's text uses


@register.filter
def possessive(name: str) -> str:
    """The possessive of a name: an apostrophe alone after a final "s"."""
    return name + APOSTROPHE + ("" if name.endswith(("s", "S")) else "s")
