"""The languages a version may be in: BCP 47 code, English name, name in the language itself;
and every language's name in any interface language, from CLDR (Babel)."""

from functools import cache

from babel import Locale, UnknownLocaleError
from django.utils import translation

LANGUAGES: tuple[tuple[str, str, str], ...] = (
    ("am", "Amharic", "አማርኛ"),
    ("ar", "Arabic", "العربية"),
    ("bg", "Bulgarian", "Български"),
    ("bn", "Bengali", "বাংলা"),
    ("cs", "Czech", "Čeština"),
    ("cy", "Welsh", "Cymraeg"),
    ("de", "German", "Deutsch"),
    ("el", "Greek", "Ελληνικά"),
    ("en", "English", "English"),
    ("es", "Spanish", "Español"),
    ("fa", "Persian", "فارسی"),
    ("fr", "French", "Français"),
    ("ga", "Irish", "Gaeilge"),
    ("hi", "Hindi", "हिन्दी"),
    ("hu", "Hungarian", "Magyar"),
    ("it", "Italian", "Italiano"),
    ("ku", "Kurdish", "Kurdî"),
    ("lt", "Lithuanian", "Lietuvių"),
    ("lv", "Latvian", "Latviešu"),
    ("ne", "Nepali", "नेपाली"),
    ("pa", "Punjabi", "ਪੰਜਾਬੀ"),
    ("pl", "Polish", "Polski"),
    ("ps", "Pashto", "پښتو"),
    ("pt", "Portuguese", "Português"),
    ("ro", "Romanian", "Română"),
    ("rom", "Romani", "Romani čhib"),
    ("ru", "Russian", "Русский"),
    ("sk", "Slovak", "Slovenčina"),
    ("so", "Somali", "Soomaali"),
    ("sq", "Albanian", "Shqip"),
    ("ta", "Tamil", "தமிழ்"),
    ("ti", "Tigrinya", "ትግርኛ"),
    ("tl", "Tagalog", "Tagalog"),
    ("tr", "Turkish", "Türkçe"),
    ("uk", "Ukrainian", "Українська"),
    ("ur", "Urdu", "اردو"),
    ("vi", "Vietnamese", "Tiếng Việt"),
    ("zh", "Chinese", "中文"),
)


@cache
def cldr_locale(code: str) -> Locale | None:
    """The CLDR locale of a language code ("zh-hans", "en-gb", "pt-BR", "prs")."""
    for candidate in (translation.to_locale(code), code.split("-")[0]):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return None


def capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]


@cache
def _name_in(code: str, interface: str) -> str:
    locale, shown_in = cldr_locale(code), cldr_locale(interface)
    if locale is None or shown_in is None:
        return ""
    return locale.get_display_name(shown_in) or ""


def language_name(code: str, fallback: str = "") -> str:
    """A language's name in the interface language now active, from CLDR; `fallback` (the
    catalogue's English name) where CLDR does not know the language."""
    name = _name_in(code, translation.get_language() or "en")
    return capitalised(name) if name else fallback or code


@cache
def _territory_codes() -> dict[str, str]:
    """CLDR's territory codes by their English names, lower-cased ("united kingdom": "GB")."""
    return {name.lower(): code for code, name in Locale.parse("en").territories.items()}


def country_name(english: str) -> str:
    """A country's name in the interface language now active, from CLDR, found by its
    English name; the English name where CLDR does not have it (a region, say)."""
    code = _territory_codes().get(english.lower())
    shown_in = cldr_locale(translation.get_language() or "en")
    if code is None or shown_in is None:
        return english
    return shown_in.territories.get(code, english)
