"""Backup and restore of a whole site: its database and its uploaded files (docs/backup.md).

A backup is a folder, or the same folder as one tar file (a name ending in .tar):

    manifest.json      what the backup holds, and a checksum of the manifest itself
    database.sqlite3   SQLite: a copy made by SQLite's online backup API
    database.pgdump    PostgreSQL: pg_dump's custom format, taken in one snapshot
    files/<name>       every uploaded file the database names, under its name in storage

The search index lives in the database, so it is taken in the same snapshot as the
catalogue and restored exactly as it was (its ranks, suggestions and vectors), with its
version raised so every process and cache reloads. Rebuilding it instead would cost an
embedding of every resource and could not promise the same results. A restore goes to the
same engine as the backup: SQLite to SQLite, PostgreSQL to PostgreSQL.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.models import FileField, Model

from signpost.catalogue.models import Language, Resource, StoredFile, Version
from signpost.search.index import index_version_raise
from signpost.search.models import SearchState

FORMAT = "signpost-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = "files/"
DATABASE_PARTS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Rows `migrate` itself writes into a new database: a database holding only these is empty.
FILLED_BY_MIGRATE: tuple[type[Model], ...] = (ContentType, Permission, Language, SearchState)
COUNTED: tuple[tuple[str, type[Model]], ...] = (
    ("resources", Resource),
    ("versions", Version),
    ("stored_files", StoredFile),
)
CHUNK = 1 << 20
NOTHING_CHANGED = "Nothing was changed."

Progress = Callable[[int, int], None]


class BackupRefused(Exception):
    """A backup or restore that cannot go ahead; the message says why, for a person."""


@dataclass(frozen=True)
class BackupSummary:
    target: Path
    engine: str
    counts: dict[str, int]
    files: int
    size: int  # bytes of every part
    missing: list[str]  # files the database names that storage no longer has
    seconds: float


@dataclass(frozen=True)
class RestoreSummary:
    source: Path
    engine: str
    created_at: str
    counts: dict[str, int]
    files_stored: int  # the rest were in storage already, with the same bytes
    migrations_applied: int
    seconds: float


@dataclass
class _Snapshot:
    """What the backup's database holds, read in the same snapshot as its copy."""

    migrations: dict[str, list[str]]
    counts: dict[str, int]
    files: set[str] = field(default_factory=set)


# Backing up


def backup_create(*, target: Path, progress: Progress | None = None) -> BackupSummary:
    """Write a backup of the database and the uploaded files it names to `target` (a new
    folder, or a new .tar file); nothing is left at `target` unless the whole backup is."""
    started = time.perf_counter()
    connection = connections[DEFAULT_DB_ALIAS]
    engine = _engine(connection)
    if target.exists() or target.is_symlink():
        raise BackupRefused(f"{target} already exists: a backup never replaces another.")
    name = str(connection.settings_dict["NAME"])
    if (
        engine == "sqlite"
        and not name.startswith(("file:", ":memory:"))
        and not Path(name).exists()
    ):
        raise BackupRefused(f"There is no database at {name}: nothing to back up.")
    if "django_migrations" not in connection.introspection.table_names():
        raise BackupRefused(
            "The database has no tables yet (it was never migrated): nothing to back up."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    try:
        database = work / DATABASE_PARTS[engine]
        if engine == "sqlite":
            snapshot = _sqlite_dump(connection, database)
        else:
            snapshot = _postgres_dump(connection, database)
        parts = {database.name: _part_of(database)}
        missing = []
        names = sorted(snapshot.files)
        for done, name in enumerate(names, 1):
            try:
                parts[FILES + name] = _copy_out_of_storage(name, work / FILES / _safe(name))
            except FileNotFoundError:
                missing.append(name)
            if progress:
                progress(done, len(names))
        manifest = _sealed(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "engine": engine,
                "migrations": snapshot.migrations,
                "counts": {**snapshot.counts, "files": len(names) - len(missing)},
                "missing_files": missing,
                "parts": parts,
            }
        )
        text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        (work / MANIFEST).write_text(text, encoding="utf-8")
        if target.suffix == ".tar":
            _tar(work, sorted(parts), target)
        else:
            work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupSummary(
        target=target,
        engine=engine,
        counts=snapshot.counts,
        files=len(names) - len(missing),
        size=sum(part["size"] for part in parts.values()),
        missing=missing,
        seconds=time.perf_counter() - started,
    )


