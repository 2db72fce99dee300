"""The badge image of an achievement: an SVG drawn from its name and issuer, so every
achievement has one without anyone designing it (the `image` of credentials)."""

from __future__ import annotations

import textwrap

from django.template.loader import render_to_string

from ..models import Achievement

LINE_LENGTH = 18
MAX_LINES = 4


def svg(achievement: Achievement) -> str:
    """The SVG text (names are escaped by the template)."""
    lines = textwrap.wrap(achievement.name, LINE_LENGTH)[:MAX_LINES] or [""]
    first_y = 150 - (len(lines) - 1) * 13
    return render_to_string(
        "certificates/badge.svg",
        {
            "achievement": achievement,
            "lines": [(first_y + number * 26, line) for number, line in enumerate(lines)],
            "issuer_name": textwrap.shorten(achievement.issuer.name, 30, placeholder="…"),
        },
    )
