"""Small wording helpers for templates."""

from html import escape
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from signpost.catalogue import languages

register = template.Library()


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
        # Translators: a file's size in kilobytes.
        return gettext("%(size)s KB") % {"size": max(1, round(size / 1024))}
    # Translators: a file's size in megabytes, with one decimal place.
    return gettext("%(size)s MB") % {"size": number_format(size / (1024 * 1024), 1)}


@register.filter
def language_name(language: Any) -> str:
    """A catalogue language's name in the page's language (CLDR), or its English name."""
    return languages.language_name(language.code, language.name_en)


@register.filter
def file_note(stored: Any) -> str:
    """Why search cannot read a stored file, in the page's language where it can be: the
    "no text" state is said by its label; a failure keeps the reader's own reason."""
    if stored.text_state == "no-text" or not stored.text_note:
        return str(stored.get_text_state_display())
    return str(stored.text_note)


@register.simple_tag
def checkbox_group(legend: str, name: str, items: Any) -> SafeString:
    """A filter's checkboxes with their counts. Written here rather than as an included
    template: a results page has over a hundred of them, and this was its costliest part.
    Every value is escaped (html.escape, quotes included)."""
    field = escape(str(name))
    rows = []
    for item in items:
        value = escape(str(item.value))
        checked = " checked" if item.selected else ""
        rows.append(
            '      <div class="govuk-checkboxes__item">\n'
            f'        <input class="govuk-checkboxes__input" id="filter-{field}-{value}" '
            f'name="{field}" type="checkbox" value="{value}"{checked}>\n'
            f'        <label class="govuk-label govuk-checkboxes__label" '
            f'for="filter-{field}-{value}">{escape(str(item.label))} '
            f'<span class="sp-count">{_count(item.count)}</span></label>\n'
            "      </div>"
        )
    scroll = " sp-filter__scroll" if len(items) > 12 else ""
    return mark_safe(  # noqa: S308 - built above from escaped values and our own markup
        '<div class="govuk-form-group sp-filter__group">\n  <fieldset class="govuk-fieldset">\n'
        '    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
        f"{escape(str(legend))}</legend>\n"
        f'    <div class="govuk-checkboxes govuk-checkboxes--small{scroll}" '
        f'data-module="govuk-checkboxes">\n'
        + "\n".join(rows)
        + "\n    </div>\n  </fieldset>\n</div>\n"
    )


def _count(count: int) -> SafeString:
    """ "(3 resources)", the words for screen readers only."""
    pattern = ngettext(
        '(%(counter)s<span class="govuk-visually-hidden"> resource</span>)',
        '(%(counter)s<span class="govuk-visually-hidden"> resources</span>)',
        count,
    )
    return mark_safe(pattern % {"counter": int(count)})  # noqa: S308 - our own markup and a number
