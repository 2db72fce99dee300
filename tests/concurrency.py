"""Real races need PostgreSQL: SQLite serialises every writer, so the race cannot happen
there. `on_postgresql` skips a test elsewhere (CI runs the suite on PostgreSQL too), and
`race` runs a callable in several threads at once, each on its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writers, so the race cannot happen there "
    "(run with DATABASE_URL=postgres://... as CI does)",
)


def race(target: Callable[[], Any], count: int = 2) -> list[BaseException]:
    """Run `target` in `count` threads at once; the errors they raised."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported by the test, in its own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def other_session() -> Any:
    """A second PostgreSQL session to the test database, outside Django's connections
    (autocommit): to cut ours, or to see what another session sees."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    )
