"""HTTP benchmark (`make benchmark-http`, docs/deploy.md "Figures"): in one run, on the same
machine, wrk against nginx serving saved copies of the pages, the app through the shipped
proxy cache, and the app directly; then a bounded load test at three times a stated peak.

Everything listens on 127.0.0.1 and is stopped at the end. The catalogue is the database the
settings name (the make target loads the demo into a fresh one); gunicorn runs with the
project's gunicorn.conf.py and 2 workers, nginx with deploy/nginx/signpost.conf rendered as
an operator renders it, its cache in a fresh folder on memory.
"""

from __future__ import annotations

import contextlib
import getpass
import gzip
import http.client
import itertools
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from signpost.catalogue.models import Organisation, Resource, Topic
from signpost.site.proxy import on_memory, proxy_config_render

# The pages compared with a static copy: the home page, a search, a resource page.
SEARCH = "/resources/?q=trafficking"
SEARCHES = (
    "trafficking", "forced labour", "child exploitation", "county lines", "debt bondage",
    "domestic servitude", "national referral mechanism", "support for victims", "payslip",
    "sexual exploitation", "supply chains", "criminal exploitation",
)  # fmt: skip
# Saved copies are served as nginx serves any static site: files, with their gzip beside them.
STATIC_CONFIG = """
user {user};
daemon off;
worker_processes auto;
pid nginx.pid;
error_log stderr crit;
events {{ worker_connections 1024; }}
http {{
    include {mime_types};
    default_type text/html;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    access_log off;
    gzip on;
    gzip_vary on;
    gzip_static on;
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location = / {{ try_files /home.html =404; }}
        location = /resources/ {{ try_files /search.html =404; }}
        location /resources/ {{ try_files /resource.html =404; }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                # The parent's id follows the command name, which is in parentheses.
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


@dataclass
class Wrk:
    requests_per_second: float
    p50_ms: float
    errors: int


@dataclass
class Load:
    count: int
    seconds: float
    latencies_ms: list[float]
    errors: Counter[str]


class Command(BaseCommand):
    help = "wrk against nginx static, the proxy cache and the app; then a bounded load test."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
        parser.add_argument("--connections", type=int, default=32)
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument(
            "--peak", type=int, default=50, help="the stated peak (req/s); the load is 3 times it"
        )
        parser.add_argument(
            "--load-seconds", type=int, default=30, help="the load test's length at its rate"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        nginx = shutil.which("nginx") or next(
            (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
        )
        wrk = shutil.which("wrk")
        if nginx is None or wrk is None:
            raise CommandError("nginx and wrk are needed: `make proxy-deps` installs them.")
        # The cache on memory, as the shipped configuration requires (a fresh folder per run).
        memory = Path("/dev/shm")  # noqa: S108
        if not (memory.is_dir() and on_memory(memory)):
            raise CommandError("No memory file system (/dev/shm) for the proxy's cache.")
        if not Resource.objects.published().exists():
            raise CommandError("The catalogue is empty: load it first (manage.py load_demo).")
        if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
            raise CommandError("Collect the static files first (manage.py collectstatic).")
        self.nginx, self.wrk, self.options = nginx, wrk, options
        folder = Path(tempfile.mkdtemp(prefix="signpost-bench-http-"))
        cache = Path(tempfile.mkdtemp(prefix="signpost-bench-http-", dir=memory))
        try:
            self._run(folder, cache)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(folder, ignore_errors=True)

    def _run(self, folder: Path, cache: Path) -> None:
        app_port, proxy_port, static_port = _free_port(), _free_port(), _free_port()
        resource = Resource.objects.published().order_by("uid").first()
        assert resource is not None
        pages = {"/": "home", SEARCH: "search", resource.get_absolute_url(): "resource"}
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(app_port),
            "WEB_CONCURRENCY": "2",
            "PROXY_CACHE_DIR": str(cache),
        }
        gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py"]
        with self._process("gunicorn", gunicorn, folder, env=env, port=app_port) as app:
            mixed = self._mixed_paths(app_port)
            (folder / "static").mkdir()
            proxy_conf = folder / "proxy.conf"
            proxy_conf.write_text(
                proxy_config_render(
                    listen=f"127.0.0.1:{proxy_port}",
                    app=f"127.0.0.1:{app_port}",
                    user=getpass.getuser(),
                    cache_dir=str(cache),
                )
            )
            mime_types = re.search(r"include (\S+);", proxy_conf.read_text())
            static_conf = folder / "static.conf"
            static_conf.write_text(
                STATIC_CONFIG.format(
                    user=getpass.getuser(),
                    mime_types=mime_types.group(1) if mime_types else "mime.types",
                    port=static_port,
                    root=folder / "static",
                )
            )
            proxy_cmd = [self.nginx, "-p", f"{folder}/proxy/", "-c", str(proxy_conf)]
            static_cmd = [self.nginx, "-p", f"{folder}/static-prefix/", "-c", str(static_conf)]
            (folder / "proxy").mkdir()
            (folder / "static-prefix").mkdir()
            with (
                self._process(
                    "nginx", [*proxy_cmd, "-e", "stderr"], folder, env=env, port=proxy_port
                ),
                self._process(
                    "nginx-static", [*static_cmd, "-e", "stderr"], folder, env=env, port=static_port
                ),
            ):
                self._throughput(pages, folder / "static", app_port, proxy_port, static_port)
                self._load_tests(mixed, app, app_port, proxy_port, cache)

    def _throughput(
        self, pages: dict[str, str], copies: Path, app_port: int, proxy_port: int, static_port: int
    ) -> None:
        o = self.options
        self._say(
            f"HTTP throughput: wrk -t{o['threads']} -c{o['connections']} -d{o['duration']}s "
            f"-H 'Accept-Encoding: gzip', one run each, on 127.0.0.1; {_machine()}; "
            f"gunicorn with 2 workers; {Resource.objects.published().count()} published "
            "resources."
        )
        for path, name in pages.items():
            for _ in range(2):  # stored, then found
                _get(proxy_port, path, **{"Accept-Encoding": "gzip"})
            status, headers, body = _get(proxy_port, path, **{"Accept-Encoding": "gzip"})
            if (status, headers.get("X-Cache-Status")) != (200, "HIT"):
                raise CommandError(f"The proxy does not keep {path}: {status} {headers}")
            if headers.get("Content-Encoding") != "gzip":
                raise CommandError(f"{path} came without gzip: {headers}")
            # The same bytes as the proxy's cache holds (its address is in the page), saved
            # compressed as a static site would keep them, and plain beside them.
            (copies / f"{name}.html.gz").write_bytes(body)
            (copies / f"{name}.html").write_bytes(gzip.decompress(body))
            status, _, copy = _get(static_port, path, **{"Accept-Encoding": "gzip"})
            if (status, copy) != (200, body):
                raise CommandError(f"nginx's static copy of {path} is not the page: {status}")
        width = max(len(p) for p in pages)
        self._say(
            f"{'address':<{width}} {'nginx static':>13} {'proxy cache':>13} {'ratio':>6} "
            f"{'app direct':>11} {'ratio':>6}   p50 static / proxy / app"
        )
        for path in pages:
            static = self._wrk(static_port, path)
            proxied = self._wrk(proxy_port, path)
            direct = self._wrk(app_port, path)
            errors = {"static": static.errors, "proxy": proxied.errors, "app": direct.errors}
            errors = {name: n for name, n in errors.items() if n}
            self._say(
                f"{path:<{width}} {static.requests_per_second:>13,.0f} "
                f"{proxied.requests_per_second:>13,.0f} "
                f"{proxied.requests_per_second / static.requests_per_second:>6.2f} "
                f"{direct.requests_per_second:>11,.0f} "
                f"{direct.requests_per_second / static.requests_per_second:>6.3f}   "
                f"{static.p50_ms:.2f} / {proxied.p50_ms:.2f} / {direct.p50_ms:.1f} ms"
                + (f"   errors: {errors}" if errors else "")
            )

    def _load_tests(
        self,
        paths: list[str],
        app: subprocess.Popen[bytes],
        app_port: int,
        proxy_port: int,
        cache: Path,
    ) -> None:
        peak = self.options["peak"]
        rate = 3 * peak
        count = rate * self.options["load_seconds"]
        self._say(
            f"Load: {count:,} requests at {rate} req/s (3 times a peak of {peak} req/s), "
            f"{len(paths)} addresses in turn (home, lists, filters, searches, resource pages, "
            "feeds, API, other languages); latency from each request's due time."
        )
        for name, port in (("through the proxy", proxy_port), ("app direct", app_port)):
            if port == proxy_port:
                for entry in cache.rglob("*"):
                    if entry.is_file() and len(entry.name) == 32:
                        entry.unlink()
            workers = _children(app.pid)
            before = sum(_rss_kib(pid) for pid in workers)
            result = _load(port, paths, rate=rate, count=count)
            after = sum(_rss_kib(pid) for pid in _children(app.pid))
            latencies = sorted(result.latencies_ms)
            errors = sum(result.errors.values())
            self._say(
                f"{name:<18} {result.count:,} requests in {result.seconds:.1f} s "
                f"({result.count / result.seconds:.0f} req/s), {errors} errors"
                + (f" {dict(result.errors)}" if errors else "")
                + f"; p50 {statistics.median(latencies):.1f} ms, "
                f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms, "
                f"max {latencies[-1]:.0f} ms; gunicorn workers' RSS "
                f"{before / 1024:.0f} MiB before, {after / 1024:.0f} MiB after "
                f"({len(workers)} workers)"
            )

    def _mixed_paths(self, port: int) -> list[str]:
        """A visitor's mix of addresses, each checked to answer 200."""
        resources = list(Resource.objects.published().order_by("uid")[:12])
        topics = list(Topic.objects.order_by("slug")[:3])
        organisations = list(Organisation.objects.order_by("slug")[:3])
        paths = [
            "/", "/resources/", "/organisations/", "/topics/", "/audiences/", "/languages/",
            "/resources/?type=report&language=en", "/resources/?language=uk",
            "/resources/?type=leaflet", "/resources/?page=2", "/pl/", "/uk/resources/",
            "/feed/", "/resources/feed/?q=trafficking", "/api/v1/resources",
            "/api/v1/resources?q=forced+labour", "/using-this-site-safely/",
        ]  # fmt: skip
        paths += [f"/resources/?q={q.replace(' ', '+')}" for q in SEARCHES]
        paths += [f"/resources/?topic={t.slug}" for t in topics]
        paths += [t.get_absolute_url() for t in topics]
        paths += [o.get_absolute_url() for o in organisations]
        paths += [r.get_absolute_url() for r in resources]
        paths += [f"/api/v1/resources/{r.uid}" for r in resources[:4]]
        bad = [p for p in paths if _get(port, p)[0] != 200]
        if bad:
            raise CommandError(f"These addresses do not answer 200: {bad}")
        return paths

    def _wrk(self, port: int, path: str) -> Wrk:
        o = self.options
        run = subprocess.run(  # noqa: S603 (wrk, found on the PATH, with this command's options)
            [
                self.wrk,
                *(f"-t{o['threads']}", f"-c{o['connections']}", f"-d{o['duration']}s"),
                *("--latency", "-H", "Accept-Encoding: gzip", f"http://127.0.0.1:{port}{path}"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        out = run.stdout
        rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
        p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if rate is None or p50 is None:
            raise CommandError(f"wrk said something unexpected:\n{out}{run.stderr}")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
        non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        sockets = re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
        )
        errors = int(non_2xx.group(1)) if non_2xx else 0
        errors += sum(int(n) for n in sockets.groups()) if sockets else 0
        return Wrk(float(rate.group(1)), float(p50.group(1)) * scale, errors)

    @contextlib.contextmanager
    def _process(
        self, name: str, command: list[str], folder: Path, *, env: dict[str, str], port: int
    ) -> Iterator[subprocess.Popen[bytes]]:
        log = folder / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 (gunicorn and nginx, with our own files)
                command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            for _ in range(300):
                if process.poll() is not None:
                    break
                with contextlib.suppress(OSError):
                    _get(port, "/robots.txt")
                    break
                time.sleep(0.1)
            else:
                raise CommandError(f"{name} did not start:\n{log.read_text()}")
            if process.poll() is not None:
                raise CommandError(f"{name} stopped:\n{log.read_text()}")
            yield process
        finally:
            process.terminate()
            process.wait(timeout=30)

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()


def _load(port: int, paths: list[str], *, rate: int, count: int, threads: int = 32) -> Load:
    """`count` requests at `rate` a second, each sent at its due time whatever the answers
    before it (an open loop), over `threads` kept-alive connections; stops by itself."""
    lock = threading.Lock()
    numbers = itertools.count()
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    start = time.perf_counter() + 0.5

    def client() -> None:
        connection: http.client.HTTPConnection | None = None
        while True:
            with lock:
                number = next(numbers)
            if number >= count:
                break
            due = start + number / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request(
                    "GET", paths[number % len(paths)], headers={"Accept-Encoding": "gzip"}
                )
                response = connection.getresponse()
                response.read()
                outcome = str(response.status)
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
                if connection is not None:
                    connection.close()
                connection = None
            done = time.perf_counter()
            with lock:
                latencies.append((done - due) * 1000)
                if outcome != "200":
                    errors[outcome] += 1
        if connection is not None:
            connection.close()

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return Load(count, time.perf_counter() - start, latencies, errors)


def _machine() -> str:
    memory = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / (1024 * 1024))
    version = subprocess.run(  # noqa: S603 (nginx -v)
        [shutil.which("nginx") or "/usr/sbin/nginx", "-v"], capture_output=True, text=True
    ).stderr.strip()
    return (
        f"{os.cpu_count()} cores, {memory} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {version.removeprefix('nginx version: ')}"
    )
