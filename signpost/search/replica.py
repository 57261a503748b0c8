"""Read-your-writes with a search replica: signed-in people's searches read the primary.

A replica replays the primary's changes a moment later (longer when it is busy or paused),
so an editor who saves a change and searches for it at once could be shown the old state
and think the save was lost. Everyone who can change anything signs in, and only they do:
their requests read from the primary, which they are few enough not to burden. Visitors
have no session and read from the replica; they see an edit when it has been replayed.
Whether a request is signed in is asked only when it searches, and a request without a
session cookie is a visitor without reading any session: public pages stay the same for
every visitor (no `Vary: Cookie`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .router import signed_in_reader


class ReadYourWritesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        token = signed_in_reader.set(lambda: request.user.is_authenticated)
        try:
            return self.get_response(request)
        finally:
            signed_in_reader.reset(token)
