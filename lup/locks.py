"""One run at a time across workers and app servers, for work that must not happen twice.

Celery beat may start a periodic task on two workers (two beat schedulers by mistake, a
retried delivery, a run still going when the next one starts), and several app servers
share one database. `exclusive(name)` runs a block in a transaction that holds the
site-wide lock `name`: a second run of the same block waits until the first has
committed, and then sees what it did, so a task that checks "already done?" inside the
block does its work once.

On PostgreSQL the lock is an advisory transaction lock (`pg_advisory_xact_lock`, released
at commit or rollback, never left behind by a crashed worker). SQLite has no such lock and
allows one writer at a time; the embedded set-up runs one worker, so there it is only the
transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


def lock_key(name: str) -> int:
    """The signed 64-bit advisory lock key of `name` (PostgreSQL's bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), signed=True)


@contextmanager
def exclusive(name: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block inside `transaction.atomic()`, holding the lock `name` until the
    transaction ends. Waits for another holder of the same name."""
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
        yield
