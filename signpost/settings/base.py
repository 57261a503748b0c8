"""Settings shared by every environment; values that differ come from the environment."""

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str:
    """Read a setting from the environment, failing loudly when a required one is missing."""
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"The environment variable {name} must be set.")
    return value


def gettext_noop(text: str) -> str:
    """Marks text for translation (makemessages finds it by this name) without importing
    Django's translation machinery into the settings."""
    return text


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def cache_from_url(url: str) -> dict[str, object]:
    scheme = url.split("://", 1)[0]
    if scheme == "locmem":
        # Pages of about 25 KB: a bounded few MB per process.
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 500},
        }
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL must start with locmem://, redis://, rediss:// or dummy://, not {url!r}."
    )


def env_int(name: str, default: int) -> int:
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


DEBUG = False
SECRET_KEY = env("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "signpost.catalogue",
    "signpost.search",
    "signpost.site",
    "signpost.api",
    "signpost.opendata",
    "signpost.editorial",
    "signpost.links",
    "signpost.documents",
    "signpost.worker",
    "signpost.operations",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compressed pages fit the page-weight budget; public pages hold no secrets to leak.
    "signpost.site.middleware.GZipPagesMiddleware",
    "signpost.site.middleware.SecurityHeadersMiddleware",
    "signpost.documents.uploads.RefuseLargeUploadsMiddleware",
    "signpost.opendata.middleware.CrossOriginReadsMiddleware",
    "signpost.site.middleware.RejectControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The API answers in the language of Accept-Language (its addresses have no prefix).
    "signpost.api.languages.AcceptLanguageMiddleware",
    # Public pages: a validator from the catalogue's version, 304s, who may keep what.
    "signpost.site.caching.PublicCachingMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Signed-in people's searches read the primary: their own changes, at once.
    "signpost.search.replica.ReadYourWritesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "signpost.site.middleware.DatabaseBusyMiddleware",
]

