from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

NAVIGATION = [
    ("site:resource_list", "Resources"),
    ("site:topics", "Topics"),
    ("site:audiences", "Audiences"),
    ("site:organisations", "Organisations"),
    ("site:languages", "Languages"),
    ("site:safety", "Using this site safely"),
]


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "QUICK_EXIT_URL": settings.QUICK_EXIT_URL,
        "HELP_ROUTES": settings.HELP_ROUTES,
        "NAVIGATION": [(reverse(name), label) for name, label in NAVIGATION],
    }
