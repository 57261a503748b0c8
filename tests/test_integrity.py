"""Catalogue and index agree after a crash at any moment; imports queue instead of failing.

Each test runs real child processes (a SIGKILL is a real crash) against a database of their
own, on the engine of this test run: SQLite first, PostgreSQL in the second run.
"""

import fcntl
import json
import re
import signal
import subprocess
import sys
import time

import psycopg
import pytest

from signpost.catalogue.interchange import dumps
from signpost.catalogue.locks import IMPORT_LOCK_KEY
from signpost.catalogue.management.commands.benchmark_import import write_synthetic_file

from .conftest import ROOT
from .processes import (
    LineReader,
    child,
    child_database_url,
    drop_child_database,
    environment,
    manage,
)

SECRET_TOPIC = "Leaky secret topic"


@pytest.fixture(scope="module")
def children_url(tmp_path_factory):
    url = child_database_url(tmp_path_factory.mktemp("children"))
    yield url
    drop_child_database(url)


@pytest.fixture(scope="module")
def catalogue_file(tmp_path_factory):
    """2,500 synthetic resources (three import batches) and one with a topic of its own."""
    path = tmp_path_factory.mktemp("files") / "catalogue.jsonl"
    write_synthetic_file(path, 2500, seed=7)
    secret = {
        "id": "secret-one",
        "title": "A resource that will be withdrawn",
        "resource_type": "report",
        "topics": [SECRET_TOPIC],
        "status": "published",
        "owner_agreement": {"by": "Owner", "on": None, "how": "Email"},
        "versions": [{"language": "en", "format": "pdf", "url": "", "title": ""}],
    }
    with path.open("a", encoding="utf-8") as out:
        out.write(dumps(secret) + "\n")
    return path


def report(url):
    done = child("report", "-", "-", url=url)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def assert_index_agrees(url):
    done = manage("check_index", url=url, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "agrees" in done.stdout


def killed(done):
    return done.returncode == -signal.SIGKILL


def test_a_crash_at_any_moment_leaves_catalogue_and_index_in_agreement(
    children_url, catalogue_file
):
    # Killed while writing the third batch: nothing was committed, and nothing is indexed.
    assert killed(child("import", str(catalogue_file), "mid-import", url=children_url))
    assert_index_agrees(children_url)
    assert report(children_url)["published"] == 0

    # Killed the instant the import committed: everything it wrote is found by search.
    assert killed(child("import", str(catalogue_file), "after-commit", url=children_url))
    assert_index_agrees(children_url)
    state = report(children_url)
    assert state["published"] == state["found"] == 2501
    assert "leaky-secret-topic" in state["topics"]

    # Killed while withdrawing, after the index changed but before the commit: still public.
    done = child("withdraw", "secret-one", "after-index-before-commit", url=children_url)
    assert killed(done)
    assert_index_agrees(children_url)
    assert report(children_url)["found"] == 2501

    # Killed the instant the withdrawal committed: gone from search and from the facets.
    assert killed(child("withdraw", "secret-one", "after-commit", url=children_url))
    assert_index_agrees(children_url)
    state = report(children_url)
    assert state["published"] == state["found"] == 2500
    assert "leaky-secret-topic" not in state["topics"]


def test_check_index_finds_and_repairs_a_damaged_index(children_url, catalogue_file):
    manage("import_resources", str(catalogue_file), url=children_url)
    damage = (
        "from django.db import connection\n"
        "from signpost.search.backends import backend_for\n"
        "from signpost.catalogue.models import Resource\n"
        "ids = list(Resource.objects.published().order_by('pk').values_list('pk', flat=True))\n"
        "backend_for('default').delete(ids[:3])\n"
        "Resource.objects.filter(pk=ids[5]).update(title='Changed behind the index')\n"
        "from signpost.catalogue.models import ResourceOrganisation, Organisation\n"
        "org = ResourceOrganisation.objects.filter(resource_id=ids[9]).first().organisation_id\n"
        "Organisation.objects.filter(pk=org).update(abbreviation='ZZQX')\n"
        "from signpost.search.models import SearchVector\n"
        "SearchVector.objects.filter(resource_id=ids[12]).delete()\n"
    )
    manage("shell", "-c", damage, url=children_url)
    done = manage("check_index", url=children_url, check=False)
    assert done.returncode != 0
    assert "3 published but not indexed" in done.stderr
    stale = int(re.search(r"(\d+) indexed with out-of-date content", done.stderr)[1])
    assert stale >= 3, "a changed title, a changed organisation's abbreviation, a lost vector"
    repaired = manage("check_index", "--repair", url=children_url)
    assert "The index now agrees" in repaired.stdout
    assert_index_agrees(children_url)


def _hold_import_lock(url):
    """Take the import lock as another import would; returns a function that releases it."""
    if url.startswith("postgresql://"):
        conn = psycopg.connect(url, autocommit=True)
        conn.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK_KEY])
        return conn.close
    database = url.removeprefix("sqlite:///")
    handle = open(database + ".import-lock", "a")  # noqa: SIM115
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle.close


def _start_import(url, path):
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_resources", str(path)],
        cwd=ROOT,
        env=environment(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_second_import_waits_for_the_first_and_says_so(children_url, catalogue_file):
    release = _hold_import_lock(children_url)
    process = _start_import(children_url, catalogue_file)
    lines = LineReader(process)
    try:
        assert lines.wait_for("Waiting for another import"), lines.seen
        time.sleep(1)
        assert process.poll() is None, "the second import must wait, not fail"
    finally:
        release()
    assert process.wait(timeout=120) == 0
    assert lines.wait_for("Imported"), lines.seen


def test_two_imports_started_together_both_succeed(children_url, catalogue_file, tmp_path):
    processes = [_start_import(children_url, catalogue_file) for _ in range(2)]
    outputs = [p.communicate(timeout=180)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert report(children_url)["published"] >= 2500
    assert_index_agrees(children_url)
