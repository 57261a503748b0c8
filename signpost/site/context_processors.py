from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    ("site:resource_list", _("Resources")),
    ("site:topics", _("Topics")),
    ("site:audiences", _("Audiences")),
    ("site:organisations", _("Organisations")),
    ("site:languages", _("Languages")),
    ("site:safety", _("Using this site safely")),
]


def _in_language(text: str) -> str:
    """A help route's words in the page's language, where the catalogue has them."""
    return gettext(text) if text else ""  # gettext("") is the catalogue's header


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "QUICK_EXIT_URL": settings.QUICK_EXIT_URL,
        "HELP_ROUTES": [
            {
                **route,
                "label": _in_language(route.get("label", "")),
                "note": _in_language(route.get("note", "")),
            }
            for route in settings.HELP_ROUTES
        ],
        "NAVIGATION": [(reverse(name), str(label)) for name, label in NAVIGATION],
    }
