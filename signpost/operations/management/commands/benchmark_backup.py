"""Backup and restore benchmark: this site (the demo catalogue, in `make benchmark-backup`)
backed up to a .tar file, then restored into an empty database and media folder, N times.

Each command is timed as a person runs it (a new process: Python and Django's start
included) and by its own summary line (the work alone). It refuses a database whose name
lacks "bench", since it makes and drops a database beside it ("<name>_restored").
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from signpost.catalogue.models import Resource, Version
from signpost.operations.backups import ENGINE_NAMES

REPORTED = re.compile(r" in ([0-9.]+) s\b")


class Command(BaseCommand):
    help = "Time backup and restore of this site's catalogue, N runs each (docs/backup.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args: Any, runs: int, **options: Any) -> None:
        if runs < 1:
            raise CommandError("--runs must be 1 or more.")
        connection = connections[DEFAULT_DB_ALIAS]
        name = str(connection.settings_dict["NAME"])
        if "bench" not in name or "DATABASE_URL" not in os.environ:
            raise CommandError(
                f"Refusing to benchmark {name!r}: set DATABASE_URL to a database named *bench*."
            )
        timings: dict[str, list[tuple[float, float]]] = {"backup": [], "restore": []}
        folder_root = Path(settings.BASE_DIR) / "var"
        with tempfile.TemporaryDirectory(prefix="bench-backup-", dir=folder_root) as temporary:
            folder = Path(temporary)
            for run in range(1, runs + 1):
                backup = folder / f"run-{run}.tar"
                timings["backup"].append(_timed(["backup", str(backup)], {}))
                target = _empty_database(connection.vendor, folder / f"restored-{run}.sqlite3")
                restored = {"DATABASE_URL": target, "MEDIA_ROOT": str(folder / f"media-{run}")}
                timings["restore"].append(_timed(["restore", str(backup)], restored))
                size = backup.stat().st_size
                self.stdout.write(
                    f"Run {run}: backup {timings['backup'][-1][0]:.2f} s, "
                    f"restore {timings['restore'][-1][0]:.2f} s"
                )
            _drop_database(connection.vendor)
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        self.stdout.write("")
        self.stdout.write(
            f"Backend: {ENGINE_NAMES[connection.vendor]}; {Resource.objects.count()} resources, "
            f"{Version.objects.count()} versions; a backup of {size / 1e6:.1f} MB; {runs} runs"
        )
        self.stdout.write(
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
            f"{platform.python_implementation()} {platform.python_version()}"
        )
        self.stdout.write("| command | median, whole command (s) | median, its own work (s) |")
        self.stdout.write("|---|---|---|")
        for command, values in timings.items():
            whole = statistics.median(value[0] for value in values)
            work = statistics.median(value[1] for value in values)
            self.stdout.write(f"| {command} | {whole:.2f} | {work:.2f} |")


def _timed(arguments: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """(seconds the command took, seconds its summary line reports)."""
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise CommandError(f"{arguments[0]} failed: {result.stderr.strip()}")
    reported = REPORTED.search(result.stdout)
    return seconds, float(reported.group(1)) if reported else float("nan")


def _restored_url() -> str:
    """The benchmark database's address with "_restored" added to its name."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=parts.path + "_restored"))


def _empty_database(vendor: str, sqlite_file: Path) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{sqlite_file}"
    _drop_database(vendor)
    with _maintenance() as conn:
        conn.execute(f'CREATE DATABASE "{_restored_name()}"')
    return _restored_url()


def _drop_database(vendor: str) -> None:
    if vendor == "postgresql":
        with _maintenance() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{_restored_name()}" WITH (FORCE)')


def _restored_name() -> str:
    return str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]) + "_restored"


def _maintenance() -> psycopg.Connection[Any]:
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=True,
    )
