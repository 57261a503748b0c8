"""The reverse proxy in front of the app (deploy/nginx/, docs/deploy.md): its configuration,
rendered from the settings, and its cache emptied whenever the catalogue changes.

nginx keeps each cached page as a file named by the digest of its key, and treats a file
that is gone as a miss. So publishing purges by removing those files: the app needs no
channel to nginx, only the folder (PROXY_CACHE_DIR, shared with nginx's worker account).
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "signpost.conf"
# Where nginx's packages put the table of file types (Debian's first).
MIME_TYPES = (
    "/etc/nginx/mime.types",
    "/usr/local/etc/nginx/mime.types",
    "/opt/homebrew/etc/nginx/mime.types",
    "/usr/local/nginx/conf/mime.types",
)
# File systems that live in memory: nothing written there reaches a disk.
MEMORY_FILE_SYSTEMS = {"tmpfs", "ramfs"}
# A cached entry's name: the MD5 of its key. nginx's temporary files are numbered instead.
_ENTRY = re.compile(r"^[0-9a-f]{32}$")
_PLACEHOLDER = re.compile(r"\$\{(SIGNPOST_[A-Z_]+)\}")
# What may stand in nginx's configuration unquoted: no space, no ; { } # or quote.
_PLAIN = re.compile(r"^[^\s;{}#'\"]+$")


class ProxyConfigError(ValueError):
    """A value the proxy's configuration cannot be rendered with, said for a person."""


def file_system_of(path: Path) -> str:
    """The type of the file system that holds `path` (or would, for a folder not made yet),
    from /proc/mounts; empty where that cannot be read."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return ""
    target = Path(os.path.realpath(path))
    best, kind = "", ""
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        # /proc/mounts writes a space in a mount point as \040.
        point = fields[1].replace("\\040", " ")
        inside = target == Path(point) or Path(point) in target.parents
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def on_memory(path: Path) -> bool:
    return file_system_of(path) in MEMORY_FILE_SYSTEMS


def _plain(name: str, value: str) -> str:
    if not _PLAIN.match(value):
        raise ProxyConfigError(f"{name} {value!r} holds a space or a character nginx reads.")
    return value


def _private_paths() -> str:
    """The staff and partners' pages, in every interface language, and the admin: a regex."""
    languages = "|".join(sorted(re.escape(code) for code, _ in settings.LANGUAGES))
    admin = re.escape(settings.ADMIN_PATH.rstrip("/"))
    return f"^/(?:(?:{languages})/)?(?:staff|{admin})(?:/|$)"


def proxy_config_render(
    *,
    listen: str,
    app: str,
    user: str,
    pages_size: str = "256m",
    queries_size: str = "32m",
    cache_dir: str | None = None,
) -> str:
    """deploy/nginx/signpost.conf with every placeholder filled in from the settings and these
    (the cache folder is PROXY_CACHE_DIR unless another is named).

    Refuses a cache folder that is not on memory: nginx writes each key, query string and
    all, in clear text at the head of its file, and a search's page holds its words.
    """
    cache = str(settings.PROXY_CACHE_DIR if cache_dir is None else cache_dir)
    if not cache:
        raise ProxyConfigError(
            "PROXY_CACHE_DIR is not set: name a folder on memory for the proxy's cache, "
            "such as /dev/shm/signpost-proxy, in the environment of the app and of this command."
        )
    if not Path(cache).is_absolute():
        raise ProxyConfigError(f"PROXY_CACHE_DIR must be an absolute path, not {cache!r}.")
    if not on_memory(Path(cache)):
        raise ProxyConfigError(
            f"PROXY_CACHE_DIR {cache!r} is not on a memory file system (tmpfs): visitors' "
            "searches would be written to disk. Choose a folder under /dev/shm or another tmpfs."
        )
    mime_types = next((p for p in MIME_TYPES if Path(p).is_file()), "")
    if not mime_types:
        raise ProxyConfigError("nginx's mime.types was not found: is nginx installed?")
    cookie = settings.SESSION_COOKIE_NAME
    if not re.fullmatch(r"[A-Za-z0-9_]+", cookie):
        raise ProxyConfigError(
            f"SESSION_COOKIE_NAME {cookie!r} cannot be named in nginx: use letters, digits and _."
        )
    values = {
        "SIGNPOST_USER": _plain("The user", user),
        "SIGNPOST_LISTEN": _plain("The address to listen at", listen),
        "SIGNPOST_APP": _plain("The app's address", app),
        "SIGNPOST_STATIC_ROOT": _plain("STATIC_ROOT", str(settings.STATIC_ROOT).rstrip("/")),
        "SIGNPOST_CACHE_DIR": _plain("PROXY_CACHE_DIR", cache.rstrip("/")),
        "SIGNPOST_MIME_TYPES": _plain("mime.types", mime_types),
        "SIGNPOST_SESSION_COOKIE": cookie,
        "SIGNPOST_PRIVATE_PATHS": _private_paths(),
        # Room for the largest upload and the rest of its form.
        "SIGNPOST_MAX_BODY": f"{settings.DOCUMENT_MAX_BYTES // (1024 * 1024) + 1}m",
        "SIGNPOST_PAGES_SIZE": _plain("The pages' cache size", pages_size),
        "SIGNPOST_QUERIES_SIZE": _plain("The queries' cache size", queries_size),
    }
    template = TEMPLATE.read_text()
    missing = set(_PLACEHOLDER.findall(template)) - set(values)
    if missing:
        raise ProxyConfigError(f"The template names values this code lacks: {sorted(missing)}.")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def proxy_cache_purge() -> int:
    """Empty the proxy's cache (PROXY_CACHE_DIR): every page is fetched afresh from the app.

    Returns how many cached entries were removed. Folders and nginx's temporary files stay.
    A cache this process may not empty is logged and left: the write it follows has been
    committed, and the cache's own expiry (a minute) still applies.
    """
    folder = settings.PROXY_CACHE_DIR
    if not folder:
        return 0
    removed = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            if not _ENTRY.match(name):
                continue
            try:
                os.unlink(os.path.join(parent, name))
                removed += 1
            except FileNotFoundError:
                pass  # expired by nginx meanwhile
            except OSError as error:
                logger.warning("The proxy's cache could not be emptied: %s", error.strerror)
                return removed
    return removed


def proxy_cache_purge_on_commit() -> None:
    """Empty the proxy's cache once the current transaction commits (once, however many
    writes it holds)."""
    if not settings.PROXY_CACHE_DIR:
        return
    connection = transaction.get_connection()
    if any(callback is proxy_cache_purge for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(proxy_cache_purge, robust=True)
