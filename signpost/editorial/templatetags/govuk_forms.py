"""Django form fields drawn as GOV.UK Frontend components, with their hints and errors."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()

_INPUT_CLASS = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}


@register.simple_tag
def govuk_field(field: BoundField, width: str = "") -> SafeString:
    kind = field.widget_type
    if kind == "hidden":
        return SafeString(str(field))
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    css = _INPUT_CLASS.get(kind, "govuk-input")
    if field.errors:
        css += f" {css}--error"
    if width and css.startswith("govuk-input"):
        css += f" govuk-input--width-{width}"
    attrs: dict[str, Any] = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    context = {
        "field": field,
        "kind": kind,
        "described": " ".join(described),
        "widget": ""
        if kind in ("checkboxselectmultiple", "radioselect")
        else field.as_widget(attrs=attrs),
    }
    return SafeString(render_to_string("editorial/includes/field.html", context))


@register.simple_tag
def error_list(*forms: Any) -> list[tuple[str, str]]:
    """Every error of the forms (and formsets) given, as (anchor, message) for the summary."""
    errors: list[tuple[str, str]] = []
    for form in forms:
        if not hasattr(form, "non_field_errors") and not hasattr(form, "forms"):
            continue  # a name the page does not have
        members = getattr(form, "forms", None)
        if members is not None:
            errors += [("", str(e)) for e in form.non_form_errors()]
            for member in members:
                errors += error_list(member)
            continue
        errors += [("", str(e)) for e in form.non_field_errors()]
        for field in form:
            errors += [(f"#{field.auto_id}", str(e)) for e in field.errors]
    return errors
