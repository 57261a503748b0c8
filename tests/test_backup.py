"""Backup and restore (docs/backup.md), through the management commands in child processes.

The demo catalogue with its uploaded files, backed up and restored into an empty database
and an empty media folder, is the same site: the same rows, the same export bytes, the same
files and the same search results. A damaged backup, an edited manifest, a newer migration
state, another engine, or a database that is not empty is refused in one clear line, and
nothing changes. The suite runs on SQLite and again on PostgreSQL, and so does this.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

from signpost.operations.backups import BackupRefused, manifest_checksum, postgres_program

from .conftest import ROOT
from .processes import child_database_url, drop_child_database

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
# A common word; a word found only inside an uploaded file, in English and in Ukrainian; a
# misspelling (for the suggestion); everything; an audience's name.
QUERIES = ["trafficking", "payslip", "роботодавець", "traffiking", "", "police"]

# Counts every table and runs the searches, in a process of the site under test.
REPORT = r"""
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "signpost.settings.test"
import django
django.setup()
from django.apps import apps
from signpost.search.engine import SearchParams, search

counts = {
    model._meta.label: model._default_manager.count()
    for model in apps.get_models(include_auto_created=True)
    if not model._meta.proxy
}
searches = {}
for query in json.loads(sys.argv[1]):
    results = search(SearchParams(q=query, page_size=100))
    searches[query] = {
        "count": results.count,
        "uids": [resource.uid for resource in results.resources],
        "suggestion": results.suggestion,
        "facets": {
            name: [[value.value, value.count] for value in values]
            for name, values in sorted(results.facets.items())
        },
    }
print(json.dumps({"counts": counts, "searches": searches}))
"""

# An owner's agreement with its evidence: a file the catalogue's records do not name.
AGREEMENT = r"""
import datetime, os
os.environ["DJANGO_SETTINGS_MODULE"] = "signpost.settings.test"
import django
django.setup()
from django.core.files.base import ContentFile
from signpost.catalogue.models import Resource
from signpost.editorial.models import Agreement
Agreement.objects.create(
    resource=Resource.objects.order_by("uid").first(),
    given_by="The owner",
    given_on=datetime.date(2026, 1, 5),
    how="by email",
    evidence=ContentFile(b"Yes, please publish it.", name="agreement.txt"),
)
"""

WITHDRAW = r"""
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "signpost.settings.test"
import django
django.setup()
from signpost.catalogue.models import Resource
from signpost.catalogue.services import resource_withdraw
resource_withdraw(resource=Resource.objects.published().order_by("uid").first())
"""


@pytest.fixture(scope="module", autouse=True)
def _postgres_tools() -> None:
    """On PostgreSQL, backups need its client programs: skip without them, unless CI
    requires PostgreSQL (then they are part of what it requires)."""
    if not ON_POSTGRES:
        return
    try:
        for program in ("pg_dump", "pg_restore", "psql"):
            postgres_program(program)
    except BackupRefused as missing:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(str(missing))
        pytest.skip(str(missing))


@dataclass
class Site:
    """A database and a media folder (or a bucket), used by child processes."""

    url: str
    media: Path
    environment: dict[str, str] = field(default_factory=dict)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._run(["manage.py", *args], check=check)

    def python(self, script: str) -> subprocess.CompletedProcess[str]:
        return self._run(["-c", script])

    def report(self) -> dict[str, Any]:
        return json.loads(self._run(["-c", REPORT, json.dumps(QUERIES)]).stdout)

    def export(self, folder: Path) -> dict[str, str]:
        """The catalogue export's bytes and the files beside it, as SHA-256 by name."""
        folder.mkdir(parents=True, exist_ok=True)
        self.manage("export_resources", str(folder / "catalogue.jsonl"))
        return files_in(folder)

    def is_untouched(self) -> bool:
        """No database file (SQLite) or no table in its database, nothing in its media."""
        if self.url.startswith("sqlite:///") and Path(self.url[10:]).exists():
            return False
        return not tables(self.url) and not files_in(self.media)

    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        environment = {
            **os.environ,
            "DATABASE_URL": self.url,
            "MEDIA_ROOT": str(self.media),
            "DJANGO_SETTINGS_MODULE": "signpost.settings.test",
            **self.environment,
        }
        result = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            pytest.fail(f"{args[:2]} failed:\n{result.stdout}\n{result.stderr}")
        return result


