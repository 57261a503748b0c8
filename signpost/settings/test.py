"""Settings for the test suite: fast hashing, local-memory cache, nothing from outside."""

from .base import *  # noqa: F403
from .base import STORAGES

SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"
# The link tests' own servers listen on 127.0.0.1, and they are patient only briefly.
LINKS_ALLOWED_ADDRESSES = ["127.0.0.1"]
LINKS_TIMEOUTS = {"connect": 1.0, "read": 1.0, "total": 3.0}
LINKS_PAUSE_PER_HOST = 0.0
# Tasks run at once, in the test's own transaction.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
