"""A real streaming replica: searches read from it, writes go to the primary, an editor sees
their own change at once, and the site keeps answering when the replica stops.

The test runs two PostgreSQL servers of its own, both on 127.0.0.1 in a temporary folder: a
fresh cluster that allows replication, and a replica of it made by pg_basebackup. The
machine's own server is left alone (a test must not reconfigure it to allow replication).
PostgreSQL refuses to run as root, so under root the servers run as the `postgres` system
user. The site is gunicorn with DATABASE_URL at the primary and SEARCH_DATABASE_URL at the
replica, as a deployment would run it. Proof of where a read went comes from pausing the
replica's replay: a change on the primary is then missing from the replica alone.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import lxml.html
import psycopg
import pytest

from .conftest import DEMO_FILE, ROOT

pytestmark = pytest.mark.postgres

PASSWORD = "a-replica-test-password"
# Resources of the demo catalogue the tests change, one each, so that the tests stand alone.
IMPORTED = "blood-bricks-modern-slavery-and-climate-change"
EDITED = "national-enforcement-powers-guide"
SEARCHED = "modern-slavery-in-hand-car-washes-in-the-uk"
# A list page (no words searched) that shows the edited resource.
GUIDANCE = {"type": "guidance", "sort": "title"}
FELL_BACK = "The search replica does not answer"
CAME_BACK = "The search replica answers again"
RETRY_SECONDS = 1


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason}; REQUIRE_POSTGRES=1 needs the replica test to run.")
    pytest.skip(reason)


def _server_binaries() -> Path | None:
    """The newest PostgreSQL's server programs: Debian's layout, else those on PATH."""
    debian = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in debian.glob("*/bin") if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    on_path = shutil.which("pg_ctl")
    for folder in [*reversed(versions), *([Path(on_path).resolve().parent] if on_path else [])]:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "pg_basebackup")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Runner:
    """Runs PostgreSQL's programs as a user it accepts: `postgres` when we are root."""

    def __init__(self, binaries: Path):
        self.binaries = binaries
        self.user = "postgres" if os.geteuid() == 0 else None

    def own(self, path: Path) -> None:
        if self.user:
            record = pwd.getpwnam(self.user)
            os.chown(path, record.pw_uid, record.pw_gid)

    def run(self, program: str, *args: str, timeout: float = 120) -> None:
        command = [str(self.binaries / program), *args]
        if self.user:
            runuser = shutil.which("runuser")
            command = (
                [runuser, "-u", self.user, "--", *command]
                if runuser
                else ["su", self.user, "-s", "/bin/sh", "-c", shlex.join(command)]
            )
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")


@dataclass
class Server:
    """One PostgreSQL server of the test's own, on 127.0.0.1."""

    runner: Runner
    data: Path
    port: int

    def url(self, database: str = "signpost") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 "
            # TCP alone: no socket file, so no path length or folder permission to mind.
            "-c unix_socket_directories='' -c fsync=off"
        )
        log = self.data.parent / f"{self.data.name}.log"
        self.runner.run("pg_ctl", "start", "-D", str(self.data), "-l", str(log), "-w", "-t", "60",
                        "-o", options)  # fmt: skip

    def stop(self) -> None:
        """Stop it, by force if it does not stop in time."""
        try:
            self.runner.run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", "-t", "20",
                            timeout=30)  # fmt: skip
        except (RuntimeError, subprocess.TimeoutExpired):
            pid_file = self.data / "postmaster.pid"
            if pid_file.exists():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)

    def query(self, sql: str, params: tuple = (), database: str = "postgres") -> tuple:
        """One row. The monitoring queries go to `postgres`, so that only the site's own
        reads count in the `signpost` database's statistics."""
        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=5) as conn:
            row = conn.execute(sql, params).fetchone()
        assert row is not None
        return row

    def execute(self, sql: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)


