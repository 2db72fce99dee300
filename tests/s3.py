"""A real S3-compatible server for the object-storage tests: moto in server mode.

CI starts one (`.ci/run`) and names it in LUP_TEST_S3_ENDPOINT; otherwise the first test
that needs it starts `moto_server` from the virtualenv on a free loopback port, for the
session. Each test gets its own bucket, and STORAGES exactly as production configures it
for a bucket (config.storages.s3_storages), so the apps talk S3 over HTTP as they do in
production: signed requests, listings, 404s, overwrites.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REGION = "eu-north-1"
CREDENTIALS = {"aws_access_key_id": "lup-test", "aws_secret_access_key": "lup-test-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(endpoint: str, process: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"moto_server stopped at once (exit {process.returncode})")
        parts = urlsplit(endpoint)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=2)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"no S3 server answered at {endpoint}")


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The S3 server's address: CI's (LUP_TEST_S3_ENDPOINT), else one started here."""
    given = os.environ.get("LUP_TEST_S3_ENDPOINT")
    if given:
        _wait_until_up(given, None)
        yield given
        return
    server = Path(sys.executable).parent / "moto_server"
    if not server.is_file():
        pytest.skip("moto_server not installed: make setup installs the test extras")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(endpoint, process)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Bucket:
    """A test's own bucket, and an S3 client that looks at it from outside the apps."""

    name: str
    endpoint: str
    client: Any

    def object_keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.name, Key=key)["Body"].read())


@pytest.fixture
def object_storage(settings: Any, s3_endpoint: str) -> Bucket:
    """Every file storage on a fresh bucket of the S3 server, as production configures it."""
    import boto3

    from config.storages import s3_storages

    name = f"lup-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **CREDENTIALS)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = s3_storages(
        bucket=name,
        endpoint_url=s3_endpoint,
        region=REGION,
        access_key=CREDENTIALS["aws_access_key_id"],
        secret_key=CREDENTIALS["aws_secret_access_key"],
    )
    return Bucket(name=name, endpoint=s3_endpoint, client=client)
