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


def scratch_environment(database_url: str, workdir: Path, **extra: str) -> dict:
    """A production-like environment for a process on the scratch database: debug off, fresh keys,
    none of the caller's NIANGJIA_* settings."""
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if not k.startswith("NIANGJIA_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="niangjia.settings",
        DATABASE_URL=database_url,
        NIANGJIA_VAR_DIR=str(workdir / "var"),
        NIANGJIA_DEBUG="0",
        NIANGJIA_LOG_LEVEL="WARNING",
        NIANGJIA_SECRET_KEY=secrets.token_urlsafe(50),
        NIANGJIA_PII_KEYS=Fernet.generate_key().decode(),
        NIANGJIA_PII_HMAC_KEY=secrets.token_urlsafe(32),
        NIANGJIA_SIGNING_KEY=secrets.token_urlsafe(32),
        **extra,
    )
    return env