AUTHENTICATION_BACKENDS = ["signpost.editorial.sign_in.ThrottledModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Staff sign-in (signpost/editorial/sign_in.py): failures an hour that lock one username
# from one address, and that lock one address whatever username it tries.
SIGN_IN_FAILURES_PER_USER_AND_ADDRESS = 5
SIGN_IN_FAILURES_PER_ADDRESS = 30
# The reverse proxies in front of the app (the shipped nginx runs on the same machine): a
# sign-in's address is read from X-Forwarded-For only when the request comes through one.
SIGN_IN_TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")

ROOT_URLCONF = "signpost.urls"
# How long a browser or a shared cache may use a public page without asking (seconds), and
# how long after that a cache may still answer with it while it asks (signpost/site/caching.py).
PUBLIC_MAX_AGE = env_int("PUBLIC_MAX_AGE", 60)
PUBLIC_STALE_WHILE_REVALIDATE = env_int("PUBLIC_STALE_WHILE_REVALIDATE", 300)
# The reverse proxy's cache folder (deploy/nginx/, docs/deploy.md), on memory: emptied whenever
# the catalogue changes. Empty when no proxy caches in front of the app.
PROXY_CACHE_DIR = env("PROXY_CACHE_DIR", "")
WSGI_APPLICATION = "signpost.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "signpost.site.context_processors.site",
                "signpost.site.languages.context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'signpost.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            # Reads (searches above all) come from memory-mapped pages and a larger cache.
            "PRAGMA mmap_size=268435456; PRAGMA cache_size=-65536;"
        ),
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Searches are short queries over many rows: compiling them (JIT) costs more than it saves.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# Searches only read, so they can go to a read replica: set SEARCH_DATABASE_URL to one
# (docs/replica.md). Signed-in people read the primary, and so does everyone while the
# replica does not answer (signpost/search/router.py).
SEARCH_DATABASE = "default"
if os.environ.get("SEARCH_DATABASE_URL"):
    # A kept connection is checked before each request's first search, so that a replica
    # stopped since is noticed before a query fails on it.
    DATABASES["search"] = dj_database_url.parse(
        env("SEARCH_DATABASE_URL"), conn_max_age=60, conn_health_checks=True
    )
    DATABASES["search"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["search"]["ENGINE"] == "django.db.backends.postgresql":
        options = DATABASES["search"].setdefault("OPTIONS", {})
        options["options"] = "-c jit=off"
        # A replica that cannot be reached costs a request at most this (libpq's least).
        options["connect_timeout"] = 2
    SEARCH_DATABASE = "search"
# After a failed attempt, how long the replica is left alone before it is tried again.
SEARCH_REPLICA_RETRY_SECONDS = float(env_int("SEARCH_REPLICA_RETRY_SECONDS", 5))
DATABASE_ROUTERS = ["signpost.search.router.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The interface languages (docs/translations.md): English at the site's root, each other
# under its own prefix (/pl/...). No cookie and no session ever choose one.
LANGUAGES = [
    ("en-gb", "English"),
    ("cy", "Welsh"),
    ("pl", "Polish"),
    ("uk", "Ukrainian"),
    ("ru", "Russian"),
    ("ro", "Romanian"),
    ("sq", "Albanian"),
    ("vi", "Vietnamese"),
    ("bg", "Bulgarian"),
    ("lt", "Lithuanian"),
    ("lv", "Latvian"),
    ("sk", "Slovak"),
    ("zh-hans", "Simplified Chinese"),
    ("ar", "Arabic"),
]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "signpost" / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files in S3-compatible object storage when a bucket is named (django-storages);
# keys come from the environment as boto3 reads them (AWS_ACCESS_KEY_ID, ...). The bucket
# stays private: files reach visitors only through Signpost's own file view.
if env("S3_BUCKET", ""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET", ""),
            "endpoint_url": env("S3_ENDPOINT_URL", "") or None,
            "region_name": env("S3_REGION", "") or None,
            "default_acl": None,
            "file_overwrite": False,
        },
    }

# Uploaded documents (signpost/documents): the largest file accepted, and the limits within
# which one file is read (in a child process: time, memory, pages, characters of text).
DOCUMENT_MAX_BYTES = int(env("DOCUMENT_MAX_BYTES", str(50 * 1024 * 1024)))
DOCUMENT_MAX_PAGES = 2000
DOCUMENT_TEXT_PAGES = 500
DOCUMENT_TEXT_CHARS = 2_000_000
DOCUMENT_READ_SECONDS = 30
DOCUMENT_READ_MEMORY = 1024 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "signpost.documents.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# The cache (rendered public pages, keyed by their validator: signpost/site/caching.py):
# each process's own memory by default; CACHE_URL=redis://127.0.0.1:6379/0 shares one
# among all the workers and machines (at scale); dummy:// keeps nothing.
CACHES = {"default": cache_from_url(env("CACHE_URL", "locmem://"))}

# Where Quick Exit sends a visitor: a neutral page that looks ordinary in a browser history.
QUICK_EXIT_URL = env("QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")
ADMIN_PATH = env("ADMIN_PATH", "staff/admin/").strip("/") + "/"

# Help routes, shown in the footer of every public page and on the safety and no-result
# pages. Change them here, or set SIGNPOST_HELP_ROUTES to a JSON list of the same shape.
# Where each fact comes from: docs/help-routes.md. The defaults' words are translated (they
# are marked here); routes set in the environment are shown as they are written.
HELP_ROUTES: list[dict[str, str]] = json.loads(
    env(
        "SIGNPOST_HELP_ROUTES",
        json.dumps(
            [
                {
                    "label": gettext_noop("In an emergency"),
                    "number": "999",
                    "note": gettext_noop(
                        "If you cannot speak, call 999 from a mobile and press 55 when asked"
                    ),
                },
                {
                    "label": gettext_noop("Modern Slavery & Exploitation Helpline"),
                    "number": "08000 121 700",
                    "note": gettext_noop(
                        "Free and confidential, open 24 hours a day, with interpreters"
                    ),
                },
                {
                    "label": gettext_noop("Police, when it is not an emergency"),
                    "number": "101",
                    "note": "",
                },
            ]
        ),
    )
)

# Search: False for lexical search alone, without the meaning of words (semantic.py).
SEARCH_SEMANTIC = env("SEARCH_SEMANTIC", "true").lower() not in ("0", "false", "no", "off")

SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"private": {"()": "signpost.site.private_logs.RedactVisitorData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["private"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Link health (signpost/links): who the checker says it is, and how patient it is.
LINKS_CONTACT_URL = env("LINKS_CONTACT_URL", "https://signpost.example/accessibility/")
LINKS_TIMEOUTS = {"connect": 5.0, "read": 10.0, "total": 30.0}
LINKS_PAUSE_PER_HOST = 2.0
LINKS_SITES_AT_ONCE = 4
# Addresses the checker may fetch although they are not public: none, outside the tests.
LINKS_ALLOWED_ADDRESSES: list[str] = []

# Background work (django-tasks): queued in the database, run by `manage.py worker`, which
# `make run` starts beside the web server. The schedule needs no cron entry.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SIGNPOST_SCHEDULE = {
    "check-links": {"task": "signpost.links.tasks.check_links", "every": timedelta(days=1)},
    "send-review-reminders": {
        "task": "signpost.editorial.tasks.send_review_reminders",
        "every": timedelta(days=1),
    },
    "forget-sign-in-failures": {
        "task": "signpost.editorial.tasks.forget_sign_in_failures",
        "every": timedelta(hours=1),
    },
}

# OAI-PMH for harvesters (signpost/opendata/oai.py, docs/oai-pmh.md). The repository id names
# records ("oai:signpost:<id>") whatever host serves them: changing it renames every record.
# The admin email is who answers for the repository (an example address until it is set).
OAI_REPOSITORY_ID = "signpost"
OAI_ADMIN_EMAIL = env("OAI_ADMIN_EMAIL", "editors@signpost.example")
OAI_PAGE_SIZE = 100
OAI_TOKEN_LIFETIME = timedelta(hours=24)

# Feeds name each entry by a tag URI under this authority (signpost/opendata/feeds.py): like
# OAI_REPOSITORY_ID, changing it makes every entry new to every reader.
FEED_ID_AUTHORITY = env("FEED_ID_AUTHORITY", "signpost")
# The licence of the catalogue's own metadata (titles, summaries, dates, names), stated on
# the Data and API page and with every download; the resources keep their owners' terms.
OPEN_DATA_LICENCE_NAME = env("OPEN_DATA_LICENCE_NAME", "Creative Commons Attribution 4.0")
OPEN_DATA_LICENCE_URL = env("OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")

# Editorial emails (invitations, reminders, answers to owners): the address people reach the
# site at, for links in emails, and how mail leaves. SMTP settings come from the environment.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env("EMAIL_USE_TLS", "0") == "1"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Signpost <signpost@localhost>")
LOGIN_URL = "editorial:sign_in"
# The issuer an authenticator app shows beside the code.
OTP_TOTP_ISSUER = "Signpost"
