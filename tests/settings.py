"""The test suite's settings: the site's own, run as production runs them (DEBUG off), with
test-only secrets. They are put in the environment, so the servers, workers and commands
that tests start in subprocesses get them too."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF"
)
os.environ.setdefault("COURSES_LEARNER_PSEUDONYM_KEY", "test-only-pseudonym-key-0123456789")
# Production refuses to start without a public HTTPS address (certificates.E010).
os.environ.setdefault("SITE_URL", "https://lup.test")


def _redis_database_of_this_worker(url: str, worker: str) -> str:
    """Each pytest-xdist worker (gw0, gw1, ...) its own Redis database, counting down from
    the one given: every test clears the cache, which must not clear another worker's."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    given = int(parts.path.strip("/") or 0)
    number = given - int(worker.removeprefix("gw"))
    if number < 0:
        raise RuntimeError(f"REDIS_URL {url}: too low a database number for worker {worker}")
    return urlunsplit(parts._replace(path=f"/{number}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
# Once: processes the tests start inherit both variables, and the URL already moved.
if os.environ.get("REDIS_URL") and _worker and os.environ.get("LUP_TEST_REDIS_OF") != _worker:
    os.environ["REDIS_URL"] = _redis_database_of_this_worker(os.environ["REDIS_URL"], _worker)
    os.environ["LUP_TEST_REDIS_OF"] = _worker

from config.settings import *  # noqa: E402, F403
