"""Fixtures for the courses tests that need them across files."""

from tests.courses.ralph import ralph, ralph_home  # noqa: F401  (a real LRS, started on demand)