def _sqlite_dump(connection: BaseDatabaseWrapper, path: Path) -> _Snapshot:
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        # One step: the whole copy is read in one read transaction, so it is one moment of
        # the database even while others write (through the WAL, never by copying it).
        connection.connection.backup(copy)
        # A copy of a WAL database is one too; a backup is one file that opens read-only.
        copy.execute("PRAGMA journal_mode=DELETE")
        return _snapshot_read(copy.cursor())
    finally:
        copy.close()


def _postgres_dump(connection: BaseDatabaseWrapper, path: Path) -> _Snapshot:
    pg_dump = postgres_program("pg_dump")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # pg_dump reads the snapshot this transaction exports, so the manifest's counts and
        # file names describe exactly the rows in the dump.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={path}",
            ],
            env=_postgres_environment(connection),
            what="pg_dump",
        )
        return _snapshot_read(cursor)


def _snapshot_read(cursor: Any) -> _Snapshot:
    """The migration state, the counts and the stored files' names, by plain SQL on a
    DB-API cursor (the copy's own for SQLite, the exporting transaction's for PostgreSQL)."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    counts = {}
    for key, model in COUNTED:
        cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')  # noqa: S608
        counts[key] = int(cursor.fetchone()[0])
    selects = [
        f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\''  # noqa: S608
        for table, column in _file_columns()
    ]
    cursor.execute(" UNION ".join(selects))
    return _Snapshot(migrations, counts, {name for (name,) in cursor.fetchall()})


def _file_columns() -> list[tuple[str, str]]:
    """Every (table, column) that names a file in storage: each FileField, and the stored
    files' own names and thumbnails."""
    columns = [(StoredFile._meta.db_table, name) for name in ("name", "thumbnail")]
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, FileField) and model_field.column:
                columns.append((model._meta.db_table, model_field.column))
    return columns


def _copy_out_of_storage(name: str, target: Path) -> dict[str, Any]:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with default_storage.open(name, "rb") as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _tar(work: Path, parts: list[str], target: Path) -> None:
    partial = target.with_name(target.name + ".part")
    try:
        # Only its owner may read it: it holds staff accounts' password hashes and secrets.
        partial.touch(mode=0o600)
        partial.chmod(0o600)
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            # The manifest first, so that a reader of the tar finds what it holds at once.
            for name in [MANIFEST, *parts]:
                tar.add(work / name, arcname=name, recursive=False, filter=_anonymous)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _anonymous(member: tarfile.TarInfo) -> tarfile.TarInfo:
    """Members carry no owner of this machine."""
    member.uid = member.gid = 0
    member.uname = member.gname = ""
    return member


# Restoring


