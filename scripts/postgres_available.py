"""Exit 0 when a PostgreSQL server answers at TEST_DATABASE_URL (default: local, trust auth).

With a database name as argument, also create that database when it is missing.
"""

import os
import sys

import psycopg

url = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
server = url.rsplit("/", 1)[0]
try:
    with psycopg.connect(server + "/postgres", connect_timeout=3, autocommit=True) as conn:
        if len(sys.argv) > 1:
            name = sys.argv[1]
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
except psycopg.Error:
    sys.exit(1)
