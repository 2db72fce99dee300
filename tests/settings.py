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

from config.settings import *  # noqa: F403