def backup_restore(
    *, source: Path, replace: bool = False, progress: Progress | None = None
) -> RestoreSummary:
    """Restore a backup into this site's database and file storage. Everything is checked
    first (the database empty unless `replace`, the backup whole, its migrations known here);
    a refusal raises BackupRefused and changes nothing."""
    started = time.perf_counter()
    connection = connections[DEFAULT_DB_ALIAS]
    engine = _engine(connection)
    if not source.exists():
        raise BackupRefused(f"There is no backup at {source}.")
    if not replace:
        _database_empty_check(connection)
    with _unpacked(source) as folder:
        manifest = _manifest_read(folder, source)
        _manifest_fits(manifest, engine, source)
        _parts_check(folder, manifest, source)
        to_store, conflicts = _files_to_store(folder, manifest)
        if conflicts and not replace:
            raise BackupRefused(
                f"{len(conflicts)} uploaded file(s) of the backup are in storage already with "
                f"other contents (such as {conflicts[0]}): give --replace to replace them. "
                + NOTHING_CHANGED
            )
        # Files before the database: until the database names them they are only unused files,
        # whereas a database restored first would name files not there yet.
        for done, name in enumerate(to_store, 1):
            _store(folder / FILES / _safe(name), name, replace=name in conflicts)
            if progress:
                progress(done, len(to_store))
        if engine == "sqlite":
            _sqlite_load(connection, folder / DATABASE_PARTS[engine])
        else:
            _postgres_load(connection, folder / DATABASE_PARTS[engine])
    connection.close()
    applied = _migrate_forward(connection)
    index_version_raise()
    counts = {key: model._default_manager.using(connection.alias).count() for key, model in COUNTED}
    expected = {key: manifest["counts"][key] for key, _ in COUNTED}
    if counts != expected:
        raise BackupRefused(
            f"The restored database holds {counts}, where the backup's manifest says {expected}."
        )
    return RestoreSummary(
        source=source,
        engine=engine,
        created_at=str(manifest["created_at"]),
        counts=counts,
        files_stored=len(to_store),
        migrations_applied=applied,
        seconds=time.perf_counter() - started,
    )


@contextmanager
def _unpacked(source: Path) -> Iterator[Path]:
    """The backup as a folder: itself, or a tar file's members in a temporary folder."""
    if source.is_dir():
        yield source
        return
    with tempfile.TemporaryDirectory(prefix="signpost-restore-") as temporary:
        folder = Path(temporary)
        try:
            with tarfile.open(source, "r:") as tar:
                for member in tar:
                    if member.isdir():
                        continue
                    if not member.isfile():
                        raise BackupRefused(
                            f"The backup {source} is damaged: {member.name!r} is not a plain "
                            f"file. {NOTHING_CHANGED}"
                        )
                    target = folder / _safe(member.name, source=source)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    reader = tar.extractfile(member)
                    assert reader is not None  # a plain file always has a reader
                    with reader, target.open("wb") as out:
                        shutil.copyfileobj(reader, out, CHUNK)
        except (tarfile.TarError, EOFError) as error:
            reason = str(error).splitlines()[0].rstrip(":")
            raise BackupRefused(
                f"The backup {source} is damaged, or not a backup: it cannot be read as a tar "
                f"file ({reason}). {NOTHING_CHANGED}"
            ) from error
        yield folder


