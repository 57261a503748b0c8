"""Exit 0 when a PostgreSQL server answers at TEST_DATABASE_URL (default: local, trust auth)."""

import os
import sys

import psycopg

url = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
try:
    psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except psycopg.Error:
    sys.exit(1)
