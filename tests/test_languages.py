"""The interface in many languages: addresses not cookies, names from CLDR, right to left."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.utils import translation

from signpost.catalogue.languages import language_name
from signpost.site.languages import own_name, suggested_language

CODES = [code for code, _ in settings.LANGUAGES]
OTHER_CODES = [code for code in CODES if code != settings.LANGUAGE_CODE]


def _html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


@pytest.mark.parametrize("code", OTHER_CODES)
def test_each_language_has_its_own_address_and_says_so(client, demo, code):
    response = client.get(f"/{code}/")
    assert response.status_code == 200
    tag = _html_tag(response.content.decode())
    assert f'lang="{code}"' in tag
    assert ('dir="rtl"' in tag) == (code == "ar")
    assert not response.cookies


def test_english_stays_at_the_root_and_a_browser_never_redirects(client, demo):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="pl,en;q=0.5")
    assert response.status_code == 200
    assert 'lang="en-gb"' in _html_tag(response.content.decode())
    assert not response.cookies
    # The browser's language is suggested, in that language, with a link: nothing more.
    html = response.content.decode()
    assert 'href="/pl/"' in html and 'class="govuk-body sp-interface-offer"' in html
    assert client.get("/en-gb/").status_code == 404


def test_an_unknown_language_prefix_is_the_site_s_404(client, demo):
    response = client.get("/xx/resources/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_language_signpost_lacks_falls_back_to_english(rf):
    request = rf.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,de;q=0.8")
    with translation.override(settings.LANGUAGE_CODE):
        assert suggested_language(request) is None
        request = rf.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
        assert suggested_language(request) == "zh-hans"
        request = rf.get("/", HTTP_ACCEPT_LANGUAGE="en-US,pl;q=0.5")
        assert suggested_language(request) is None


def test_the_switcher_keeps_the_page_and_the_query(client, demo):
    html = client.get("/resources/?q=labour&type=report&page=1").content.decode()
    links = re.findall(r'<a class="govuk-header__link" href="([^"]+)" hreflang="([^"]+)"', html)
    by_language = {language: unescape(url) for url, language in links}
    assert by_language["pl"] == "/pl/resources/?q=labour&type=report&page=1"
    assert by_language["ar"] == "/ar/resources/?q=labour&type=report&page=1"
    polish = client.get("/pl/resources/?q=labour&type=report").content.decode()
    assert 'href="/resources/?q=labour&amp;type=report" hreflang="en-gb"' in polish
    # The footer lists them too, always in view.
    assert polish.count('hreflang="uk"') >= 3  # the switcher, the footer and the alternate


def test_every_page_names_its_alternates(client, demo):
    html = client.get("/pl/topics/").content.decode()
    alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', html)
    assert {code for code, _ in alternates} == set(CODES) | {"x-default"}
    assert ("uk", "http://testserver/uk/topics/") in alternates
    assert ("x-default", "http://testserver/topics/") in alternates


def test_names_of_languages_come_from_cldr_in_the_interface_language():
    assert own_name("pl") == "Polski"
    assert own_name("uk") == "Українська"
    assert own_name("ar") == "العربية"
    assert own_name("en-gb") == "English"
    with translation.override("pl"):
        assert language_name("uk") == "Ukraiński"
        assert language_name("zz-unknown", "Unknown") == "Unknown"
    with translation.override("uk"):
        assert language_name("pl") == "Польська"


def test_partners_pages_are_in_every_language_with_a_switcher_and_stay_private(client, demo):
    english = client.get("/staff/sign-in/")
    polish = client.get("/pl/staff/sign-in/")
    assert english.status_code == polish.status_code == 200
    assert 'lang="pl"' in polish.content.decode()
    assert "sp-languages" in polish.content.decode()
    # The switcher offers this same page in each language.
    assert 'href="/uk/staff/sign-in/"' in polish.content.decode()
    for response in (english, polish):
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "same-origin"
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /staff/" in robots and "Disallow: /pl/staff/" in robots


def test_the_api_answers_in_the_language_a_client_accepts_at_one_address(client, demo):
    assert client.get("/pl/api/v1/resources").status_code == 404
    english = client.get("/api/v1/resources", {"page": "x"})
    polish = client.get("/api/v1/resources", {"page": "x"}, HTTP_ACCEPT_LANGUAGE="pl,en;q=0.5")
    assert english.status_code == polish.status_code == 422
    assert english["Content-Language"] == "en-gb"
    assert polish["Content-Language"] == "pl"
    assert "Accept-Language" in polish["Vary"]
    english_message = english.json()["detail"][0]["message"]
    polish_message = polish.json()["detail"][0]["message"]
    assert english_message.startswith("Enter the page")
    assert polish_message and polish_message != english_message
    # A language Signpost lacks falls back to English.
    klingon = client.get("/api/v1/resources", {"page": "x"}, HTTP_ACCEPT_LANGUAGE="tlh")
    assert klingon["Content-Language"] == "en-gb"


def test_topics_and_audiences_show_their_names_in_the_page_s_language(client, demo):
    from signpost.catalogue.models import Topic

    forced = Topic.objects.get(slug="forced-labour")
    polish = forced.translations["pl"]
    assert polish and polish != forced.name
    assert polish in client.get("/pl/topics/").content.decode()
    assert polish in client.get("/pl/topics/forced-labour/").content.decode()
    tags = client.get("/pl/resources/", {"topic": "forced-labour"}).content.decode()
    assert polish in tags
    # English stays English, and a language without the name falls back to it.
    assert forced.name in client.get("/topics/").content.decode()
    assert forced.name_in("xx") == forced.name


def test_a_search_in_a_language_finds_resources_by_the_translated_names_of_their_terms(
    client, demo
):
    from signpost.catalogue.models import Resource, Topic

    forced = Topic.objects.get(slug="forced-labour")
    word = max(forced.translations["uk"].split(), key=len)
    results = client.get("/uk/resources/", {"q": word}).context["results"]
    tagged = set(Resource.objects.published().filter(topics=forced).values_list("pk", flat=True))
    found = {r.pk for r in results.resources}
    assert found & tagged, (word, found)


def test_editors_give_a_term_its_names_and_nonsense_is_refused(db, admin_user):
    from django.core.exceptions import ValidationError

    from signpost.catalogue.services import term_update

    from .factories import TopicFactory

    topic = TopicFactory(name="Health", slug="health")
    term_update(term=topic, values={"translations": {"pl": "Zdrowie"}}, by=admin_user, via="test")
    assert topic.name_in("pl") == "Zdrowie"
    with pytest.raises(ValidationError):
        term_update(term=topic, values={"translations": ["Zdrowie"]}, by=admin_user, via="test")


def test_countries_are_named_in_the_page_s_language_from_cldr(client, demo):
    from signpost.catalogue.models import Country, Resource

    ukraine = Country.objects.get(name="Ukraine")
    resource = Resource.objects.published().filter(countries=ukraine).first()
    html = client.get(f"/pl/resources/{resource.slug}/").content.decode()
    assert "Ukraina" in html
    assert "Ukraine" in client.get(f"/resources/{resource.slug}/").content.decode()


def test_the_catalogue_s_english_keeps_its_direction_in_a_right_to_left_page(client, demo):
    html = client.get("/ar/resources/", {"q": "trafficking"}).content.decode()
    assert 'dir="rtl"' in html[:300]
    assert 'lang="en" dir="auto"' in html  # titles and summaries, written in English
    assert '<bdi lang="en">' in html  # organisation names inside Arabic sentences
