"""The shipped reverse proxy (deploy/nginx/) in front of the real app, through real HTTP.

gunicorn serves the demo catalogue with the project's gunicorn.conf.py from a database of
this run's engine; a real nginx runs the configuration `manage.py proxy_config` renders,
with its own prefix and its cache on memory. A few rules of nginx's own (a response that
sets a cookie, an expired page revalidated) need an answer the app never gives, so a second
nginx from the same configuration stands in front of a small local server that gives it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import getpass
import gzip
import http.client
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction

from signpost.search.index import index_version_raise
from signpost.site.proxy import proxy_cache_purge

from .conftest import ROOT
from .processes import child_database_url, drop_child_database

NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
)
MEMORY_FILE_SYSTEMS = {"tmpfs", "ramfs"}


def mount_type(path: Path) -> str:
    """The file system type /proc/mounts gives for the mount that holds `path`."""
    target, best, kind = Path(os.path.realpath(path)), "", ""
    for line in Path("/proc/mounts").read_text().splitlines():
        _, point, fs_type, *_ = line.split()
        point = point.replace("\\040", " ")
        if (target == Path(point) or Path(point) in target.parents) and len(point) >= len(best):
            best, kind = point, fs_type
    return kind


def memory_folder() -> Path | None:
    for candidate in ("/dev/shm", f"/run/user/{os.getuid()}"):
        usable = os.path.isdir(candidate) and os.access(candidate, os.W_OK)
        if usable and mount_type(Path(candidate)) in MEMORY_FILE_SYSTEMS:
            return Path(candidate)
    return None


MEMORY = memory_folder() if os.path.exists("/proc/mounts") else None


def need_nginx() -> Path:
    """The memory folder for nginx's cache; skips without nginx or one (fails in CI)."""
    missing = (
        "nginx is not installed (make proxy-deps installs it)"
        if NGINX is None
        else "no writable memory file system (tmpfs) for the proxy's cache"
        if MEMORY is None
        else ""
    )
    if missing:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"CI needs the proxy tests to run, but {missing}.", pytrace=False)
        pytest.skip(missing)
    assert MEMORY is not None
    return MEMORY


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def cache(self) -> str:
        return self.headers.get("X-Cache-Status", "")

    def text(self) -> str:
        raw = self.body
        if self.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        return raw.decode()


def fetch(base: str, path: str, method: str = "GET", **headers: str) -> Answer:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(base: str, path: str, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(200):
        if process.poll() is not None:
            break
        try:
            fetch(base, path)
            return
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"{process.args[0]} did not start:\n{log.read_text()}")


@dataclass
class Proxy:
    base: str
    cache: Path
    prefix: Path
    log: Path
    config: str


