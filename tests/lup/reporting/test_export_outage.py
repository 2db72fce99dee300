"""A streamed CSV export that loses its database says so in the file's last line.

Once the header is out the status code is sent (200); a stream that simply stopped would
look like a whole file with fewer rows. So the last line says "INCOMPLETE EXPORT", how many
rows came, and why. On PostgreSQL the database connection is really cut mid-stream
(`pg_terminate_backend`, what a restart or a failover does to it).
"""

from __future__ import annotations

import csv
import io
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import translation

from lup.models import AuditEvent
from lup.reporting import exports
from lup.reporting.columns import default_preset
from lup.reporting.exports import ReportExport, stream_csv
from lup.reporting.selectors import completion_rows
from lup.reporting.services import REPORT_EXPORTED
from tests.concurrency import other_session
from tests.roles import build_world

EXPORT = reverse("lup:report-participants-export")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="cuts a PostgreSQL session from another one (CI runs the suite on PostgreSQL)",
)


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def failing_after_first_batch(error: BaseException):
    """raw_value_batches whose batches stop with `error` after the first one."""
    real = exports.raw_value_batches

    def wrapper(*args, **kwargs):
        positions, converters, batches = real(*args, **kwargs)

        def stopping():
            yield next(batches)
            # Close the real batches (and their PostgreSQL cursor) now, as an error inside
            # them would: left to the garbage collector, the cursor would be closed in a
            # later test's transaction, after this one's rollback removed it.
            batches.close()
            raise error

        return positions, converters, stopping()

    return mock.patch.object(exports, "raw_value_batches", wrapper)


@pytest.fixture
def world(db):
    return build_world()


def test_a_whole_export_has_no_such_line(client, world):
    client.force_login(world.people["hr"])
    response = client.get(EXPORT, {"preset": "default"}, HTTP_ACCEPT_LANGUAGE="nb")
    content = b"".join(response.streaming_content)

    assert "UFULLSTENDIG" not in content.decode("utf-8-sig")
    assert len(rows_of(content)) == 1 + 4


def test_losing_the_database_mid_stream_is_said_in_the_last_line(client, world):
    client.force_login(world.people["hr"])
    with failing_after_first_batch(OperationalError("server closed the connection")):
        response = client.get(EXPORT, {"preset": "default"}, HTTP_ACCEPT_LANGUAGE="nb")
        content = b"".join(response.streaming_content)

    rows = rows_of(content)
    assert response.status_code == 200
    assert len(rows) == 1 + 4 + 1  # the header, the batch that came, the last line
    assert rows[-1] == [
        "UFULLSTENDIG EKSPORT: databasen sluttet å svare etter 4 rader. "
        "Resten mangler: last ned filen på nytt."
    ]
    event = AuditEvent.objects.get(action=REPORT_EXPORTED)
    assert event.details["complete"] is False
    assert event.details["rows"] == 4


def test_any_other_error_mid_stream_is_said_too(world):
    export = ReportExport(completion_rows(world.people["hr"]), default_preset("participants"), 1)
    with failing_after_first_batch(ValueError("a bug")), translation.override("en"):
        content = b"".join(stream_csv(export))

    assert rows_of(content)[-1] == [
        "INCOMPLETE EXPORT: an error on our side stopped the export after 1 row. "
        "The rest is missing: download the file again."
    ]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_cut_mid_stream_on_postgresql_is_said_in_the_last_line():
    world = build_world()
    export = ReportExport(completion_rows(world.people["hr"]), default_preset("participants"), 1)
    audits: list[tuple[int, bool]] = []
    with translation.override("en"):
        stream = stream_csv(
            export, on_finish=lambda rows, complete: audits.append((rows, complete))
        )
    chunks = [next(stream), next(stream)]  # the header and the first row

    # Another session ends ours, as a restart or failover of the server does.
    backend_pid = connection.connection.info.backend_pid
    with other_session() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    chunks.extend(stream)

    try:
        rows = rows_of(b"".join(chunks))
        assert len(rows) == 3
        assert rows[-1][0].startswith("INCOMPLETE EXPORT: the database stopped answering")
        assert audits == [(1, False)]
    finally:
        connection.close()  # the cut connection; the next query opens a new one
