"""Dates in messages and e-mails are written the way the reader's language writes them
(Django's formats for the active language), never in one hard-coded pattern."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import translation

from lup.innovation.services.follow_up import _reminder


@pytest.mark.parametrize(
    ("language", "written"), [("nb", "31.12.2026"), ("nn", "31.12.2026"), ("en", "12/31/2026")]
)
def test_a_benefit_reminder_writes_the_due_date_in_the_readers_language(language, written):
    benefit = SimpleNamespace(description="Kortere ventetid")
    with translation.override(language):
        _subject, body, _sender, _to = _reminder(
            "Digitalt nattilsyn",
            [(benefit, dt.date(2026, 12, 31))],  # type: ignore[list-item]
            ["a@example.no"],
        )
    assert f"Kortere ventetid ({written})" in body
