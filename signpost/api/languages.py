"""The API's words for people (its problems, the labels of types, topics and audiences) in
the language a client asks for with Accept-Language, English otherwise. Its addresses have
no language prefix: the same URL answers in each language, and says which it used."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from signpost.site.languages import accepted_language

API_PREFIX = "/api/"


class AcceptLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        language = accepted_language(request) or settings.LANGUAGE_CODE
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ["Accept-Language"])
        response.headers["Content-Language"] = language
        return response
