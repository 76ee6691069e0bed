"""What the benchmarks share: scratch databases (a temporary SQLite file, or a PostgreSQL database
dropped after), their environment, and a gunicorn serving the app on them."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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


def start_gunicorn(env: dict, workdir: Path, *options: str) -> tuple[subprocess.Popen, int]:
    """gunicorn serving the app on a free loopback port with only `options` (an empty config file keeps
    the repo's gunicorn.conf.py, access log and worker recycling, from varying the figures); returns
    (process, port) once /healthz answers, or raises with the end of its log."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = workdir / "gunicorn.conf.py"
    config.write_text("")
    log_path = workdir / "gunicorn.log"
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "niangjia.wsgi", "--config", str(config), *options]
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env,
        cwd=ROOT,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited at start:\n{log_path.read_text()[-3000:]}")
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it has not ended within 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def clean_up(processes=(), pg_name: str | None = None, workdir: Path | None = None) -> None:
    """Stop the processes, drop the scratch database, remove the files: every step even when one before
    it failed, and a second SIGTERM does not cut the cleanup short."""
    handler = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    steps = [lambda process=process: stop_process(process) for process in processes if process is not None]
    if pg_name:
        steps.append(lambda: drop_database(pg_name) or print(f"dropped {pg_name}", flush=True))
    if workdir is not None:
        steps.append(lambda: shutil.rmtree(workdir, ignore_errors=True))
    for step in steps:
        try:
            step()
        except Exception as exc:
            print(f"cleanup failed: {exc!r}", file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, handler)
