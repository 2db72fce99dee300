"""The pages measured at national scale (benchmarks/national.py) take the same number of
queries however many municipalities share the installation: each page as one
municipality's administrator, HR, facilitator or participant, at demo scale 1 and 3."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lup.demo.seed import seed_demo

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "national.py"


def national():
    spec = importlib.util.spec_from_file_location("national_benchmark", BENCHMARK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def query_counts(module) -> dict[tuple[str, str], int]:
    counts = {}
    for role, page, client, url in module.national_pages():
        module.fetch(client, url)  # warm: once-per-process lookups are not the page's
        with CaptureQueriesContext(connection) as queries:
            module.fetch(client, url)
        counts[(role, page)] = len(queries)
    return counts


@pytest.mark.slow
@pytest.mark.django_db
def test_every_national_page_takes_the_same_queries_at_scale_1_and_3(monkeypatch):
    monkeypatch.setattr("lup.demo.seed.CERTIFIED_ORGANISATIONS", 1)  # certificates: Bærum's
    module = national()
    seed_demo(scale=1)
    small = query_counts(module)
    seed_demo(scale=3)  # two more municipalities, with their units, people and projects

    large = query_counts(module)

    assert len(small) == 7
    assert large == small
