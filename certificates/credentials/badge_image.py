"""The badge image of an achievement: an SVG drawn from its name and issuer, so every
achievement has one without anyone designing it (the `image` of credentials)."""

from __future__ import annotations

import textwrap

from django.template.loader import render_to_string

from ..models import Achievement

LINE_LENGTH = 18
MAX_LINES = 4
# The circle's text area is about 220 px wide; a bold Arial character is about 0.6 em.
TEXT_WIDTH = 220
LARGEST_FONT = 22


def svg(achievement: Achievement) -> str:
    """The SVG text (names are escaped by the template). Words are not broken: a long one
    ("Lederutviklingsprogram") makes the type smaller instead."""
    lines = textwrap.wrap(achievement.name, LINE_LENGTH, break_long_words=False) or [""]
    if len(lines) > MAX_LINES:
        lines = [
            *lines[: MAX_LINES - 1],
            textwrap.shorten(" ".join(lines[MAX_LINES - 1 :]), LINE_LENGTH, placeholder="…"),
        ]
    font_size = min(LARGEST_FONT, int(TEXT_WIDTH / (0.6 * max(len(line) for line in lines) or 1)))
    line_height = round(font_size * 1.2)
    first_y = 150 - (len(lines) - 1) * line_height // 2
    return render_to_string(
        "certificates/badge.svg",
        {
            "achievement": achievement,
            "font_size": font_size,
            "lines": [(first_y + number * line_height, line) for number, line in enumerate(lines)],
            "issuer_name": textwrap.shorten(achievement.issuer.name, 30, placeholder="…"),
        },
    )
