"""The demo district's load time (`manage.py seed_demo`), which `./run` waits for on a fresh machine.

    python bench/seed_demo.py [--db sqlite|postgres|both] [--runs 1]

For each engine, a scratch database (a temporary SQLite file, or PostgreSQL `nj_bench_<random>`,
dropped at the end even on error) is migrated, then `manage.py seed_demo` runs in a process of its
own on it, timed from start to exit (Python's start and Django's setup included, as `./run` pays
them); then once more on the loaded database, which must add nothing (the demo is idempotent: what
`./run` pays on every later start). With --runs N the whole is repeated on a new database each time.
Printed: seconds of each, the target (the platform issue's "under 30 s" for the first load) and
PASS/FAIL. It is not a test: it measures, prints and cleans up.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _scratch import clean_up, scratch_database, scratch_environment

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
TARGET_S = 30.0


def _manage(env: dict, *args: str) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.monotonic() - started
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return seconds, done.stdout


def run_engine(engine: str) -> tuple[float, float]:
    """(first load, second run) in seconds on a new scratch database of `engine`."""
    workdir = Path(tempfile.mkdtemp(prefix="nj_bench_seed_"))
    database_url, pg_name = scratch_database(engine, workdir)
    try:
        env = scratch_environment(database_url, workdir)
        migrate, _ = _manage(env, "migrate", "--noinput", "-v", "0")
        first, out = _manage(env, "seed_demo", "--quiet")
        again, out_again = _manage(env, "seed_demo", "--quiet")
        added = [line for line in out_again.splitlines() if re.match(r"新建.*：[1-9]", line)]
        if added:
            raise RuntimeError(f"the second seed_demo added rows: {added}")
        made = {m.group(1): int(m.group(2)) for m in re.finditer(r"新建(.+?)：(\d+)", out)}
        print(
            f"{engine:9} migrate {migrate:5.1f} s   seed_demo {first:5.1f} s   again {again:5.1f} s"
            f"   ({made.get('职工（快递员、外卖配送员）', 0)} couriers and riders, {sum(made.values())} rows"
            " counted by its summary)",
            flush=True,
        )
        return first, again
    finally:
        clean_up(pg_name=pg_name, workdir=workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=1, help="new databases per engine")
    args = parser.parse_args()
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # noqa: S606
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill still drops the database
    engines = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    results = {engine: [run_engine(engine) for _ in range(args.runs)] for engine in engines}
    failed = False
    for engine, runs in results.items():
        worst = max(first for first, _ in runs)
        verdict = "PASS" if worst < TARGET_S else "FAIL"
        failed |= verdict == "FAIL"
        firsts = " / ".join(f"{first:.1f}" for first, _ in runs)
        agains = " / ".join(f"{again:.1f}" for _, again in runs)
        print(
            f"{engine:9} first load {firsts} s (target < {TARGET_S:.0f} s): {verdict};"
            f" on a loaded database {agains} s"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
