"""Scratch databases for the benchmarks: a temporary SQLite file, or a PostgreSQL database dropped after."""

import os
import secrets
from pathlib import Path

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def scratch_database(engine: str, workdir: Path) -> tuple[str, str | None]:
    """(DATABASE_URL, PostgreSQL database name to drop or None)."""
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}", None
    import psycopg

    name = f"nj_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
