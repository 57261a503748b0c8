import io
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
DEMO_FILE = ROOT / "data" / "demo.jsonl"


@pytest.fixture(autouse=True)
def _media_of_this_test(settings, tmp_path):
    """Files stored by a test go to its own folder, never the site's."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_pages_kept_from_another_test():
    """Rendered pages are kept by the catalogue's version, which a test's rolled-back writes
    (and factories that write without the services) can bring back with other rows."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english_to_begin_with(settings):
    """A request in another language leaves it active in the test's thread (LocaleMiddleware
    activates and never deactivates): each test starts in English."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    """The demo catalogue, loaded through the import command as `make run` loads it.

    The import's on-commit work (indexing for search) runs as it would after a real commit.
    """
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())


def public_urls():
    """One URL of every public page type, drawn from the demo catalogue."""
    from signpost.catalogue.models import Audience, Language, Organisation, Resource, Topic

    resource = Resource.objects.published().order_by("uid").first()
    return [
        "/",
        "/resources/",
        "/resources/?language=uk&type=report&q=war",
        resource.get_absolute_url(),
        "/organisations/",
        Organisation.objects.order_by("slug").first().get_absolute_url(),
        "/topics/",
        Topic.objects.order_by("slug").first().get_absolute_url(),
        "/audiences/",
        Audience.objects.get(slug="police").get_absolute_url(),
        "/languages/",
        Language.objects.get(code="uk").get_absolute_url(),
        "/using-this-site-safely/",
    ]


def url_routes(resolver=None, prefix=""):
    """Every route the site answers, as its pattern text (e.g. "topics/<slug:slug>/")."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


@pytest.fixture
def admin_client(db, admin_user):
    """An operator in the admin: a superuser, signed in with two factors."""
    from signpost.editorial.models import Account

    from .editorial_support import verified_client

    Account.objects.get_or_create(user=admin_user, defaults={"role": "operator"})
    return verified_client(admin_user)


# The editorial tests' people and mail server, for every test module that needs them.
from .editorial_support import inbox, people  # noqa: E402, F401
