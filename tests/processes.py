"""Real child processes against a database of their own, for crashes and concurrent imports.

The suite runs on SQLite, then on PostgreSQL; the children use the same engine as the run,
with a migrated database made for them (a file, or a database on the same server).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
from django.conf import settings

from .conftest import ROOT

# Runs a management-level action in a child, and can kill itself with SIGKILL at a chosen moment.
CHILD = r"""
import json, os, signal, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "signpost.settings.test"
import django
django.setup()
from django.core.management import call_command
from django.db import connection

action, arg, moment = sys.argv[1], sys.argv[2], sys.argv[3]

def die():
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)

if moment == "after-commit":
    # The instant the database has the commit, before anything else runs in this process.
    connection.ensure_connection()
    real_commit = connection.commit
    def commit():
        real_commit()
        die()
    connection.commit = commit
elif moment == "mid-import":
    from signpost.catalogue import services
    real_write, calls = services._CatalogueWriter.write, []
    def write(self, batch):
        calls.append(1)
        if len(calls) == 3:
            die()
        return real_write(self, batch)
    services._CatalogueWriter.write = write
elif moment == "after-index-before-commit":
    from signpost.search import index
    real_reindex = index.resources_reindex
    def reindex(**kwargs):
        real_reindex(**kwargs)
        die()
    index.resources_reindex = reindex

if action == "import":
    call_command("import_resources", arg)
elif action == "withdraw":
    from signpost.catalogue.models import Resource
    from signpost.catalogue.services import resource_withdraw
    resource_withdraw(resource=Resource.objects.get(uid=arg))
elif action == "report":
    from signpost.catalogue.models import Resource
    from signpost.search.engine import SearchParams, search
    results = search(SearchParams(page_size=1))
    print(json.dumps({
        "published": Resource.objects.published().count(),
        "found": results.count,
        "topics": sorted(v.value for v in results.facets["topic"]),
    }))
"""


def child_database_url(tmp_path: Path) -> str:
    """A fresh, migrated database for child processes, on the engine of this test run."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        name = f"signpost_children_{os.getpid()}"
        server = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"{server}/{name}"
    else:
        url = f"sqlite:///{tmp_path / 'children.sqlite3'}"
    manage("migrate", "--no-input", "-v0", url=url)
    return url


def drop_child_database(url: str) -> None:
    if url.startswith("postgresql://"):
        server, name = url.rsplit("/", 1)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "signpost.settings.test"}


def manage(*args: str, url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(url),
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def child(action: str, arg: str, moment: str, *, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, action, arg, moment],
        cwd=ROOT,
        env=environment(url),
        capture_output=True,
        text=True,
        timeout=300,
    )


class LineReader:
    """The lines a running child prints, read in a thread so a test can wait with a timeout."""

    def __init__(self, process: subprocess.Popen[str]):
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=lambda: [self.lines.put(x) for x in stream], daemon=True).start()

    def wait_for(self, text: str, timeout: float = 60) -> bool:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                return False
            self.seen.append(line)
            if text in line:
                return True
