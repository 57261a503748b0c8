"""Local development and `make run`: the embedded defaults, no services needed."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env("DEBUG", "0") == "1"
# A key for this machine only, kept out of the repository in var/.
_key_file = BASE_DIR / "var" / "secret_key"
if not _key_file.exists():
    import secrets

    _key_file.parent.mkdir(parents=True, exist_ok=True)
    _key_file.write_text(secrets.token_urlsafe(50))
SECRET_KEY = env("SECRET_KEY", _key_file.read_text().strip())
# Emails are printed where `make run` runs, unless an SMTP server is configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
