"""One step at a time per name (a phone number's hash, an address's) for the length of a transaction:
for a rule that counts rows and then adds one, which simultaneous requests would otherwise all pass."""

from django.db import connection


def hold(*names: str) -> None:
    """Inside a transaction: wait until no other transaction holds any of `names`, then hold them until
    this one ends. PostgreSQL: transaction-level advisory locks, taken in one order (two callers never
    wait for each other crosswise). SQLite: nothing more to do, its write transactions already run one
    at a time from their BEGIN (IMMEDIATE, settings)."""
    if not connection.in_atomic_block:
        raise RuntimeError("core.locks.hold() needs a transaction: the locks end with it")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in sorted(set(names)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])
