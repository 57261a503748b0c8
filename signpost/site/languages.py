"""The interface languages: their own names and other languages' names from CLDR (Babel),
the same page in each, and a suggestion from the browser's Accept-Language that never
redirects. No cookie and no session ever hold a choice: the address does."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import language_code_prefix_re, parse_accept_lang_header

from signpost.catalogue.languages import capitalised, cldr_locale

# Whose translation a native speaker has reviewed (docs/translations.md); the others say
# discreetly, in their own language, that they have not been.
REVIEWED = frozenset({"en-gb"})
# The URL namespaces whose pages exist in every interface language.
IN_EVERY_LANGUAGE = frozenset({"site", "editorial"})


def without_language_prefix(path: str) -> str:
    """The path as English has it: "/pl/staff/" is "/staff/"."""
    prefix = language_code_prefix_re.match(path)
    if prefix is None or translation.get_language_from_path(path) is None:
        return path
    return path[len(prefix.group(1)) + 1 :]


@dataclass(frozen=True)
class InterfaceLanguage:
    code: str
    name: str  # in the language itself
    url: str  # the current page in it
    current: bool
    bidi: bool


@cache
def own_name(code: str) -> str:
    """A language's name in itself, as a switcher lists it ("Polski", "Українська")."""
    locale = cldr_locale("en" if code.startswith("en") else code)
    if locale is None:
        return code
    return capitalised(locale.get_display_name(locale) or code)


def interface_languages(request: HttpRequest) -> list[InterfaceLanguage]:
    """Every interface language, each with the current page (and its query) in it."""
    current = translation.get_language()
    # The same address under another prefix: no page's own path is translated, so this is
    # what translate_url() gives, without resolving and reversing it fourteen times a page.
    path = without_language_prefix(request.get_full_path())
    return [
        InterfaceLanguage(
            code=code,
            name=own_name(code),
            url=path if code == settings.LANGUAGE_CODE else f"/{code}{path}",
            current=code == current,
            bidi=translation.get_language_info(code)["bidi"],
        )
        for code, _ in settings.LANGUAGES
    ]


def accepted_language(request: HttpRequest) -> str | None:
    """The interface language the request's Accept-Language prefers, if Signpost has one."""
    header = request.headers.get("Accept-Language", "")
    for tag in parse_accept_lang_header(header):
        code = tag[0].lower()
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def suggested_language(request: HttpRequest) -> str | None:
    """The language a browser prefers, when Signpost has it and the page is in English."""
    if translation.get_language() != settings.LANGUAGE_CODE:
        return None
    supported = accepted_language(request)
    return None if supported == settings.LANGUAGE_CODE else supported


def context(request: HttpRequest) -> dict[str, object]:
    """What every public page says of its language: the switcher, the alternates, whether
    the translation has been reviewed."""
    match = getattr(request, "resolver_match", None)
    # Only pages that exist in every language (the public site's and the partners' and
    # editors') offer the others; the API and the data page are English only.
    in_every_language = match is None or match.namespace in IN_EVERY_LANGUAGE
    languages = interface_languages(request) if in_every_language else []
    try:
        alternates = [(item.code, request.build_absolute_uri(item.url)) for item in languages]
    except DisallowedHost:
        alternates = []  # the 400 page for a request to a host this site is not
    if alternates:
        # Where no language is asked for, the English page at the root.
        alternates.append(("x-default", dict(alternates)[settings.LANGUAGE_CODE]))
    on_home = match is not None and match.url_name == "home"
    suggested = suggested_language(request) if on_home else None
    return {
        "INTERFACE_LANGUAGES": languages,
        "LANGUAGE_ALTERNATES": alternates,
        "LANGUAGE_REVIEWED": translation.get_language() in REVIEWED,
        "LANGUAGE_SUGGESTED": _suggestion(suggested, languages) if suggested else None,
    }


def _suggestion(code: str, languages: list[InterfaceLanguage]) -> dict[str, str]:
    """The offer of the home page in the browser's language, written in that language."""
    url = next(item.url for item in languages if item.code == code)
    with translation.override(code):
        text = translation.gettext("Read this site in %(language)s") % {"language": own_name(code)}
    return {
        "code": code,
        "url": url,
        "text": text,
        "dir": "rtl" if code in settings.LANGUAGES_BIDI else "ltr",
    }