@dataclass
class Replication:
    primary: Server
    replica: Server

    def pause(self) -> None:
        self.replica.query("SELECT pg_wal_replay_pause()")
        _until(lambda: self.replica.query("SELECT pg_get_wal_replay_pause_state()")[0] == "paused")

    def resume(self) -> None:
        self.replica.query("SELECT pg_wal_replay_resume()")
        self.caught_up()

    def caught_up(self) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        (written,) = self.primary.query("SELECT pg_current_wal_lsn()::text")

        def replayed() -> bool:
            sql = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
            return self.replica.query(sql, (written,))[0]

        _until(replayed)

    def title(self, server: Server, slug: str) -> str:
        return server.query(
            "SELECT title FROM catalogue_resource WHERE slug = %s", (slug,), database="signpost"
        )[0]


def _until(condition: Callable[[], object], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition was not met in time")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def replication() -> Iterator[Replication]:
    """A primary and its streaming replica, stopped and removed at the end whatever happens."""
    binaries = _server_binaries()
    if binaries is None:
        _unavailable(
            "PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup) are missing: "
            "install PostgreSQL's server package (on Debian, `postgresql`)"
        )
    assert binaries is not None
    runner = Runner(binaries)
    if runner.user:
        try:
            pwd.getpwnam(runner.user)
        except KeyError:
            _unavailable("the tests run as root and there is no `postgres` user to run servers")
    with contextlib.ExitStack() as cleanup:
        folder = Path(tempfile.mkdtemp(prefix="signpost-replica-"))
        cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
        runner.own(folder)
        primary = Server(runner, folder / "primary", _free_port())
        runner.run("initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        cleanup.callback(primary.stop)
        primary.start()
        replica = Server(runner, folder / "replica", _free_port())
        # -R: the copy starts as a standby that streams from the primary.
        runner.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                   "-D", str(replica.data), "-R", "-X", "stream", "--no-sync")  # fmt: skip
        cleanup.callback(replica.stop)
        replica.start()
        primary.execute("CREATE DATABASE signpost")
        yield Replication(primary, replica)


@dataclass
class Site:
    base: str
    log: Path

    def log_lines(self, containing: str) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if containing in line]