def files_in(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _server() -> str:
    db = settings.DATABASES["default"]
    return f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def empty_database(folder: Path, name: str) -> str:
    """A database with nothing in it, not even migrations: a new file, or a new database on
    the test run's server."""
    if not ON_POSTGRES:
        return f"sqlite:///{folder / (name + '.sqlite3')}"
    database = f"signpost_{name}_{os.getpid()}"
    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return f"{_server()}/{database}"


def tables(url: str) -> list[str]:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return []
        import sqlite3

        with sqlite3.connect(path) as conn:
            return [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]
    with psycopg.connect(url) as conn:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        return [row[0] for row in conn.execute(query)]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo site, its backups (one .tar file, one folder) and what it holds."""
    folder = tmp_path_factory.mktemp("backup")
    site = Site(child_database_url(folder), folder / "media")
    site.manage("load_demo")
    site.python(AGREEMENT)
    made = site.manage("backup", str(folder / "demo.tar")).stdout
    site.manage("backup", str(folder / "demo-folder"))
    yield {
        "site": site,
        "tar": folder / "demo.tar",
        "folder": folder / "demo-folder",
        "summary": made,
        "report": site.report(),
        "export": site.export(folder / "export"),
        "files": files_in(site.media),
    }
    drop_child_database(site.url)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Site]:
    site = Site(empty_database(tmp_path, "restored"), tmp_path / "restored-media")
    yield site
    drop_child_database(site.url)


def test_a_restored_site_is_the_same_site(made, target, tmp_path):
    report = made["report"]
    counts = report["counts"]
    assert made["summary"].startswith(
        f"Backed up {counts['catalogue.Resource']} resources, "
        f"{counts['catalogue.Version']} versions and 9 files"
    )
    with tarfile.open(made["tar"]) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["engine"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert manifest["counts"]["resources"] == counts["catalogue.Resource"] == 61
    assert manifest["counts"]["files"] == len(made["files"]) == 9
    assert any(name.startswith("files/agreements/") for name in manifest["parts"])
    assert {name.removeprefix("files/") for name in manifest["parts"]} >= set(made["files"])
    # The search index came across whole: words inside a file, another script, suggestions.
    searches = report["searches"]
    assert searches["payslip"]["count"] >= 1 and searches["роботодавець"]["count"] >= 1
    assert searches["trafficking"]["count"] > 10 and searches["traffiking"]["suggestion"]
    assert counts["search.SearchFacet"] > 0 and counts["search.SearchVector"] == 61

    restored = target.manage("restore", str(made["tar"]))
    assert restored.stdout.startswith("Restored 61 resources, 79 versions and 9 files")

    assert target.report() == report
    assert files_in(target.media) == made["files"]
    assert target.export(tmp_path / "export") == made["export"]
    assert len(made["export"]) == 1 + 4, "the export and the demo's four files"


def test_replace_puts_back_what_was_backed_up(made, target, tmp_path):
    target.manage("restore", str(made["folder"]))
    target.python(WITHDRAW)
    assert target.report() != made["report"]

    refused = target.manage("restore", str(made["folder"]), check=False)
    assert refused.returncode == 1
    assert "The database is not empty" in refused.stderr and "--replace" in refused.stderr
    assert target.report() != made["report"], "nothing was changed"

    target.manage("restore", "--replace", str(made["folder"]))
    assert target.report() == made["report"]
    assert files_in(target.media) == made["files"]


def test_a_backup_of_an_older_migration_state_is_brought_up_to_date(made, target, tmp_path):
    target.manage("restore", str(made["tar"]))
    target.manage("migrate", "links", "0001", "--no-input")  # as an older release left it
    target.manage("backup", str(tmp_path / "older.tar"))
    newer = Site(empty_database(tmp_path, "newer"), tmp_path / "newer-media")
    try:
        restored = newer.manage("restore", str(tmp_path / "older.tar"))
        assert restored.stdout.rstrip().endswith("; then 1 newer migration(s) applied.")
        assert "[X] 0002_needs_attention" in newer.manage("showmigrations", "links").stdout
        assert newer.report() == made["report"]
    finally:
        drop_child_database(newer.url)


def test_a_restore_into_a_site_that_is_not_empty_is_refused(made, tmp_path):
    site = made["site"]
    refused = site.manage("restore", str(made["tar"]), check=False)
    assert refused.returncode == 1
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("CommandError: The database is not empty (it holds agreements, ")
    assert line.endswith(
        "…): restore into an empty database, or give --replace to replace everything in it. "
        "Nothing was changed."
    )
    assert site.export(tmp_path / "export") == made["export"]
    assert files_in(site.media) == made["files"]


def _cut_short(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 3 // 5])
    return path


def _manifest_edited(folder: Path, change, *, reseal: bool) -> Path:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    if reseal:  # as another release would write it: a whole manifest, of another state
        manifest["checksum"] = manifest_checksum(manifest)
    path.write_text(json.dumps(manifest))
    return folder


def _tar_cut_short(tar: Path, folder: Path) -> Path:
    return _cut_short(tar)


def _file_cut_short(tar: Path, folder: Path) -> Path:
    _cut_short(next(path for path in sorted((folder / "files").rglob("*")) if path.is_file()))
    return folder


def _database_cut_short(tar: Path, folder: Path) -> Path:
    _cut_short(next(folder.glob("database.*")))
    return folder


def _counts_edited(tar: Path, folder: Path) -> Path:
    return _manifest_edited(folder, lambda m: m["counts"].update(resources=60), reseal=False)


def _newer_migrations(tar: Path, folder: Path) -> Path:
    def change(manifest: dict[str, Any]) -> None:
        manifest["migrations"]["catalogue"].append("9999_from_a_newer_release")

    return _manifest_edited(folder, change, reseal=True)


def _other_engine(tar: Path, folder: Path) -> Path:
    other = "sqlite" if ON_POSTGRES else "postgresql"
    return _manifest_edited(folder, lambda m: m.update(engine=other), reseal=True)


def _name_outside(tar: Path, folder: Path) -> Path:
    bad = tar.with_name("escape.tar")
    with tarfile.open(bad, "w") as out:
        out.add(folder / "manifest.json", arcname="manifest.json")
        out.add(folder / "manifest.json", arcname="../outside.json")
    return bad


DAMAGE = {
    "a tar file cut short": (_tar_cut_short, "is damaged, or not a backup: it cannot be read"),
    "an uploaded file cut short": (_file_cut_short, "is damaged: files/"),
    "the database cut short": (_database_cut_short, "bytes where it was"),
    "a manifest edited": (
        _counts_edited,
        "its manifest.json was changed after the backup was made",
    ),
    "a newer migration state": (_newer_migrations, "was made by a newer version of Signpost"),
    "another engine": (_other_engine, "a restore goes to the same engine"),
    "a name outside the backup": (_name_outside, "'../outside.json' is not a name"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_or_foreign_backup_is_refused_and_nothing_changes(made, target, tmp_path, damage):
    tar, folder = tmp_path / "demo.tar", tmp_path / "demo-folder"
    shutil.copy(made["tar"], tar)
    shutil.copytree(made["folder"], folder)
    damaged, message = DAMAGE[damage]
    source = damaged(tar, folder)

    refused = target.manage("restore", str(source), check=False)

    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("CommandError: "), refused.stderr
    assert message in lines[0]
    assert target.is_untouched()
    assert not (tmp_path.parent / "outside.json").exists()


def test_a_backup_never_replaces_another_nor_copies_an_empty_database(made, target, tmp_path):
    again = made["site"].manage("backup", str(made["tar"]), check=False)
    assert again.returncode == 1
    assert again.stderr.strip() == (
        f"CommandError: {made['tar']} already exists: a backup never replaces another."
    )
    empty = target.manage("backup", str(tmp_path / "empty.tar"), check=False)
    assert empty.returncode == 1
    assert empty.stderr.strip().endswith("nothing to back up.")
    assert not (tmp_path / "empty.tar").exists() and target.is_untouched()


@pytest.fixture
def bucket(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A real S3-compatible server on 127.0.0.1 (moto's server mode), with an empty bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    environment = {
        "AWS_ACCESS_KEY_ID": "signpost-test",
        "AWS_SECRET_ACCESS_KEY": "signpost-test",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "S3_BUCKET": "signpost-restored",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "S3_REGION": "eu-west-2",
    }
    client = boto3.client(
        "s3",
        endpoint_url=environment["S3_ENDPOINT_URL"],
        region_name="eu-west-2",
        aws_access_key_id="signpost-test",
        aws_secret_access_key="signpost-test",
    )
    client.create_bucket(
        Bucket="signpost-restored", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    yield environment
    server.stop()


def test_files_in_object_storage_are_restored_and_backed_up(made, tmp_path, bucket):
    site = Site(
        empty_database(tmp_path, "bucket"),
        tmp_path / "unused-media",
        bucket,
    )
    try:
        site.manage("restore", str(made["tar"]))
        again = site.manage("backup", str(tmp_path / "from-the-bucket"))
        assert "and 9 files" in again.stdout
        files = files_in(tmp_path / "from-the-bucket" / "files")
        assert files == made["files"]
        assert not site.media.exists(), "the files went to the bucket, not a folder"
        assert site.report() == made["report"]
    finally:
        drop_child_database(site.url)
