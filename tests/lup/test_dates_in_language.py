"""Dates in messages and e-mails are written the way the reader's language writes them
(Django's formats for the active language), never in one hard-coded pattern."""

from __future__ import annotations

import pytest
from django.utils import translation

from lup.notifications.messages import WRITERS
from lup.notifications.models import Notification


@pytest.mark.parametrize(
    ("language", "written"),
    [("nb", "31. desember 2026"), ("nn", "31. desember 2026"), ("en", "Dec. 31, 2026")],
)
def test_a_benefit_reminder_writes_the_due_date_in_the_readers_language(language, written):
    context = {
        "project": "Digitalt nattilsyn",
        "due_on": "2026-12-31",
        "benefits": ["Kortere ventetid"],
        "organisation": "Bærum kommune",
    }
    with translation.override(language):
        _subject, lines = WRITERS[Notification.Kind.BENEFIT_DUE](context)
    assert written in lines[0]
    assert "– Kortere ventetid" in lines[1]