def _environment(replication: Replication, folder: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "signpost.settings.test",
        "DATABASE_URL": replication.primary.url(),
        "MEDIA_ROOT": str(folder / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SIGNPOST_ACCOUNT_PASSWORD": PASSWORD,
    }
    for name in ("SEARCH_DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env


def _manage(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def site(replication, tmp_path_factory) -> Iterator[Site]:
    """gunicorn reading searches from the replica; the catalogue written on the primary."""
    folder = tmp_path_factory.mktemp("replica-site")
    env = _environment(replication, folder)
    _manage("migrate", "--no-input", "-v0", env=env)
    _manage("load_demo", env=env)
    _manage("create_account", "--role=editor", "--username=editor", "--email=e@example.org",
            env=env)  # fmt: skip
    replication.caught_up()
    port = _free_port()
    env.update(
        SEARCH_DATABASE_URL=replication.replica.url(),
        SEARCH_REPLICA_RETRY_SECONDS=str(RETRY_SECONDS),
        HOST="127.0.0.1",
        PORT=str(port),
        # One process, so that "logged once" means once; its threads serve side by side.
        WEB_CONCURRENCY="1",
        WEB_THREADS="4",
    )
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        try:
            _until(lambda: _answers(base), timeout=30)
        except TimeoutError:
            raise RuntimeError("gunicorn did not start: " + log.read_text()) from None
        yield Site(base, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(base: str) -> bool:
    try:
        return httpx.get(base + "/using-this-site-safely/", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _found(client: httpx.Client, q: str) -> list[str]:
    """The titles a search on the resources page lists."""
    return _listed(client, q=q)


def _listed(client: httpx.Client, **params: str) -> list[str]:
    """The titles the resources page lists with these parameters."""
    response = client.get("/resources/", params=params)
    assert response.status_code == 200, response.text[:500]
    page = lxml.html.fromstring(response.text)
    return [" ".join(h.text_content().split()) for h in page.find_class("sp-result__title")]


def _submit(client: httpx.Client, response: httpx.Response, **changes: str) -> httpx.Response:
    """Post the page's form that has these fields as a browser would, with them changed."""
    forms = lxml.html.fromstring(response.text).forms
    form = next(f for f in forms if f.method == "POST" and all(n in f.fields for n in changes))
    return client.post(str(response.url), data={**dict(form.form_values()), **changes})


def _signed_in_editor(base: str) -> httpx.Client:
    """The editor, signed in through the real pages with a password and a TOTP code."""
    from django_otp.oath import totp

    client = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    answer = _submit(client, client.get("/staff/sign-in/"), username="editor", password=PASSWORD)
    (shown,) = lxml.html.fromstring(answer.text).xpath('//*[@data-testid="totp-key"]')
    key = "".join(shown.text_content().split())
    code = f"{totp(base64.b32decode(key + '=' * (-len(key) % 8))):06d}"
    answer = _submit(client, answer, code=code)
    assert answer.status_code == 200 and "recovery-codes" in answer.text, answer.text[:500]
    return client


@pytest.fixture(scope="module")
def editor(site) -> Iterator[httpx.Client]:
    client = _signed_in_editor(site.base)
    yield client
    client.close()


@pytest.fixture
def visitor(site) -> Iterator[httpx.Client]:
    """A visitor: no cookies kept, so never a session."""
    with httpx.Client(base_url=site.base, timeout=30, cookies=None) as client:
        yield client


def _statistics(replica: Server) -> tuple[int, int]:
    """Transactions and rows the replica has served from the site's database."""
    return replica.query(
        "SELECT xact_commit, tup_returned FROM pg_stat_database WHERE datname = 'signpost'"
    )


def _import_title(env: dict[str, str], folder: Path, slug: str, title: str) -> None:
    """Change a resource's title with the import command, as a batch job on the primary."""
    record = next(
        r for r in map(json.loads, DEMO_FILE.read_text().splitlines()) if r.get("slug") == slug
    )
    line = folder / "change.jsonl"
    line.write_text(json.dumps({**record, "title": title}) + "\n")
    _manage("import_resources", str(line), env=env)


def test_searches_read_the_replica_and_writes_go_to_the_primary(
    site, replication, visitor, editor, tmp_path
):
    # Read on the primary (the same until the change): the replica's statistics count only
    # the site's reads.
    old = replication.title(replication.primary, IMPORTED)
    new = old + " (Ptarmigan edition)"
    before = _statistics(replication.replica)
    assert old in _found(visitor, "blood bricks")
    # The replica served the search: its statistics for the site's database rose.
    _until(lambda: _statistics(replication.replica)[1] > before[1], timeout=15)

    replication.pause()
    try:
        env = {**_environment(replication, tmp_path), "SEARCH_DATABASE_URL":
               replication.replica.url()}  # fmt: skip
        _import_title(env, tmp_path, IMPORTED, new)
        # The write went to the primary; the replica, read-only, has not replayed it yet.
        assert replication.title(replication.primary, IMPORTED) == new
        assert replication.title(replication.replica, IMPORTED) == old
        assert replication.replica.query("SELECT pg_is_in_recovery()")[0] is True
        # A visitor's search reads the replica: the old title, and no match for the new word.
        assert old in _found(visitor, "blood bricks")
        assert _found(visitor, "ptarmigan") == []
        # The same searches on the primary (a signed-in editor's) already have the change.
        assert new in _found(editor, "ptarmigan")
    finally:
        replication.resume()
    assert new in _found(visitor, "ptarmigan")


def test_an_editor_sees_their_own_change_at_once(site, replication, visitor, editor):
    old = replication.title(replication.replica, EDITED)
    new = old + " for Kestrelwood"
    (pk,) = replication.primary.query(
        "SELECT id FROM catalogue_resource WHERE slug = %s", (EDITED,), database="signpost"
    )
    replication.pause()
    try:
        page = editor.get(f"/staff/editor/resources/{pk}/")
        assert page.status_code == 200
        saved = _submit(editor, page, title=new)
        assert saved.status_code == 200 and "Saved." in saved.text
        # Their own staff page and their own search show the change at once...
        heading = lxml.html.fromstring(saved.text).find(".//h1").text_content().strip()
        assert heading == new
        assert new in _found(editor, "kestrelwood")
        # ...which was written to the primary while the replica, paused, still has the old.
        assert replication.title(replication.primary, EDITED) == new
        assert replication.title(replication.replica, EDITED) == old
        # A visitor reads the replica and may see the old state until it is replayed.
        assert _found(visitor, "kestrelwood") == []
        assert old in _found(visitor, "enforcement powers")
        # A list page too: the visitor's copy is old, yet the editor, asking for it right
        # after, is not given that copy.
        assert old in _listed(visitor, **GUIDANCE)
        assert new in _listed(editor, **GUIDANCE)
    finally:
        replication.resume()
    assert new in _found(visitor, "kestrelwood")
    # Once replayed, the visitor has the change on every page: no copy of the page that the
    # replica rendered before is kept as if it were current.
    assert new in _listed(visitor, **GUIDANCE)


class SilentServer:
    """Takes connections on a port and never says a word: a replica that hangs, or a network
    that drops its answers. Counts the connections it was offered."""

    def __init__(self, port: int):
        self.listener = socket.create_server(("127.0.0.1", port))
        self.held: list[socket.socket] = []
        self.taking = threading.Thread(target=self._take, daemon=True)
        self.taking.start()

    def _take(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.held.append(self.listener.accept()[0])

    def close(self) -> None:
        # Wakes the accept() that is waiting, so that the port is free for the replica again.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.taking.join(timeout=10)
        for connection in self.held:
            connection.close()


def test_the_site_answers_from_the_primary_while_the_replica_is_stopped(site, replication, visitor):
    title = replication.title(replication.primary, SEARCHED)
    assert site.log_lines(FELL_BACK) == []
    replication.replica.stop()
    try:
        hung = SilentServer(replication.replica.port)
        try:
            # Every search is answered, yet only one every few seconds waits for the silent
            # replica (the connect timeout): the others remember that it did not answer.
            searches = 20
            started = time.monotonic()
            for _ in range(searches):
                assert title in _found(visitor, "hand car washes")
            elapsed = time.monotonic() - started
            assert 1 <= len(hung.held) <= 1 + elapsed / RETRY_SECONDS
            assert len(hung.held) < searches / 4
        finally:
            hung.close()
        # Stopped outright, with searches side by side in the server's threads.
        queries = ["car wash", "safe car wash app", "washes", "hand car washes"] * 4
        with httpx.Client(base_url=site.base, timeout=30) as other, ThreadPoolExecutor(4) as pool:
            assert all(pool.map(lambda q: _found(other, q), queries))
        time.sleep(RETRY_SECONDS + 0.5)  # past the remembered failure: the replica is tried
        assert title in _found(visitor, "hand car washes")
        # Said once, not once a request.
        assert len(site.log_lines(FELL_BACK)) == 1
        assert site.log_lines(CAME_BACK) == []
    finally:
        replication.replica.start()
    time.sleep(RETRY_SECONDS + 0.5)
    before = _statistics(replication.replica)
    assert title in _found(visitor, "hand car washes")
    assert len(site.log_lines(CAME_BACK)) == 1
    # Searches read the replica again.
    _until(lambda: _statistics(replication.replica)[1] > before[1], timeout=15)
    # The log names no search and no page: nothing of what visitors asked.
    log = site.log.read_text().lower()
    assert "car wash" not in log and "washes" not in log
    (fell_back,) = site.log_lines(FELL_BACK)
    assert "/resources" not in fell_back