@contextlib.contextmanager
def nginx_in_front_of(
    upstream: str, *, folder: Path, env: dict[str, str], cache: Path
) -> Iterator[Proxy]:
    """nginx from the configuration as an operator renders it, in front of `upstream`."""
    port = free_port()
    rendered = subprocess.run(
        [
            *(sys.executable, "manage.py", "proxy_config", "--listen", f"127.0.0.1:{port}"),
            *("--app", upstream, "--user", getpass.getuser(), "--queries-size", "2m"),
        ],
        env={**env, "PROXY_CACHE_DIR": str(cache)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    config = folder / "nginx.conf"
    config.write_text(rendered.stdout)
    prefix = folder / "prefix"
    prefix.mkdir()
    log = folder / "nginx.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [NGINX or "nginx", "-p", f"{prefix}/", "-c", str(config), "-e", "stderr"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, "/static/", process, log)
        yield Proxy(base, cache, prefix, log, rendered.stdout)
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Site:
    app: str
    proxy: Proxy
    env: dict[str, str]
    app_log: Path
    static_root: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """The demo catalogue on gunicorn (2 workers), behind nginx with its cache on memory."""
    memory = need_nginx()
    folder = tmp_path_factory.mktemp("proxied")
    cache = Path(tempfile.mkdtemp(prefix="signpost-proxy-test-", dir=memory))
    url = child_database_url(folder)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "signpost.settings.dev",
        "DATABASE_URL": url,
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "SECRET_KEY": "proxy-tests-only",
        "PROXY_CACHE_DIR": str(cache),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for command in (["load_demo"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    app_log = folder / "gunicorn.log"
    with app_log.open("w") as out:
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    app = f"http://127.0.0.1:{port}"
    try:
        wait_for(app, "/robots.txt", gunicorn, app_log)
        with nginx_in_front_of(f"127.0.0.1:{port}", folder=folder, env=env, cache=cache) as proxy:
            yield Site(app, proxy, env, app_log, folder / "static")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=10)
        shutil.rmtree(cache, ignore_errors=True)
        drop_child_database(url)


def app_requests(site: Site, path: str) -> int:
    """How many requests for `path` (without its query) reached gunicorn, from its access log
    (written just after each response, so read once it has settled)."""
    counts = [-1]
    while True:
        lines = site.app_log.read_text().splitlines()
        counts.append(sum(f'"GET {path}"' in line for line in lines))
        if counts[-1] == counts[-2]:
            return counts[-1]
        time.sleep(0.3)


def cache_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and len(p.name) == 32]


def disk_usage(files: list[Path]) -> int:
    """What these files take on their file system (as nginx counts a cache's size)."""
    total = 0
    for path in files:
        with contextlib.suppress(FileNotFoundError):  # removed by nginx meanwhile
            total += path.stat().st_blocks * 512
    return total


def test_a_public_page_is_a_miss_then_a_hit_that_never_reaches_the_app(site):
    first = fetch(site.proxy.base, "/organisations/", **{"Accept-Encoding": "gzip"})
    assert (first.status, first.cache) == (200, "MISS")
    before = app_requests(site, "/organisations/")
    for _ in range(3):
        again = fetch(site.proxy.base, "/organisations/", **{"Accept-Encoding": "gzip"})
        assert (again.status, again.cache) == (200, "HIT")
        assert again.body == first.body
        assert again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Cache-Control"].startswith("public, max-age=")
    assert app_requests(site, "/organisations/") == before == 1


def test_a_revalidation_is_answered_304_and_garbage_is_a_normal_200(site):
    fetch(site.proxy.base, "/topics/")
    hit = fetch(site.proxy.base, "/topics/")
    assert hit.cache == "HIT"
    unchanged = fetch(site.proxy.base, "/topics/", **{"If-None-Match": hit.headers["ETag"]})
    assert (unchanged.status, unchanged.body, unchanged.cache) == (304, b"", "HIT")
    garbage = fetch(site.proxy.base, "/topics/", **{"If-None-Match": "garbage"})
    assert garbage.status == 200 and garbage.body == hit.body


def test_pages_are_compressed_and_each_client_gets_what_it_accepts(site):
    page = "/audiences/"
    zipped = fetch(site.proxy.base, page, **{"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert fetch(site.proxy.base, page, **{"Accept-Encoding": "gzip"}).cache == "HIT"
    # The compressed copy kept for the first client is never sent to one that cannot read it.
    plain = fetch(site.proxy.base, page)
    assert "Content-Encoding" not in plain.headers
    assert plain.text() == zipped.text() and "<html" in plain.text()


def test_static_files_are_served_by_nginx_compressed_and_hashed_names_kept_long(site):
    manifest = json.loads((site.static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["site/signpost.css"]
    answer = fetch(site.proxy.base, f"/static/{hashed}", **{"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert gzip.decompress(answer.body) == (site.static_root / hashed).read_bytes()
    unhashed = fetch(site.proxy.base, "/static/site/signpost.css")
    assert unhashed.status == 200 and unhashed.headers["Cache-Control"] == "public, max-age=60"
    assert "X-Cache-Status" not in answer.headers
    assert "/static/" not in site.app_log.read_text()


@pytest.mark.parametrize(
    "path", ["/staff/sign-in/", "/pl/staff/sign-in/", "/zh-hans/staff/sign-in/", "/staff/admin/"]
)
def test_staff_pages_are_never_kept(site, path):
    before = len(cache_files(site.proxy.cache))
    for _ in range(3):
        answer = fetch(site.proxy.base, path)
        assert answer.status in (200, 302), path
        assert answer.headers["Cache-Control"] == "private, no-store"
        assert answer.cache == ""
    assert len(cache_files(site.proxy.cache)) == before
    assert app_requests(site, path) >= 3


def test_a_request_with_the_session_cookie_bypasses_the_cache(site):
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}=not-a-real-session"}
    fetch(site.proxy.base, "/languages/")
    assert fetch(site.proxy.base, "/languages/").cache == "HIT"
    assert fetch(site.proxy.base, "/languages/", **cookie).cache == "BYPASS"
    # Nor is what a signed-in person was sent kept for anyone else.
    signed_in = fetch(site.proxy.base, "/accessibility/", **cookie)
    assert (signed_in.status, signed_in.cache) == (200, "BYPASS")
    assert fetch(site.proxy.base, "/accessibility/").cache == "MISS"


def test_a_search_is_kept_only_on_memory_and_never_by_the_browser(site):
    words = "debt bondage"
    search = "/resources/?q=debt+bondage"
    first = fetch(site.proxy.base, search, **{"Accept-Encoding": "gzip"})
    assert (first.status, first.cache) == (200, "MISS")
    assert words in first.text()
    assert first.headers["Cache-Control"] == "no-store"
    assert "X-Accel-Expires" not in first.headers
    second = fetch(site.proxy.base, search, **{"Accept-Encoding": "gzip"})
    assert (second.cache, second.headers["Cache-Control"]) == ("HIT", "no-store")

    # nginx writes the key, query and all, in clear text: it is there, on memory only.
    holding = [p for p in cache_files(site.proxy.cache) if b"q=debt+bondage" in p.read_bytes()]
    assert holding and all(p.is_relative_to(site.proxy.cache / "queries") for p in holding)
    assert mount_type(site.proxy.cache) in MEMORY_FILE_SYSTEMS
    # Nothing else written for this run holds it: nginx's prefix, its log, the app's log.
    on_disk = [p for p in site.proxy.prefix.rglob("*") if p.is_file()]
    on_disk += [site.proxy.log, site.app_log]
    for path in on_disk:
        assert b"bondage" not in path.read_bytes(), path
    assert "/resources/" in site.proxy.log.read_text()


def change(site: Site, action: str, slug: str) -> None:
    """Publish or withdraw a resource through the catalogue's services, as an editor's
    request or a command does: in another process, on the app's database."""
    code = (
        "import datetime, sys, django; django.setup()\n"
        "from signpost.catalogue.models import Resource\n"
        "from signpost.catalogue.services import OwnerAgreement, resource_publish, "
        "resource_withdraw\n"
        "resource = Resource.objects.get(slug=sys.argv[2])\n"
        "if sys.argv[1] == 'withdraw':\n"
        "    resource_withdraw(resource=resource, via='test')\n"
        "else:\n"
        "    agreement = OwnerAgreement(by='Owner', on=datetime.date(2026, 1, 1), how='Email')\n"
        "    resource_publish(resource=resource, agreement=agreement, by=None, via='test')\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, action, slug],
        env=site.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_publishing_and_withdrawing_purge_the_cache(site):
    slug = "accessing-support-as-a-victim-of-modern-slavery-adult"
    page, listing = f"/resources/{slug}/", "/organisations/west-midlands-anti-slavery-network/"
    title = "Accessing Support As A Victim Of Modern Slavery"
    for path in (page, listing):
        fetch(site.proxy.base, path)
        cached = fetch(site.proxy.base, path)
        assert (cached.status, cached.cache) == (200, "HIT")
        assert title in cached.text()

    change(site, "withdraw", slug)
    gone = fetch(site.proxy.base, page)
    assert (gone.status, gone.cache) == (404, "MISS")
    without = fetch(site.proxy.base, listing)
    assert (without.status, without.cache) == (200, "MISS")
    assert title not in without.text()

    change(site, "publish", slug)
    back = fetch(site.proxy.base, page)
    assert (back.status, back.cache) == (200, "MISS")
    assert title in back.text()
    assert fetch(site.proxy.base, page).cache == "HIT"


def test_a_flood_of_query_strings_neither_evicts_pages_nor_grows_without_bound(site):
    fetch(site.proxy.base, "/privacy/")
    assert fetch(site.proxy.base, "/privacy/").cache == "HIT"
    pages = set(cache_files(site.proxy.cache / "pages"))

    def one(number: int) -> int:
        return fetch(site.proxy.base, f"/using-this-site-safely/?ref={number}").status

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(one, range(2000)))
    assert statuses == [200] * 2000

    queries = site.proxy.cache / "queries"
    # nginx's cache manager removes the least recently used beyond the zone's 2 MB.
    for _ in range(100):
        kept = cache_files(queries)
        size = disk_usage(kept)
        if size <= 2 * 1024 * 1024:
            break
        time.sleep(0.1)
    assert 0 < len(kept) < 2000 and size <= 2 * 1024 * 1024
    # The pages' cache neither took the flood in nor lost anything to it.
    assert set(cache_files(site.proxy.cache / "pages")) == pages
    assert fetch(site.proxy.base, "/privacy/").cache == "HIT"


@dataclass
class StandIn:
    """A small upstream that answers what the app never does, and counts what it is asked."""

    asked: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory, site) -> Iterator[tuple[Proxy, StandIn]]:
    record = StandIn()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            record.asked.append((self.path, self.headers.get("If-None-Match", "")))
            etag = '"v1"'
            if self.path == "/expiring" and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Cache-Control", "public, max-age=60")
                self.end_headers()
                return
            body = f"<p>{self.path}</p>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            if self.path == "/expiring":
                self.send_header("Cache-Control", "public, max-age=1")
            else:
                self.send_header("Cache-Control", "public, max-age=60")
            if self.path == "/sets-a-cookie":
                self.send_header("Set-Cookie", "chosen=1; Path=/")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = tmp_path_factory.mktemp("stand-in")
    cache = Path(tempfile.mkdtemp(prefix="signpost-proxy-test-", dir=need_nginx()))
    try:
        with nginx_in_front_of(
            f"127.0.0.1:{server.server_port}", folder=folder, env=site.env, cache=cache
        ) as proxy:
            yield proxy, record
    finally:
        server.shutdown()
        shutil.rmtree(cache, ignore_errors=True)


def _asked(record: StandIn, path: str) -> int:
    return sum(p == path for p, _ in record.asked)


def test_a_response_that_sets_a_cookie_is_never_kept(stand_in):
    proxy, record = stand_in
    # The same answer without the cookie is kept: the cookie alone decides.
    assert [fetch(proxy.base, "/plain").cache for _ in range(2)] == ["MISS", "HIT"]
    assert [fetch(proxy.base, "/sets-a-cookie").cache for _ in range(2)] == ["MISS", "MISS"]
    assert (_asked(record, "/plain"), _asked(record, "/sets-a-cookie")) == (1, 2)


def test_a_staff_path_is_never_kept_whatever_its_cache_control_says(stand_in):
    proxy, record = stand_in
    # Matched as nginx decodes and normalises the path, and whatever its case.
    paths = ("/staff/owner/", "/uk/staff/editor/", "/staff/admin/login/", "/%73taff/owner/")
    for path in (*paths, "//staff/owner/", "/STAFF/owner/", "/Pl/staff/"):
        asked = len(record.asked)
        for _ in range(2):
            answer = fetch(proxy.base, path)
            assert answer.headers["Cache-Control"] == "public, max-age=60"
            assert answer.cache == ""
        assert len(record.asked) == asked + 2, path
    # The same answer on another path is kept: the path alone decides.
    assert [fetch(proxy.base, "/staffing/").cache for _ in range(2)] == ["MISS", "HIT"]


def test_an_expired_page_is_revalidated_with_the_app_in_the_background(stand_in):
    proxy, record = stand_in
    assert fetch(proxy.base, "/expiring").cache == "MISS"
    time.sleep(2.5)  # nginx counts whole seconds
    # The stale copy is answered at once while nginx asks the upstream if it changed.
    assert fetch(proxy.base, "/expiring").cache in ("STALE", "UPDATING", "REVALIDATED")
    for _ in range(50):
        if ("/expiring", '"v1"') in record.asked:
            break
        time.sleep(0.1)
    assert ("/expiring", '"v1"') in record.asked
    assert fetch(proxy.base, "/expiring").cache == "HIT"


# The app's side, without nginx: the configuration it renders and the purge it runs.


def test_the_configuration_is_refused_for_a_cache_folder_on_disk(settings):
    on_disk = Path(settings.BASE_DIR) / "var" / "proxy-cache"
    if mount_type(on_disk) in MEMORY_FILE_SYSTEMS:
        pytest.skip("this checkout is itself on memory")
    settings.PROXY_CACHE_DIR = ""
    with pytest.raises(CommandError, match="PROXY_CACHE_DIR is not set"):
        call_command("proxy_config", stdout=io.StringIO())
    settings.PROXY_CACHE_DIR = str(on_disk)
    with pytest.raises(CommandError, match="not on a memory file system"):
        call_command("proxy_config", stdout=io.StringIO())


def test_the_configuration_names_every_private_path_and_nothing_else(settings):
    settings.PROXY_CACHE_DIR = str(need_nginx() / "signpost-proxy")
    out = io.StringIO()
    call_command("proxy_config", "--listen", "8080", "--app", "127.0.0.1:8001", stdout=out)
    config = out.getvalue()
    assert not re.search(r"\$\{SIGNPOST_[A-Z_]+\}", config)
    assert f"proxy_no_cache $cookie_{settings.SESSION_COOKIE_NAME};" in config
    private = re.compile(re.search(r'location ~\* "([^"]+)"', config).group(1), re.I)
    for path in ("/staff/", "/staff/editor/", "/pl/staff/sign-in/", "/zh-hans/staff/", "/staff"):
        assert private.match(path), path
    for path in ("/", "/resources/", "/pl/resources/?q=staff", "/topics/staff-training/"):
        assert not private.match(path), path
    settings.ADMIN_PATH = "operators/"
    call_command("proxy_config", stdout=(out := io.StringIO()))
    private = re.compile(re.search(r'location ~\* "([^"]+)"', out.getvalue()).group(1), re.I)
    assert private.match("/operators/login/") and private.match("/staff/")


def test_the_cache_is_emptied_once_when_a_write_commits(
    settings, tmp_path, db, django_capture_on_commit_callbacks
):
    settings.PROXY_CACHE_DIR = str(tmp_path)
    entry = tmp_path / "pages" / "1" / "67" / "c14e39809f55f159475c12f9b06ba671"
    being_written = tmp_path / "pages" / "1" / "67" / "0000000042"
    entry.parent.mkdir(parents=True)
    entry.write_text("KEY: http127.0.0.1/")
    being_written.write_text("")
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        index_version_raise()
        index_version_raise()
    assert callbacks == [proxy_cache_purge]
    assert entry.exists()  # not before the commit
    callbacks[0]()
    assert not entry.exists() and being_written.exists()

    settings.PROXY_CACHE_DIR = ""
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        index_version_raise()
    assert callbacks == []