def _manifest_read(folder: Path, source: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupRefused(f"{source} is not a Signpost backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BackupRefused(
            f"The backup {source} is damaged: its {MANIFEST} is not JSON. {NOTHING_CHANGED}"
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{source} is not a Signpost backup (its {MANIFEST} says otherwise).")
    if manifest.get("checksum") != manifest_checksum(manifest):
        raise BackupRefused(
            f"The backup {source} is damaged: its {MANIFEST} was changed after the backup was "
            f"made (its checksum does not match). {NOTHING_CHANGED}"
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(
            f"The backup {source} is in a newer format than this version of Signpost reads: "
            "upgrade Signpost, then restore."
        )
    try:
        _shape_check(manifest)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BackupRefused(
            f"The backup {source} is damaged: its {MANIFEST} lacks or garbles {error}. "
            + NOTHING_CHANGED
        ) from error
    return manifest


def _shape_check(manifest: dict[str, Any]) -> None:
    """Raise KeyError, TypeError or ValueError unless every field has the shape written."""
    datetime.datetime.fromisoformat(manifest["created_at"])
    if manifest["engine"] not in DATABASE_PARTS:
        raise ValueError("engine")
    for app, names in manifest["migrations"].items():
        if not isinstance(app, str) or not all(isinstance(name, str) for name in names):
            raise TypeError("migrations")
    for key, _ in COUNTED:
        int(manifest["counts"][key])
    for name, part in manifest["parts"].items():
        if not isinstance(name, str) or not isinstance(part["sha256"], str):
            raise TypeError("parts")
        int(part["size"])


def _manifest_fits(manifest: dict[str, Any], engine: str, source: Path) -> None:
    """Refuse a backup of another engine, or of a newer migration state than this code's."""
    if manifest["engine"] != engine:
        raise BackupRefused(
            f"The backup {source} is of a {ENGINE_NAMES[manifest['engine']]} database and this "
            f"site uses {ENGINE_NAMES[engine]}: a restore goes to the same engine (to move the "
            f"catalogue across, use export_resources and import_resources). {NOTHING_CHANGED}"
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.replacements.values():
        known.update(migration.replaces)
    # Apps this version does not have at all (removed since) are not a newer state.
    unknown = [
        f"{app}.{name}"
        for app, names in sorted(manifest["migrations"].items())
        if app in loader.migrated_apps
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupRefused(
            f"The backup {source} was made by a newer version of Signpost: its database has "
            f"{len(unknown)} migration(s) this version does not know (such as {unknown[0]}). "
            f"Upgrade Signpost, then restore. {NOTHING_CHANGED}"
        )


def _parts_check(folder: Path, manifest: dict[str, Any], source: Path) -> None:
    """Every part is there, of its size and with its SHA-256."""
    parts: dict[str, dict[str, Any]] = manifest["parts"]
    database = DATABASE_PARTS[manifest["engine"]]
    if database not in parts:
        raise BackupRefused(
            f"The backup {source} is damaged: it holds no database. {NOTHING_CHANGED}"
        )
    for name, part in sorted(parts.items()):
        path = folder / _safe(name, source=source)
        damaged = f"The backup {source} is damaged: {name}"
        if not path.is_file():
            raise BackupRefused(f"{damaged} is missing. {NOTHING_CHANGED}")
        size = path.stat().st_size
        if size != part["size"]:
            raise BackupRefused(
                f"{damaged} is {size} bytes where it was {part['size']} (cut short?). "
                + NOTHING_CHANGED
            )
        if _sha256(path) != part["sha256"]:
            raise BackupRefused(
                f"{damaged} is not what was backed up (its SHA-256 differs). {NOTHING_CHANGED}"
            )


def _database_empty_check(connection: BaseDatabaseWrapper) -> None:
    """Refuse a database that holds anything `migrate` alone would not have written."""
    name = str(connection.settings_dict["NAME"])
    if (
        connection.vendor == "sqlite"
        and not name.startswith(":memory:")
        and not Path(name).exists()
    ):
        return  # not made yet: the restore makes it
    tables = set(connection.introspection.table_names())
    holding = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if model in FILLED_BY_MIGRATE or model._meta.proxy or table not in tables:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                holding.append(str(model._meta.verbose_name_plural))
    if holding:
        held = ", ".join(sorted(set(holding))[:4]) + (", …" if len(set(holding)) > 4 else "")
        raise BackupRefused(
            f"The database is not empty (it holds {held}): restore into an empty database, or "
            f"give --replace to replace everything in it. {NOTHING_CHANGED}"
        )


def _files_to_store(folder: Path, manifest: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The backup's files that storage lacks or holds with other bytes (the conflicts)."""
    to_store, conflicts = [], []
    for part, facts in sorted(manifest["parts"].items()):
        if not part.startswith(FILES):
            continue
        name = part.removeprefix(FILES)
        try:
            with default_storage.open(name, "rb") as stored:
                same = _sha256_of(stored) == facts["sha256"]
        except FileNotFoundError:
            to_store.append(name)
            continue
        if not same:
            to_store.append(name)
            conflicts.append(name)
    return to_store, conflicts


def _store(path: Path, name: str, *, replace: bool) -> None:
    if replace:
        default_storage.delete(name)
    with path.open("rb") as handle:
        saved = default_storage.save(name, File(handle))
    if saved != name:
        default_storage.delete(saved)
        raise BackupRefused(f"The storage would not keep {name} under its own name.")


def _sqlite_load(connection: BaseDatabaseWrapper, path: Path) -> None:
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        # One step, in one write transaction of the live database: others wait, then see it.
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupRefused(f"The database could not be restored: {error}.") from error
    finally:
        source.close()


def _postgres_load(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Replace everything in the public schema with the dump, in one transaction: psql reads
    pg_restore's SQL and commits only at its end, and is stopped (rolling back) if
    pg_restore fails."""
    pg_restore, psql = postgres_program("pg_restore"), postgres_program("psql")
    environment = _postgres_environment(connection)
    connection.close()
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as load_errors:
        load = subprocess.Popen(  # noqa: S603
            [
                *(psql, "-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1"),
                *("--single-transaction", "-c", "DROP SCHEMA IF EXISTS public CASCADE"),
                *("-c", "CREATE SCHEMA public", "-f", "-"),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=load_errors,
            env=environment,
        )
        dump = subprocess.Popen(  # noqa: S603
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
            env=environment,
        )
        assert load.stdin is not None and dump.stdout is not None
        try:
            while chunk := dump.stdout.read(CHUNK):
                load.stdin.write(chunk)
        except BrokenPipeError:
            pass  # psql stopped on an error: it says which below
        if dump.wait() != 0:
            load.kill()
            load.wait()
            raise BackupRefused(
                f"pg_restore could not read the dump: {_last_line(restore_errors)}. "
                + NOTHING_CHANGED
            )
        with suppress(BrokenPipeError):
            load.stdin.close()
        if load.wait() != 0:
            raise BackupRefused(
                f"The database could not be restored: {_last_line(load_errors)}. " + NOTHING_CHANGED
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # a restore brings no planner statistics


def _migrate_forward(connection: BaseDatabaseWrapper) -> int:
    """Apply the migrations this version has beyond the backup's; returns how many."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", interactive=False, verbosity=0)
    return len(plan)


# Shared


def _engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in DATABASE_PARTS:
        raise BackupRefused(f"Backups are made of SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def manifest_checksum(manifest: dict[str, Any]) -> str:
    body = {key: value for key, value in manifest.items() if key != "checksum"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _sealed(manifest: dict[str, Any]) -> dict[str, Any]:
    return {**manifest, "checksum": manifest_checksum(manifest)}


def _part_of(path: Path) -> dict[str, Any]:
    return {"size": path.stat().st_size, "sha256": _sha256(path)}


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return _sha256_of(handle)


def _sha256_of(handle: IO[bytes] | File) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _safe(name: str, *, source: Path | None = None) -> str:
    """A relative name that stays inside the folder it is joined to."""
    path = PurePosixPath(name)
    if path.is_absolute() or "\\" in name or any(part in ("", ".", "..") for part in path.parts):
        where = f"The backup {source} is damaged: " if source else ""
        raise BackupRefused(f"{where}{name!r} is not a name a backup holds. {NOTHING_CHANGED}")
    return str(path)


def postgres_program(name: str) -> str:
    """A PostgreSQL client program, from the PATH or from where Debian's packages put it."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return str(versions[-1])
    raise BackupRefused(
        f"{name} was not found: install PostgreSQL's client programs (on Debian, the "
        "postgresql-client package)."
    )


def _postgres_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The connection settings as libpq reads them, so no password is on a command line."""
    settings = connection.settings_dict
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if settings.get(key):
            environment[variable] = str(settings[key])
    options = settings.get("OPTIONS", {})
    for variable, key in (
        ("PGSSLMODE", "sslmode"),
        ("PGSSLROOTCERT", "sslrootcert"),
        ("PGSSLCERT", "sslcert"),
        ("PGSSLKEY", "sslkey"),
    ):
        if options.get(key):
            environment[variable] = str(options[key])
    return environment


def _run(command: list[str], *, env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupRefused(f"{what} failed: {lines[-1] if lines else result.returncode}.")


def _last_line(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = [line for line in stream.read().decode(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no reason given"
